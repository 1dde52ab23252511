"""Residents' yearly evaluation of an estate's property services (P-PROP-2), through the survey
engine (standards.surveys): the evaluation is a standards.Survey of the property kind published to
the estate's community, so its answers also count in the pack's `property_satisfaction_rate`; the
engine keeps one answer per resident, and `Rating` keeps one per household (a second answer from the
same household is refused and nothing is written, the survey's answer included).
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.core.validators import has_control_characters
from gongzhi.estates.models import Evaluation, Rating
from gongzhi.estates.services import current_contract
from gongzhi.people.models import Household, PersonStatus, Resident
from gongzhi.places.models import Estate
from gongzhi.standards import surveys
from gongzhi.standards.models import Survey, SurveyKind, SurveyState

QUESTIONS = ["您对小区的保洁和垃圾清运是否满意?", "您对小区的安保和门岗管理是否满意?",
             "您对公共设施设备(电梯、照明、门禁)的维修养护是否满意?", "您对小区绿化养护是否满意?",
             "您对物业人员的服务态度和报修响应是否满意?"]
ERR_YEAR = "评价年度须在 2000 年至今年之间"
ERR_EXISTS = "「{estate}」{year} 年度的物业服务评价已经发起"
ERR_NO_SUBJECT = "「{estate}」在 {year} 年没有物业服务合同,也不是业主自管或托管小区,无可评价的物业服务"
ERR_NOT_HERE = "{name} 不是「{estate}」登记在册的住户,不能评价该小区的物业服务"
ERR_HOUSEHOLD_TWICE = "您家(户号 {number})已经评价过「{estate}」{year} 年度的物业服务,每户每年只能评价一次"


def evaluation_open(*, estate: Estate, year: int, by, today: dt.date | None = None) -> Evaluation:
    """Publish the year's evaluation: the survey is open from today (or 1 January of a past year) to
    31 December; the estate's residents with an account get a notice in their inbox."""
    today = today or timezone.localdate()
    if not isinstance(year, int) or not 2000 <= year <= today.year:
        raise RuleError(ERR_YEAR)
    contract = current_contract(estate, min(today, dt.date(year, 12, 31)))
    from gongzhi.estates.services import profile_of
    profile = profile_of(estate)
    if contract is None and profile.mode in ("none", "firm"):
        raise RuleError(ERR_NO_SUBJECT.format(estate=estate.name, year=year))
    opens_on = today if year == today.year else dt.date(year, 1, 1)
    with transaction.atomic():
        if Evaluation.objects.select_for_update().filter(estate=estate, year=year).exists():
            raise RuleError(ERR_EXISTS.format(estate=estate.name, year=year))
        survey = surveys.survey_create(place=estate.community, title=f"{estate.name}{year}年度物业服务评价",
                                       kind=SurveyKind.PROPERTY, questions=QUESTIONS, opens_on=opens_on,
                                       closes_on=dt.date(year, 12, 31), by=by)
        # opened here, not with surveys.survey_set_state: its notice goes to every resident of the
        # community, and only the estate's households may rate (the notice below)
        Survey.objects.filter(pk=survey.pk).update(state=SurveyState.OPEN)
        survey.state = SurveyState.OPEN
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    estate=estate, community_id=estate.community_id, year=year, survey=survey,
                    firm=contract.firm if contract else None, manager=contract.manager if contract else None,
                    created_by=by)
        except IntegrityError:
            raise RuleError(ERR_EXISTS.format(estate=estate.name, year=year)) from None
        if year == today.year:
            from gongzhi.accounts.models import User
            from gongzhi.workorders.notify import notify
            users = User.objects.filter(is_active=True, resident__status=PersonStatus.ACTIVE,
                                        resident__household__dwelling__building__estate=estate)
            notify(list(users.values_list("pk", flat=True)), order=None, kind="survey",
                   text=f"请评价「{estate.name}」{year} 年度的物业服务(每户一份),在「物业评价」页作答,"
                        f"12 月 31 日截止。")
    return evaluation


def estate_of(resident: Resident) -> Estate | None:
    household = resident.household if resident.household_id else None
    dwelling = household.dwelling if household is not None and household.dwelling_id else None
    return dwelling.building.estate if dwelling is not None else None


