"""Shared set-up for the volunteers tests: community A's worker organises, its residents volunteer."""
import datetime as dt

from django.utils import timezone

from gongzhi.volunteers import services
from tests.factories import resident


def activity(w, *, hours_from_now=-1, length=3, places=10, organiser=None, community=None, title="清理楼道"):
    start = timezone.now() + dt.timedelta(hours=hours_from_now)
    return services.activity_publish(
        community=community or w.comm_a, title=title, location="东虹社区活动室", starts_at=start,
        ends_at=start + dt.timedelta(hours=length), places=places, organiser=organiser or w.community_worker_a,
        skills=["clean"])


def volunteer(w, res=None, **kw):
    return services.volunteer_enrol(resident=res or w.res_a1, skills=kw.pop("skills", ["care"]), by=w.community_worker_a,
                                    **kw)


def more_volunteers(w, n):
    out = []
    for i in range(n):
        out.append(volunteer(w, resident(w.hh_a1, f"志愿者{i}", relation="10")))
    return out
