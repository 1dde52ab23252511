"""The overdue sweep: every open order whose step deadline has passed is
marked overdue and escalated one level (community → street → district,
三级联动); the sweep records a 督办 event and notifies the supervisors of the
new level and the order's owner, through the set-based writers of `events`.

It is set-based (a few INSERT … SELECT / UPDATE statements over all due orders
at once) and works on the narrow `workorders_escalation` table, so a hundred
thousand due orders take seconds; and idempotent: an escalated order's
`next_at` moves one working day ahead (or is cleared at the district level),
so running the sweep again at the same moment does nothing. It never writes
the order row itself, so open forms keep their version; a step taken at the
same moment updates the same escalation row, so one waits for the other and
the later one sees the other's result.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.workorders.calendar import add_working_days
from gongzhi.workorders.events import insert_events_sql, insert_notices_sql
from gongzhi.workorders.models import OPEN_STATES, Action

_NOTE = ("CASE WHEN {lvl} >= 2 THEN '超过办理时限,已升级至区级督办' "
         "ELSE '超过办理时限,已升级至街道督办' END")
_TEXT = ("'工单「' || wo.title || '」超过办理时限,' || "
         "CASE WHEN {lvl} >= 2 THEN '已升级至区级督办' ELSE '已升级至街道督办' END")
# Street officers hear of a first escalation, district admins of the second
# (or of the first, when the order has no street).
_SUPERVISORS_JOIN = (
    "JOIN accounts_roleassignment ra ON ra.active = {true} AND ("
    " (ra.role = 'street' AND ra.place_id = wo.street_id AND {lvl} = 1)"
    " OR (ra.role = 'admin' AND ra.place_id = wo.district_id AND ({lvl} >= 2 OR wo.street_id IS NULL)))")
# A supervisor hears once per sweep and level: about the order itself when it
# is the only one, otherwise how many (a bad morning can escalate thousands,
# and nobody reads thousands of notices; the list filtered by 已超时 has them).
_SUMMARY_ORDER = "CASE WHEN count(*) = 1 THEN min(wo.id) END"
_SUMMARY = ("CASE WHEN count(*) = 1 THEN min('工单「' || wo.title || '」超过办理时限,') "
            "ELSE CAST(count(*) AS TEXT) || ' 件工单超过办理时限,' END || "
            "CASE WHEN {lvl} >= 2 THEN '已升级至区级督办' ELSE '已升级至街道督办' END || "
            "CASE WHEN count(*) = 1 THEN '' ELSE ',请在工单列表中勾选「已超时」查看' END")
_STATES = ", ".join(f"'{s}'" for s in OPEN_STATES)  # constants, not user input
# In SET, the right-hand sides read the old row.
_SET = ("overdue = TRUE, level = CASE WHEN level < 2 THEN level + 1 ELSE 2 END, "
        "next_at = CASE WHEN level < 1 THEN %(next)s ELSE NULL END")


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Run one sweep; returns how many orders were escalated."""
    now = now or timezone.now()
    ops = connection.ops
    params = {"now": ops.adapt_datetimefield_value(now),
              "next": ops.adapt_datetimefield_value(add_working_days(now, 1))}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _sweep_postgresql(cursor, params)
        return _sweep_sequential(cursor, params)


def _recipients(*, orders: str, where: str, lvl: str, true: str) -> str:
    """SELECT (user_id, order_id, text) of who hears of the escalated `orders` (a FROM
    clause calling the order `wo`, filtered by `where`, raised to level `lvl`): each
    supervisor of the new level once (_SUMMARY), each owner once per order."""
    return (f"SELECT ra.user_id, {_SUMMARY_ORDER} AS order_id, {_SUMMARY.format(lvl=lvl)} AS text "
            f"FROM {orders} {_SUPERVISORS_JOIN.format(lvl=lvl, true=true)} {where} GROUP BY ra.user_id, {lvl} "
            f"UNION "
            f"SELECT wo.owner_id, wo.id, {_TEXT.format(lvl=lvl)} "
            f"FROM {orders} {where + ' AND' if where else 'WHERE'} wo.owner_id IS NOT NULL")


def _sweep_postgresql(cursor, params: dict) -> int:
    # One statement: the update, its events and its notices see the same rows.
    cursor.execute(f"""
        WITH due AS (
            UPDATE workorders_escalation es SET {_SET}
            FROM workorders_workorder w
            WHERE es.next_at <= %(now)s AND w.id = es.order_id AND w.state IN ({_STATES})
            RETURNING es.order_id, es.level AS lvl
        ), due_orders AS (
            SELECT wo.id, wo.state, wo.title, wo.owner_id, wo.street_id, wo.district_id, due.lvl
            FROM due JOIN workorders_workorder wo ON wo.id = due.order_id
        ), events AS (
            {insert_events_sql(Action.SUPERVISE, source="FROM due_orders wo", note=_NOTE.format(lvl="wo.lvl"),
                               data={"level": "wo.lvl"})}
        ), notices AS (
            {insert_notices_sql(Action.SUPERVISE,
                                recipients=_recipients(orders="due_orders wo", where="", lvl="wo.lvl", true="TRUE"))}
        )
        SELECT (SELECT count(*) FROM due)
    """, params)
    return cursor.fetchone()[0]


def _sweep_sequential(cursor, params: dict) -> int:
    """SQLite: the transaction holds the write lock (IMMEDIATE), so the three
    statements see the same due rows; the update goes last."""
    orders = "workorders_escalation es JOIN workorders_workorder wo ON wo.id = es.order_id"
    due = f"WHERE es.next_at IS NOT NULL AND es.next_at <= %(now)s AND wo.state IN ({_STATES})"
    new_level = "MIN(es.level + 1, 2)"
    cursor.execute(insert_events_sql(Action.SUPERVISE, source=f"FROM {orders} {due}",
                                     note=_NOTE.format(lvl=new_level), data={"level": new_level}), params)
    escalated = cursor.rowcount
    if not escalated:
        return 0
    cursor.execute(insert_notices_sql(Action.SUPERVISE,
                                      recipients=_recipients(orders=orders, where=due, lvl=new_level, true="1")),
                   params)
    cursor.execute(f"""
        UPDATE workorders_escalation SET {_SET}
        WHERE next_at IS NOT NULL AND next_at <= %(now)s
          AND order_id IN (SELECT id FROM workorders_workorder WHERE state IN ({_STATES}))
    """, params)
    return escalated
