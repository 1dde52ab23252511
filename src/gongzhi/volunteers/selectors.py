"""Every read of the volunteers module, through the caller's scope (narrowed to the page's capability).

A community or grid post sees its community's volunteers and activities (a grid post: its grid's
community, since activities are the community's), a street or district post every community under
it, a resident post their own community's activities and their own records only. Out of scope
looks exactly like absent (404)."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from gongzhi.accounts.models import Role
from gongzhi.core.scope import Scope
from gongzhi.places.models import Level, Place
from gongzhi.volunteers.models import (
    Activity, Certificate, Commendation, Evaluation, PointAccount, PointEntry, SignUp, Team, Training,
    TrainingAttendance, Volunteer, VolunteerYear,
)

NOT_FOUND = "未找到或无权访问"
ERR_CODE = "二维码无效"


def community_ids(scope: Scope, *, staff_only: bool = False) -> list[int]:
    """The communities the scope's posts reach (a resident post: the resident's own community)."""
    if scope.capability is None:
        raise RuntimeError("scope not narrowed")
    ids, paths = set(), []
    for a in scope.assignments:
        if staff_only and a.role == Role.RESIDENT:
            continue
        if a.place.level == Level.COMMUNITY:
            ids.add(a.place.pk)
        elif a.place.level == Level.GRID:
            ids.add(a.place.parent_id)
        elif a.place.level in (Level.STREET, Level.DISTRICT):
            paths.append(a.place.path)
    if paths:
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(path__startswith=path)
        ids.update(Place.objects.filter(q, level=Level.COMMUNITY).values_list("pk", flat=True))
    return sorted(ids)


def communities_in(scope: Scope) -> QuerySet[Place]:
    return Place.objects.filter(pk__in=community_ids(scope, staff_only=True)).order_by("path")


def _pk(pk) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    if not 0 < value < 2**63:  # no row has it, and SQLite cannot even take it (OverflowError)
        raise Http404(NOT_FOUND)
    return value


def activities_in(scope: Scope) -> QuerySet[Activity]:
    return Activity.objects.filter(community_id__in=community_ids(scope))


def access_activity(scope: Scope, pk) -> Activity:
    activity = activities_in(scope).filter(pk=_pk(pk)).select_related("community", "team", "organiser").first()
    if activity is None:
        raise Http404(NOT_FOUND)
    return activity


def access_activity_by_token(scope: Scope, token: str) -> Activity:
    """The activity whose QR code is `token`, among the scope's, in one query (the scan page's every press
    asks). 404 either way: the code names no activity (ERR_CODE), or another community's (NOT_FOUND, as
    access_activity; only then a second query tells the two apart)."""
    token = (token or "")[:32]
    activity = activities_in(scope).filter(token=token).first() if token else None
    if activity is None:
        raise Http404(NOT_FOUND if token and Activity.objects.filter(token=token).exists() else ERR_CODE)
    return activity


def volunteers_in(scope: Scope) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(community_id__in=community_ids(scope, staff_only=True))


def access_volunteer(scope: Scope, pk) -> Volunteer:
    volunteer = volunteers_in(scope).filter(pk=_pk(pk)).select_related("resident", "community", "team").first()
    if volunteer is None:
        raise Http404(NOT_FOUND)
    return volunteer


def teams_in(scope: Scope) -> QuerySet[Team]:
    return Team.objects.filter(community_id__in=community_ids(scope, staff_only=True), active=True)


def access_team(scope: Scope, pk) -> Team:
    team = teams_in(scope).filter(pk=_pk(pk)).first()
    if team is None:
        raise Http404(NOT_FOUND)
    return team


def roster(scope: Scope, *, q: str = "", team: str = "", current: bool = True) -> QuerySet[Volunteer]:
    """The volunteers of the scope's communities, searched by name, pinyin initials or the ID's last
    four digits (never the number itself), most hours first."""
    qs = volunteers_in(scope).select_related("resident", "community", "team")
    if current:
        qs = qs.filter(left_on__isnull=True)
    q = (q or "").strip()[:20]
    if q:
        if q.isdigit() or (len(q) == 4 and q[:3].isdigit()):
            qs = qs.filter(resident__id_tail=q.upper()[-4:])
        elif q.isascii():
            qs = qs.filter(resident__name_initials__startswith=q.lower())
        else:
            qs = qs.filter(resident__name__contains=q)
    if team:
        try:
            qs = qs.filter(team_id=_pk(team))
        except Http404:  # a filter no team can match (the fuzzer's 99999999999999999999): nobody
            return qs.none()
    return qs.order_by("-hours", "pk")


def my_volunteer(user) -> Volunteer | None:
    resident = getattr(user, "resident", None)
    if resident is None:
        return None
    return Volunteer.objects.filter(resident=resident).select_related("community", "team", "resident").first()


def my_records(volunteer: Volunteer, limit: int = 50) -> list[SignUp]:
    return list(SignUp.objects.filter(volunteer=volunteer).select_related("activity")
                .order_by("-served_on", "-pk")[:limit])


def hours_by_year(volunteer: Volunteer) -> list[dict]:
    """Confirmed hours and records per year, from the yearly rollup (a few rows per volunteer)."""
    rows = (VolunteerYear.objects.filter(volunteer=volunteer).values("year")
            .annotate(h=Sum("hours"), n=Sum("records")).order_by("-year"))
    return [{"year": r["year"], "hours": r["h"], "records": r["n"]} for r in rows if r["n"]]


def hours_by_year_reference(volunteer: Volunteer) -> list[dict]:
    """The same from the records themselves (the plain reference the rollup is tested against)."""
    from django.db.models.functions import ExtractYear
    rows = (SignUp.objects.filter(volunteer=volunteer, hours__isnull=False).annotate(y=ExtractYear("served_on"))
            .values("y").annotate(h=Sum("hours"), n=Count("id")).order_by("-y"))
    return [{"year": r["y"], "hours": r["h"], "records": r["n"]} for r in rows]


def rollup_drift(community_ids: list[int] | None = None) -> list[tuple]:
    """(volunteer, community, year, rollup hours, records, plain hours, records) wherever the rollup
    differs from the SUM and COUNT over the confirmed records: empty when there is no drift."""
    from django.db.models.functions import ExtractYear
    records = SignUp.objects.filter(hours__isnull=False)
    rollup = VolunteerYear.objects.all()
    if community_ids is not None:
        records, rollup = records.filter(community_id__in=community_ids), rollup.filter(community_id__in=community_ids)
    plain = {(r["volunteer_id"], r["community_id"], r["y"]): (r["h"], r["n"]) for r in
             records.annotate(y=ExtractYear("served_on")).values("volunteer_id", "community_id", "y")
             .annotate(h=Sum("hours"), n=Count("id")).order_by()}
    kept = {(r.volunteer_id, r.community_id, r.year): (r.hours, r.records) for r in rollup}
    out = []
    for key in sorted(set(plain) | set(kept)):
        a, b = kept.get(key, (Decimal(0), 0)), plain.get(key, (Decimal(0), 0))
        if a[0] != b[0] or a[1] != b[1]:
            out.append((*key, *a, *b))
    return out


def my_certificates(volunteer: Volunteer) -> list[Certificate]:
    return list(Certificate.objects.filter(volunteer=volunteer).order_by("-issued_at")[:20])


def access_certificate(scope: Scope, user, pk) -> Certificate:
    """A staff post over the volunteer's community, or the volunteer themself."""
    cert = (Certificate.objects.filter(pk=_pk(pk)).select_related("volunteer__resident", "community", "issued_by")
            .first())
    if cert is None:
        raise Http404(NOT_FOUND)
    own = getattr(user, "resident", None) is not None and cert.volunteer.resident_id == user.resident.pk
    if not own and cert.community_id not in community_ids(scope, staff_only=True):
        raise Http404(NOT_FOUND)
    return cert


