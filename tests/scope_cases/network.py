"""The service network: community B's social organisation (named after 王五) with a member, an open filing
and an incubation; its service project with 王五 as beneficiary and a session serving him (with a photo);
a need; a co-resident unit with a commitment and a joint meeting; a complaint about the organisation from B's
work order. Nobody outside B reads or moves any of it.
The provider's finer rule (its own organisation's projects only) is tested in tests/network/test_provider.py."""
import datetime as dt

ENDPOINTS = {
    "network:org": ("GET", lambda w: f"/network/orgs/{w.net_org_b.pk}/"),
    "network:org_new": ("POST", lambda w: f"/network/orgs/new/?community={w.comm_b.code}"),
    "network:org_profile": ("POST", lambda w: f"/network/orgs/{w.net_org_b.pk}/profile/"),
    "network:member_add": ("POST", lambda w: f"/network/orgs/{w.net_org_b.pk}/members/"),
    "network:member_leave": ("POST", lambda w: f"/network/orgs/{w.net_org_b.pk}/members/{w.net_member_b.pk}/leave/"),
    "network:filing": ("POST", lambda w: f"/network/orgs/{w.net_org_b.pk}/filing/opinion/"),
    "network:incubation": ("POST", lambda w: f"/network/orgs/{w.net_org_b.pk}/incubation/support/"),
    "network:staff_bind": ("POST", lambda w: f"/network/orgs/{w.net_org_b.pk}/staff/"),
    "network:staff_end": ("POST", lambda w: f"/network/orgs/{w.net_org_b.pk}/staff/{w.net_staff_b.pk}/end/"),
    "network:need_from": ("POST", lambda w: f"/network/needs/from/topic/{w.topic_b.pk}/"),
    "network:project": ("GET", lambda w: f"/network/projects/{w.net_project_b.pk}/"),
    "network:project_new": ("POST", lambda w: f"/network/projects/new/?community={w.comm_b.code}"),
    "network:project_state": ("POST", lambda w: f"/network/projects/{w.net_project_b.pk}/state/cancel/"),
    "network:beneficiaries": ("POST", lambda w: f"/network/projects/{w.net_project_b.pk}/beneficiaries/"),
    "network:apply": ("POST", lambda w: f"/network/projects/{w.net_project_b.pk}/apply/"),
    "network:contract": ("POST", lambda w: f"/network/projects/{w.net_project_b.pk}/contract/"),
    "network:purchase": ("POST", lambda w: f"/network/projects/{w.net_project_b.pk}/purchase/create/"),
    "network:worker_add": ("POST", lambda w: f"/network/projects/{w.net_project_b.pk}/workers/"),
    "network:session_new": ("POST", lambda w: f"/network/projects/{w.net_project_b.pk}/sessions/new/"),
    "network:evaluate": ("POST", lambda w: f"/network/projects/{w.net_project_b.pk}/evaluate/"),
    "network:project_activities": ("GET", lambda w: f"/network/projects/{w.net_project_b.pk}/activities/"),
    "network:activity_signup": ("POST", lambda w: f"/network/activities/{w.net_activity_b.pk}/signup/"),
    "network:activity_cancel": ("POST", lambda w: f"/network/activities/{w.net_activity_b.pk}/cancel/"),
    "network:rating_step": ("POST", lambda w: f"/network/orgs/{w.net_org_b.pk}/rating/save/"),
    "network:complaint_new": ("POST", lambda w: f"/network/complaints/from-order/{w.order_b.pk}/"),
    "network:complaint_decide": ("POST", lambda w: f"/network/orgs/{w.net_org_b.pk}/complaints/"
                                                   f"{w.net_complaint_b.pk}/decide/"),
    "network:training_add": ("POST", lambda w: f"/network/projects/{w.net_project_b.pk}/trainings/"),
    "network:session": ("GET", lambda w: f"/network/sessions/{w.net_session_b.pk}/"),
    "network:session_photo": ("GET", lambda w: f"/network/sessions/{w.net_session_b.pk}/photos/"
                                               f"{w.net_session_b.photos.get().pk}/"),
    "network:unit": ("GET", lambda w: f"/network/units/{w.net_unit_b.pk}/"),
    "network:commitment_add": ("POST", lambda w: f"/network/units/{w.net_unit_b.pk}/commitments/"),
    "network:commitment_progress": ("POST", lambda w: f"/network/units/{w.net_unit_b.pk}/commitments/"
                                                      f"{w.net_commitment_b.pk}/"),
    "network:unit_evaluate": ("POST", lambda w: f"/network/units/{w.net_unit_b.pk}/evaluate/"),
    "network:meeting_new": ("POST", lambda w: f"/network/meetings/new/?community={w.comm_b.code}"),
    "network:meeting": ("GET", lambda w: f"/network/meetings/{w.net_meeting_b.pk}/"),
}
LISTS = {
    "network:home": "/network/",
    "network:needs": "/network/needs/",
    "network:projects": "/network/projects/",
    "network:projects_export": "/network/projects/export.xlsx",
    "network:units": "/network/units/",
    "network:activities": "/network/activities/",
    "network:ratings": "/network/ratings/",
    "network:ratings_export": "/network/ratings/export.xlsx",
}
BODY = {"field": "elderly", "opinion": "篡改", "support_kind": "training", "given_on": "2025-01-01",
        "member_name": "篡改", "member_role": "member", "joined_on": "2025-01-01", "left_on": "2025-06-01",
        "goals": "篡改", "indicators": "篡改", "budget": "100", "payer": "篡改", "satisfaction": "90",
        "indicators_met": "1", "spent": "1", "stage": "midterm", "commitment_kind": "venue", "content": "篡改",
        "target": "5", "year": "2025", "score": "90", "minutes": "篡改", "support_note": "篡改", "amount": "10",
        "worker_name": "篡改", "certificate": "none", "hours": "1", "plan": "篡改", "quote": "10",
        "detail": "篡改", "tag": "", "min_age": "1", "signed_on": "2025-01-01"}


