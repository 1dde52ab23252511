"""The shape every care page that writes from a record's page shares: find the record through the caller's
scope (404 outside it, ids beyond a database integer included), call the service, flash its refusal or its
success and go back to the page the form was on (a redirect either way: these forms sit on another page)."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect

from gongzhi.care import selectors
from gongzhi.core.errors import ConflictError, RuleError


def in_range(pk) -> int:
    """A URL's id as a database can take it; anything else (0, ≥ 2^63) names no row."""
    return pk if isinstance(pk, int) and 0 < pk < 2**63 else 0


def scoped_or_404(scope, queryset, pk):
    """The row `pk` of `queryset` (carrying `community` and `grid`) within the scope, or 404 that looks like absent."""
    obj = selectors.scope_filter(scope, queryset).filter(pk=in_range(pk)).first()
    if obj is None:
        raise Http404("未找到或无权访问")
    return obj


def flash(request, write, done, then):
    """Run `write()`; a refusal (RuleError, ConflictError) is flashed as an error and nothing changed, success
    flashes `done` (text, or a function of what `write` returned); then back to `then` (a URL)."""
    try:
        result = write()
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(then)


def parse_date(value, field: str) -> dt.date:
    """A form's yyyy-mm-dd date, or RuleError naming the field."""
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        raise RuleError(f"{field}请按 年-月-日 填写,例如 2026-03-01") from None
