"""The work-order notice kinds (one per step, `events.notice_kind`) and who may still see one's order."""
from __future__ import annotations

from gongzhi.core.notices import NoticeKind, capability_named
from gongzhi.core.scope import Scope


def order_visible(user, notice) -> bool:
    """A notice about an order is seen while the order is in the user's scope (a resident: their own
    report); one with no order is seen by any active account."""
    if not notice.order_id:
        return True
    from gongzhi.workorders.selectors import orders_in
    return orders_in(Scope.for_user_capability(user, capability_named("view_orders"))).filter(pk=notice.order_id).exists()


_VISIBLE = "gongzhi.workorders.notices.order_visible"
# every value `events.notice_kind(action)` gives (the actions, with verify_pass/fail → verify and supervise
# → overdue); tests/digests/test_kinds.py checks none is missing
NOTICE_KINDS = tuple(NoticeKind(key, label, visible=_VISIBLE, order=10 + i) for i, (key, label) in enumerate((
    ("report", "工单:新上报"), ("accept", "工单:受理"), ("decline", "工单:不予受理"), ("dispatch", "工单:派遣"),
    ("handle", "工单:处置"), ("reply", "工单:反馈"), ("verify", "工单:核查"), ("close", "工单:结案"),
    ("rate", "工单:评价"), ("merge", "工单:合并"), ("merged_in", "工单:并入重复工单"), ("overdue", "工单:超时督办"),
    ("mediate", "工单:调解记录"))))