def build(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.network import projects, services
    from gongzhi.network.models import ProviderStaff
    from gongzhi.people.models import Organisation
    from tests.factories import user
    today = dt.date.today()
    cw = w.community_worker_b
    profile = services.org_register(community=w.comm_b, name="王五睦邻互助会", field_code="neighbours",
                                    registration="none", by=cw)
    w.net_org_b = profile.organisation
    from gongzhi.network import complaints
    w.net_complaint_b = complaints.complaint_attribute(order=w.order_b, organisation_id=w.net_org_b.pk,
                                                       note="王五投诉互助会", by=cw)
    w.net_member_b = services.member_add(organisation=w.net_org_b, name="王五", role="leader",
                                         joined_on=today, by=cw)
    services.filing_apply(organisation=w.net_org_b, applicant="王五", by=cw)
    services.incubation_enter(organisation=w.net_org_b, base="新街街道社会组织孵化基地", entered_on=today, by=cw)
    provider = user("provider_b", "provider", w.comm_b)
    w.net_staff_b = ProviderStaff.objects.create(user=provider, organisation=w.net_org_b, started_on=today)
    w.net_project_b = projects.project_design(
        community=w.comm_b, title="王五楼道助老服务", field_code="elderly", goals="为王五等老人上门服务",
        indicators="服务老人 10 人\n满意度 90%", budget="20000", payer="新街街道", starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=300), by=cw)
    projects.beneficiaries_add(project=w.net_project_b, residents=[w.res_b1], by=cw)
    projects.project_assign(project=w.net_project_b, version=1, organisation=w.net_org_b, by=cw)
    projects.contract_sign(project=w.net_project_b, version=2, number_text="NY-2025-1", amount="20000",
                           signed_on=today, by=cw)
    projects.worker_add(project=w.net_project_b, name="赵社工", certificate="assistant", certificate_no="Z1",
                        by=provider)
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    w.net_session_b = projects.session_record(project=w.net_project_b, held_on=today, title="王五家上门探访",
                                              hours="2", resident_ids=[w.res_b1.pk], files=[photo], by=provider)
    from gongzhi.network import activities
    start = dt.datetime.combine(today + dt.timedelta(days=2), dt.time(14))
    w.net_activity_b = activities.activity_announce(
        project=w.net_project_b, title="王五楼道茶话会", venue="王五家楼下", starts_at=start,
        ends_at=start + dt.timedelta(hours=2), capacity="10", by=provider)
    w.net_project_b.refresh_from_db()
    projects.need_raise(community=w.comm_b, title="王五所在楼栋老人需要助餐", field_code="elderly", by=cw)
    w.net_unit_b = Organisation.objects.create(community=w.comm_b, kind="resident_unit", name="南岳王五物流公司",
                                               registration="registered")
    w.net_commitment_b = services.commitment_add(unit=w.net_unit_b, year_value=today.year, kind="venue",
                                                 content="王五公司会议室每月开放", target="12", unit_label="次", by=cw)
    w.net_meeting_b = services.meeting_hold(community=w.comm_b, held_on=today, title="王五公司联席会议",
                                            minutes="王五公司承诺开放场地", unit_ids=[w.net_unit_b.pk], by=cw)


def snapshot():
    from gongzhi.network import models as m
    return (list(m.SocialOrg.objects.order_by("pk").values_list("pk", "field", "version")),
            list(m.OrgMember.objects.order_by("pk").values_list("pk", "left_on")),
            list(m.Filing.objects.order_by("pk").values_list("pk", "state", "version")),
            m.IncubationSupport.objects.count(), list(m.Incubation.objects.values_list("pk", "graduated_on")),
            list(m.ProviderStaff.objects.order_by("pk").values_list("pk", "ended_on")),
            m.Need.objects.count(), list(m.OrgComplaint.objects.order_by("pk").values_list("pk", "state", "version")),
            list(m.ServiceProject.objects.order_by("pk").values_list("pk", "state", "version", "organisation_id")),
            list(m.Beneficiary.objects.order_by("pk").values_list("pk", "removed_on")),
            m.Application.objects.count(), m.Contract.objects.count(), m.TeamWorker.objects.count(),
            m.ServiceSession.objects.count(), m.ProjectEvaluation.objects.count(),
            list(m.Commitment.objects.order_by("pk").values_list("pk", "done", "version")),
            m.JointMeeting.objects.count(), m.UnitEvaluation.objects.count(),
            list(m.ProjectActivity.objects.order_by("pk").values_list("pk", "state", "signed_up")),
            m.ActivitySignup.objects.count(), m.Contract.objects.filter(purchase__isnull=False).count(),
            list(m.OrgRating.objects.order_by("pk").values_list("pk", "version", "state")),
            m.WorkerTraining.objects.count())
