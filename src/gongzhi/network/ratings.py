"""Organisations' yearly ratings (社会组织等级评估-like). The parts come from the records: the year's final
project evaluations (mean score, mean residents' satisfaction, how many), the complaints the street found
founded (work orders attributed to the organisation, network/complaints.py), and the registration (an unregistered group loses
10 points). Total = 70 % of the mean project score + 30 % of the mean satisfaction − 5 per complaint
(− 10 unregistered), between 0 and 100; grade 5A ≥ 90, 4A ≥ 80, 3A ≥ 70, 2A ≥ 60, else 1A.

The street (a street post of the organisation's street) saves the rating — stored, each save a new version
under an optimistic lock — and finalises it once no complaint of the year waits to be checked; a finalised
rating changes no more."""
from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.network import complaints
from gongzhi.network.models import ComplaintState, EvaluationStage, OrgRating, ProjectEvaluation, RatingState
from gongzhi.network.services import ERR_STALE, _posts_over, text, year
from gongzhi.people.models import Organisation, OrgKind, OrgRegistration
from gongzhi.places.models import Level

GRADES = ((90, "5A"), (80, "4A"), (70, "3A"), (60, "2A"), (0, "1A"))
ERR_ROLE = "等级评定须由组织所在街道的街道干部办理"
ERR_NO_PROJECTS = "{org}{year} 年度没有终期评估的服务项目,无法评定等级"
ERR_FINAL = "{org}{year} 年度等级已于 {on} 评定,不能再改"
ERR_PENDING = "{org}{year} 年度还有 {n} 件投诉待核实,请先在组织页面核实,再定级"
ERR_NOT_SOCIAL = "只有社会组织参加等级评定"
ERR_NOT_SAVED = "请先保存评定,再定级"


def parts(org: Organisation, y: int) -> dict:
    """The year's parts computed by the database (one aggregate)."""
    r = ProjectEvaluation.objects.filter(project__organisation=org, stage=EvaluationStage.FINAL,
                                         evaluated_on__year=y).aggregate(
        mean_score=Avg("score"), mean_satisfaction=Avg("satisfaction"), n=Count("pk"))
    q = Decimal("0.1")
    return {"projects_closed": r["n"],
            "mean_score": Decimal(str(r["mean_score"] or 0)).quantize(q),
            "mean_satisfaction": Decimal(str(r["mean_satisfaction"] or 0)).quantize(q),
            "registration": org.registration}


def total(p: dict, complaints: int) -> tuple[Decimal, str]:
    s = p["mean_score"] * Decimal("0.7") + p["mean_satisfaction"] * Decimal("0.3") - 5 * complaints
    if p["registration"] == OrgRegistration.NONE:
        s -= 10
    s = min(max(s, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"))
    return s, next(g for floor, g in GRADES if s >= floor)


def _check(org: Organisation, by):
    if org.kind != OrgKind.SOCIAL_ORG:
        raise RuleError(ERR_NOT_SOCIAL)
    if not _posts_over(by, org.community, Role.STREET, Level.STREET):
        raise RuleError(ERR_ROLE)


@transaction.atomic
def rating_save(*, organisation: Organisation, year_value, note: str = "", version=None, by) -> OrgRating:
    """Compute and store the year's rating (a new one, or a new version of the draft)."""
    y = year(year_value)
    _check(organisation, by)
    n = complaints.counts(organisation, y)[ComplaintState.FOUNDED]
    note = text(note, "评定意见", max_len=300, required=False)
    p = parts(organisation, y)
    if not p["projects_closed"]:
        raise RuleError(ERR_NO_PROJECTS.format(org=organisation.name, year=y))
    score, grade = total(p, n)
    row = OrgRating.objects.select_for_update().filter(organisation=organisation, year=y).first()
    if row is None:
        try:
            with transaction.atomic():
                return OrgRating.objects.create(organisation=organisation, year=y, complaints=n, score=score,
                                                grade=grade, note=note, by=by, **p)
        except IntegrityError:
            raise ConflictError(ERR_STALE) from None
    if row.state == RatingState.FINAL:
        raise RuleError(ERR_FINAL.format(org=organisation.name, year=y, on=row.finalised_on.isoformat()))
    if str(row.version) != str(version):
        raise ConflictError(ERR_STALE)
    for k, v in p.items():
        setattr(row, k, v)
    row.complaints, row.score, row.grade, row.note, row.by = n, score, grade, note, by
    row.version += 1
    row.save()
    return row


@transaction.atomic
def rating_finalise(*, organisation: Organisation, year_value, version, by) -> OrgRating:
    y = year(year_value)
    _check(organisation, by)
    row = OrgRating.objects.select_for_update().filter(organisation=organisation, year=y).first()
    if row is None:
        raise RuleError(ERR_NOT_SAVED)
    if row.state == RatingState.FINAL:
        raise RuleError(ERR_FINAL.format(org=organisation.name, year=y, on=row.finalised_on.isoformat()))
    if str(row.version) != str(version):
        raise ConflictError(ERR_STALE)
    found = complaints.counts(organisation, y)
    if found[ComplaintState.PENDING]:
        raise RuleError(ERR_PENDING.format(org=organisation.name, year=y, n=found[ComplaintState.PENDING]))
    if found[ComplaintState.FOUNDED] != row.complaints:  # checked since the last save: count them in
        row.complaints = found[ComplaintState.FOUNDED]
        row.score, row.grade = total({"mean_score": row.mean_score, "mean_satisfaction": row.mean_satisfaction,
                                      "registration": row.registration}, row.complaints)
    row.state, row.finalised_on, row.by = RatingState.FINAL, timezone.localdate(), by
    row.version += 1
    row.save()
    return row