def points_of(volunteer: Volunteer) -> tuple[int, list[PointEntry]]:
    account = PointAccount.objects.filter(volunteer=volunteer).first()
    if account is None:
        return 0, []
    entries = list(PointEntry.objects.filter(Q(debit=account) | Q(credit=account)).select_related("offer")
                   .order_by("-created_at", "-pk")[:30])
    for e in entries:
        e.signed = e.amount if e.credit_id == account.pk else -e.amount
    return account.balance, entries


def team_hours(scope: Scope) -> list[dict]:
    rows = (Volunteer.objects.filter(community_id__in=community_ids(scope, staff_only=True), team__isnull=False)
            .values("team_id", "team__name", "community__name")
            .annotate(members=Count("id", filter=Q(left_on__isnull=True)), hours=Coalesce(Sum("hours"), Decimal(0)))
            .order_by("-hours"))
    rows = list(rows)
    honours = dict(Commendation.objects.filter(volunteer__team_id__in=[r["team_id"] for r in rows])
                   .values("volunteer__team_id").annotate(n=Count("id")).order_by()
                   .values_list("volunteer__team_id", "n"))
    for r in rows:
        r["commendations"] = honours.get(r["team_id"], 0)
    return rows


def yearly_report(scope: Scope, year: int) -> list[dict]:
    """Per community of the scope: registered volunteers, activities held, records and confirmed hours
    of `year`, and volunteers who served: aggregates in the database over the yearly rollup (one row
    per volunteer who served there that year), one query each."""
    communities = list(communities_in(scope).values("pk", "name", "code", "parent__name"))
    ids = [c["pk"] for c in communities]
    served = {r["community_id"]: r for r in VolunteerYear.objects.filter(community_id__in=ids, year=year, records__gt=0)
              .values("community_id").annotate(records=Sum("records"), hours=Sum("hours"), people=Count("id"))
              .order_by()}
    return _report_rows(communities, ids, year, served)


