"""Helpers the standards pages share. Who may open which page is declared on
each view (`@requires` with a capability from `standards.manifest`);
assessments, surveys and cases are the civil-affairs line's one unified
assessment (P-DUTY-4), so their capabilities are granted to no department
post, and a department post held beside another role widens nothing."""
from __future__ import annotations


def posted_version(request) -> int:
    """The form's version; anything unreadable counts as a stale form (the service refuses it)."""
    try:
        return int(request.POST.get("version") or 0)
    except ValueError:
        return -1
