"""Burden and evaluation figures for the standards engine (P-DUTY-5, P-DUTY-6): registered in the
manifest under extras["metrics"]; see gongzhi/core/metrics.py for what a metric is."""
from __future__ import annotations

from django.db.models import Avg

from gongzhi.admission.models import Certificate, DataAnswer, Direction, Evaluation
from gongzhi.core.metrics import Context, Metric, counts, evidence, grouped

BURDEN = evidence("减负统计", "admission:burden", year="{year}")
EVALUATION = evidence("双向评价", "admission:evaluation", year="{year}")


def _answers(ctx: Context):
    def build():
        out = {}
        for cid, fields, from_registry, submitted in DataAnswer.objects.filter(
                ctx.scope, request__created_at__year=ctx.year).exclude(request__state="voided").values_list(
                "community_id", "request__fields", "from_registry", "submitted"):
            row = out.setdefault(cid, [0, 0, 0])
            row[0] += 1
            row[1] += len(from_registry)
            row[2] += (len(fields) - len(from_registry)) if submitted else 0
        return out
    return ctx.once("admission.answers", build)


def data_requests_received(ctx):
    a = _answers(ctx)
    return {cid: a.get(cid, [0, 0, 0])[0] for cid in ctx.ids}


def data_items_typed(ctx):
    a = _answers(ctx)
    return {cid: a.get(cid, [0, 0, 0])[2] for cid in ctx.ids}


def data_items_from_registry(ctx):
    a = _answers(ctx)
    return {cid: a.get(cid, [0, 0, 0])[1] for cid in ctx.ids}


def certificates_issued(ctx):
    n = counts(Certificate.objects.filter(ctx.scope, voided=False, issued_at__year=ctx.year))
    return {cid: n.get(cid, 0) for cid in ctx.ids}


def street_evaluation_score(ctx):
    rows = grouped(Evaluation.objects.filter(direction=Direction.STREET_TO_COMMUNITY, round__year=ctx.year,
                                             target_place_id__in=ctx.ids), "target_place_id", mean=Avg("score"))
    return {cid: (round(float(rows[cid]["mean"]), 1) if cid in rows else None) for cid in ctx.ids}


METRICS = (
    Metric("data_requests_received", "社区收到的数据填报任务", "个", period=True, compute=data_requests_received,
           evidence=BURDEN),
    Metric("data_items_typed_by_community", "社区录入的数据项", "项", period=True, compute=data_items_typed,
           evidence=BURDEN, note="平台已有的数据由平台代填,不计入"),
    Metric("data_items_from_registry", "平台代填的数据项", "项", period=True, compute=data_items_from_registry,
           evidence=BURDEN),
    Metric("certificates_issued", "社区出具证明数", "份", period=True, compute=certificates_issued, evidence=BURDEN),
    Metric("street_evaluation_score", "街道对社区的评价得分", "分", period=True, compute=street_evaluation_score,
           evidence=EVALUATION),
)
