"""Metric values for all communities at once, computed by the database (one
grouped query per metric, never a Python loop over residents). Returns
{metric: {community_id: value}}; a community with nothing to count gets 0,
and a ratio whose denominator is 0 gets None (no value, not a failure).

Metrics that need registry data not yet kept (committee members, certified
workers, meetings, disclosure dates, volunteers, surveys) raise
`NotComputable` until their pages and fields exist (issue 4)."""
from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from gongzhi.people.models import Household, HouseholdStatus, OrgKind, Organisation, PersonStatus, Resident
from gongzhi.places.models import Estate, Facility, GridStaff, Level, Place, StaffRole
from gongzhi.standards.metrics import METRICS


class NotComputable(ValueError):
    pass


def _grouped(qs: QuerySet, key: str, **aggregate) -> dict[int, dict]:
    return {row.pop(key): row for row in qs.values(key).annotate(**aggregate).order_by()}


def _counts(qs: QuerySet, key: str = "community_id") -> dict[int, int]:
    return {k: v["n"] for k, v in _grouped(qs, key, n=Count("id")).items()}


def _ratio(numerators: dict, denominators: dict, ids, scale: float) -> dict[int, float | None]:
    out = {}
    for cid in ids:
        denominator = denominators.get(cid) or 0
        out[cid] = round(float(numerators.get(cid) or 0) * scale / denominator, 2) if denominator else None
    return out


class _Computer:
    def __init__(self, communities: QuerySet):
        self.ids = list(communities.values_list("id", flat=True))
        self.scope = Q(community_id__in=self.ids)
        self._cache: dict[str, dict] = {}

    def get(self, name: str) -> dict[int, float | None]:
        if name not in METRICS:
            raise NotComputable(f"未知的指标数据「{name}」")
        if name not in self._cache:
            method = getattr(self, f"m_{name}", None)
            if method is None:
                raise NotComputable(f"指标数据「{METRICS[name].title}」所需的登记数据尚未建立")
            values = method()
            self._cache[name] = {cid: values.get(cid, 0) for cid in self.ids}
        return self._cache[name]

    # -- counts ------------------------------------------------------------------------
    def m_households(self):
        return _counts(Household.objects.filter(self.scope, status=HouseholdStatus.ACTIVE))

    def m_residents(self):
        return _counts(Resident.objects.filter(self.scope, status=PersonStatus.ACTIVE))

    def m_social_orgs(self):
        return _counts(Organisation.objects.filter(self.scope, kind=OrgKind.SOCIAL_ORG, active=True))

    # -- facilities --------------------------------------------------------------------
    def _facility(self, field: str):
        return dict(Facility.objects.filter(self.scope).values_list("community_id", field))

    def m_facility_area(self):
        return {k: float(v) for k, v in self._facility("service_area_m2").items()}

    def m_publicity_boards(self):
        return self._facility("publicity_boards")

    def m_disclosure_boards(self):
        return self._facility("disclosure_boards")

    def m_facility_area_per_100_households(self):
        return _ratio(self.get("facility_area"), self.get("households"), self.ids, 100)

    def m_social_orgs_per_10k(self):
        return _ratio(self.get("social_orgs"), self.get("residents"), self.ids, 10_000)

    # -- grids -----------------------------------------------------------------------------
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
        staff = GridStaff.objects.filter(grid=OuterRef("pk"), active=True)
        grids = Place.objects.filter(level=Level.GRID, parent_id__in=self.ids).annotate(
            has_leader=Exists(staff.filter(role=StaffRole.LEADER)),
            has_full_time=Exists(staff.filter(role=StaffRole.FULL_TIME)))
        rows = _grouped(grids, "parent_id", total=Count("id"),
                        staffed=Count("id", filter=Q(has_leader=True, has_full_time=True)))
        return {cid: round(100.0 * r["staffed"] / r["total"], 2) for cid, r in rows.items()}


def compute(names, communities: QuerySet | None = None) -> dict[str, dict[int, float | None]]:
    """Values of `names` for every community in `communities` (default: all)."""
    communities = communities if communities is not None else Place.objects.filter(level=Level.COMMUNITY)
    computer = _Computer(communities.filter(level=Level.COMMUNITY))
    return {name: computer.get(name) for name in names}