def yearly_report_reference(scope: Scope, year: int) -> list[dict]:
    """The same report from the records themselves (the plain reference the rollup is tested against)."""
    communities = list(communities_in(scope).values("pk", "name", "code", "parent__name"))
    ids = [c["pk"] for c in communities]
    served = {r["community_id"]: r for r in SignUp.objects.filter(community_id__in=ids, hours__isnull=False,
                                                                  served_on__year=year)
              .values("community_id").annotate(records=Count("id"), hours=Sum("hours"),
                                               people=Count("volunteer_id", distinct=True)).order_by()}
    return _report_rows(communities, ids, year, served)


def _report_rows(communities: list[dict], ids: list[int], year: int, served: dict) -> list[dict]:
    acts = dict(Activity.objects.filter(community_id__in=ids, starts_at__year=year, state="published")
                .values("community_id").annotate(n=Count("id")).order_by().values_list("community_id", "n"))
    vols = dict(Volunteer.objects.filter(community_id__in=ids, left_on__isnull=True)
                .values("community_id").annotate(n=Count("id")).order_by().values_list("community_id", "n"))
    trained = dict(TrainingAttendance.objects.filter(training__community_id__in=ids, training__held_on__year=year)
                   .values("training__community_id").annotate(n=Count("volunteer_id", distinct=True)).order_by()
                   .values_list("training__community_id", "n"))
    honours = dict(Commendation.objects.filter(community_id__in=ids, awarded_on__year=year).values("community_id")
                   .annotate(n=Count("id")).order_by().values_list("community_id", "n"))
    out = []
    for c in communities:
        s = served.get(c["pk"], {})
        out.append({"community": c["name"], "code": c["code"], "street": c["parent__name"],
                    "volunteers": vols.get(c["pk"], 0), "activities": acts.get(c["pk"], 0),
                    "records": s.get("records", 0), "people": s.get("people", 0),
                    "hours": s.get("hours") or Decimal(0), "trained": trained.get(c["pk"], 0),
                    "commendations": honours.get(c["pk"], 0)})
    return out


# -- training, evaluations and commendations -------------------------------------------------------------
def trainings_in(scope: Scope) -> QuerySet[Training]:
    return (Training.objects.filter(community_id__in=community_ids(scope, staff_only=True))
            .select_related("community").annotate(n_attended=Count("attendance")))


def access_training(scope: Scope, pk) -> Training:
    training = trainings_in(scope).filter(pk=_pk(pk)).first()
    if training is None:
        raise Http404(NOT_FOUND)
    return training


def attendance_of(training: Training) -> list[TrainingAttendance]:
    return list(TrainingAttendance.objects.filter(training=training).select_related("volunteer__resident")
                .order_by("volunteer__resident__name", "pk"))


def honours_in(scope: Scope, *, year: int | None = None) -> QuerySet[Commendation]:
    qs = (Commendation.objects.filter(community_id__in=community_ids(scope, staff_only=True))
          .select_related("volunteer__resident", "community"))
    if year:
        qs = qs.filter(awarded_on__year=year)
    return qs.order_by("-awarded_on", "-pk")


def growth_of(volunteer: Volunteer) -> dict:
    """The volunteer's trainings (with their hours: not service hours), evaluations and commendations:
    for their own page and the staff page (the caller has been checked for this volunteer)."""
    trainings = list(Training.objects.filter(attendance__volunteer=volunteer).order_by("-held_on", "-pk")[:51])
    total = sum((t.hours for t in trainings), Decimal(0)) if len(trainings) <= 50 else \
        Training.objects.filter(attendance__volunteer=volunteer).aggregate(h=Coalesce(Sum("hours"), Decimal(0)))["h"]
    return {"trainings": trainings[:50], "training_hours": total,
            "evaluations": list(Evaluation.objects.filter(volunteer=volunteer).order_by("-year")[:20]),
            "commendations": list(Commendation.objects.filter(volunteer=volunteer).order_by("-awarded_on", "-pk")[:50])}
