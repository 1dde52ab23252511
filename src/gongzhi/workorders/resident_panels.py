"""What work orders add to the resident's home page (people's `resident_panels`): the resident's own
reports and their inbox. Read through the scope narrowed to the panel's capability (a resident's own
orders only: workorders.selectors.order_q)."""
from __future__ import annotations

from gongzhi.workorders import selectors
from gongzhi.workorders.models import Notification

SHOWN = 5


def my_reports(request, scope):
    orders = selectors.orders_in(scope).filter(reporter_user_id=request.user.pk).select_related("category")
    return {"orders": list(orders.order_by("-created_at", "-id")[:SHOWN]), "count": orders.count()}


def my_inbox(request, scope):
    unread = Notification.objects.filter(user=request.user, read_at=None)
    return {"notices": list(selectors.inbox(request.user)[:3]), "unread": unread.count()}