def evaluation_answer(*, evaluation: Evaluation, resident: Resident, answers: list[int], entered_by=None,
                      now: dt.datetime | None = None) -> Rating:
    """One household's rating. Refused, with nothing written, when the resident does not live in the
    estate, the household has rated already, the resident has answered, the survey is closed or an
    answer is missing."""
    now = now or timezone.now()
    if resident.status != PersonStatus.ACTIVE or estate_of(resident) is None \
            or estate_of(resident).pk != evaluation.estate_id:
        raise RuleError(ERR_NOT_HERE.format(name=resident.name, estate=evaluation.estate.name))
    household = resident.household
    refusal = ERR_HOUSEHOLD_TWICE.format(number=household.number, estate=evaluation.estate.name,
                                         year=evaluation.year)
    try:
        with transaction.atomic():
            Evaluation.objects.select_for_update().get(pk=evaluation.pk)
            if Rating.objects.filter(evaluation=evaluation, household=household).exists():
                raise RuleError(refusal)
            response = surveys.survey_answer(survey=evaluation.survey, resident=resident, answers=answers,
                                             entered_by=entered_by, now=now)
            return Rating.objects.create(evaluation=evaluation, household=household, response=response,
                                         score=response.score, submitted_at=now)
    except IntegrityError:
        raise RuleError(refusal) from None


ERR_PAPER_HOUSEHOLD = "户号「{number}」不是「{estate}」在您管辖范围内登记在册的住户,请核对问卷上的户号"
ERR_PAPER_NAME = "户号「{number}」中没有在册的「{name}」,请核对问卷上的填写人"
ERR_PAPER_TWO = "户号「{number}」中有两位在册居民名叫「{name}」,请在人口登记中核对后再录入"
ERR_PAPER_TEXT = "请填写问卷上的户号和填写人姓名(不含控制字符)"


def paper_answer(*, evaluation: Evaluation, scope, household_number: str, name: str, answers: list[int],
                 by, now: dt.datetime | None = None) -> Rating:
    """A household's paper questionnaire typed in by a community or grid worker: the household is found by
    its number among the registry rows the worker's scope holds, the respondent by name within it; then the
    same rules as an online rating (one per household, the estate's residents, the survey open). The
    response records who typed it (`entered_by`), so it never counts in that worker's own yearly review."""
    number, name = (household_number or "").strip(), (name or "").strip()
    if not number or not name or len(number) > 40 or len(name) > 50 or has_control_characters(number + name):
        raise RuleError(ERR_PAPER_TEXT)
    household = scope.filter_people(Household.objects.filter(
        number=number, dwelling__building__estate_id=evaluation.estate_id)).first()
    if household is None:
        raise RuleError(ERR_PAPER_HOUSEHOLD.format(number=number, estate=evaluation.estate.name))
    members = list(household.members.filter(status=PersonStatus.ACTIVE, name=name)[:2])
    if not members:
        raise RuleError(ERR_PAPER_NAME.format(number=number, name=name))
    if len(members) > 1:
        raise RuleError(ERR_PAPER_TWO.format(number=number, name=name))
    return evaluation_answer(evaluation=evaluation, resident=members[0], answers=answers, entered_by=by, now=now)


def open_for(resident: Resident) -> list[Evaluation]:
    """The open evaluations of the resident's estate their household has not rated yet."""
    estate = estate_of(resident)
    if estate is None or resident.status != PersonStatus.ACTIVE:
        return []
    today = timezone.localdate()
    rated = Rating.objects.filter(household_id=resident.household_id).values("evaluation_id")
    return list(Evaluation.objects.filter(estate=estate, survey__state=SurveyState.OPEN, survey__opens_on__lte=today,
                                          survey__closes_on__gte=today).exclude(pk__in=rated)
                .select_related("survey", "estate", "firm"))


def results(evaluation: Evaluation) -> dict:
    """Households that rated, the share rating 基本满意 or better, the mean, and each question's mean."""
    ratings = Rating.objects.filter(evaluation=evaluation)
    row = ratings.aggregate(n=Count("pk"), positive=Count("pk", filter=Q(score__gte=3)), mean=Avg("score"))
    households = (Resident.objects.filter(status=PersonStatus.ACTIVE,
                                          household__dwelling__building__estate_id=evaluation.estate_id)
                  .values("household_id").distinct().count())
    row["households"] = households
    row["paper"] = ratings.filter(response__entered_by__isnull=False).count()
    row["rate"] = round(100.0 * row["positive"] / row["n"], 1) if row["n"] else None
    row["mean"] = round(row["mean"], 2) if row["mean"] is not None else None
    answers = list(ratings.values_list("response__answers", flat=True))
    row["questions"] = [{"question": q, "mean": round(sum(a[i] for a in answers) / len(answers), 2) if answers
                         else None} for i, q in enumerate(evaluation.survey.questions)]
    return row


def own_surveys() -> Q:
    """The surveys this module answers through its own page (one rating per household): registered
    under extras["own_surveys"], so the residents' survey page in standards does not offer them too."""
    return Q(estate_evaluation__isnull=False)
