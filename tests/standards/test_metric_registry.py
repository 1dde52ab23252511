"""Metrics are registered by the modules that own their data (each app's metrics.py,
manifest extras["metrics"]): every one computes and links to the page that lists its
records, a metric registered by any module can be named by a pack without touching the
standards engine, and the engine's runner imports no feature module."""
import inspect
import textwrap
from urllib.parse import urlsplit

import grimp
import pytest
from django.urls import resolve

from gongzhi.core import modules
from gongzhi.core.metrics import Metric, Ratio, counts, evidence, ratio
from gongzhi.places.models import Level, Place
from gongzhi.standards import assess, packs
from gongzhi.standards.compute import NotComputable, compute
from gongzhi.standards.metrics import METRICS
from gongzhi.standards.models import Result

CODE = "320282001001"
FEATURE_MODULES = ("gongzhi.ledgers", "gongzhi.people", "gongzhi.places", "gongzhi.workorders")

# what evidence_link has always answered ({code}, {year} filled in), by metric
LEDGER = "/ledgers/{code}/?tab="
EVIDENCE = {
    **{m: ("服务设施", "/places/{code}/") for m in (
        "facility_area", "facility_area_per_100_households", "street_centre_area", "station_area",
        "activity_area_share", "rooms_one_hall_five", "rooms_eight", "home_care_station", "publicity_boards",
        "disclosure_boards")},
    **{m: ("网格", "/places/{code}/") for m in ("grid_coverage", "grids_staffed_share")},
    **{m: ("户籍登记", "/people/residents/?community={code}") for m in (
        "households", "households_per_committee_member", "households_per_full_time_worker")},
    "residents": ("居民登记", "/people/residents/?community={code}"),
    **{m: ("班子与工作者", LEDGER + "workers") for m in (
        "party_members", "committee_members", "committee_full_time_share", "full_time_staff",
        "certified_social_workers_per_10k", "certified_worker_share", "party_committee_members",
        "cross_holding_share")},
    **{m: ("培训台账", LEDGER + "trainings&year={year}") for m in (
        "leader_training_days", "member_training_days", "director_trainings", "committee_member_trainings")},
    **{m: ("组织", "/places/{code}/") for m in ("social_orgs", "social_orgs_per_10k", "volunteer_orgs")},
    "registered_volunteers": ("志愿者", LEDGER + "volunteers"),
    "volunteer_registration_rate": ("志愿者", LEDGER + "volunteers"),
    "volunteer_activities_per_year": ("志愿/互助活动", LEDGER + "activities&year={year}"),
    **{m: ("会议记录", LEDGER + "meetings&year={year}") for m in (
        "residents_meetings_per_year", "deliberation_meetings_per_year")},
    **{m: ("居务公开", LEDGER + "disclosures&year={year}") for m in ("disclosure_quarters", "disclosure_age_days")},
    "committee_directly_elected": ("换届选举", LEDGER + "elections"),
    **{m: ("工单统计", "/orders/figures/?start={year}-01-01&end={year}-12-31&group=community") for m in (
        "work_order_closure_rate", "work_order_on_time_rate", "work_order_satisfaction_rate")},
    **{m: ("问卷", "/standards/surveys/") for m in (
        "satisfaction_rate", "sense_of_security_rate", "property_satisfaction_rate", "security_responses",
        "security_positive")},
    # the figures issue 16's rules need (standards/rule_metrics.py)
    **{m: ("班子与工作者", LEDGER + "workers") for m in (
        "committee_posts_counted", "secretary_is_director", "posts_one_shoulder", "posts_secretary_or_director",
        "posts_deputy_director", "certified_workers", "serving_workers")},
    **{m: ("会议记录", LEDGER + "meetings&year={year}") for m in ("hearings_per_year", "dispute_meeting_months")},
    "grid_kind_share": ("网格", "/places/{code}/"),
}
# modules whose metrics this file pins; the others (projects, elections, …) are tested in their own modules
PINNED = ("places", "people", "workorders", "ledgers", "standards")


def pinned():
    return {name: m for name, m in METRICS.items() if m.compute.__module__.split(".")[1] in PINNED}


def test_every_registered_metric_computes_and_links_to_a_page_that_exists():
    assert len(pinned()) == 57  # 44 before issue 16, + 10 rule metrics + 2 survey parts + registered volunteers
    for name, m in METRICS.items():
        assert m.name == name and callable(m.compute), name
        assert m.evidence is not None, name
        label, url = assess.evidence_link(name, code=CODE, year=2025)
        match = resolve(urlsplit(url).path)  # Resolver404 if the page is gone
        assert f"{match.namespace}:{match.url_name}" == m.evidence.url_name and label, name
        if m.ratio:
            assert {m.ratio.numerator, m.ratio.denominator} - {None} <= set(METRICS), name


