"""The assessment engine: comparisons, size-dependent thresholds, what applies
to whom, scores and grades, targets per street, runs kept per period, the
`gongzhi assess` command, and every shipped pack assessing a district."""
import datetime as dt
import json
import textwrap

import pytest
from django.core.management import CommandError, call_command

from gongzhi.places.models import Facility
from gongzhi.standards import assess, packs
from gongzhi.standards.models import AssessmentRun, CommunityScore, Result, RunStatus

PACK = textwrap.dedent("""\
    format: 1
    id: test-pack
    title: 测试政策包
    source: {document: x.txt, locality: 某市, year: 2020}
    indicators:
      - id: area
        rule: P-FAC-2
        title: 每百户面积不少于 40
        metric: facility_area_per_100_households
        compare: {op: ">=", value: 40}
        weight: 50
      - id: size
        rule: P-SIZE-1
        title: 户数 1—2
        metric: households
        compare: {op: between, min: 1, max: 2}
        weight: 30
      - id: boards
        rule: P-FAC-4
        title: 公开栏(按人口分档)
        metric: disclosure_boards
        compare:
          by: residents
          tiers:
            - {from: 0, to: 2, op: ">=", value: 1}
            - {from: 2, op: ">=", value: 2}
        weight: 20
      - id: rural-only
        rule: P-FAC-5
        title: 仅农村
        metric: facility_area
        compare: {op: ">=", value: 500}
        applies_to: {area: rural}
        weight: 10
      - id: centre
        rule: P-FAC-2
        title: 街道中心
        metric: street_centre_area
        compare: {op: ">=", value: 2000}
        applies_to: {level: street}
        weight: 0
    grading:
      示范: {min_score: 90, require: [area]}
      合格: {min_score: 60, require: [size]}
    targets:
      - {rule: P-EVAL-4, title: 面积达标社区比例, indicator: area, share_min: 50}
    """)


@pytest.fixture
def pack(tmp_path):
    path = tmp_path / "test-pack.yaml"
    path.write_text(PACK, encoding="utf-8")
    return packs.load_pack(path)


def test_comparisons_and_size_dependent_thresholds(pack):
    between = pack.indicator("size")
    assert [assess.meets(between, v) for v in (0, 1, 2, 3)] == [False, True, True, False]
    assert assess.threshold(between)[1] == "1—2"
    boards = pack.indicator("boards")
    assert assess.threshold(boards, 1)[1] == "≥ 1" and assess.threshold(boards, 2)[1] == "≥ 2"
    assert assess.threshold(boards, None) == (None, "无适用档位")
    assert not assess.meets(None, 5) and not assess.meets(pack.indicator("area"), None)


def test_a_run_scores_grades_and_keeps_evidence(world, pack):
    Facility.objects.create(community=world.comm_a, service_area_m2=100, disclosure_boards=2)  # 2 households
    Facility.objects.create(community=world.comm_b, service_area_m2=10, disclosure_boards=1)  # 1 household
    Facility.objects.create(community=world.street_a, service_area_m2=2500)
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)
    assert run.status == RunStatus.DONE
    a = CommunityScore.objects.get(run=run, community=world.comm_a)
    b = CommunityScore.objects.get(run=run, community=world.comm_b)
    assert (a.score, a.grade, a.passed, a.applicable) == (100.0, "示范", 3, 3)  # rural-only does not apply
    # B: area 1000 m²/100 households passes? 10 m² for 1 household = 1000 per 100 → passes; boards tier 0–2 → ≥1 ok
    assert (b.score, b.grade) == (100.0, "示范")
    area_a = Result.objects.get(run=run, place=world.comm_a, indicator="area")
    assert (area_a.value, area_a.threshold, area_a.passed, area_a.detail) == (5000.0, "≥ 40", True, "100 m² ÷ 2 户")
    centre = Result.objects.get(run=run, place=world.street_a, indicator="centre")
    assert centre.passed and not Result.objects.get(run=run, place=world.street_b, indicator="centre").passed
    assert run.summary["targets"][0]["share"] == 100.0 and run.summary["grades"]["示范"] == 2


def test_required_indicator_decides_the_grade(world, pack):
    Facility.objects.create(community=world.comm_a, service_area_m2=100, disclosure_boards=2)
    world.hh_a2.status = "closed"
    world.hh_a2.save()
    from gongzhi.people.models import Household
    for n in range(3):  # A now has 4 active households: size fails, which 合格 requires
        Household.objects.create(number=f"HX{n}", community=world.comm_a, grid=world.grid_a1)
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.street_a), pack)
    a = CommunityScore.objects.get(run=run, community=world.comm_a)
    assert a.score == 70.0 and a.grade == "不合格" and a.missing == ["size"]
    assert not CommunityScore.objects.filter(run=run, community=world.comm_b).exists()  # outside the scope


def test_runs_are_kept_per_period_for_trends(world, pack):
    from gongzhi.standards import results
    for period in (2024, 2025, 2025):
        assess.run(assess.start(pack=pack, period=period, scope=world.district), pack)
    assert AssessmentRun.objects.count() == 3
    trend = results.trend(None, world.comm_a, pack.id)
    assert [t["period"] for t in trend] == [2024, 2025]  # the latest run of each period


