"""Complaints about social organisations' services, from the work orders they came in as.

A resident's report or a hotline call about a service (a 助餐 volunteer who never came, a session cancelled
without notice) is a work order like any other. On its page, a community worker of the order's community
(`manage_service_projects`) attributes it to the social organisation concerned — one that is based in the
community or carries a service project there — with what it is about; the street of the organisation (a street
post, as for the rating) finds it founded or not, with its reason. The yearly rating (network/ratings.py) counts
the founded complaints of the year, and refuses to finalise while any of the year is still to be checked.

Refused with a Chinese message and nothing written: an order outside the caller's community, an order already
attributed, an organisation that neither is based in nor serves the community, an empty or over-long note or
reason, control characters, a stale version, a second decision."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.network.models import ComplaintState, OrgComplaint, ServiceProject
from gongzhi.network.services import ERR_STALE, _posts_over, text
from gongzhi.people.models import Organisation, OrgKind
from gongzhi.places.models import Level

ERR_NO_COMMUNITY = "该工单没有落到社区,不能记为对社会组织的投诉"
ERR_RIGHT = "只有工单所在社区的社区工作者可以把工单记为对社会组织的投诉"
ERR_ORG = "请选择在本社区活动或承接本社区服务项目的社会组织"
ERR_TWICE = "该工单已记为对{org}的投诉,不能重复记录"
ERR_DECIDE_RIGHT = "投诉须由社会组织所在街道的街道干部核实"
ERR_DECIDED = "该投诉已于 {on} 核实为“{state}”,不能再改"
ERR_STATE = "请选择核实结果:属实或不属实"


def organisations_for(community) -> QuerySet[Organisation]:
    """The social organisations a complaint in `community` may name: based there, or carrying a project there."""
    serving = ServiceProject.objects.filter(community=community, organisation__isnull=False).values("organisation_id")
    return Organisation.objects.filter(Q(community=community) | Q(pk__in=serving), kind=OrgKind.SOCIAL_ORG,
                                       active=True).order_by("name")


@transaction.atomic
def complaint_attribute(*, order, organisation_id, note: str, by) -> OrgComplaint:
    if order.community_id is None:
        raise RuleError(ERR_NO_COMMUNITY)
    if not _posts_over(by, order.community, Role.COMMUNITY, Level.COMMUNITY):
        raise RuleError(ERR_RIGHT)
    pk = str(organisation_id or "").strip()
    org = organisations_for(order.community).filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 19 else None
    if org is None:
        raise RuleError(ERR_ORG)
    note = text(note, "投诉事由", max_len=300)
    earlier = OrgComplaint.objects.filter(work_order=order).select_related("organisation").first()
    if earlier is not None:
        raise RuleError(ERR_TWICE.format(org=earlier.organisation.name))
    try:
        with transaction.atomic():
            return OrgComplaint.objects.create(work_order=order, organisation=org, community_id=order.community_id,
                                               year=timezone.localtime(order.created_at).year, note=note,
                                               attributed_by=by)
    except IntegrityError:  # attributed by someone else between the check and the insert
        raise RuleError(ERR_TWICE.format(org="其他组织")) from None


@transaction.atomic
def complaint_decide(*, complaint: OrgComplaint, state: str, reason: str, version, by) -> OrgComplaint:
    """The street's finding, once; two findings at once: the second is stale."""
    complaint = OrgComplaint.objects.select_for_update().select_related("organisation__community").get(
        pk=complaint.pk)
    if not _posts_over(by, complaint.organisation.community, Role.STREET, Level.STREET):
        raise RuleError(ERR_DECIDE_RIGHT)
    if complaint.state != ComplaintState.PENDING:
        raise RuleError(ERR_DECIDED.format(on=complaint.decided_on.isoformat(), state=complaint.get_state_display()))
    if state not in (ComplaintState.FOUNDED, ComplaintState.UNFOUNDED):
        raise RuleError(ERR_STATE)
    reason = text(reason, "核实意见", max_len=300)
    if str(complaint.version) != str(version or "").strip():
        raise ConflictError(ERR_STALE)
    complaint.state, complaint.reason, complaint.decided_by = state, reason, by
    complaint.decided_on = timezone.localdate()
    complaint.version += 1
    complaint.save()
    return complaint


def counts(organisation, y: int) -> dict:
    """The year's complaints by state (one aggregate): what the rating counts and what is still open."""
    rows = (OrgComplaint.objects.filter(organisation=organisation, year=y).values("state")
            .annotate(n=Count("pk")).order_by())
    found = {r["state"]: r["n"] for r in rows}
    return {state: found.get(state, 0) for state in ComplaintState.values}
