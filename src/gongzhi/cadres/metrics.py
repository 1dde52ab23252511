"""Cadre supervision's figures for the policy packs (P-GOV-11, 002(4) 四3; registered in manifest.py under
extras["metrics"]; see gongzhi/core/metrics.py): in the assessed year, the half-years with a democratic review
held (a closed, not voided round), the half-years with an audit held and the quarters with a talk held. Each is
one grouped query counting distinct periods per village."""
from __future__ import annotations

from django.db.models import Count, IntegerField
from django.db.models.functions import Cast, ExtractMonth, ExtractQuarter

from gongzhi.cadres.models import Oversight, CheckKind, ReviewRound, RoundState
from gongzhi.core.metrics import Metric, evidence

REVIEWS = evidence("村干部民主评议", "cadres:home")
CHECKS = evidence("审计与谈话", "cadres:checks", state="held")


def cadre_review_halves(ctx):
    rows = (ReviewRound.objects.filter(ctx.scope, year=ctx.year, state=RoundState.CLOSED)
            .values("community_id").annotate(n=Count("half", distinct=True)).order_by())
    return {r["community_id"]: r["n"] for r in rows}


def _held(ctx, kind):
    return Oversight.objects.filter(ctx.scope, kind=kind, void_reason="", held_on__year=ctx.year,
                                held_on__lte=ctx.as_of)


def cadre_audit_halves(ctx):
    # the half-year of a date: (month + 5) // 6 → 1 or 2, done by the database
    rows = (_held(ctx, CheckKind.AUDIT).annotate(m=ExtractMonth("held_on"))
            .annotate(h=Cast((Cast("m", IntegerField()) + 5) / 6, IntegerField()))
            .values("community_id").annotate(n=Count("h", distinct=True)).order_by())
    return {r["community_id"]: r["n"] for r in rows}


def cadre_talk_quarters(ctx):
    rows = (_held(ctx, CheckKind.TALK).annotate(q=ExtractQuarter("held_on"))
            .values("community_id").annotate(n=Count("q", distinct=True)).order_by())
    return {r["community_id"]: r["n"] for r in rows}


METRICS = (
    Metric("cadre_review_halves", "有村干部民主评议的半年数", "个", period=True, compute=cadre_review_halves,
           evidence=REVIEWS, note="镇组织、已结束、未作废的评议;每半年一次"),
    Metric("cadre_audit_halves", "有经管站审计的半年数", "个", period=True, compute=cadre_audit_halves,
           evidence=CHECKS, note="已开展的定期、任前、离任审计"),
    Metric("cadre_talk_quarters", "有镇主要负责人谈话的季度数", "个", period=True, compute=cadre_talk_quarters,
           evidence=CHECKS, note="已进行的定期、随时、诫勉谈话"),
)


