"""Matters that need the government (P-GOV-3) for tests: a topic raised in a community, answered
转为工单, and its work order accepted and dispatched to a department at the district, all through the
real services, at a chosen moment."""
import datetime as dt

from gongzhi.accounts.models import RoleAssignment
from gongzhi.governance import services as topics
from gongzhi.workorders import services as orders
from gongzhi.workorders.models import Category
from tests.factories import user_with_posts

TRANSPORT, WATER = "市交通运输局", "市水利局"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    from django.utils import timezone
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def department_account(place, department: str):
    found = RoleAssignment.objects.filter(role="department", place=place, department=department).first()
    if found:
        return found.user
    return user_with_posts(f"dept-{place.code}-{RoleAssignment.objects.count()}", ("department", place, department))


def government_matter(w, community, title: str, *, department: str = TRANSPORT, handed: dt.date, by=None):
    """A topic of `community` handed to a work order on `handed`, which the district's `department` handles."""
    by = by or (w.community_worker_a if community == w.comm_a else w.community_worker_b)
    when = at(handed)
    topic = topics.topic_raise(place=community, category="facilities", title=title, text=f"{title},请政府部门解决",
                               by=by, raised_as="committee", now=when - dt.timedelta(days=2))
    category = Category.objects.get(code="property")
    topic = topics.answer(topic_id=topic.pk, version=topic.version, kind="order", text="涉及政府部门,转工单",
                          by=by, order_category=category, now=when)
    order = topic.handed_order
    department_account(w.district, department)
    if order.state == "reported":
        order = orders.order_accept(order=order, by=by, version=order.version, now=when)
    orders.order_dispatch(order=order, by=by, version=order.version, place=w.district, department=department,
                          now=when)
    topic.refresh_from_db()
    return topic
