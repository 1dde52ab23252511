"""How a work-order event and its notices are written, in one place.

`record_event` appends one `WorkOrderEvent` (rows are never changed) and sends
its notices through `notify.notify` (inbox rows now, the external senders after
commit); the report and every step use it. The overdue sweep writes events and
notices for many orders at once with the set-based twins `insert_events_sql`
and `insert_notices_sql`: INSERT … SELECT statements that read `%(now)s`, run
as they are or inside one WITH statement on PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from gongzhi.workorders import notify
from gongzhi.workorders.models import Action, Notification, WorkOrder, WorkOrderEvent

SYSTEM = "系统"  # the actor of what nobody did by hand (the sweep's 督办)
# The kind of notice an event sends, where it is not the action's own code.
_NOTICE_KINDS = {Action.VERIFY_PASS: "verify", Action.VERIFY_FAIL: "verify", Action.SUPERVISE: "overdue"}


def notice_kind(action: str) -> str:
    return _NOTICE_KINDS.get(action, Action(action).value)


@dataclass(frozen=True)
class Notice:
    """Who hears of an event, and what. `about` is another order the notice is about
    (the reporters of merged orders hear that the order they joined was closed)."""
    to: Iterable[int | None]
    text: str
    about: WorkOrder | None = None


def record_event(order: WorkOrder, action: str, *, by, now, from_state: str | None = None, note: str = "",
                 data: dict | None = None, actor_name: str | None = None,
                 notices: Iterable[Notice] = ()) -> WorkOrderEvent:
    """Append the event of a step on `order` (already in the state the step led to;
    `from_state` defaults to that state: a step that keeps it) and send its notices."""
    event = WorkOrderEvent.objects.create(
        order=order, action=action, from_state=order.state if from_state is None else from_state,
        to_state=order.state, actor=by, actor_name=actor_name or (str(by) if by is not None else SYSTEM),
        at=now, note=note, data=data or {})
    kind = notice_kind(action)
    for notice in notices:
        notify.notify(notice.to, order=notice.about or order, kind=kind, text=notice.text, now=now)
    return event


# -- the set-based twins (the overdue sweep) --------------------------------------------
_EVENT_COLUMNS = "order_id, action, from_state, to_state, actor_id, actor_name, at, note, data"
_NOTICE_COLUMNS = "user_id, order_id, kind, text, created_at, read_at"


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _now() -> str:
    return "%(now)s::timestamptz" if _postgresql() else "%(now)s"


def insert_events_sql(action: str, *, source: str, note: str, data: dict[str, str]) -> str:
    """INSERT … SELECT of one event of `action` by the system at %(now)s per row of
    `source`, a FROM … clause that calls the order `wo`; the order keeps its state.
    `note` and the values of `data` are SQL expressions over those rows (constants, not input)."""
    build = "jsonb_build_object" if _postgresql() else "json_object"
    pairs = ", ".join(f"'{key}', {value}" for key, value in data.items())
    data_sql = f"{build}({pairs})"
    return (f"INSERT INTO {WorkOrderEvent._meta.db_table} ({_EVENT_COLUMNS}) "
            f"SELECT wo.id, '{Action(action).value}', wo.state, wo.state, NULL, '{SYSTEM}', {_now()}, "
            f"{note}, {data_sql} {source}")


def insert_notices_sql(action: str, *, recipients: str) -> str:
    """INSERT … SELECT of the notices of `action` at %(now)s; `recipients` is a SELECT
    of (user_id, order_id, text). Inbox rows only: no external sender is called."""
    unread = "NULL::timestamptz" if _postgresql() else "NULL"
    return (f"INSERT INTO {Notification._meta.db_table} ({_NOTICE_COLUMNS}) "
            f"SELECT r.user_id, r.order_id, '{notice_kind(action)}', r.text, {_now()}, {unread} "
            f"FROM ({recipients}) r")
