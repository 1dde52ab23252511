"""Links network adds to lower modules' record pages (core.record_links), one query for all the records
of a page: a topic, a work order, a community's survey and a visit of the 民情日记 (which care visits also
write) offer "提为服务需求" to whoever manages service projects in the record's community, or name the
need already raised from it; admission's purchased services (kind "service_contract") name the service
project whose contract fulfils them."""
from __future__ import annotations

from django.urls import reverse

from gongzhi.core.record_links import RecordLink
from gongzhi.network.manifest import MANAGE_SERVICE_PROJECTS
from gongzhi.network.models import Need, NeedSource
from gongzhi.places.models import Level

KINDS = {"topic": NeedSource.TOPIC, "order": NeedSource.ORDER, "survey": NeedSource.SURVEY,
         "visit": NeedSource.VISIT}


def _place(source: str, obj):
    """The place to check the caller's scope against (a visit's grid lies in its community)."""
    if source == NeedSource.VISIT:
        return obj.grid
    if source == NeedSource.SURVEY:
        return obj.place if obj.place.level == Level.COMMUNITY else None
    return obj.community if obj.community_id else None


def need_links(request, kind: str, objs) -> dict[int, list[RecordLink]]:
    if kind == "service_contract":
        return project_links(request, objs)
    source = KINDS.get(kind)
    if source is None:
        return {}
    scope = request.scope.for_capability(MANAGE_SERVICE_PROJECTS)
    if not scope.assignments:
        return {}
    mine = [o for o in objs if (p := _place(source, o)) is not None and scope.contains(p)]
    if not mine:
        return {}
    raised = {n.source_pk: n for n in Need.objects.filter(source=source, source_pk__in=[o.pk for o in mine])
              .only("pk", "title", "source_pk")}
    out = {}
    for o in mine:
        url = reverse("network:need_from", args=[source, o.pk])
        need = raised.get(o.pk)
        if need is not None:
            out[o.pk] = [RecordLink(f"服务需求:{need.title}", url, done=True)]
        elif source != NeedSource.VISIT or (o.concerns or o.notes):
            out[o.pk] = [RecordLink("提为服务需求", url)]
    return out


def complaint_links(request, kind: str, objs) -> dict[int, list[RecordLink]]:
    """On a work order's page: "记为对社会组织的投诉" for the community's service-project staff where the community
    has a social organisation to name, or the complaint already recorded (network/complaints.py)."""
    if kind != "order":
        return {}
    from gongzhi.network.models import OrgComplaint, ServiceProject
    from gongzhi.people.models import Organisation, OrgKind
    scope = request.scope.for_capability(MANAGE_SERVICE_PROJECTS)
    if not scope.assignments:
        return {}
    mine = [o for o in objs if o.community_id is not None and scope.contains(o.community)]
    if not mine:
        return {}
    made = {c.work_order_id: c for c in OrgComplaint.objects.filter(work_order_id__in=[o.pk for o in mine])
            .select_related("organisation")}
    communities = {o.community_id for o in mine}
    served = set(Organisation.objects.filter(community_id__in=communities, kind=OrgKind.SOCIAL_ORG, active=True)
                 .values_list("community_id", flat=True)) | set(
        ServiceProject.objects.filter(community_id__in=communities, organisation__isnull=False)
        .values_list("community_id", flat=True))
    out = {}
    for o in mine:
        c = made.get(o.pk)
        if c is not None:
            out[o.pk] = [RecordLink(f"投诉社会组织:{c.organisation.name}({c.get_state_display()})",
                                    reverse("network:org", args=[c.organisation_id]) + "#complaints", done=True)]
        elif o.community_id in served:
            out[o.pk] = [RecordLink("记为对社会组织的投诉", reverse("network:complaint_new", args=[o.pk]))]
    return out


def project_links(request, purchases) -> dict[int, list[RecordLink]]:
    """On admission's purchased services: the service project whose contract fulfils each, for whoever may
    read that project (admission names no network code)."""
    from gongzhi.network.manifest import VIEW_NETWORK
    from gongzhi.network.models import Contract
    from gongzhi.network.selectors import projects_in
    scope = request.scope.for_capability(VIEW_NETWORK)
    if not scope.assignments:
        return {}
    rows = Contract.objects.filter(purchase_id__in=[p.pk for p in purchases],
                                   project__in=projects_in(scope).values("pk")).values_list(
        "purchase_id", "project_id", "project__title", "organisation__name")
    return {purchase: [RecordLink(f"三社联动服务项目:{title}({org})", reverse("network:project", args=[project]),
                                  done=True)]
            for purchase, project, title, org in rows}
