"""Small helpers every module's pages share about Django forms."""
from __future__ import annotations


def first_error(form) -> str:
    """The form's first error as one Chinese line naming its field (「标题:请填写」), for the alert at the
    top of a page that shows one message; empty when the form is valid."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}:{errors[0]}" if label else errors[0]
    return ""


def posted_version(value) -> int:
    """A form's hidden `version` as a number; a missing or broken one reads as -1, which no record has,
    so the form is treated as stale (a conflict the page explains) rather than as a server error."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
