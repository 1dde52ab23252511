"""Metric values for all communities at once, computed by the database (one
grouped query per metric, never a Python loop over residents). Returns
{metric: {community_id: value}}; a community with nothing to count gets 0,
and a ratio whose denominator is 0 gets None (no value: the indicator has no
data, which earns no points and is shown as 无数据).

Street-level metrics (street_centre_area) come back keyed by street id.
Metrics marked `period` in metrics.py count what happened in `year`;
the others read the registry as it stands (`as_of` for ages).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count, DecimalField, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value,
)
from django.db.models.functions import Coalesce, ExtractQuarter
from django.utils import timezone

from gongzhi.ledgers.models import (
    Activity, Certificate, Disclosure, Election, ElectionMethod, Meeting, MeetingKind, Training, Volunteer, Worker,
)
from gongzhi.people.models import Household, HouseholdStatus, OrgKind, Organisation, PersonStatus, Resident
from gongzhi.places.models import Estate, Facility, Level, Place
from gongzhi.places.selectors import with_staffing
from gongzhi.standards.metrics import METRICS
from gongzhi.standards.models import SurveyKind, SurveyResponse

ONE_HALL_FIVE = {"service_hall", "culture_sports", "deliberation", "library_archive", "rights_mediation", "police"}
EIGHT = {"service_hall", "meeting", "culture_sports", "library_archive", "family_planning", "police", "clinic",
         "convenience_shop"}


class NotComputable(ValueError):
    pass


def _grouped(qs: QuerySet, key: str, **aggregate) -> dict[int, dict]:
    return {row.pop(key): row for row in qs.values(key).annotate(**aggregate).order_by()}


def _counts(qs: QuerySet, key: str = "community_id") -> dict[int, int]:
    # COUNT(*) rather than COUNT(id): PostgreSQL can then answer from a covering index alone
    return {k: v["n"] for k, v in _grouped(qs, key, n=Count("*")).items()}


def _ratio(numerators: dict, denominators: dict, ids, scale: float) -> dict[int, float | None]:
    out = {}
    for cid in ids:
        denominator = denominators.get(cid) or 0
        out[cid] = round(float(numerators.get(cid) or 0) * scale / denominator, 2) if denominator else None
    return out


class _Computer:
    def __init__(self, communities: QuerySet, year: int, as_of: dt.date):
        self.ids = list(communities.values_list("id", flat=True))
        self.scope = Q(community_id__in=communities.values("id"))
        self.year, self.as_of = year, as_of
        self._cache: dict[str, dict] = {}

    def get(self, name: str) -> dict[int, float | None]:
        if name not in METRICS:
            raise NotComputable(f"未知的指标数据「{name}」")
        if name not in self._cache:
            method = getattr(self, f"m_{name}", None)
            if method is None:
                raise NotComputable(f"指标数据「{METRICS[name].title}」尚不能计算")
            values = method()
            if METRICS[name].level == "street":
                self._cache[name] = values
            else:
                self._cache[name] = {cid: values.get(cid, 0) for cid in self.ids}
        return self._cache[name]

    def _in_year(self, field: str) -> Q:
        return Q(**{f"{field}__year": self.year})

    # -- size --------------------------------------------------------------------------
    def m_households(self):
        return _counts(Household.objects.filter(self.scope, status=HouseholdStatus.ACTIVE))

    def m_residents(self):
        return _counts(Resident.objects.filter(self.scope, status=PersonStatus.ACTIVE))

    def m_party_members(self):
        return _counts(Resident.objects.filter(self.scope, status=PersonStatus.ACTIVE, party_member=True))

    # -- facilities --------------------------------------------------------------------
    def _facility(self, field: str):
        return dict(Facility.objects.filter(self.scope).values_list("community_id", field))

    def m_facility_area(self):
        return {k: float(v) for k, v in self._facility("service_area_m2").items()}

    def m_station_area(self):
        return {k: float(v) for k, v in self._facility("station_area_m2").items()}

    def m_street_centre_area(self):
        streets = Place.objects.filter(level=Level.STREET, children__id__in=self.ids).values("id")
        return {k: float(v) for k, v in Facility.objects.filter(community_id__in=streets)
                .values_list("community_id", "service_area_m2")}

    def m_activity_area_share(self):
        rows = Facility.objects.filter(self.scope).values_list("community_id", "activity_area_m2", "station_area_m2")
        return {cid: (round(100.0 * float(a) / float(s), 2) if s else None) for cid, a, s in rows}

    def _rooms(self, wanted: set) -> dict:
        # the rooms are a short JSON list per community: counted per community row, not per resident
        return {cid: len(wanted & set(rooms or [])) for cid, rooms in self._facility("rooms").items()}

    def m_rooms_one_hall_five(self):
        return self._rooms(ONE_HALL_FIVE)

    def m_rooms_eight(self):
        return self._rooms(EIGHT)

    def m_home_care_station(self):
        return {cid: 100.0 if n else 0.0 for cid, n in self._rooms({"elderly_care"}).items()}

    def m_publicity_boards(self):
        return self._facility("publicity_boards")

    def m_disclosure_boards(self):
        return self._facility("disclosure_boards")

    def m_facility_area_per_100_households(self):
        return _ratio(self.get("facility_area"), self.get("households"), self.ids, 100)

    # -- staff -------------------------------------------------------------------------
    def _workers(self, **aggregate):
        return _grouped(Worker.objects.filter(self.scope, left_on__isnull=True), "community_id", **aggregate)

    @property
    def _staff(self) -> dict[int, dict]:
        if "_staff" not in self._cache:
            committee = ~Q(committee_post="")
            # aliases are prefixed so they never shadow a column the filters name
            self._cache["_staff"] = self._workers(
                n_all=Count("id"), n_committee=Count("id", filter=committee),
                n_committee_full_time=Count("id", filter=committee & Q(full_time=True)),
                n_full_time=Count("id", filter=Q(full_time=True)),
                n_service_staff=Count("id", filter=Q(full_time=True, committee_post="", party_post="")),
                n_certified=Count("id", filter=~Q(certificate=Certificate.NONE)),
                n_party=Count("id", filter=~Q(party_post="")),
                n_cross=Count("id", filter=~Q(party_post="") & committee))
        return self._cache["_staff"]

    def _staff_field(self, field):
        return {cid: row[f"n_{field}"] for cid, row in self._staff.items()}

    def m_committee_members(self):
        return self._staff_field("committee")

    def m_full_time_staff(self):
        return self._staff_field("service_staff")

    def m_party_committee_members(self):
        return self._staff_field("party")

    def m_committee_full_time_share(self):
        return _ratio(self._staff_field("committee_full_time"), self._staff_field("committee"), self.ids, 100)

    def m_households_per_committee_member(self):
        return _ratio(self.get("households"), self._staff_field("committee"), self.ids, 1)

    def m_households_per_full_time_worker(self):
        return _ratio(self.get("households"), self._staff_field("full_time"), self.ids, 1)

    def m_certified_social_workers_per_10k(self):
        return _ratio(self._staff_field("certified"), self.get("residents"), self.ids, 10_000)

    def m_certified_worker_share(self):
        return _ratio(self._staff_field("certified"), self._staff_field("all"), self.ids, 100)

    def m_cross_holding_share(self):
        return _ratio(self._staff_field("cross"), self._staff_field("party"), self.ids, 100)

    # who counts for the training metrics: P-STAFF-7 trains secretary and director (leaders)
    # against the other post-holders; P-STAFF-5 trains the committee's director against its members
    _LEADERS = Q(committee_post="director") | Q(party_post="secretary")
    _POST_HOLDERS = ~Q(committee_post="") | ~Q(party_post="")
    _DIRECTOR = Q(committee_post="director")
    _COMMITTEE = ~Q(committee_post="")

    def _training(self, who: Q, measure: str):
        """The least trained of `who` among each community's serving workers in the year:
        a per-worker subquery summed by the database, then the minimum per community."""
        trainings = Training.objects.filter(worker=OuterRef("pk"), voided="", held_on__year=self.year)
        per_worker = trainings.values("worker").annotate(
            v=Sum("days") if measure == "days" else Count("id")).values("v")
        output = DecimalField(max_digits=8, decimal_places=1) if measure == "days" else IntegerField()
        people = Worker.objects.filter(self.scope, who, left_on__isnull=True).annotate(
            v=Coalesce(Subquery(per_worker, output_field=output), Value(0), output_field=output))
        rows = people.values("community_id").annotate(least=Min("v")).order_by()
        return {r["community_id"]: float(r["least"]) for r in rows}

    def m_leader_training_days(self):
        return self._training(self._LEADERS, "days")

    def m_member_training_days(self):
        return self._training(self._POST_HOLDERS & ~self._LEADERS, "days")

    def m_director_trainings(self):
        return self._training(self._DIRECTOR, "count")

    def m_committee_member_trainings(self):
        return self._training(self._COMMITTEE & ~self._DIRECTOR, "count")

    # -- grids -------------------------------------------------------------------------
    def m_grid_coverage(self):
        """Share of the community's estates (小区/自然村) that lie in a grid (P-GRID-1)."""
        rows = _grouped(Estate.objects.filter(self.scope), "community_id", total=Count("id"),
                        in_grid=Count("id", filter=Q(grid__isnull=False)))
        has_grid = set(Place.objects.filter(level=Level.GRID, parent_id__in=self.ids)
                       .values_list("parent_id", flat=True))
        return {cid: (round(100.0 * rows[cid]["in_grid"] / rows[cid]["total"], 2) if cid in rows
                      else (100.0 if cid in has_grid else 0.0)) for cid in self.ids}

    def m_grids_staffed_share(self):
        """Share of grids with an active leader and at least one active full-time worker (P-STAFF-4)."""
        grids = with_staffing(Place.objects.filter(level=Level.GRID, parent_id__in=self.ids))
        rows = _grouped(grids, "parent_id", total=Count("id"), n_staffed=Count("id", filter=Q(staffed=True)))
        return {cid: round(100.0 * r["n_staffed"] / r["total"], 2) for cid, r in rows.items()}

    # -- organisations and volunteers --------------------------------------------------
    def m_social_orgs(self):
        return _counts(Organisation.objects.filter(self.scope, kind=OrgKind.SOCIAL_ORG, active=True))

    def m_social_orgs_per_10k(self):
        return _ratio(self.get("social_orgs"), self.get("residents"), self.ids, 10_000)

    def m_volunteer_orgs(self):
        return _counts(Organisation.objects.filter(self.scope, kind=OrgKind.SOCIAL_ORG, active=True,
                                                   volunteer_team=True))

    def m_volunteer_registration_rate(self):
        volunteers = _counts(Volunteer.objects.filter(self.scope, left_on__isnull=True,
                                                      resident__status=PersonStatus.ACTIVE))
        return _ratio(volunteers, self.get("residents"), self.ids, 100)

    def m_volunteer_activities_per_year(self):
        return _counts(Activity.objects.filter(self.scope, self._in_year("held_on"), voided=""))

    # -- self-governance ---------------------------------------------------------------
    def m_residents_meetings_per_year(self):
        """居民会议 in either form the Organic Law allows: all residents, or representatives."""
        return _counts(Meeting.objects.filter(self.scope, self._in_year("held_on"), voided="",
                                              kind__in=[MeetingKind.RESIDENTS, MeetingKind.REPRESENTATIVES]))

    def m_deliberation_meetings_per_year(self):
        return _counts(Meeting.objects.filter(self.scope, self._in_year("held_on"), voided="",
                                              kind=MeetingKind.DELIBERATION))

    def m_disclosure_quarters(self):
        rows = (Disclosure.objects.filter(self.scope, self._in_year("published_on"), voided="")
                .annotate(q=ExtractQuarter("published_on")).values("community_id")
                .annotate(n=Count("q", distinct=True)).order_by())
        return {r["community_id"]: r["n"] for r in rows}

    def m_disclosure_age_days(self):
        latest = _grouped(Disclosure.objects.filter(self.scope, voided="", published_on__lte=self.as_of),
                          "community_id", last=Max("published_on"))
        return {cid: (float((self.as_of - latest[cid]["last"]).days) if cid in latest else None)
                for cid in self.ids}

    def m_committee_directly_elected(self):
        latest = Election.objects.filter(community_id=OuterRef("pk"), voided="", held_on__lte=self.as_of) \
            .order_by("-held_on", "-id").values("method")[:1]
        rows = Place.objects.filter(id__in=self.ids).annotate(method=Subquery(latest)).values_list("id", "method")
        return {cid: (None if m is None else (100.0 if m == ElectionMethod.DIRECT else 0.0)) for cid, m in rows}

    # -- work orders -------------------------------------------------------------------
    def _orders(self, field: str) -> dict:
        """One rate per community, from the work-order figures' own definitions
        (one grouped query for the three rates, only the counts they need)."""
        if "_orders" not in self._cache:
            from gongzhi.workorders.models import WorkOrder
            from gongzhi.workorders.selectors import RATE_COUNTS, figures_of
            rows = figures_of(WorkOrder.objects.filter(self.scope), start=dt.date(self.year, 1, 1),
                              end=dt.date(self.year, 12, 31), group="community_id", only=RATE_COUNTS)
            self._cache["_orders"] = {r["community_id"]: r for r in rows if r["community_id"]}
        rates = {cid: row[field] for cid, row in self._cache["_orders"].items()}
        return {cid: rates.get(cid) for cid in self.ids}

    def m_work_order_closure_rate(self):
        return self._orders("closure_rate")

    def m_work_order_on_time_rate(self):
        return self._orders("on_time_rate")

    def m_work_order_satisfaction_rate(self):
        return self._orders("satisfaction_rate")

    # -- surveys -----------------------------------------------------------------------
    def _survey(self, kind: str):
        rows = _grouped(SurveyResponse.objects.filter(self.scope, survey__kind=kind,
                                                      submitted_at__year=self.year),
                        "community_id", n=Count("id"), positive=Count("id", filter=Q(positive=True)))
        return {cid: (round(100.0 * rows[cid]["positive"] / rows[cid]["n"], 2) if cid in rows else None)
                for cid in self.ids}

    def m_satisfaction_rate(self):
        return self._survey(SurveyKind.SATISFACTION)

    def m_sense_of_security_rate(self):
        return self._survey(SurveyKind.SECURITY)

    def m_property_satisfaction_rate(self):
        return self._survey(SurveyKind.PROPERTY)


def computer(communities: QuerySet | None = None, *, year: int | None = None,
             as_of: dt.date | None = None) -> _Computer:
    today = timezone.localdate()
    year = year or today.year
    as_of = as_of or min(today, dt.date(year, 12, 31))
    communities = communities if communities is not None else Place.objects.filter(level=Level.COMMUNITY)
    return _Computer(communities.filter(level=Level.COMMUNITY), year, as_of)


def compute(names, communities: QuerySet | None = None, *, year: int | None = None,
            as_of: dt.date | None = None) -> dict[str, dict[int, float | None]]:
    """Values of `names` for every community in `communities` (default: all)."""
    c = computer(communities, year=year, as_of=as_of)
    return {name: c.get(name) for name in names}
