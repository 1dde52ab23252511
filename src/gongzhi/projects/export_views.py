"""The project list's xlsx: the rows the filtered list shows (the same selector reads both), within
the scope narrowed to the page's capability. No personal data (titles, places, dates, figures and the
owner, a committee member acting in office), so no access-log row; read as plain values in batches."""
from __future__ import annotations

from django.utils import timezone

from gongzhi.core.exports import xlsx_response
from gongzhi.core.permissions import requires
from gongzhi.projects import selectors
from gongzhi.projects.manifest import VIEW_PROJECTS
from gongzhi.projects.models import ProjectState

CHUNK = 2000
HEADER = ("项目名称", "街道(镇)", "社区", "状态", "进度(%)", "按期/滞后", "计划开始", "计划完成", "完成时间",
          "预算(元)", "支出(元)", "未答复异议", "负责人", "来源议题")
FIELDS = ("title", "community__parent__name", "community__name", "state", "progress", "late_flag", "ends_on_late",
          "starts_on", "ends_on", "completed_at", "budget", "spent", "open_objections", "owner__display_name",
          "owner__username", "source_topic__title")


def project_rows(qs, today):
    states = dict(ProjectState.choices)
    for (title, street, community, state, progress, late_flag, ends_on_late, starts_on, ends_on, completed_at, budget,
         spent, objections, owner_name, owner_username, topic) in qs.values_list(*FIELDS).iterator(chunk_size=CHUNK):
        late = state == ProjectState.ACTIVE and (late_flag or ends_on_late)
        schedule = "滞后" if late else ("按期" if state == ProjectState.ACTIVE else "")
        yield (title, street or "", community, states.get(state, state), progress, schedule, starts_on, ends_on,
               f"{timezone.localtime(completed_at):%Y-%m-%d}" if completed_at else "", budget, spent, objections,
               owner_name or owner_username, topic or "")


@requires(VIEW_PROJECTS)
def project_export(request):
    from django.db.models import BooleanField, Case, Value, When
    today = timezone.localdate()
    qs, _ = selectors.projects_from_query(request.scope, request.GET, today=today)
    qs = selectors.with_figures(qs, today).annotate(ends_on_late=Case(
        When(ends_on__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()))
    return xlsx_response(filename=f"项目-{today:%Y%m%d}.xlsx", prefix="projects",
                         sheets=[("项目", HEADER, project_rows(qs, today))])
