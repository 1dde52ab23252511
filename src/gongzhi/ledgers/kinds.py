"""What a ledger kind (一种台账) is: one description holding everything the ledger
pages need to list its rows, add, edit, void or end them, and count them for the
year. The pages know no kind by name; they loop over `registered()`.

A module adds kinds under `extras["ledger_kinds"]` in its manifest (dotted paths to
LedgerKind objects, or the objects); ledgers' own are in `books.py`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, Model, Q, QuerySet
from django.utils.module_loading import import_string

from gongzhi.core import modules
from gongzhi.core.modules import Capability, RegistryError
from gongzhi.ledgers import services
from gongzhi.ledgers.manifest import EDIT_LEDGERS

EXTRA = "ledger_kinds"  # the extras key
VOID = "void"  # a wrong row is voided with a reason (field `voided`) and stays listed, greyed
LEAVE = "leave"  # a person leaves on a date (field `left_on`); the list shows those still serving


@dataclass(frozen=True)
class Column:
    """One column of a kind's list. `value` is a field name, dotted through relations
    (choices show their label, dates yyyy-mm-dd, booleans 是/否, None "—"), or a
    function of the row."""
    header: str
    value: str | Callable[[Any], Any]
    label: str = ""  # data-label on narrow screens (default: the header)
    link: bool = False  # the cell links to the row's edit page for those who may edit

    def text(self, row):
        value = self.value(row) if callable(self.value) else _field(row, self.value)
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m-%d")
        return value


def _field(row, path: str):
    *through, name = path.split(".")
    for part in through:
        row = getattr(row, part)
        if row is None:
            return None
    value = getattr(row, f"get_{name}_display", None) or getattr(row, name)
    return value() if callable(value) else value


@dataclass(frozen=True)
class Figure:
    """One figure of the year summary: a database aggregate (e.g. Count("id")) over the
    kind's rows that count (not voided, still serving), of the year when the kind is dated."""
    key: str
    label: str
    aggregate: Aggregate
    unit: str = "次"


@dataclass(frozen=True)
class LedgerKind:
    """One ledger. `model` has a `community` foreign key, and `voided` (ends=VOID) or
    `left_on` (ends=LEAVE). Services take keyword arguments and raise RuleError
    (400 on the page) or ConflictError (409)."""
    code: str  # ?tab=<code> and /ledgers/<community>/<code>/...
    label: str  # the tab's title
    model: type[Model]
    form: type | None  # form(data, community=..., [instance=, initial=]); None: rows are written elsewhere
    order: int  # place among the tabs
    columns: tuple[Column, ...]
    date_field: str | None = None  # the year filter; None: the list shows current rows, whatever the year
    ends: str = VOID
    summary: tuple[Figure, ...] = ()
    summary_order: int | None = None  # place of its figures in the year summary (default: `order`)
    capability: Capability = EDIT_LEDGERS  # needed, at the community, to write rows (besides EDIT_LEDGERS)
    related: tuple[str, ...] = ()  # select_related for the list
    noun: str = ""  # one row, in titles and the add button (default: the label, and the button says 登记)
    add_verb: str = "登记"
    saved: str = ""  # message after adding or editing, formatted with row= (default 已登记<label>)
    add: Callable | None = None  # add(*, community, data, by) -> row; default services.record_add
    update: Callable | None = None  # update(*, row, version, data, by) -> row: rows are edited, version-locked
    edit_url: str = ""  # URL name (community code, row id) of that edit page
    leave: Callable | None = None  # leave(*, row, on, by) -> row: a button ends a serving row today
    leave_url: str = ""  # URL name (community code, row id) of that button
    left: str = "已退出"  # message after leaving, formatted with row=
    left_toggle: tuple[str, str] = ()  # ("only serving", "with those who left") links, when the list offers both

    @property
    def new_title(self) -> str:
        return f"{self.add_verb}{self.noun or self.label}"

    @property
    def new_button(self) -> str:
        return f"{self.add_verb}{self.noun}"

    @property
    def edit_title(self) -> str:
        return f"修改{self.noun or self.label}"

    def empty(self, year: int) -> str:
        return f"{year} 年还没有记录" if self.date_field else f"还没有{self.new_title}"

    def saved_message(self, row) -> str:
        return self.saved.format(row=row) if self.saved else f"已登记{self.label}"

    def live(self) -> Q:
        """The rows that count: not voided, or still serving."""
        return Q(voided="") if self.ends == VOID else Q(left_on__isnull=True)

    def queryset(self, community) -> QuerySet:
        qs = self.model.objects.filter(community=community)
        return qs.select_related(*self.related) if self.related else qs

    def add_row(self, *, community, data: dict, by=None):
        if self.add is not None:
            return self.add(community=community, data=data, by=by)
        label = self.model._meta.get_field(self.date_field).verbose_name if self.date_field else ""
        return services.record_add(community=community, model=self.model, data=data, by=by,
                                   date_field=self.date_field, date_label=label)


def registered() -> list[LedgerKind]:
    """Every module's ledger kinds, in tab order; a code registered twice is refused."""
    found = [import_string(k) if isinstance(k, str) else k for k in modules.extras(EXTRA)]
    codes = set()
    for kind in found:
        if kind.code in codes:
            raise RegistryError(f"台账 {kind.code} 重复注册")
        codes.add(kind.code)
    return sorted(found, key=lambda k: k.order)


def get(code: str) -> LedgerKind | None:
    return next((k for k in registered() if k.code == code), None)
