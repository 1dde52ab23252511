"""Small helpers every module's pages share about Django forms."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from gongzhi.core.errors import ConflictError, RuleError


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


def refusal_status(exc) -> int:
    """The status of a page re-rendered after a refused write: 409 when the form was stale (someone else
    changed the record first), 422 when a rule refused it."""
    return 409 if isinstance(exc, ConflictError) else 422


def submit(request, form, write, *, refused, done, then):
    """The shape of a write behind a form: the form's first error is refused like a rule; else `write`
    gets the cleaned data and calls the service. A refusal (RuleError, ConflictError) re-renders through
    `refused(error, status)` and changes nothing; success flashes `done` and redirects to `then` (a URL
    name with its arguments as a tuple, or a URL); either may be a function of what `write` returned."""
    try:
        if not form.is_valid():
            raise RuleError(first_error(form))
        result = write(form.cleaned_data)
    except (RuleError, ConflictError) as exc:
        return refused(str(exc), refusal_status(exc))
    messages.success(request, done(result) if callable(done) else done)
    then = then(result) if callable(then) else then
    return redirect(*then) if isinstance(then, tuple) else redirect(then)