def test_a_failed_run_says_why(world, pack, monkeypatch):
    import dataclasses

    from gongzhi.core import modules
    from gongzhi.people import metrics
    monkeypatch.setattr(metrics, "METRICS", tuple(
        dataclasses.replace(m, compute=lambda ctx: 1 / 0) if m.name == "households" else m for m in metrics.METRICS))
    monkeypatch.setattr(modules, "_modules", dict(modules._modules))  # a new registry: the metrics are read again
    run = assess.start(pack=pack, period=2025, scope=world.district)
    with pytest.raises(ZeroDivisionError):
        assess.run(run, pack)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "division" in run.error
    assert not Result.objects.filter(run=run).exists()


@pytest.mark.parametrize("pack_id", sorted(p.stem for p in packs.PACK_DIR.glob("*.yaml")))
def test_every_shipped_pack_assesses_the_district(world, pack_id):
    pack = packs.load(pack_id)
    applicable = {c for c in (world.comm_a, world.comm_b)
                  if any(i["applies_to"]["level"] == "community" and
                         assess.applies(i["applies_to"], area=assess.area_of(c.area_kind, c.urban_rural_code),
                                        community_type=c.community_type, street=c.parent.name)
                         for i in pack.indicators)}
    if not applicable:  # e.g. a pack of funding rules only: nothing to assess, and the run is refused
        with pytest.raises(ValueError, match="适用的社区"):
            assess.start(pack=pack, period=2025, scope=world.district)
        return
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)
    assert run.status == RunStatus.DONE
    assert set(CommunityScore.objects.filter(run=run).values_list("community", flat=True)) == {c.pk for c in applicable}


def test_assess_command_prints_json(world, capsys):
    call_command("assess", "--pack", "yixing-2019", "--period", "2025", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["pack"] == "yixing-2019" and data["period"] == 2025 and data["scope"] == world.district.code
    codes = {c["code"] for c in data["communities"]}
    assert codes == {world.comm_a.code, world.comm_b.code}
    first = data["communities"][0]
    assert {"score", "grade", "indicators"} <= set(first)
    assert {"indicator", "rule", "value", "threshold", "passed"} <= set(first["indicators"][0])
    assert data["summary"]["targets"]


def test_assess_command_writes_xlsx_and_a_readable_summary(world, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    call_command("assess", "--pack", "wuhan-2011", "--period", "2025", "--scope", world.street_a.code,
                 "--xlsx", str(out))
    text = capsys.readouterr().out
    assert "东虹社区" in text and "南岳社区" not in text and "等级:" in text
    from openpyxl import load_workbook
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["评估结果", "目标达成"]
    assert wb["评估结果"]["B3"].value == "东虹社区"


@pytest.mark.parametrize("args, message", [
    (["--pack", "nowhere", "--period", "2025"], "没有政策包「nowhere」"),
    (["--pack", "yixing-2019", "--period", "1999"], "年度应在 2000 到"),
    (["--pack", "yixing-2019", "--period", str(dt.date.today().year + 1)], "年度应在 2000 到"),
    (["--pack", "yixing-2019", "--period", "2025", "--scope", "999999"], "评估范围应为"),
])
def test_assess_command_refuses_bad_input(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("assess", *args)
    assert not AssessmentRun.objects.exists()


def test_a_community_of_unknown_class_is_judged_only_by_indicators_for_both(world, pack, client):
    from gongzhi.places.models import Place
    assert assess.area_of("", "220") == "rural" and assess.area_of("", "111") == "urban"
    assert assess.area_of("", "") == "unknown" and assess.area_of("rural", "111") == "rural"
    both = {"area": ["urban", "rural"], "types": ["ordinary"], "streets": [], "not_streets": []}
    urban = dict(both, area=["urban"])
    assert assess.applies(both, area="unknown", community_type="ordinary", street="x")
    assert not assess.applies(urban, area="unknown", community_type="ordinary", street="x")
    Place.objects.filter(pk=world.comm_b.pk).update(area_kind="", urban_rural_code="")
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)
    assert run.summary["unknown_area"] == {"count": 1, "names": [world.comm_b.name]}
    judged_b = set(Result.objects.filter(run=run, place=world.comm_b).values_list("indicator", flat=True))
    assert judged_b == {"area", "size", "boards"}  # the indicators for both: never the rural-only one, nor a guess
    assert CommunityScore.objects.filter(run=run, community=world.comm_b).exists()
    Place.objects.filter(pk=world.comm_b.pk).update(urban_rural_code="220")  # the code alone says rural
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)
    assert "rural-only" in set(Result.objects.filter(run=run, place=world.comm_b).values_list("indicator", flat=True))
    assert run.summary["unknown_area"]["count"] == 0
    Place.objects.filter(pk=world.comm_b.pk).update(urban_rural_code="")
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)
    client.force_login(world.admin)
    assert "1 个社区未登记城乡属性" in client.get(f"/standards/assessments/{run.pk}/").content.decode()
