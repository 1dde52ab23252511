"""Volunteers' share of the scope matrix: 王五 (community B) is a volunteer of B's team, signed up for
B's activity (organised by B's worker, with confirmed hours), holds a certificate and points, and B
offers something in its time bank. Nobody outside B reads or changes any of it."""
import datetime as dt

ENDPOINTS = {
    "volunteers:activity": ("GET", lambda w: f"/volunteers/activities/{w.vol_activity_b.pk}/"),
    "volunteers:checkin": ("GET", lambda w: f"/volunteers/activities/{w.vol_activity_b.pk}/checkin/"),
    "volunteers:confirm": ("POST", lambda w: f"/volunteers/activities/{w.vol_activity_b.pk}/confirm/"),
    "volunteers:activity_cancel": ("POST", lambda w: f"/volunteers/activities/{w.vol_activity_b.pk}/cancel/"),
    "volunteers:open_activity": ("GET", lambda w: f"/volunteers/mine/activities/{w.vol_activity_b.pk}/"),
    "volunteers:signup": ("POST", lambda w: f"/volunteers/mine/activities/{w.vol_activity_b.pk}/signup/"),
    "volunteers:scan": ("POST", lambda w: f"/volunteers/scan/{w.vol_activity_b.token}/"),
    "volunteers:volunteer": ("GET", lambda w: f"/volunteers/volunteers/{w.vol_b.pk}/"),
    "volunteers:volunteer_certificate": ("POST", lambda w: f"/volunteers/volunteers/{w.vol_b.pk}/certificate/"),
    "volunteers:certificate_pdf": ("GET", lambda w: f"/volunteers/certificates/{w.vol_cert_b.pk}/certificate.pdf"),
    "volunteers:my_certificate_pdf": ("GET",
                                      lambda w: f"/volunteers/mine/certificates/{w.vol_cert_b.pk}/certificate.pdf"),
    "volunteers:redeem": ("POST", lambda w: f"/volunteers/mine/offers/{w.vol_offer_b.pk}/redeem/"),
    "volunteers:offer_withdraw": ("POST", lambda w: f"/volunteers/bank/offers/{w.vol_offer_b.pk}/withdraw/"),
    "volunteers:volunteer_evaluate": ("POST", lambda w: f"/volunteers/volunteers/{w.vol_b.pk}/evaluate/"),
    "volunteers:volunteer_commend": ("POST", lambda w: f"/volunteers/volunteers/{w.vol_b.pk}/commend/"),
    "volunteers:training": ("GET", lambda w: f"/volunteers/trainings/{w.vol_training_b.pk}/"),
    "volunteers:training_attend": ("POST", lambda w: f"/volunteers/trainings/{w.vol_training_b.pk}/attend/"),
    # forms naming community B (place_code): refused
    "volunteers:training_new": ("POST", lambda w: "/volunteers/trainings/new/"),
    "volunteers:activity_new": ("POST", lambda w: "/volunteers/activities/new/"),
    "volunteers:register": ("POST", lambda w: "/volunteers/roster/register/"),
    "volunteers:team_new": ("POST", lambda w: "/volunteers/roster/teams/new/"),
    "volunteers:bank": ("POST", lambda w: "/volunteers/bank/"),
}
LISTS = {
    "volunteers:activities": "/volunteers/?when=all",
    "volunteers:roster": "/volunteers/roster/",
    "volunteers:report": "/volunteers/report/",
    "volunteers:bank": "/volunteers/bank/",
    "volunteers:trainings": "/volunteers/trainings/",
    "volunteers:honours": "/volunteers/honours/",
    "volunteers:honours_xlsx": "/volunteers/honours/?format=xlsx",
}
OTHER = {
    # the resident's own page, sign-up and certificate: only the caller's own records
    # (tests/volunteers/test_pages.py::test_resident_sees_only_own_records)
    "volunteers:mine", "volunteers:enrol", "volunteers:my_certificate_new",
    # public, shows a masked name only (tests/volunteers/test_pages.py::test_public_verification_…)
    "volunteers:verify",
}
BODY = {"h_1": "1", "location": "篡改", "starts_at": "2026-01-01T09:00", "ends_at": "2026-01-01T10:00",
        "places": "5", "points": "5", "action": "in", "course": "篡改", "hours": "2", "trainer": "篡改",
        "grade": "excellent", "year": "2025", "level": "community", "awarded_on": "2025-03-01", "issuer": "篡改"}


def build(w):
    from django.utils import timezone

    from gongzhi.volunteers import services
    from gongzhi.volunteers.models import SignUp
    team = services.team_create(community=w.comm_b, name="南岳王五服务队")
    w.vol_b = services.volunteer_enrol(resident=w.res_b1, skills=["care"], team=team, by=w.community_worker_b)
    start = timezone.now() - dt.timedelta(hours=1)
    w.vol_activity_b = services.activity_publish(
        community=w.comm_b, title="王五所在楼道清理", location="南岳社区王五家楼下", starts_at=start,
        ends_at=start + dt.timedelta(hours=3), places=5, organiser=w.community_worker_b, team=team)
    record = SignUp.objects.create(activity=w.vol_activity_b, volunteer=w.vol_b, community=w.comm_b,
                                   served_on=start.date())
    services.hours_confirm(activity=w.vol_activity_b, hours={record.pk: "2"}, by=w.community_worker_b)
    w.vol_cert_b = services.certificate_issue(volunteer=w.vol_b, by=w.community_worker_b)
    w.vol_offer_b = services.offer_add(community=w.comm_b, title="王五理发", points=5)
    w.vol_training_b = services.training_add(community=w.comm_b, course="王五参加的急救培训", held_on=start.date(),
                                             hours="2", trainer="南岳社区医生", by=w.community_worker_b)
    services.training_attend(training=w.vol_training_b, volunteer_ids=[w.vol_b.pk], by=w.community_worker_b)
    services.commendation_add(volunteer=w.vol_b, title="王五 优秀志愿者", level="community",
                              awarded_on=start.date(), issuer="南岳社区居委会", by=w.community_worker_b)


def snapshot():
    from gongzhi.volunteers.models import (
        Activity, Certificate, Commendation, Evaluation, Offer, PointAccount, PointEntry, SignUp, Team, Training,
        TrainingAttendance, Volunteer,
    )
    return (list(Volunteer.objects.order_by("pk").values_list("pk", "hours", "left_on", "team_id")),
            list(Team.objects.order_by("pk").values_list("pk", "name")),
            list(Activity.objects.order_by("pk").values_list("pk", "state", "taken")),
            list(SignUp.objects.order_by("pk").values_list("pk", "state", "checked_in_at", "checked_out_at", "hours")),
            list(Certificate.objects.order_by("pk").values_list("pk", "voided")),
            list(Offer.objects.order_by("pk").values_list("pk", "active")),
            list(PointAccount.objects.order_by("pk").values_list("pk", "balance")), PointEntry.objects.count(),
            list(Training.objects.order_by("pk").values_list("pk", "course")), TrainingAttendance.objects.count(),
            list(Evaluation.objects.order_by("pk").values_list("pk", "grade")),
            list(Commendation.objects.order_by("pk").values_list("pk", "title")))
