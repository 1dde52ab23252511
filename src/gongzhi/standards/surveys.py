"""Satisfaction and sense-of-security questionnaires (P-EVAL-2, P-GRID-7,
P-PROP-2): defined by the street or community, published to the residents of
a place, answered once per resident (online, or entered from paper by a
worker), and counted into the pack's indicators by compute.py.

Every question uses the survey kind's five-point scale; a response whose mean
is 3 (基本满意 / 基本安全) or better counts as positive, and the rate is
positive responses ÷ responses of the community's residents in the year."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, IntegerField, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from gongzhi.core import crypto
from gongzhi.core.errors import RuleError, lock_version
from gongzhi.core.scope import Scope
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.people.selectors import active_resident_by_id_number
from gongzhi.places.models import Place
from gongzhi.standards.models import Survey, SurveyResponse, SurveyState

ERR_NO_QUESTIONS = "请至少填写一个问题(每行一个)"
ERR_DATES = "截止日期不能早于开始日期"
ERR_NOT_OPEN = "问卷「{title}」现在不接受答卷({state})"
ERR_OUT_OF_DATES = "问卷「{title}」的答卷时间为 {start} 至 {end}"
ERR_NOT_IN_SCOPE = "{name} 不在问卷「{title}」的发布范围内"
ERR_ANSWERED = "{name} 已经答过这份问卷,每位居民只能答一次"
ERR_ANSWERS = "请回答全部 {n} 个问题(每题选 1—5)"
ERR_STATE = "问卷当前为「{state}」,不能{action}"
ERR_CONFLICT = "问卷已被他人修改,请刷新后重试"
ERR_RESIDENT_UNKNOWN = "没有公民身份号码为 {masked} 的在册居民"


class SurveyError(RuleError):
    pass


def survey_create(*, place: Place, title: str, kind: str, questions: list[str], opens_on: dt.date,
                  closes_on: dt.date, by) -> Survey:
    questions = [q.strip() for q in questions if q.strip()]
    if not questions:
        raise SurveyError(ERR_NO_QUESTIONS)
    if closes_on < opens_on:
        raise SurveyError(ERR_DATES)
    return Survey.objects.create(place=place, title=title.strip(), kind=kind, questions=questions,
                                 opens_on=opens_on, closes_on=closes_on, created_by=by)


@transaction.atomic
def survey_set_state(*, survey: Survey, state: str, version: int) -> Survey:
    """draft → open → closed; nothing goes back, so published results stand."""
    current = lock_version(Survey.objects, survey.pk, version, ERR_CONFLICT)
    allowed = {SurveyState.OPEN: SurveyState.DRAFT, SurveyState.CLOSED: SurveyState.OPEN}
    if allowed.get(state) != current.state:
        action = {SurveyState.OPEN: "发布", SurveyState.CLOSED: "结束"}.get(state, "变更")
        raise SurveyError(ERR_STATE.format(state=current.get_state_display(), action=action))
    current.state = state
    current.version += 1
    current.save(update_fields=["state", "version"])
    if state == SurveyState.OPEN:
        _invite(current)
    return current


def _invite(survey: Survey) -> int:
    """Publishing puts an invitation in the inbox of every resident account of the place."""
    from gongzhi.accounts.models import User
    from gongzhi.workorders.notify import notify

    place = survey.place
    users = User.objects.filter(Q(resident__community__path__startswith=place.path) | Q(resident__grid=place),
                                is_active=True, resident__status=PersonStatus.ACTIVE).values_list("pk", flat=True)
    return notify(list(users), order=None, kind="survey",
                  text=f"{place.name}邀请您参加问卷「{survey.title}」,{survey.closes_on:%Y-%m-%d} 截止,"
                       f"在「问卷」页作答。")


def find_resident(id_number: str, scope: Scope) -> Resident:
    """The active resident with this ID number among those the caller may see;
    one outside the scope is reported exactly like an unknown number."""
    number, resident = active_resident_by_id_number(id_number, scope.filter_people(Resident.objects.all()))
    if resident is None:
        raise SurveyError(ERR_RESIDENT_UNKNOWN.format(masked=crypto.mask_id_number(number)))
    return resident


def survey_answer(*, survey: Survey, resident: Resident, answers: list[int], entered_by=None,
                  now: dt.datetime | None = None) -> SurveyResponse:
    """One response per resident (the unique constraint decides under races),
    and none after the survey closes (its row is locked while the answer lands)."""
    now = now or timezone.now()
    if len(answers) != len(survey.questions) or any(a not in (1, 2, 3, 4, 5) for a in answers):
        raise SurveyError(ERR_ANSWERS.format(n=len(survey.questions)))
    if not resident.community.is_within(survey.place) and not (resident.grid and resident.grid.is_within(survey.place)):
        raise SurveyError(ERR_NOT_IN_SCOPE.format(name=resident.name, title=survey.title))
    score = sum(answers) / len(answers)
    try:
        with transaction.atomic():
            current = Survey.objects.select_for_update().get(pk=survey.pk)
            if current.state != SurveyState.OPEN:
                raise SurveyError(ERR_NOT_OPEN.format(title=current.title, state=current.get_state_display()))
            if not current.opens_on <= timezone.localdate(now) <= current.closes_on:
                raise SurveyError(ERR_OUT_OF_DATES.format(title=current.title, start=current.opens_on,
                                                          end=current.closes_on))
            return SurveyResponse.objects.create(
                survey=current, resident=resident, community=resident.community, answers=answers,
                score=round(score, 3), positive=score >= 3, submitted_at=now, entered_by=entered_by)
    except IntegrityError:
        raise SurveyError(ERR_ANSWERED.format(name=resident.name)) from None


# -- reads -----------------------------------------------------------------------------
def surveys_visible(scope: Scope):
    """Surveys published to a place the caller can see, or above one of theirs
    (a district survey reaches every community under it)."""
    q = Q(place__in=scope.places())
    for place in scope.staff_places:
        q |= Q(place__code__in=place.path.strip("/").split("/"))
    return Survey.objects.filter(q).select_related("place")


# Modules that run a survey through a page of their own (an estate's yearly rating, one per
# household) register under extras["own_surveys"] a function returning a Q over Survey for them:
# the residents' survey page leaves those to their module, so no answer bypasses its rules.
OWN_SURVEYS = "own_surveys"


def _surveys_answered_elsewhere() -> Q:
    from django.utils.module_loading import import_string

    from gongzhi.core import modules
    q = Q(pk__in=[])
    for path in modules.extras(OWN_SURVEYS):
        q |= import_string(path)()
    return q


def surveys_for_resident(resident: Resident):
    codes = resident.community.path.strip("/").split("/") + ([resident.grid.code] if resident.grid_id else [])
    answered = SurveyResponse.objects.filter(resident=resident).values("survey_id")
    return (Survey.objects.filter(place__code__in=codes, state=SurveyState.OPEN,
                                  opens_on__lte=timezone.localdate(), closes_on__gte=timezone.localdate())
            .exclude(pk__in=answered).exclude(_surveys_answered_elsewhere()))


def survey_results(scope: Scope, survey: Survey) -> dict:
    """Per community (only those the caller may see): responses, positive rate,
    mean score, and the mean of each question, all computed by the database."""
    responses = SurveyResponse.objects.filter(survey=survey, community__in=scope.places())
    rows = list(responses.values("community__name", "community__code").annotate(
        n=Count("id"), positive=Count("id", filter=Q(positive=True)), mean=Avg("score"))
        .order_by("community__code"))
    for r in rows:
        r["rate"] = round(100.0 * r["positive"] / r["n"], 1)
        r["mean"] = round(r["mean"], 2)
    total = responses.aggregate(n=Count("id"), positive=Count("id", filter=Q(positive=True)))
    total["rate"] = round(100.0 * total["positive"] / total["n"], 1) if total["n"] else None
    # per-question distribution: count of each answer value per question, on the JSON array
    distribution = []
    for i, question in enumerate(survey.questions):
        counts = [0] * 5
        for value, n in _answer_counts(responses, i):
            if value in (1, 2, 3, 4, 5):
                counts[value - 1] = n
        distribution.append({"question": question, "counts": counts})
    return {"rows": rows, "total": total, "distribution": distribution}


def _answer_counts(responses, index: int):
    """(answer, count) for question `index`, grouped by the database over the JSON array."""
    value = Cast(KeyTextTransform(str(index), "answers"), IntegerField())
    return responses.annotate(v=value).values_list("v").annotate(n=Count("id")).order_by()
