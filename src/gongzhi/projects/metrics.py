"""The projects' metrics for the standards engine (registered in manifest.py under extras["metrics"];
see gongzhi/core/metrics.py). One grouped query per run for all three figures."""
from __future__ import annotations


from django.db.models import Count, Q

from gongzhi.core.metrics import Context, Metric, Ratio, evidence, grouped, ratio
from gongzhi.projects.models import Project, ProjectState
from gongzhi.projects.selectors import late_q

LIST = evidence("项目", "projects:list", community="{code}")


def _figures(ctx: Context) -> dict:
    def build():
        day = ctx.as_of
        return grouped(
            Project.objects.filter(ctx.scope), "community_id",
            n_active=Count("pk", filter=Q(state=ProjectState.ACTIVE)),
            n_late=Count("pk", filter=late_q(day)),
            n_completed=Count("pk", filter=Q(state=ProjectState.COMPLETED, completed_at__year=ctx.year)))
    return ctx.once("projects.figures", build)


def _field(ctx, name):
    return {cid: row[name] for cid, row in _figures(ctx).items()}


def active_projects(ctx):
    return _field(ctx, "n_active")


def projects_on_schedule(ctx):
    return {cid: row["n_active"] - row["n_late"] for cid, row in _figures(ctx).items()}


def projects_on_schedule_share(ctx):
    return ratio(projects_on_schedule(ctx), active_projects(ctx), ctx.ids, 100)


def projects_completed(ctx):
    return _field(ctx, "n_completed")


METRICS = (
    Metric("active_projects", "实施中的自治项目", "个", compute=active_projects, evidence=LIST),
    Metric("projects_on_schedule", "按期推进的自治项目", "个", compute=projects_on_schedule, evidence=LIST),
    Metric("projects_on_schedule_share", "自治项目按期推进的比例", "%", compute=projects_on_schedule_share,
           evidence=LIST, ratio=Ratio("projects_on_schedule", "个", "active_projects", "个"),
           note="实施中的项目里,没有超过计划完成日期、也没有节点逾期未验收的项目所占比例"),
    Metric("projects_completed", "年度完成的自治项目", "个", period=True, compute=projects_completed, evidence=LIST),
)
