"""Property services (estates): community B's estate with its contract, owners' committee (王五 a
member), four-party meeting and issue, and evaluation are invisible and unchangeable from outside B;
the district-wide register (firms, credit, blacklist) holds nothing of B."""
import datetime as dt

from django.utils import timezone

ENDPOINTS = {
    "estates:estate": ("GET", lambda w: f"/estates/{w.estate_b.pk}/"),
    "estates:profile_edit": ("POST", lambda w: f"/estates/{w.estate_b.pk}/mode/"),
    "estates:contract_new": ("POST", lambda w: f"/estates/{w.estate_b.pk}/contracts/new/"),
    "estates:contract_end": ("POST", lambda w: f"/estates/contracts/{w.contract_b.pk}/end/"),
    "estates:committee_new": ("POST", lambda w: f"/estates/{w.estate_b.pk}/committee/new/"),
    "estates:meeting_new": ("POST", lambda w: f"/estates/{w.estate_b.pk}/meetings/new/"),
    "estates:evaluation_open": ("POST", lambda w: f"/estates/{w.estate_b.pk}/evaluations/open/"),
    "estates:committee": ("GET", lambda w: f"/estates/committees/{w.owners_b.pk}/"),
    "estates:committee_member": ("POST", lambda w: f"/estates/committees/{w.owners_b.pk}/members/"),
    "estates:committee_file": ("POST", lambda w: f"/estates/committees/{w.owners_b.pk}/file/"),
    "estates:meeting": ("GET", lambda w: f"/estates/meetings/{w.estate_meeting_b.pk}/"),
    "estates:meeting_record": ("POST", lambda w: f"/estates/meetings/{w.estate_meeting_b.pk}/record/"),
    "estates:issue_follow": ("POST", lambda w: f"/estates/issues/{w.estate_issue_b.pk}/follow/"),
    "estates:evaluation": ("GET", lambda w: f"/estates/evaluations/{w.evaluation_b.pk}/"),
    "estates:evaluation_paper": ("POST", lambda w: f"/estates/evaluations/{w.evaluation_b.pk}/paper/"),
    # the city/district's register: every role of the matrix is refused
    "estates:credit_compute": ("POST", lambda w: "/estates/credit/compute/"),
    "estates:blacklist_new": ("POST", lambda w: "/estates/blacklist/new/"),
    "estates:blacklist_appeal": ("POST", lambda w: f"/estates/blacklist/{w.blacklist_b.pk}/appeal/"),
    "estates:blacklist_decide": ("POST", lambda w: f"/estates/blacklist/{w.blacklist_b.pk}/decide/"),
    # the firm's account bound in B: only a post whose places hold its provider post may end it
    "estates:firm_staff_end": ("POST", lambda w: f"/estates/firm-staff/{w.firm_staff_b.pk}/end/"),
    # a firm's own appeal: no role of the matrix works for a firm (the firm's accounts: tests/estates/
    # test_firm_accounts.py, another firm's entry is 404)
    "estates:firm_appeal": ("POST", lambda w: f"/estates/mine/blacklist/{w.blacklist_b.pk}/appeal/"),
}
LISTS = {
    "estates:list": "/estates/",
    "estates:meetings": "/estates/meetings/",
    "estates:firms": "/estates/firms/",
    # a firm serving B: its contracts are shown only within the caller's places
    "estates:firm": lambda w: f"/estates/firms/{w.firm_b.pk}/",
    "estates:credit": "/estates/credit/",
    "estates:blacklist": "/estates/blacklist/",
    # the resident's page: their own estate's evaluations only
    "estates:rate": "/estates/rate/",
    # the firm's own page: provider posts bound to a firm only (403 for every role here)
    "estates:firm_home": "/estates/mine/",
}
OTHER = {
    # the firms' register is shared by the district; creating a firm or a manager touches no place's records
    # (tests/estates/test_register.py::test_firm_credit_code_is_checked, ::test_pages)
    "estates:firm_new", "estates:manager_add",
    # public, firms by name and managers by surname only (tests/estates/test_evaluation_credit.py::
    # test_public_blacklist_masks_the_manager)
    "estates:public_blacklist",
    # binding an account checks the account's provider post against the binder's places and refuses
    # with a message on the firm's page (tests/estates/test_firm_accounts.py::
    # test_binding_needs_a_provider_post_in_the_binders_places)
    "estates:firm_staff_bind",
}
BODY = {"mode": "committee", "firm": "", "manager": "", "starts_on": "2026-01-01", "ends_on": "2027-01-01",
        "fee_residential": "1.0", "elected_on": "2025-01-01", "term_ends": "2029-01-01", "kind": "committee",
        "issues": "篡改", "minutes": "篡改", "attendance": "5", "follow_up": "篡改", "year": "2025",
        "post": "member", "filing_no": "篡改", "appeal_text": "篡改", "decision": "revoke", "answer": "篡改",
        "subject": "", "resident": "", "household": "篡改", "name": "篡改", "reason": "篡改",
        "ended_on": dt.date.today().isoformat(),  # inside B's contract: only the scope stops the write
        **{f"q{i}": "1" for i in range(5)}}


