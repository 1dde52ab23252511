"""The service network's figures for the standards engine (P-ORG-1, P-ORG-2, P-ORG-3): registered in the
manifest under extras["metrics"]; see gongzhi/core/metrics.py for what a metric is.

P-ORG-1/2 count community social organisations that are registered (登记) or filed (备案): an unregistered
group counts once the street has filed it (network.services.filing_decide). P-ORG-3 counts the year's
projects that went the whole chain: from a need, taken by an organisation under a contract, delivered in
sessions by a named social-work team."""
from __future__ import annotations

from django.db.models import Exists, OuterRef

from gongzhi.core.metrics import Metric, Ratio, counts, evidence, ratio
from gongzhi.network.models import Need, ProjectState, ServiceProject, ServiceSession, TeamWorker
from gongzhi.people.models import Organisation, OrgKind, OrgRegistration

ORGS = evidence("社区社会组织", "network:home", community="{code}")
PROJECTS = evidence("服务项目", "network:projects", community="{code}", year="{year}")


def community_social_orgs(ctx):
    return counts(Organisation.objects.filter(ctx.scope, kind=OrgKind.SOCIAL_ORG, active=True,
                                              registration__in=[OrgRegistration.REGISTERED, OrgRegistration.FILED]))


def community_social_orgs_per_10k(ctx):
    return ratio(ctx.get("community_social_orgs"), ctx.get("residents"), ctx.ids, 10_000)


def _chain(ctx):
    return ServiceProject.objects.filter(ctx.scope, starts_on__year=ctx.year, organisation__isnull=False).filter(
        Exists(Need.objects.filter(project=OuterRef("pk"))),
        Exists(TeamWorker.objects.filter(project=OuterRef("pk"))),
        Exists(ServiceSession.objects.filter(project=OuterRef("pk"))),
        state__in=[ProjectState.CONTRACTED, ProjectState.MIDTERM, ProjectState.CLOSED])


def service_projects_chain(ctx):
    n = counts(_chain(ctx))
    return {cid: n.get(cid, 0) for cid in ctx.ids}


def service_projects_closed(ctx):
    n = counts(ServiceProject.objects.filter(ctx.scope, state=ProjectState.CLOSED, starts_on__year=ctx.year))
    return {cid: n.get(cid, 0) for cid in ctx.ids}


METRICS = (
    Metric("community_social_orgs", "登记或备案的社区社会组织", "个", compute=community_social_orgs, evidence=ORGS,
           note="未登记的社区社会组织经街道备案后计入", history=("community_social_orgs",)),
    Metric("community_social_orgs_per_10k", "登记或备案的社会组织(每万人)", "个",
           compute=community_social_orgs_per_10k, evidence=ORGS,
           ratio=Ratio("community_social_orgs", "个", "residents", "人"),
           history=("community_social_orgs", "residents")),
    Metric("service_projects_chain", "走完“需求—项目—承接—社工团队—服务”链条的服务项目", "个", period=True,
           compute=service_projects_chain, evidence=PROJECTS),
    Metric("service_projects_closed", "经终期评估结项的服务项目", "个", period=True,
           compute=service_projects_closed, evidence=PROJECTS),
)
