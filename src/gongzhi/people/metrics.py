"""The registry's metrics for the standards engine: households, residents, party
members, social organisations and volunteer teams. Registered in manifest.py under
extras["metrics"]; see gongzhi/core/metrics.py for what a metric is."""
from __future__ import annotations

from gongzhi.core.metrics import Metric, Ratio, counts, evidence, ratio
from gongzhi.people.models import Household, HouseholdStatus, OrgKind, Organisation, PersonStatus, Resident

REGISTER = "people:residents"
ORGANISATIONS = evidence("组织", "places:detail", "{code}")  # the place page lists its organisations


def households(ctx):
    return counts(Household.objects.filter(ctx.scope, status=HouseholdStatus.ACTIVE))


def residents(ctx):
    return counts(Resident.objects.filter(ctx.scope, status=PersonStatus.ACTIVE))


def party_members(ctx):
    return counts(Resident.objects.filter(ctx.scope, status=PersonStatus.ACTIVE, party_member=True))


def social_orgs(ctx):
    return counts(Organisation.objects.filter(ctx.scope, kind=OrgKind.SOCIAL_ORG, active=True))


def social_orgs_per_10k(ctx):
    return ratio(ctx.get("social_orgs"), ctx.get("residents"), ctx.ids, 10_000)


def volunteer_orgs(ctx):
    return counts(Organisation.objects.filter(ctx.scope, kind=OrgKind.SOCIAL_ORG, active=True, volunteer_team=True))


METRICS = (
    # size
    Metric("households", "户数", "户", compute=households,
           evidence=evidence("户籍登记", REGISTER, community="{code}"), history=("households",)),
    Metric("residents", "居民人数", "人", compute=residents,
           evidence=evidence("居民登记", REGISTER, community="{code}"), history=("residents",)),
    # the link the assessment has always given (the prefix "party" of the community's posts)
    Metric("party_members", "党员人数", "人", compute=party_members,
           evidence=evidence("班子与工作者", "ledgers:ledger", "{code}", tab="workers"),
           history=("party_members",)),
    # organisations (P-ORG-*, P-VOL-*)
    Metric("social_orgs", "社区社会组织数", "个", compute=social_orgs, evidence=ORGANISATIONS, history=("social_orgs",)),
    Metric("social_orgs_per_10k", "社会组织(每万人)", "个", compute=social_orgs_per_10k, evidence=ORGANISATIONS,
           ratio=Ratio("social_orgs", "个", "residents", "人"), history=("social_orgs", "residents")),
    Metric("volunteer_orgs", "志愿服务组织数", "个", compute=volunteer_orgs, evidence=ORGANISATIONS,
           history=("volunteer_orgs",)),
)
