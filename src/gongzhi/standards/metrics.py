"""The metrics a policy pack may name: the registry's view.

Every module defines the figures it owns in its own `metrics.py` (a tuple of
`gongzhi.core.metrics.Metric`: name, title, unit, level, period, note, the
compute function, where its records are listed, the parts of a ratio) and
registers it in its manifest under `extras["metrics"]`. `METRICS` maps each
registered name to its Metric, in module (INSTALLED_APPS) order and each
module's own order; a pack naming anything else is refused when it loads.

The standards module's own metrics are the survey rates (`SURVEY_METRICS`); the
figures the packs needed beyond what the owning modules count are in `rule_metrics.py`.

`PROVIDES` says what data each metric brings; a pack's "cannot check" reason declares
what data it would need (`needs`), and the pack test fails when the platform has it.
"""
from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, Q

from gongzhi.core.metrics import REGISTERED, Metric, Ratio, evidence, grouped
from gongzhi.standards.models import SurveyKind, SurveyResponse

__all__ = ["METRICS", "PROVIDES", "SURVEY_METRICS", "Metric", "data_provided"]


METRICS: Mapping[str, Metric] = REGISTERED  # the registry's view, kept in the kernel (core.metrics)


# -- the standards module's own metrics: surveys (P-EVAL-2, P-GRID-7, P-PROP-2) --------------
SURVEYS = evidence("问卷", "standards:surveys")


def _survey_rows(ctx, kind: str) -> dict:
    return ctx.once(f"standards.survey.{kind}", lambda: grouped(
        SurveyResponse.objects.filter(ctx.scope, survey__kind=kind, submitted_at__year=ctx.year),
        "community_id", n=Count("id"), positive=Count("id", filter=Q(positive=True))))


def _survey(ctx, kind: str) -> dict:
    """Positive responses ÷ responses from the community's residents in the year."""
    rows = _survey_rows(ctx, kind)
    return {cid: (round(100.0 * rows[cid]["positive"] / rows[cid]["n"], 2) if cid in rows else None)
            for cid in ctx.ids}


def security_responses(ctx):
    return {cid: row["n"] for cid, row in _survey_rows(ctx, SurveyKind.SECURITY).items()}


def security_positive(ctx):
    return {cid: row["positive"] for cid, row in _survey_rows(ctx, SurveyKind.SECURITY).items()}


def satisfaction_rate(ctx):
    return _survey(ctx, SurveyKind.SATISFACTION)


def sense_of_security_rate(ctx):
    return _survey(ctx, SurveyKind.SECURITY)


def property_satisfaction_rate(ctx):
    return _survey(ctx, SurveyKind.PROPERTY)


SURVEY_METRICS = (
    Metric("satisfaction_rate", "居民满意度(问卷)", "%", period=True, compute=satisfaction_rate,
           evidence=SURVEYS),
    Metric("sense_of_security_rate", "群众安全感(问卷)", "%", period=True, compute=sense_of_security_rate,
           evidence=SURVEYS, ratio=Ratio("security_positive", "份安全", "security_responses", "份答卷")),
    Metric("security_responses", "安全感问卷答卷数", "份", period=True, compute=security_responses,
           evidence=SURVEYS),
    Metric("security_positive", "安全感问卷中感到安全的答卷数", "份", period=True, compute=security_positive,
           evidence=SURVEYS),
    Metric("property_satisfaction_rate", "物业服务满意度(问卷)", "%", period=True,
           compute=property_satisfaction_rate, evidence=SURVEYS),
)


# What data each metric brings, in the words a pack's "cannot check" reason uses (`needs`).
PROVIDES: dict[str, tuple[str, ...]] = {
    "committee_posts_counted": ("占职数成员", "兼职成员"),
    "secretary_is_director": ("书记是否兼任村委会主任", "一人兼"),
    "posts_one_shoulder": ("一肩挑人数", "社区一肩挑、书记或主任、副主任各几人"),
    "posts_secretary_or_director": ("书记或主任人数",),
    "posts_deputy_director": ("副主任人数",),
    "hearings_per_year": ("听证会", "听证会记录"),
    "government_matters": ("涉及政府部门解决的事项",),
    "government_matters_heard_share": ("听证事项", "听证会反馈的部门", "涉及政府部门解决的事项有没有召开听证会"),
    "dispute_meeting_months": ("矛盾纠纷月例会", "月例会"),
    "grid_kind_share": ("综合网格", "专属网格", "网格类型"),
    "residents_meetings_per_year": ("居民会议",),
    "deliberation_meetings_per_year": ("议事协商会议",),
    "disclosure_quarters": ("居务公开", "村务公开"),
    "committee_directly_elected": ("换届选举",),
    "grid_coverage": ("网格覆盖",),
    "city_zone": ("中心城区还是远城区", "中心城区", "远城区"),
    # the modules above the standards engine, named by their metrics (the engine imports none of them)
    "care_circle_coverage": ("居家养老服务覆盖", "居家养老基本服务覆盖", "30 分钟服务圈覆盖"),
    "care_visits_not_overdue": ("已建立联系走访", "走访按时"),
    "care_stations_online": ("信息化覆盖",),
    "care_disabled_enrolled_share": ("残疾人之家", "日间照料", "入托"),
    "care_disabled_job_help": ("就业帮扶", "就业援助"),
    "service_projects_chain": ("服务项目",),
    "street_evaluation_score": ("双向评价",),
    "certificates_issued": ("社区出具的证明", "出具证明"),
    "registered_volunteers": ("注册志愿者",),
    # the desks module's (gongzhi/desks/metrics.py)
    "desk_windows": ("服务窗口", "具备的窗口数"),
    "desk_staggered_sessions": ("排班", "错时上下班", "开放时间"),
    "desk_uncovered_sessions": ("值班表", "全日值班"),
    "desk_guides_share": ("办事指南和工作流程图公示情况", "办事指南", "工作流程图"),
    "desk_configuration_rate": ("基本公共服务功能配置达标情况",),
    # village cadre supervision (gongzhi.cadres, P-GOV-10/11)
    "cadre_review_halves": ("每年民主评议次数", "民主评议次数", "评议票数记录"),
    "cadre_audit_halves": ("审计次数",),
    "cadre_talk_quarters": ("谈话次数",),
}


def data_provided() -> set[str]:
    """Every data name some metric (or place attribute the engine reads) provides."""
    return {name for names in PROVIDES.values() for name in names}
