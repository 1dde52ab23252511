"""Care (关爱服务): 王五 of community B is a disabled resident (a certificate recorded by B's worker),
with a worker's confirmation and an absence in his household. Nobody outside B reads his care page,
decides on his groups, records or ends an absence or changes his grade; the street's overview names
no one and counts only the communities the caller reaches."""
import datetime as dt

ENDPOINTS = {
    "care:person": ("GET", lambda w: f"/care/people/{w.res_b1.pk}/"),
    "care:review": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/review/"),
    "care:absence_new": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/absences/"),
    "care:disability": ("POST", lambda w: f"/care/people/{w.res_b1.pk}/disability/"),
    "care:absence_return": ("POST", lambda w: f"/care/absences/{w.care_absence_b.pk}/return/"),
    "care:visit_new": ("POST", lambda w: f"/care/visits/{w.res_b1.pk}/new/"),
}
LISTS = {
    "care:groups": "/care/",
    "care:overview": "/care/overview/",
    "care:due": "/care/visits/",
    "care:week": "/care/visits/week/",
}
BODY = {"group": "disabled", "grade": "1", "returned_on": "2025-06-01", "condition": "good", "notes": "篡改",
        "visited_on": dt.date.today().isoformat()}


def build(w):
    from gongzhi.care import services
    from tests.factories import resident
    services.disability_record(resident=w.res_b1, kind="physical", grade=2, by=w.community_worker_b)
    services.group_review(resident=w.res_b1, group="disabled", decision="confirm", reason="王五持残疾证",
                          by=w.community_worker_b)
    son = resident(w.hh_b1, "王五之子", relation="20")
    w.care_absence_b = services.absence_record(resident=son, reason="work", since=dt.date.today(),
                                               destination="王五之子在上海", by=w.community_worker_b)
    services.care_visit_record(resident=w.res_b1, by=w.community_worker_b, visited_on=dt.date.today(),
                               condition="poor", notes="王五腿伤未愈", findings="王五需要康复器材",
                               follow_up="hardship", hardship_kind="illness")


def snapshot():
    from gongzhi.care.models import Absence, CareVisit, Disability, GroupReview, HardshipReport
    return (GroupReview.objects.count(), CareVisit.objects.count(),
            list(HardshipReport.objects.order_by("pk").values_list("pk", "state", "version")),
            list(Absence.objects.order_by("pk").values_list("pk", "returned_on")),
            list(Disability.objects.order_by("pk").values_list("pk", "kind", "grade")))
