"""Metrics: what a module counts for the standards engine.

A module that owns some data describes each figure a policy pack may name as
one `Metric` in its own `metrics.py` and registers the list in its manifest,
`extras={"metrics": ("gongzhi.<app>.metrics.METRICS",)}` (a dotted path of a
tuple of `Metric`, or `Metric` objects themselves). The standards engine reads
the registry (`gongzhi.standards.metrics.METRICS`), runs `compute` and links
each value to the page that lists the records behind it (`evidence`); it knows
no metric by name.

A compute function gets a `Context` and returns {id: value} for the run's
communities (for `level="street"`: keyed by street id) with one grouped query,
never a Python loop over residents. A community it leaves out counts 0; a
ratio whose denominator is 0 is None (无数据). Another metric is read through
the registry with `ctx.get(name)` (computed once per run), so a derived metric
needs no import of the module that owns its parts.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.core import modules
from gongzhi.places.models import Level, Place

Values = dict[int, float | int | None]


@dataclass(frozen=True)
class Evidence:
    """Where the records behind a value are listed: `label` says what they are (in
    Chinese), `url_name` names the page; `args` and the `query` pairs are
    templates over `{code}` (the place's code) and `{year}` (the assessed year)."""
    label: str
    url_name: str
    args: tuple[str, ...] = ()
    query: tuple[tuple[str, str], ...] = ()

    def link(self, *, code: str, year: int) -> tuple[str, str]:
        values = {"code": code, "year": year}
        url = reverse(self.url_name, args=[a.format(**values) for a in self.args])
        if self.query:
            url += "?" + urlencode([(k, v.format(**values)) for k, v in self.query])
        return self.label, url


def evidence(label: str, url_name: str, *args: str, **query: str) -> Evidence:
    """`evidence("培训台账", "ledgers:ledger", "{code}", tab="trainings", year="{year}")`
    → 培训台账, /ledgers/<code>/?tab=trainings&year=<year> (the query keeps its order)."""
    return Evidence(label, url_name, tuple(args), tuple(query.items()))


@dataclass(frozen=True)
class Ratio:
    """The parts a ratio metric is shown with ("1200 m² ÷ 2800 户"): the metrics
    read for the numerator and the denominator (None: not shown) and their units."""
    numerator: str | None
    numerator_unit: str
    denominator: str | None
    denominator_unit: str


@dataclass(frozen=True)
class Metric:
    """One figure a policy pack may name.

    `level`: community | street (a street metric's values are keyed by street id).
    `period`: True when the value counts what happened in the assessed year
    (meetings, trainings, surveys, work orders); otherwise it reads the registry
    as it stands when the run is made (`as_of` for ages).
    `history`: the entries of `Context.registry` that a closed period's run sets for this figure
    when it reads it as it stood at the period's end (each of them then says "history"); empty
    when it is read as it stands. A snapshot taken after the period closed keeps only these
    figures (standards/closing.py); tests/standards/test_snapshots.py checks every metric's list.
    """
    name: str
    title: str
    unit: str
    level: str = "community"  # community | street
    period: bool = False
    note: str = ""
    compute: Callable[[Context], Values] | None = field(default=None, compare=False, repr=False)
    evidence: Evidence | None = None
    ratio: Ratio | None = None
    history: tuple[str, ...] = ()


class Context:
    """What a compute function gets, for one run:

    - `communities`: the communities assessed (a queryset), `ids` their ids,
      `scope` the Q that keeps rows whose `community_id` is one of them;
    - `year` (what `period` metrics count) and `as_of` (the day the registry is read at:
      the year's end, or today for this year);
    - `get(name)`: another metric's values, through the registry, computed once per run;
    - `once(key, build)`: a figure shared by several metrics of one module (one query for all);
    - `registry_as_of`: for a run of a closed period, the day whose records count (records with a
      history are read as they stood then: `latest_versions`), else None; a module that reads so
      notes in `registry` (figure → "history" | "today") where its figures came from.
    The standards engine's runner (`gongzhi.standards.compute`) implements `get`.
    """
    registry_as_of: dt.date | None = None

    def __init__(self, communities: QuerySet | None = None, *, year: int | None = None,
                 as_of: dt.date | None = None):
        today = timezone.localdate()
        self.year = year or today.year
        self.as_of = as_of or min(today, dt.date(self.year, 12, 31))
        base = communities if communities is not None else Place.objects.all()
        self.communities = base.filter(level=Level.COMMUNITY)
        self.ids = list(self.communities.values_list("id", flat=True))
        self.scope = Q(community_id__in=self.communities.values("id"))
        self.shared: dict[str, object] = {}
        self.registry: dict[str, str] = {}

    def get(self, name: str) -> Values:
        raise NotImplementedError

    def once(self, key: str, build: Callable[[], object]):
        if key not in self.shared:
            self.shared[key] = build()
        return self.shared[key]

    def in_year(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__year": self.year})


# -- helpers for compute functions --------------------------------------------------------
def end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day`, in the platform's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def latest_versions(model, day: dt.date) -> QuerySet:
    """The history rows (django-simple-history) of `model` as they stood at the end of `day`: per row
    its latest version recorded by then (MAX(history_id): history ids grow with time), deletions left
    out. One query with a subquery, never a replay in Python; filter it like the model's own rows."""
    history = model.history.model
    latest = (history.objects.filter(history_date__lt=end_of(day)).values("id")
              .annotate(last=Max("history_id")).values("last"))
    return history.objects.filter(history_id__in=latest).exclude(history_type="-")


def years_before(day: dt.date, years: int) -> dt.date:
    """The last birth date of someone `years` old on `day` (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def history_tail(model, day: dt.date) -> QuerySet | None:
    """The history's tail of `model` after `day`: every version from the first one dated after the day's end on
    (history ids grow with time, so that is the table's last pages; a version recorded just before the day's end
    but given a later id by a concurrent write is one more row looked up, never a row missed). Its rows are the
    ones created, changed or deleted since; every other row stood at the day's end as it stands now. None: no
    version after the day."""
    history = model.history.model
    first = history.objects.filter(history_date__gte=end_of(day)).aggregate(  # with a count: the date index
        first=Min("history_id"), n=Count("*"))["first"]
    return None if first is None else history.objects.filter(history_id__gte=first)


def latest_among(versions: QuerySet, among: QuerySet) -> QuerySet:
    """The latest of each row's `versions` that has no later version `among` (a set holding `versions`; history
    ids grow with time), deletions left out."""
    later = among.filter(id=OuterRef("id"), history_id__gt=OuterRef("history_id"))
    return versions.filter(~Exists(later)).exclude(history_type="-")


def versions_then(model, tail: QuerySet, day: dt.date) -> QuerySet:
    """Of the rows with a version in `tail` (`history_tail`), each one's latest version recorded before the end of
    `day`, deletions left out. Only rows that existed then are looked up: a row whose versions in the tail are
    all dated after the day and are its creation ("+") did not (its version before, if any, is a deletion)."""
    end = end_of(day)
    before = model.history.model.objects.filter(history_date__lt=end)
    existed = tail.filter(~Q(history_type="+") | Q(history_date__lt=end)).values("id")
    return latest_among(before.filter(id__in=existed), before)


def grouped(qs: QuerySet, key: str, **aggregate) -> dict[int, dict]:
    """{key value: {aggregate: value}}, one GROUP BY query."""
    return {row.pop(key): row for row in qs.values(key).annotate(**aggregate).order_by()}


def counts(qs: QuerySet, key: str = "community_id") -> dict[int, int]:
    # COUNT(*) rather than COUNT(id): PostgreSQL can then answer from a covering index alone
    return {k: v["n"] for k, v in grouped(qs, key, n=Count("*")).items()}


def ratio(numerators: dict, denominators: dict, ids, scale: float) -> dict[int, float | None]:
    """numerator × scale ÷ denominator per id, rounded to 2 places; None where the denominator is 0."""
    out = {}
    for cid in ids:
        denominator = denominators.get(cid) or 0
        out[cid] = round(float(numerators.get(cid) or 0) * scale / denominator, 2) if denominator else None
    return out


# -- the registry's view: every module's metrics by name ---------------------------------------
def _resolve(item) -> tuple[Metric, ...]:
    """An entry of extras["metrics"]: a Metric, or the dotted path of one or of a tuple of them."""
    if isinstance(item, str):
        item = import_string(item)
    found = (item,) if isinstance(item, Metric) else tuple(item)
    for m in found:
        if not isinstance(m, Metric):
            raise modules.RegistryError(f"extras[\"metrics\"] 中的 {m!r} 不是 Metric")
    return found


class _Registered(Mapping):
    """name → Metric over everything the modules registered; rebuilt when the registry
    (or a registered list) changes, e.g. a module registered by a test."""

    def __init__(self):
        self._key: tuple | None = None
        self._version: tuple | None = None
        self._by_name: dict[str, Metric] = {}

    def _current(self) -> dict[str, Metric]:
        version = modules.version()
        if version == self._version:  # the common case: nothing registered since (a lookup per result)
            return self._by_name
        registered = tuple(m for item in modules.extras("metrics") for m in _resolve(item))
        # by identity: a list replaced by an equal-looking one (another compute) is a change
        if self._key is None or len(registered) != len(self._key) or \
                any(a is not b for a, b in zip(registered, self._key)):
            by_name: dict[str, Metric] = {}
            for m in registered:
                if m.name in by_name:
                    raise modules.RegistryError(f"指标数据「{m.name}」重复注册")
                by_name[m.name] = m
            self._by_name, self._key = by_name, registered
        self._version = version
        return self._by_name

    def __getitem__(self, name: str) -> Metric:
        return self._current()[name]

    def __contains__(self, name) -> bool:
        return name in self._current()

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())

    def __repr__(self) -> str:
        return f"<registered metrics: {', '.join(self._current())}>"


REGISTERED: Mapping[str, Metric] = _Registered()


class Figures(Context):
    """A Context for pages that show registered metrics outside an assessment run (a street's table
    of its communities): `get(name)` computes the metric through the registry, once per page."""

    def __init__(self, communities: QuerySet | None = None, *, year: int | None = None,
                 as_of: dt.date | None = None):
        super().__init__(communities, year=year, as_of=as_of)
        self._values: dict[str, Values] = {}

    def get(self, name: str) -> Values:
        if name not in self._values:
            metric = REGISTERED[name]
            values = metric.compute(self) if metric.compute else {}
            missing = None if metric.ratio is not None or metric.unit == "%" else 0  # as the engine reads them
            self._values[name] = {cid: values.get(cid, missing) for cid in self.ids}
        return self._values[name]
