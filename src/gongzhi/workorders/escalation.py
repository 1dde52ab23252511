"""The overdue sweep: every open order whose step deadline has passed is
marked overdue and escalated one level (community → street → district,
三级联动); the sweep records a 督办 event and notifies the supervisors of the
new level and the order's owner.

It is set-based (a few INSERT … SELECT / UPDATE statements over all due orders
at once), so a million orders take seconds, and idempotent: an escalated
order's `next_escalation_at` moves one working day ahead (or is cleared at the
district level), so running the sweep again at the same moment does nothing.
It does not change `version`: it touches no field a person edits, and a person
acting on the order holds its row lock, so neither overwrites the other.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.workorders.calendar import add_working_days
from gongzhi.workorders.models import OPEN_STATES

_NOTE = ("CASE WHEN {lvl} >= 2 THEN '超过办理时限,已升级至区级督办' "
         "ELSE '超过办理时限,已升级至街道督办' END")
_TEXT = ("'工单「' || {t}.title || '」超过办理时限,' || "
         "CASE WHEN {lvl} >= 2 THEN '已升级至区级督办' ELSE '已升级至街道督办' END")
# Street officers hear of a first escalation, district admins of the second
# (or of the first, when the order has no street).
_SUPERVISORS_JOIN = (
    "JOIN accounts_roleassignment ra ON ra.active = {true} AND ("
    " (ra.role = 'street' AND ra.place_id = {t}.street_id AND {lvl} = 1)"
    " OR (ra.role = 'admin' AND ra.place_id = {t}.district_id AND ({lvl} >= 2 OR {t}.street_id IS NULL)))")


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Run one sweep; returns how many orders were escalated."""
    now = now or timezone.now()
    next_at = add_working_days(now, 1)
    ops = connection.ops
    params = {"now": ops.adapt_datetimefield_value(now), "next": ops.adapt_datetimefield_value(next_at)}
    states = ", ".join(f"'{s}'" for s in OPEN_STATES)  # constants, not user input
    due_where = f"next_escalation_at IS NOT NULL AND next_escalation_at <= %(now)s AND state IN ({states})"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _sweep_postgresql(cursor, due_where, params)
        return _sweep_sequential(cursor, due_where, params)


def _set_clause() -> str:
    # In SET, the right-hand sides read the old row.
    return ("overdue = TRUE, "
            "escalation_level = CASE WHEN escalation_level < 2 THEN escalation_level + 1 ELSE 2 END, "
            "next_escalation_at = CASE WHEN escalation_level < 1 THEN %(next)s ELSE NULL END")


def _sweep_postgresql(cursor, due_where: str, params: dict) -> int:
    # One statement: the update, its events and its notices see the same rows.
    cursor.execute(f"""
        WITH due AS (
            UPDATE workorders_workorder SET {_set_clause()}
            WHERE {due_where}
            RETURNING id, state, title, owner_id, street_id, district_id, escalation_level AS lvl
        ), events AS (
            INSERT INTO workorders_workorderevent (order_id, action, from_state, to_state, actor_id, actor_name,
                                                   at, note, data)
            SELECT id, 'supervise', state, state, NULL, '系统', %(now)s, {_NOTE.format(lvl='lvl')},
                   jsonb_build_object('level', lvl)
            FROM due
        ), notices AS (
            INSERT INTO workorders_notification (user_id, order_id, kind, text, created_at, read_at)
            SELECT DISTINCT r.user_id, r.id, 'overdue', r.text, %(now)s::timestamptz, NULL::timestamptz FROM (
                SELECT ra.user_id, due.id, {_TEXT.format(t='due', lvl='due.lvl')} AS text
                FROM due {_SUPERVISORS_JOIN.format(t='due', lvl='due.lvl', true='TRUE')}
                UNION ALL
                SELECT due.owner_id, due.id, {_TEXT.format(t='due', lvl='due.lvl')}
                FROM due WHERE due.owner_id IS NOT NULL
            ) r
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM due)
    """, params)
    return cursor.fetchone()[0]


def _sweep_sequential(cursor, due_where: str, params: dict) -> int:
    """SQLite: the transaction holds the write lock (IMMEDIATE), so the three
    statements see the same due rows; the update goes last."""
    new_level = "MIN(wo.escalation_level + 1, 2)"
    cursor.execute(f"""
        INSERT INTO workorders_workorderevent (order_id, action, from_state, to_state, actor_id, actor_name,
                                               at, note, data)
        SELECT wo.id, 'supervise', wo.state, wo.state, NULL, '系统', %(now)s, {_NOTE.format(lvl=new_level)},
               json_object('level', {new_level})
        FROM workorders_workorder wo WHERE {due_where}
    """, params)
    escalated = cursor.rowcount
    if not escalated:
        return 0
    cursor.execute(f"""
        INSERT INTO workorders_notification (user_id, order_id, kind, text, created_at, read_at)
        SELECT DISTINCT r.user_id, r.id, 'overdue', r.text, %(now)s, NULL FROM (
            SELECT ra.user_id, wo.id, {_TEXT.format(t='wo', lvl=new_level)} AS text
            FROM workorders_workorder wo {_SUPERVISORS_JOIN.format(t='wo', lvl=new_level, true='1')}
            WHERE {due_where}
            UNION ALL
            SELECT wo.owner_id, wo.id, {_TEXT.format(t='wo', lvl=new_level)}
            FROM workorders_workorder wo WHERE {due_where} AND wo.owner_id IS NOT NULL
        ) r
    """, params)
    cursor.execute(f"UPDATE workorders_workorder SET {_set_clause()} WHERE {due_where}", params)
    return escalated
