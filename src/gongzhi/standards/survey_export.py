"""A survey's results as Excel: the figures its page shows (the same survey_results, over
the communities the caller may see) — per community the responses, positive share and mean,
the total, and how each question was answered. Counts only, no one's answers: not logged."""
from __future__ import annotations

from django.http import Http404

from gongzhi.core.exports import xlsx_response
from gongzhi.core.permissions import requires
from gongzhi.standards import surveys
from gongzhi.standards.manifest import VIEW_ASSESSMENTS
from gongzhi.standards.survey_views import ERR_DEPARTMENT

COMMUNITY_HEADER = ("社区代码", "社区", "答卷", "满意(安全)", "比例(%)", "平均分")


def survey_sheets(survey, results) -> list:
    rows = [(r["community__code"], r["community__name"], r["n"], r["positive"], r["rate"], r["mean"])
            for r in results["rows"]]
    total = results["total"]
    if rows:
        rows.append(("", "合计", total["n"], total["positive"], total["rate"], None))
    questions = [(i, d["question"], *d["counts"], sum(d["counts"]))
                 for i, d in enumerate(results["distribution"], 1)]
    return [("各社区", COMMUNITY_HEADER, rows),
            ("各题作答分布", ("序号", "问题", *survey.scale, "合计"), questions)]


@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def survey_export(request, survey_id):
    survey = surveys.surveys_visible(request.scope).filter(pk=survey_id).first()
    if survey is None:
        raise Http404("未找到或无权访问")
    results = surveys.survey_results(request.scope, survey)
    name = f"问卷结果-{survey.title}.xlsx".replace("/", "、")
    return xlsx_response(filename=name, prefix="survey", sheets=survey_sheets(survey, results))