def build(w):
    from gongzhi.estates import committees, credit, evaluations, services
    estate = w.hh_b1.dwelling.building.estate
    w.estate_b = estate
    w.firm_b = services.firm_create(name="宜兴市测试物业有限公司", credit_code="91320282MA1TEXT0B1")
    manager = services.manager_add(firm=w.firm_b, name="钱经理")
    today = timezone.localdate()
    w.contract_b = services.contract_create(estate=estate, firm=w.firm_b, manager=manager,
                                            starts_on=today - dt.timedelta(days=400),
                                            ends_on=today + dt.timedelta(days=700), fee_residential="1.10",
                                            by=w.community_worker_b)
    w.owners_b = committees.committee_create(estate=estate, elected_on=today - dt.timedelta(days=30),
                                             term_ends=today + dt.timedelta(days=1000), by=w.community_worker_b)
    committees.member_add(committee=w.owners_b, resident=w.res_b1, post="director")
    w.estate_meeting_b = committees.meeting_call(
        estate=estate, kind="committee", title="王五召集的业委会会议", starts_at=timezone.now(),
        issues="王五提出的停车问题", by=w.community_worker_b)
    w.estate_issue_b = w.estate_meeting_b.issues.get()
    w.evaluation_b = evaluations.evaluation_open(estate=estate, year=today.year, by=w.community_worker_b)
    evaluations.evaluation_answer(evaluation=w.evaluation_b, resident=w.res_b1, answers=[4, 4, 4, 4, 4])
    w.blacklist_b = credit.blacklist_add(firm=w.firm_b, reason="多次违规收费", listed_on=today, by=w.community_worker_b)
    from gongzhi.core.scope import Scope
    from gongzhi.estates import firms
    from gongzhi.estates.manifest import MANAGE_ESTATES
    from tests.factories import user
    user("wy_b", "provider", w.comm_b)
    w.firm_staff_b = firms.staff_bind(firm=w.firm_b, username="wy_b", by=w.community_worker_b,
                                      scope=Scope.for_user_capability(w.community_worker_b, MANAGE_ESTATES))


def snapshot():
    from gongzhi.estates.models import (
        BlacklistEntry, CommitteeMember, Contract, CreditRecord, EstateMeeting, EstateProfile, Evaluation, FirmStaff,
        MeetingIssue, OwnersCommittee, ProjectManager, PropertyFirm, Rating,
    )
    return (list(EstateProfile.objects.order_by("pk").values_list("pk", "mode", "version")),
            list(Contract.objects.order_by("pk").values_list("pk", "ended_on")),
            list(OwnersCommittee.objects.order_by("pk").values_list("pk", "state", "version")),
            CommitteeMember.objects.count(),
            list(EstateMeeting.objects.order_by("pk").values_list("pk", "state", "version")),
            list(MeetingIssue.objects.order_by("pk").values_list("pk", "state", "follow_up")),
            Evaluation.objects.count(), Rating.objects.count(), CreditRecord.objects.count(),
            PropertyFirm.objects.count(), ProjectManager.objects.count(),
            list(BlacklistEntry.objects.order_by("pk").values_list("pk", "appeal_state", "version")),
            list(FirmStaff.objects.order_by("pk").values_list("pk", "ended_on")))
