"""A community's ledgers (台账): one page with a tab per registered ledger kind
(kinds.py), add and edit forms, voiding with a reason, leaving. Street officers and
grid workers read (VIEW_LEDGERS); community workers and admins write (EDIT_LEDGERS);
departments get none."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core import modules
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.exports import query_without_page
from gongzhi.core.permissions import requires
from gongzhi.ledgers import kinds, selectors, services
from gongzhi.ledgers.kinds import VOID, LedgerKind
from gongzhi.ledgers.manifest import EDIT_LEDGERS, VIEW_LEDGERS


def _kind(code: str, can=lambda kind: True) -> LedgerKind:
    """The registered kind `code`, if it `can` do what the page does; otherwise 404."""
    kind = kinds.get(code)
    if kind is None or not can(kind):
        raise Http404("没有这个台账")
    return kind


def _table(kind: LedgerKind, rows, community, can_edit: bool) -> list[dict]:
    """The list's rows as the template shows them: one cell per column."""
    def href(name, row):
        return reverse(name, args=[community.code, row.pk]) if can_edit and name and not getattr(row, "source", "") else ""
    return [{"pk": row.pk, "voided": getattr(row, "voided", ""), "leave_href": href(kind.leave_url, row),
             "source": _source(row),
             "cells": [{"label": c.label or c.header, "text": c.text(row),
                        "href": href(kind.edit_url, row) if c.link else ""} for c in kind.columns]}
            for row in rows]


def _source(row) -> dict | None:
    """A row written by the work: what wrote it, and a link to that record where one is registered."""
    if not getattr(row, "source", ""):
        return None
    label, url_name = dict(modules.extras("ledger_sources")).get(row.source, (row.source, ""))
    try:
        href = reverse(url_name, args=[row.source_pk]) if url_name else ""
    except NoReverseMatch:
        href = ""
    return {"label": label, "href": href}


@requires(VIEW_LEDGERS)
def ledger(request, code):
    community = selectors.access_community(request.scope, code)
    tabs = kinds.registered()
    kind, year, include_left, rows = selectors.rows_from_query(community, request.GET)  # the export reads the same
    can_edit = selectors.may_edit(request.scope, community, kind)
    summary = selectors.year_summary(community, year)
    leave_column = can_edit and bool(kind.leave_url)
    ctx = {"community": community, "kind": kind, "tabs": tabs, "year": year,
           "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
           "can_edit": can_edit, "can_add": can_edit and kind.form is not None, "include_left": include_left,
           "table": _table(kind, rows, community, can_edit), "empty": kind.empty(year),
           "voids": kind.ends == VOID, "leave_column": leave_column, "export_query": query_without_page(request.GET),
           "colspan": len(kind.columns) + (1 if kind.ends == VOID or kind.leave_url else 0),
           # this year's figures (dated kinds), then the counts of today (the others)
           "summary_year": [(k, figures) for k, figures in summary if k.date_field],
           "summary_now": [f for k, figures in summary if not k.date_field for f in figures]}
    return render(request, "ledgers/ledger.html", ctx)


def _back(community, kind: LedgerKind):
    return f"/ledgers/{community.code}/?tab={kind.code}"


def _data(form) -> dict:
    """What the form says, without the version it was loaded with."""
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@requires(EDIT_LEDGERS)
def record_new(request, code, kind):
    kind = _kind(kind, lambda k: k.form is not None)
    community = selectors.access_community(request.scope, code, edit=True, kind=kind)
    form = kind.form(request.POST or None, community=community)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                row = kind.add_row(community=community, data=_data(form), by=request.user)
            except RuleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, kind.saved_message(row))
                return redirect(_back(community, kind))
    return render(request, "core/form_page.html", {"form": form, "title": f"{community.name}:{kind.new_title}",
                                                      "back": _back(community, kind)}, status=status)


@requires(EDIT_LEDGERS)
def record_edit(request, code, kind, row_id):
    """Edit a row of a kind that allows it; a form loaded before someone else saved gets 409."""
    kind = _kind(kind, lambda k: k.form is not None and k.update is not None)
    community = selectors.access_community(request.scope, code, edit=True, kind=kind)
    row = get_object_or_404(kind.queryset(community), pk=row_id)
    if getattr(row, "source", ""):  # kept by the record that wrote it
        messages.error(request, services.ERR_WRITTEN_BY_WORK.format(source=services.source_label(row.source)))
        return redirect(_back(community, kind))
    form = kind.form(request.POST or None, instance=row, initial={"version": row.version}, community=community)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            row = kind.update(row=row, version=form.cleaned_data["version"] or 0, data=_data(form), by=request.user)
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except RuleError as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            messages.success(request, kind.saved_message(row))
            return redirect(_back(community, kind))
    elif request.method == "POST":
        status = 400
    return render(request, "core/form_page.html", {"form": form, "title": f"{community.name}:{kind.edit_title}",
                                                      "back": _back(community, kind)}, status=status)


@requires(EDIT_LEDGERS)
@require_POST
def record_void(request, code, kind, row_id):
    kind = _kind(kind, lambda k: k.ends == VOID)
    community = selectors.access_community(request.scope, code, edit=True, kind=kind)
    row = get_object_or_404(kind.queryset(community), pk=row_id)
    try:
        services.record_void(row=row, reason=request.POST.get("reason", ""), by=request.user)
        messages.success(request, "已作废")
    except RuleError as exc:
        messages.error(request, str(exc))
    return redirect(_back(community, kind))


@requires(EDIT_LEDGERS)
@require_POST
def record_leave(request, code, kind, row_id):
    """A serving row (a volunteer) ends today."""
    kind = _kind(kind, lambda k: k.leave is not None)
    community = selectors.access_community(request.scope, code, edit=True, kind=kind)
    row = get_object_or_404(selectors.rows(kind, community), pk=row_id)
    try:
        row = kind.leave(row=row, on=timezone.localdate(), by=request.user)
        messages.success(request, kind.left.format(row=row))
    except RuleError as exc:
        messages.error(request, str(exc))
    return redirect(_back(community, kind))
