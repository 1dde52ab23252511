"""Two-way evaluation (双向评价, P-DUTY-6; 000 二(二), 004 §3(一)): each year the street rates each of
its committees, and each committee rates its street and the departments whose items it carries, on
the locality's form, within the round's window.

Anonymity: a department sees its mean score, the number of raters and the comments, never which
community rated it, and nothing until at least `MIN_RATERS` communities have rated it (with one or
two raters the mean would name them). Streets and communities know each other anyway (one street
rates its communities), so their results name the other side; the rater's account is never shown.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.admission.models import Direction, Evaluation, EvaluationRound, ListItem
from gongzhi.admission.selectors import district_of
from gongzhi.admission.services import clean_text
from gongzhi.core.errors import RuleError
from gongzhi.core.validators import has_control_characters
from gongzhi.places.models import Level, Place

MIN_RATERS = 3
# None of the seeds gives the form: these are the platform's questions (docs/admission.md)
DEFAULT_FORM = {
    Direction.STREET_TO_COMMUNITY: ["依法自治、居民会议和议事协商开展情况", "协助政府工作事项完成情况",
                                    "为民服务和矛盾纠纷化解情况", "居务公开和民主监督情况"],
    Direction.COMMUNITY_TO_STREET: ["按清单交办事项,未摊派清单外工作", "随事经费和工作条件落实情况",
                                    "对社区自治的指导和支持", "会议、台账、考核评比精简情况"],
    Direction.COMMUNITY_TO_DEPARTMENT: ["按清单或准入事项布置工作", "随事经费和工作条件落实情况",
                                        "数据填报使用平台已有数据,未重复要求社区填报"],
}

ERR_ROUND_EXISTS = "{year} 年的双向评价已经开启"
ERR_ROUND_DATES = "截止日期不能早于开始日期"
ERR_NO_ROUND = "{year} 年尚未开启双向评价"
ERR_WINDOW = "双向评价的时间是 {opens} 至 {closes},现在不能提交"
ERR_SCORES = "请为每一项打分(1 至 5 分)"
ERR_TWICE = "您已经评价过{target},每年只评价一次"
ERR_TARGET = "只能评价本街道的社区、本社区所属的街道,或在本社区有清单事项的部门"
ERR_NOT_RATER = "只有街道干部和社区工作者可以参加双向评价"


ERR_QUESTIONS = "「{direction}」须有 1 至 {n} 个问题,每个问题一行,不超过 {chars} 个字,不含控制字符"
MAX_QUESTIONS, QUESTION_CHARS = 10, 60


def clean_form(form: dict | None) -> dict:
    """The round's questions per direction: the platform's default where the admin gave none."""
    out = {}
    for direction, default in DEFAULT_FORM.items():
        given = (form or {}).get(str(direction))
        if given is None:
            out[str(direction)] = list(default)
            continue
        questions = [q.strip() for q in given if q and q.strip()] if isinstance(given, list) else []
        if not 1 <= len(questions) <= MAX_QUESTIONS or any(
                len(q) > QUESTION_CHARS or has_control_characters(q) for q in questions):
            raise RuleError(ERR_QUESTIONS.format(direction=Direction(direction).label, n=MAX_QUESTIONS,
                                                 chars=QUESTION_CHARS))
        out[str(direction)] = questions
    return out


@transaction.atomic
def round_open(*, locality: Place, year: int, opens_on: dt.date, closes_on: dt.date, by, form: dict | None = None,
               now=None):
    """Open a year's round; `form` ({direction: [question, ...]}) is the locality's own questions, if
    it has them, for any direction (none of the seeds gives a form: the default is the platform's)."""
    now = now or timezone.now()
    if EvaluationRound.objects.filter(locality=locality, year=year).exists():
        raise RuleError(ERR_ROUND_EXISTS.format(year=year))
    if not isinstance(opens_on, dt.date) or not isinstance(closes_on, dt.date) or closes_on < opens_on:
        raise RuleError(ERR_ROUND_DATES)
    form = clean_form(form)
    return EvaluationRound.objects.create(locality=locality, year=year, opens_on=opens_on, closes_on=closes_on,
                                          form=form, created_by=by, created_at=now)


def departments_of(community: Place) -> list[str]:
    """The departments responsible for items of the community's lists."""
    return sorted(set(ListItem.objects.filter(locality=district_of(community), voided=False)
                      .values_list("department", flat=True)))


def targets_for(post) -> list[tuple[str, Place | None, str, str]]:
    """[(direction, target place, target department, label)] the post may rate."""
    out = []
    if post.role == Role.STREET:
        for c in Place.objects.filter(parent=post.place, level=Level.COMMUNITY).order_by("code"):
            out.append((Direction.STREET_TO_COMMUNITY, c, "", c.name))
    elif post.role == Role.COMMUNITY:
        if post.place.parent_id:
            street = post.place.parent
            out.append((Direction.COMMUNITY_TO_STREET, street, "", street.name))
        for d in departments_of(post.place):
            out.append((Direction.COMMUNITY_TO_DEPARTMENT, None, d, d))
    return out


@transaction.atomic
def evaluate(*, post, year: int, direction: str, target_place: Place | None, target_department: str,
             scores: list, comment: str, by, now=None) -> Evaluation:
    now = now or timezone.now()
    if post.role not in (Role.STREET, Role.COMMUNITY):
        raise RuleError(ERR_NOT_RATER)
    rnd = EvaluationRound.objects.filter(locality=district_of(post.place), year=year).first()
    if rnd is None:
        raise RuleError(ERR_NO_ROUND.format(year=year))
    today = timezone.localdate(now)
    if not rnd.opens_on <= today <= rnd.closes_on:
        raise RuleError(ERR_WINDOW.format(opens=rnd.opens_on.isoformat(), closes=rnd.closes_on.isoformat()))
    allowed = {(d, p.pk if p else None, dept) for d, p, dept, _ in targets_for(post)}
    if (direction, target_place.pk if target_place else None, target_department or "") not in allowed:
        raise RuleError(ERR_TARGET)
    questions = rnd.form.get(direction) or []
    try:
        values = [int(s) for s in scores]
    except (TypeError, ValueError):
        raise RuleError(ERR_SCORES) from None
    if len(values) != len(questions) or any(v < 1 or v > 5 for v in values):
        raise RuleError(ERR_SCORES)
    score = (Decimal(sum(values)) / len(values) * 20).quantize(Decimal("0.1"))
    label = target_place.name if target_place else target_department
    if Evaluation.objects.filter(round=rnd, direction=direction, rater_place=post.place, target_place=target_place,
                                 target_department=target_department or "").exists():
        raise RuleError(ERR_TWICE.format(target=label))
    try:
        with transaction.atomic():
            return Evaluation.objects.create(
                round=rnd, direction=direction, rater_place=post.place, target_place=target_place,
                target_department=target_department or "", scores=values, score=score,
                comment=clean_text(comment, "意见", limit=1000, required=False), rater=by, submitted_at=now)
    except IntegrityError:
        raise RuleError(ERR_TWICE.format(target=label)) from None


def results(rnd: EvaluationRound) -> dict:
    """Means per target; department results carry no rater and are withheld below MIN_RATERS."""
    qs = Evaluation.objects.filter(round=rnd)
    places = {r["target_place"]: r for r in qs.exclude(target_place=None).values("target_place", "direction")
              .annotate(mean=Avg("score"), n=Count("pk"))}
    names = dict(Place.objects.filter(pk__in=places).values_list("pk", "name"))
    departments = []
    for r in qs.filter(direction=Direction.COMMUNITY_TO_DEPARTMENT).values("target_department") \
            .annotate(mean=Avg("score"), n=Count("pk")).order_by("target_department"):
        shown = r["n"] >= MIN_RATERS
        comments = list(qs.filter(target_department=r["target_department"]).exclude(comment="")
                        .order_by("?").values_list("comment", flat=True)) if shown else []
        departments.append({"department": r["target_department"], "n": r["n"], "shown": shown,
                            "mean": r["mean"] if shown else None, "comments": comments})
    return {"places": [{"place": names[pk], "place_id": pk, "direction": r["direction"], "mean": r["mean"],
                        "n": r["n"]} for pk, r in places.items()],
            "departments": departments}
