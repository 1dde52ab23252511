"""Care groups derived from the registry on read, by the database.

Nothing is typed in or copied: each group is a condition on a resident, their household's other
members (who is living there, how old, how related to the head, GB/T 4761), the absences kept in
`people.Absence` and the disability tag or certificate. `annotate_groups` adds one boolean per group
(`g_<code>`), the latest worker decision (`r_<code>`) and the membership that counts (`e_<code>`)
to any queryset of residents, as correlated EXISTS sub-queries: one statement for a whole community
or district, no loop over residents, always as current as the registry.

- 独居老人 living alone: 60 or older, at home, no other member of the household at home;
- 空巢老人 only with elders: 60 or older, at home, every other member at home is 60 or older;
- 高龄老人 very old: 80 or older;
- 留守老人 left behind: 60 or older, at home, nobody of working age (16–59) at home, and either a
  member of the household is away or grandchildren live there without their parents;
- 残疾人 disabled: the registry's 残疾人 tag or a certificate recorded here (grade on the person's page);
- 留守儿童 left-behind child: under 16, at home, and for a child of the head: a parent (head or
  spouse) is away and no parent is at home; for a grandchild: neither the head's children nor
  their spouses are at home.

`groups_reference` is the plain per-person version, kept beside it for the test and the benchmark.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, CharField, Exists, ExpressionWrapper, OuterRef, Q, Subquery, Value, \
    When

from gongzhi.care.models import Decision, Disability, Group, GroupReview
from gongzhi.core.metrics import years_before
from gongzhi.people.models import Absence, HouseholdStatus, PersonStatus, Resident

HEAD_OR_SPOUSE = ("01", "02", "10", "11", "12")
HEAD_CHILDREN = tuple(f"{n}" for n in (*range(20, 28), 29, *range(30, 38), 39))
CHILDREN_SPOUSES = ("28", "38")
GRANDCHILDREN = ("40", "41", "42", "43", "44", "49")

ELDER_AGE, VERY_OLD_AGE, ADULT_AGE = 60, 80, 16
GROUPS = [g.value for g in Group]


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _within(qs, communities):
    """Narrow an inner query to the communities read (a household lives in one): PostgreSQL turns the
    correlated EXISTS into hash joins, which then read those communities' rows, not the whole table."""
    return qs if communities is None else qs.filter(community_id__in=communities)


def _away(ref: str = "pk", communities=None):
    return _within(Absence.objects.filter(resident_id=OuterRef(ref), returned_on__isnull=True), communities)


def _others_at_home(communities=None):
    """The other active members of the resident's household who are not away."""
    return (_within(Resident.objects.filter(household_id=OuterRef("household_id"), status=PersonStatus.ACTIVE),
                    communities).exclude(pk=OuterRef("pk")).filter(~Exists(_away(communities=communities))))


def derived_conditions(today: dt.date, communities: list[int] | None = None) -> dict[str, Q]:
    """One Q per group on a resident queryset (active residents of active households are assumed);
    `communities`: the residents read all live there (the inner queries then read only those)."""
    d60, d80, d16 = (years_before(today, n) for n in (ELDER_AGE, VERY_OLD_AGE, ADULT_AGE))
    elder = Q(birth_date__lte=d60)
    child = Q(birth_date__gt=d16)
    at_home = ~Q(Exists(_away(communities=communities)))
    others = _others_at_home(communities)
    not_elder = Q(birth_date__gt=d60) | Q(birth_date__isnull=True)
    working_age = Q(birth_date__gt=d60, birth_date__lte=d16)
    member_away = _within(Absence.objects.filter(household_id=OuterRef("household_id"), returned_on__isnull=True),
                          communities)
    parent_of_head_child = HEAD_OR_SPOUSE
    parents_of_grandchild = HEAD_CHILDREN + CHILDREN_SPOUSES
    grandchildren_without_parents = (Q(Exists(others.filter(relation__in=GRANDCHILDREN, birth_date__gt=d16)))
                                     & ~Q(Exists(others.filter(relation__in=parents_of_grandchild))))
    parent_away = (_within(Resident.objects.filter(household_id=OuterRef("household_id"), status=PersonStatus.ACTIVE,
                                                   relation__in=parent_of_head_child), communities)
                   .exclude(pk=OuterRef("pk")).filter(Exists(_away(communities=communities))))
    return {
        Group.LIVING_ALONE: elder & at_home & ~Q(Exists(others)),
        Group.ELDERS_ONLY: elder & at_home & Q(Exists(others)) & ~Q(Exists(others.filter(not_elder))),
        Group.VERY_OLD: Q(birth_date__lte=d80),
        Group.LEFT_BEHIND_ELDER: (elder & at_home & ~Q(Exists(others.filter(working_age)))
                                  & (Q(Exists(member_away)) | grandchildren_without_parents)),
        Group.DISABLED: (Q(Exists(Resident.care_tags.through.objects.filter(resident_id=OuterRef("pk"),
                                                                            caretag__code="disabled")))
                         | Q(Exists(Disability.objects.filter(resident_id=OuterRef("pk"))))),
        Group.LEFT_BEHIND_CHILD: child & at_home & (
            (Q(relation__in=HEAD_CHILDREN) & Q(Exists(parent_away))
             & ~Q(Exists(others.filter(relation__in=parent_of_head_child))))
            | (Q(relation__in=GRANDCHILDREN) & ~Q(Exists(others.filter(relation__in=parents_of_grandchild))))),
    }


