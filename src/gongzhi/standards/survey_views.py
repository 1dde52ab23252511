"""Survey pages: the list and a new-survey form for street and community
staff, a survey's page (publish, close, results by community with a chart,
entering a paper questionnaire), and the resident's answer form."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core import idcard, record_links
from gongzhi.core.errors import ConflictError
from gongzhi.core.permissions import own_records, requires
from gongzhi.places.models import Level
from gongzhi.places.selectors import access_place
from gongzhi.standards import surveys
from gongzhi.standards.access import posted_version
from gongzhi.standards.manifest import ENTER_SURVEY_ANSWERS, MANAGE_SURVEYS, VIEW_ASSESSMENTS
from gongzhi.standards.models import SurveyKind, SurveyState

ERR_MAY_NOT = "只有街道干部、社区工作者和管理员可以发起问卷"
ERR_MAY_NOT_ENTER = "只有社区工作者、网格员和管理员可以录入纸质问卷"
ERR_DEPARTMENT = "满意度问卷是街道(镇)和区统一评估的一部分,职能部门不另行调查考核社区(P-DUTY-4)"
DATE = forms.DateInput(attrs={"type": "date"})


class SurveyForm(forms.Form):
    title = forms.CharField(label="标题", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=SurveyKind.choices)
    place = forms.ChoiceField(label="发布范围")
    questions = forms.CharField(label="问题(每行一个)", widget=forms.Textarea(attrs={"rows": 5}),
                                help_text="每题按五级作答,如:非常不满意、不满意、基本满意、满意、非常满意")
    opens_on = forms.DateField(label="开始日期", widget=DATE)
    closes_on = forms.DateField(label="截止日期", widget=DATE)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.code, p.name) for p in places]


def _access(scope, survey_id):
    survey = surveys.surveys_visible(scope).filter(pk=survey_id).first()
    if survey is None:
        raise Http404("未找到或无权访问")
    return survey


# Surveys are part of the unified assessment (VIEW_ASSESSMENTS): departments take no part.
@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def survey_list(request):
    scope = request.scope
    # surveys are published to the places of the posts that may manage them
    managing = scope.for_capability(MANAGE_SURVEYS)
    places = list(managing.places().filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY])
                  .order_by("code")[:300])
    form = SurveyForm(request.POST or None, places=places)
    status = 200
    if request.method == "POST":
        if not managing:
            raise PermissionDenied(ERR_MAY_NOT)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                survey = surveys.survey_create(
                    place=access_place(managing, data["place"]), title=data["title"], kind=data["kind"],
                    questions=data["questions"].splitlines(), opens_on=data["opens_on"],
                    closes_on=data["closes_on"], by=request.user)
            except (surveys.SurveyError, ConflictError) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "问卷已保存为草稿,发布后居民即可作答")
                return redirect("standards:survey", survey_id=survey.pk)
    return render(request, "standards/survey_list.html", {
        "surveys": surveys.surveys_visible(scope)[:100], "form": form, "may_define": bool(managing)},
        status=status)


class PaperForm(forms.Form):
    id_number = forms.CharField(label="答卷居民的公民身份号码", max_length=20)


@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def survey_detail(request, survey_id):
    scope = request.scope
    survey = _access(scope, survey_id)
    # a paper questionnaire is entered for a resident of the posts that may enter answers
    entering = scope.for_capability(ENTER_SURVEY_ANSWERS)
    paper = PaperForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if not entering:
            raise PermissionDenied(ERR_MAY_NOT_ENTER)
        if paper.is_valid():
            try:
                resident = surveys.find_resident(paper.cleaned_data["id_number"], entering)
                surveys.survey_answer(survey=survey, resident=resident, answers=_answers(request, survey),
                                      entered_by=request.user)
            except idcard.IdNumberError as exc:
                paper.add_error("id_number", str(exc))
            except (surveys.SurveyError, ConflictError) as exc:
                paper.add_error(None, str(exc))
            else:
                messages.success(request, f"已录入 {resident.name} 的答卷")
                return redirect("standards:survey", survey_id=survey.pk)
    results = surveys.survey_results(scope, survey)
    chart = {"communities": [r["community__name"] for r in results["rows"]], "rates": [r["rate"] for r in results["rows"]],
             "scale": survey.scale, "questions": [d["question"] for d in results["distribution"]],
             "counts": [d["counts"] for d in results["distribution"]]}
    record_links.attach(request, "survey", [survey])
    return render(request, "standards/survey_detail.html", {
        "survey": survey, "results": results, "paper": paper, "chart": chart,
        "may_manage": scope.for_capability(MANAGE_SURVEYS).contains(survey.place),
        "may_enter": bool(entering) and survey.state == SurveyState.OPEN,
        "options": list(enumerate(survey.scale, 1))}, status=status)


def _answers(request, survey) -> list[int]:
    out = []
    for i in range(len(survey.questions)):
        try:
            out.append(int(request.POST.get(f"q{i}", "")))
        except ValueError:
            out.append(0)
    return out


@requires(MANAGE_SURVEYS, refusal=ERR_MAY_NOT)
@require_POST
def survey_state(request, survey_id, state):
    scope = request.scope
    survey = _access(scope, survey_id)
    if not scope.contains(survey.place) or state not in (SurveyState.OPEN, SurveyState.CLOSED):
        raise PermissionDenied(ERR_MAY_NOT)
    try:
        surveys.survey_set_state(survey=survey, state=state, version=posted_version(request))
        messages.success(request, "问卷已发布" if state == SurveyState.OPEN else "问卷已结束")
    except (surveys.SurveyError, ConflictError) as exc:
        messages.error(request, str(exc))
    return redirect("standards:survey", survey_id=survey.pk)


@own_records
def my_surveys(request):
    """The resident's side: open questionnaires for their community, and the answer form.
    Only the caller's own resident record is read (no place scope involved)."""
    resident = getattr(request.user, "resident", None)
    if resident is None:
        raise PermissionDenied("只有居民账号可以作答问卷")
    pending = list(surveys.surveys_for_resident(resident))
    survey = next((s for s in pending if str(s.pk) == request.GET.get("survey", request.POST.get("survey"))), None)
    error = None
    if request.method == "POST" and survey is not None:
        try:
            surveys.survey_answer(survey=survey, resident=resident, answers=_answers(request, survey))
        except (surveys.SurveyError, ConflictError) as exc:
            error = str(exc)
        else:
            messages.success(request, f"感谢参与「{survey.title}」")
            return redirect("standards:my_surveys")
    elif request.method == "POST":
        error = "这份问卷已答过或已结束"
    return render(request, "standards/my_surveys.html", {
        "pending": pending, "survey": survey, "error": error,
        "options": list(enumerate(survey.scale, 1)) if survey else [], "today": timezone.localdate()},
        status=400 if error else 200)

