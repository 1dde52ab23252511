"""Property figures for the standards engine and the street's tables (P-PROP-1..3), registered in
manifest.py under extras["metrics"]. Each family is one grouped query per run (`ctx.once`)."""
from __future__ import annotations

from django.db.models import Count, Q

from gongzhi.core.metrics import Context, Metric, Ratio, evidence, grouped, ratio
from gongzhi.estates.models import (
    CommitteeState, EstateMeeting, EstateProfile, ManagementMode, MeetingKind, MeetingState, OwnersCommittee, Rating,
)
from gongzhi.places.models import Estate

ESTATES = evidence("小区物业", "estates:list")
MEETINGS = evidence("小区协调会议", "estates:meetings")
OLD = evidence("小区物业", "estates:list", mode="none")


def _estates(ctx: Context) -> dict:
    def build():
        estates = grouped(Estate.objects.filter(ctx.scope), "community_id", n=Count("pk"))
        profiles = grouped(EstateProfile.objects.filter(ctx.scope), "community_id",
                           old=Count("pk", filter=Q(old_estate=True)),
                           old_managed=Count("pk", filter=Q(old_estate=True) & ~Q(mode=ManagementMode.NONE)),
                           old_unmanaged=Count("pk", filter=Q(old_estate=True, mode=ManagementMode.NONE)),
                           firm=Count("pk", filter=Q(mode=ManagementMode.FIRM)))
        day = ctx.as_of
        committees = grouped(OwnersCommittee.objects.filter(ctx.scope, state=CommitteeState.FILED,
                                                            elected_on__lte=day, term_ends__gte=day),
                             "community_id", n=Count("estate_id", distinct=True))
        meetings = grouped(EstateMeeting.objects.filter(ctx.scope, kind=MeetingKind.FOUR_PARTY,
                                                        state=MeetingState.HELD, held_on__year=ctx.year,
                                                        held_on__lte=day), "community_id", n=Count("pk"))
        ratings = grouped(Rating.objects.filter(evaluation__community_id__in=ctx.ids, evaluation__year=ctx.year),
                          "evaluation__community_id", n=Count("pk"), positive=Count("pk", filter=Q(score__gte=3)))
        return {"estates": estates, "profiles": profiles, "committees": committees, "meetings": meetings,
                "ratings": ratings}
    return ctx.once("estates.figures", build)


def _pick(rows: dict, name: str) -> dict:
    return {cid: row[name] for cid, row in rows.items()}


def estates_registered(ctx):
    return _pick(_estates(ctx)["estates"], "n")


def estates_with_committee(ctx):
    return _pick(_estates(ctx)["committees"], "n")


def owners_committee_rate(ctx):
    return ratio(estates_with_committee(ctx), estates_registered(ctx), ctx.ids, 100)


def four_party_meetings(ctx):
    return _pick(_estates(ctx)["meetings"], "n")


def property_ratings(ctx):
    return _pick(_estates(ctx)["ratings"], "n")


def property_ratings_positive(ctx):
    return _pick(_estates(ctx)["ratings"], "positive")


def property_rating_rate(ctx):
    return ratio(property_ratings_positive(ctx), property_ratings(ctx), ctx.ids, 100)


def old_estates(ctx):
    return _pick(_estates(ctx)["profiles"], "old")


def old_estates_managed(ctx):
    return _pick(_estates(ctx)["profiles"], "old_managed")


def old_estates_unmanaged(ctx):
    return _pick(_estates(ctx)["profiles"], "old_unmanaged")


def old_estates_managed_rate(ctx):
    return ratio(old_estates_managed(ctx), old_estates(ctx), ctx.ids, 100)


METRICS = (
    Metric("estates_registered", "登记的小区", "个", compute=estates_registered, evidence=ESTATES),
    Metric("estates_with_owners_committee", "有已备案业主委员会的小区", "个", compute=estates_with_committee,
           evidence=ESTATES, note="P-PROP-1:任期内、已报街道备案"),
    Metric("owners_committee_rate", "小区业主委员会备案率", "%", compute=owners_committee_rate, evidence=ESTATES,
           ratio=Ratio("estates_with_owners_committee", "个", "estates_registered", "个")),
    Metric("four_party_meetings", "年度四方协调会议", "次", period=True, compute=four_party_meetings,
           evidence=MEETINGS, note="P-PROP-1:社区党组织、居委会、业委会、物业企业四方参加并记录议定事项"),
    Metric("property_ratings", "年度物业服务评价户数", "户", period=True, compute=property_ratings,
           evidence=ESTATES, note="P-PROP-2:每户每年一份"),
    Metric("property_rating_rate", "物业服务评价满意率(按户)", "%", period=True, compute=property_rating_rate,
           evidence=ESTATES, ratio=Ratio("property_ratings_positive", "户", "property_ratings", "户")),
    Metric("property_ratings_positive", "评价基本满意以上的户数", "户", period=True,
           compute=property_ratings_positive, evidence=ESTATES),
    Metric("old_estates", "老旧小区", "个", compute=old_estates, evidence=ESTATES),
    Metric("old_estates_managed", "有人管理的老旧小区", "个", compute=old_estates_managed, evidence=ESTATES,
           note="P-PROP-3:物业企业、业主自管、居委会或社会组织托管"),
    Metric("old_estates_unmanaged", "无人管理的老旧小区", "个", compute=old_estates_unmanaged, evidence=OLD),
    Metric("old_estates_managed_rate", "老旧小区管理覆盖率", "%", compute=old_estates_managed_rate, evidence=ESTATES,
           ratio=Ratio("old_estates_managed", "个", "old_estates", "个")),
)