def registry_residents():
    """Who the groups are drawn from: active residents of active households."""
    return Resident.objects.filter(status=PersonStatus.ACTIVE, household__status=HouseholdStatus.ACTIVE)


def annotate_groups(qs, today: dt.date, *, reviews: bool = True, communities: list[int] | None = None):
    """`g_<group>` derived, and with `reviews`: `r_<group>` the latest decision, `e_<group>` what counts.
    `communities`: when every resident of `qs` lives in one of them (faster on PostgreSQL)."""
    conds = derived_conditions(today, communities)
    qs = qs.annotate(**{f"g_{g}": ExpressionWrapper(conds[g], output_field=BooleanField()) for g in GROUPS})
    if not reviews:
        return qs
    qs = qs.annotate(**{f"r_{g}": Subquery(GroupReview.objects.filter(resident_id=OuterRef("pk"), group=g)
                                           .order_by("-at", "-id").values("decision")[:1], output_field=CharField())
                        for g in GROUPS})
    return qs.annotate(**{f"e_{g}": Case(When(**{f"r_{g}": Decision.EXCLUDE}, then=Value(False)),
                                         When(**{f"r_{g}": Decision.INCLUDE}, then=Value(True)),
                                         default=conds[g], output_field=BooleanField()) for g in GROUPS})


def any_group_q(prefix: str = "e_") -> Q:
    q = Q(pk__in=[])
    for g in GROUPS:
        q |= Q(**{f"{prefix}{g}": True})
    return q


def groups_of(row) -> list[str]:
    """The groups that count for an annotated resident."""
    return [g for g in GROUPS if getattr(row, f"e_{g}", False)]


# -- the plain reference ------------------------------------------------------------------

def groups_reference(residents, today: dt.date) -> dict[int, set[str]]:
    """The same groups worked out person by person in Python from plain rows (tests and bench only)."""
    rows = list(residents.values("pk", "household_id", "birth_date", "relation"))
    households: dict[int, list[dict]] = {}
    # the households as a sub-query: a million residents' household ids are too many parameters for SQLite
    for r in Resident.objects.filter(status=PersonStatus.ACTIVE,
                                     household_id__in=residents.order_by().values("household_id")) \
            .values("pk", "household_id", "birth_date", "relation"):
        households.setdefault(r["household_id"], []).append(r)
    away = set(Absence.objects.filter(returned_on__isnull=True).values_list("resident_id", flat=True))
    away_households = set(Absence.objects.filter(returned_on__isnull=True).values_list("household_id", flat=True))
    tagged = set(Resident.care_tags.through.objects.filter(caretag__code="disabled").values_list("resident_id",
                                                                                                   flat=True))
    tagged |= set(Disability.objects.values_list("resident_id", flat=True))
    result: dict[int, set[str]] = {}
    for r in rows:
        age = age_on(r["birth_date"], today)
        others = [m for m in households[r["household_id"]] if m["pk"] != r["pk"] and m["pk"] not in away]
        ages = [age_on(m["birth_date"], today) for m in others]
        home = r["pk"] not in away
        groups = set()
        elder = age is not None and age >= ELDER_AGE
        if elder and home and not others:
            groups.add(Group.LIVING_ALONE.value)
        if elder and home and others and all(a is not None and a >= ELDER_AGE for a in ages):
            groups.add(Group.ELDERS_ONLY.value)
        if age is not None and age >= VERY_OLD_AGE:
            groups.add(Group.VERY_OLD.value)
        relations = {m["relation"] for m in others}
        grandkids_alone = any(m["relation"] in GRANDCHILDREN and a is not None and a < ADULT_AGE
                              for m, a in zip(others, ages)) and not relations & set(HEAD_CHILDREN + CHILDREN_SPOUSES)
        if elder and home and not any(a is not None and ADULT_AGE <= a < ELDER_AGE for a in ages) \
                and (r["household_id"] in away_households or grandkids_alone):
            groups.add(Group.LEFT_BEHIND_ELDER.value)
        if r["pk"] in tagged:
            groups.add(Group.DISABLED.value)
        if age is not None and age < ADULT_AGE and home:
            everyone = [m for m in households[r["household_id"]] if m["pk"] != r["pk"]]
            if r["relation"] in HEAD_CHILDREN:
                if any(m["relation"] in HEAD_OR_SPOUSE and m["pk"] in away for m in everyone) \
                        and not relations & set(HEAD_OR_SPOUSE):
                    groups.add(Group.LEFT_BEHIND_CHILD.value)
            elif r["relation"] in GRANDCHILDREN and not relations & set(HEAD_CHILDREN + CHILDREN_SPOUSES):
                groups.add(Group.LEFT_BEHIND_CHILD.value)
        result[r["pk"]] = groups
    return result