def test_evidence_links_are_what_they_were():
    assert set(EVIDENCE) == set(pinned())
    for name, (label, url) in EVIDENCE.items():
        assert assess.evidence_link(name, code=CODE, year=2025) == (label, url.format(code=CODE, year=2025)), name
    assert assess.evidence_link("meetings_per_fortnight", code=CODE, year=2025) is None


def test_each_module_registers_its_own_metrics():
    owners = {}
    for m in modules.modules():
        for item in m.extras.get("metrics", ()):
            assert isinstance(item, str) and item.startswith((f"gongzhi.{m.name}.metrics.",
                                                              f"gongzhi.{m.name}.rule_metrics.")), item
            owners[m.name] = item
    assert set(PINNED) <= set(owners)
    assert METRICS["households"].compute.__module__ == "gongzhi.people.metrics"
    assert METRICS["facility_area_per_100_households"].compute.__module__ == "gongzhi.places.metrics"
    assert METRICS["leader_training_days"].compute.__module__ == "gongzhi.ledgers.metrics"
    assert METRICS["work_order_closure_rate"].compute.__module__ == "gongzhi.workorders.metrics"


def _grids(ctx):
    return counts(Place.objects.filter(level=Level.GRID, parent_id__in=ctx.ids), "parent_id")


def _households_per_grid(ctx):
    return ratio(ctx.get("households"), ctx.get("probe_grids"), ctx.ids, 1)


PROBE = (
    Metric("probe_grids", "网格数(测试)", "个", compute=_grids, evidence=evidence("网格", "places:detail", "{code}")),
    Metric("probe_households_per_grid", "每网格户数(测试)", "户", compute=_households_per_grid,
           evidence=evidence("网格", "places:detail", "{code}"),
           ratio=Ratio("households", "户", "probe_grids", "个网格")),
    Metric("probe_not_yet", "尚未实现(测试)", "个"),
)

PROBE_PACK = textwrap.dedent("""\
    format: 1
    id: probe-pack
    title: 测试模块的指标
    source: {document: x.txt, locality: 某市, year: 2020}
    indicators:
      - id: grids
        rule: P-GRID-1
        title: 至少两个网格
        metric: probe_grids
        compare: {op: ">=", value: 2}
        weight: 50
      - id: per-grid
        rule: P-GRID-2
        title: 每网格不超过 1 户
        metric: probe_households_per_grid
        compare: {op: "<=", value: 1}
        weight: 50
    """)


def test_a_metric_registered_by_another_module_is_usable_by_a_pack(world, monkeypatch):
    with pytest.raises(packs.PackError, match="未知的指标数据「probe_grids」"):
        packs.from_text(PROBE_PACK, "probe-pack.yaml")
    # a module of the test's own, registering its metrics (gone again after the test)
    monkeypatch.setitem(modules._modules, "probe", modules.Module(name="probe", label="测试模块",
                                                                  extras={"metrics": PROBE}))
    pack = packs.from_text(PROBE_PACK, "probe-pack.yaml")
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)
    a = Result.objects.get(run=run, place=world.comm_a, indicator="per-grid")
    assert (a.value, a.passed, a.detail) == (1.0, True, "2 户 ÷ 2 个网格")
    b = Result.objects.get(run=run, place=world.comm_b, indicator="grids")
    assert (b.value, b.passed) == (1.0, False)
    assert assess.evidence_link("probe_grids", code=world.comm_a.code, year=2025) == (
        "网格", f"/places/{world.comm_a.code}/")
    with pytest.raises(NotComputable, match="尚不能计算"):
        compute(["probe_not_yet"])
    monkeypatch.undo()
    assert "probe_grids" not in METRICS


def test_a_name_registered_twice_is_refused(monkeypatch):
    monkeypatch.setitem(modules._modules, "probe", modules.Module(
        name="probe", label="测试模块", extras={"metrics": (Metric("households", "户数", "户"),)}))
    with pytest.raises(modules.RegistryError, match="「households」重复注册"):
        METRICS["residents"]


def test_the_runner_imports_no_feature_module():
    """standards.compute runs whatever is registered; the kernel's Metric knows no feature module."""
    graph = grimp.build_graph("gongzhi")
    for runner in ("gongzhi.standards.compute", "gongzhi.standards.metrics", "gongzhi.core.metrics"):
        imported = graph.find_modules_directly_imported_by(runner)
        allowed = {"gongzhi.places.models"} if runner == "gongzhi.core.metrics" else set()  # the territory
        assert not {m for m in imported if m.startswith(FEATURE_MODULES)} - allowed, runner
    # nor does the assessment hard-code another module's pages
    source = inspect.getsource(assess)
    assert not any(path in source for path in ("/people/", "/ledgers/", "/orders/", "/places/"))
