"""Policy packs load and validate with errors that name the file and line;
the funding calculator reads the shipped packs as their readings say."""
import json
import re
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command

from gongzhi.standards import funding, metrics, packs
from gongzhi.standards.funding import Community

GOOD = textwrap.dedent("""\
    format: 1
    id: test-pack
    title: 测试
    source: {document: x.txt, locality: 某市, year: 2020}
    indicators:
      - id: area
        rule: P-FAC-2
        title: 面积
        metric: facility_area_per_100_households
        compare: {op: ">=", value: 40}
        weight: 10
    funding:
      - id: base
        rule: P-FUND-1
        title: 工作经费
        tiers:
          - {from: 0, to: 2000, amount: 40000}
          - {from: 2000, to: 3001, amount: 50000}
          - {from: 3001, amount: 60000}
    """)


def write(tmp_path, text, name="test-pack"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_packs_load():
    for path in sorted(packs.PACK_DIR.glob("*.yaml")):
        pack = packs.load_pack(path)
        assert pack.id == path.stem and pack.readings and (pack.indicators or pack.funding)


def test_a_good_pack_loads(tmp_path):
    pack = packs.load_pack(write(tmp_path, GOOD))
    assert pack.indicator("area")["value"] == 40
    assert pack.funding[0]["tiers"][1] == {"from": 2000, "to": 3001, "amount": 50000}


@pytest.mark.parametrize("change, line, message", [
    (("facility_area_per_100_households", "facility_area_per_family"), 9, "未知的指标数据「facility_area_per_family」"),
    (("{from: 2000, to: 3001", "{from: 2100, to: 3001"), 18, "档位有空缺:2000 到 2100"),
    (("{from: 2000, to: 3001", "{from: 1900, to: 3001"), 18, "档位重叠"),
    (("value: 40}", "value: 四十}"), 10, "「value」应为数字,现为「四十」"),
    (("rule: P-FAC-2", "rule: FAC2"), 7, "政策目录编号"),
    (("op: \">=\"", "op: \"=>\""), 10, "「op」应为"),
    (("id: test-pack", "id: other"), 2, "应与文件名"),
    (("weight: 10", "weight: 10\n    weight: 5"), 12, "键「weight」重复"),
    (("funding:\n", "funding: [\n"), 13, "YAML 格式错误"),
])
def test_errors_name_file_and_line(tmp_path, change, line, message):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(packs.PackError) as err:
        packs.load_pack(path)
    text = str(err.value)
    assert text.startswith(f"{path}:{line}: ") and message in text, text


def test_yixing_funding_follows_its_readings():
    pack = packs.load("yixing-2019")
    urban = funding.funding_for(pack, Community(2550, "urban", "宜城街道"))
    assert urban["total"] == 280500  # 25.5 hundreds × 11,000, pro rata
    assert {i["id"] for i in urban["one_off"]} == {"new-community", "national-model", "provincial-model"}
    town = lambda n, area="rural": funding.funding_for(  # noqa: E731
        pack, Community(n, area, "和桥镇"), known_streets=["和桥镇"])["total"]
    assert (town(999), town(1000), town(3000), town(3001)) == (100000, 120000, 120000, 150000)
    assert town(2000, "urban") == 120000  # urban community of another town: the tiers, not the per-100 rate
    # a village of one of the six streets is not under the per-100 rule (see the pack's reading)
    assert funding.funding_for(pack, Community(800, "rural", "宜城街道"))["total"] == 100000


def test_wuhan_funding_splits_between_district_and_city():
    result = funding.funding_for(packs.load("wuhan-2011"), Community(2000, "urban"))
    assert result["total"] == 50000 and result["shares"] == {"区": 25000, "市": 25000}


def test_funding_command_prints_json_for_a_planned_community(capsys):
    call_command("funding", "--pack", "yixing-2019", "--street", "新街街道", "--households", "3200", "--urban",
                 "--json")
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert data["total"] == 352000 and data["annual"][0]["rule"] == "P-FUND-2"


def test_funding_command_refuses_bad_input():
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="没有政策包"):
        call_command("funding", "--pack", "atlantis", "--households", "100")
    with pytest.raises(CommandError, match="户数"):
        call_command("funding", "--pack", "yixing-2019", "--households", "-5")


def test_a_pack_without_funding_rules_funds_nothing():
    result = funding.funding_for(packs.load("babu-2019"), Community(2500, "urban"))
    assert result["total"] == 0 and result["annual"] == [] and result["one_off"] == []


# The catalog rules of each pack's source (../shared/policy-catalog.md, "source" column, as corrected on
# 2026-11-30: P-FUND-6 cites 000 四(四) and 002(1) 五(二), P-FAC-7 is Yixing's, P-FUND-7 Zhuhai's; 002(3) is
# cited as 002(4)), copied here so that a pack edit that drops a rule fails even where the catalog is not
# checked out; test_catalog_copy_is_current compares the copy with the catalog where it is.
CATALOG_RULES = {
    "babu-2019": "P-CARE-1 P-CARE-2 P-DUTY-1 P-DUTY-3 P-DUTY-4 P-DUTY-5 P-DUTY-6 P-EVAL-2 P-EVAL-3 P-EVAL-9 "
                 "P-FAC-1 P-FUND-6 P-GOV-7 P-GRID-1 P-GRID-4 P-GRID-5 P-PROP-1 P-PROP-2 P-PROP-3 P-VOL-2 P-VOL-3",
    "yixing-2019": "P-CARE-3 P-CARE-5 P-CARE-6 P-DUTY-1 P-DUTY-2 P-DUTY-3 P-DUTY-4 P-DUTY-5 P-DUTY-6 P-EVAL-2 "
                   "P-EVAL-4 P-FAC-2 P-FAC-7 P-FUND-2 P-FUND-3 P-FUND-6 P-GOV-6 P-GOV-7 P-GRID-2 P-GRID-3 P-GRID-6 "
                   "P-GRID-7 P-ORG-2 P-ORG-3 P-PROP-1 P-PROP-2 P-PROP-3 P-SIZE-1 P-STAFF-3 P-STAFF-4 P-STAFF-8 "
                   "P-SVC-1 P-SVC-7 P-VOL-3",
    "zhuhai-2010": "P-DUTY-2 P-EVAL-7 P-FUND-6 P-FUND-7 P-GOV-5 P-GOV-12 P-SVC-2 P-SVC-3 P-SVC-5 P-SVC-6 P-VOL-3",
    "central-village-2010": "P-EVAL-5 P-FAC-5 P-FAC-6 P-FUND-6 P-SIZE-6 P-SVC-2",
    "wuhan-2011": "P-EVAL-1 P-FAC-3 P-FAC-4 P-FUND-1 P-GOV-1 P-GOV-2 P-GOV-3 P-GOV-4 P-GOV-8 P-GOV-12 P-ORG-1 "
                  "P-SIZE-2 P-SIZE-3 P-SIZE-4 P-SIZE-5 P-SIZE-7 P-STAFF-1 P-STAFF-2 P-STAFF-5 P-STAFF-9 P-SVC-3 "
                  "P-SVC-4 P-VOL-1",
    "village-organisation": "P-EVAL-6 P-GOV-9 P-GOV-10 P-GOV-11 P-STAFF-6 P-STAFF-7",
    "alxa-2010": "P-FUND-4 P-FUND-5",
}


@pytest.mark.parametrize("pack_id", sorted(CATALOG_RULES))
def test_each_pack_holds_every_rule_of_its_source_and_no_other(pack_id):
    pack = packs.load(pack_id)
    held = ({i["rule"] for i in pack.indicators} | {f["rule"] for f in pack.funding}
            | {t["rule"] for t in pack.targets} | {u["rule"] for u in pack.unverifiable})
    assert held == set(CATALOG_RULES[pack_id].split())
    assert all(u["why"].strip() for u in pack.unverifiable)
    assert {r["rule"] for r in pack.readings} <= held


def test_size_dependent_and_street_level_errors_name_the_line(tmp_path):
    bad_by = GOOD.replace('compare: {op: ">=", value: 40}',
                          'compare:\n          by: families\n          tiers:\n            - {from: 0, op: ">=", value: 1}')
    with pytest.raises(packs.PackError, match=r"test-pack.yaml:11: 未知的指标数据「families」"):
        packs.load_pack(write(tmp_path, bad_by))
    gap = GOOD.replace('compare: {op: ">=", value: 40}', 'compare:\n          by: residents\n          tiers:\n'
                       '            - {from: 0, to: 100, op: ">=", value: 1}\n'
                       '            - {from: 200, op: ">=", value: 2}')
    with pytest.raises(packs.PackError, match=r"test-pack.yaml:14: 档位有空缺:100 到 200"):
        packs.load_pack(write(tmp_path, gap))
    street = GOOD.replace("metric: facility_area_per_100_households", "metric: street_centre_area")
    with pytest.raises(packs.PackError, match=r"test-pack.yaml:9: 指标数据「street_centre_area」按街道"):
        packs.load_pack(write(tmp_path, street))
    between = GOOD.replace('compare: {op: ">=", value: 40}', 'compare: {op: between, min: 7, max: 5}')
    with pytest.raises(packs.PackError, match=r"test-pack.yaml:10: 「max」\(5\)不能小于「min」\(7\)"):
        packs.load_pack(write(tmp_path, between))


CATALOG = Path(__file__).resolve().parents[3] / "shared" / "policy-catalog.md"
# which catalog sources each pack holds (002(3) is cited as 002(4): its text breaks off in 三2)
PACK_SOURCES = {"babu-2019": [r"\b000\b"], "yixing-2019": [r"\b004\b"], "zhuhai-2010": [r"\b003\b"],
                "central-village-2010": [r"002\(1\)"], "wuhan-2011": [r"002\(2\)"],
                "village-organisation": [r"002\([34]\)"], "alxa-2010": [r"002\(5\)"]}


@pytest.mark.skipif(not CATALOG.exists(), reason="the shared policy catalog is not checked out beside the project")
def test_catalog_copy_is_current():
    rows = {}
    for line in CATALOG.read_text(encoding="utf-8").splitlines():
        if line.startswith("| P-"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells[-1]
    for pack_id, patterns in PACK_SOURCES.items():
        from_catalog = {r for r, src in rows.items() if any(re.search(p, src) for p in patterns)}
        assert from_catalog == set(CATALOG_RULES[pack_id].split()), pack_id


def test_unverifiable_reasons_name_no_data_the_platform_has():
    """A "cannot check" reason must not need data some metric provides (issue 16): neither in what it
    declares it needs nor in its words."""
    provided = metrics.data_provided()
    for path in sorted(packs.PACK_DIR.glob("*.yaml")):
        pack = packs.load_pack(path)
        for u in pack.unverifiable:
            assert not set(u["needs"]) & provided, (pack.id, u["rule"], u["needs"])
            wanted = re.findall(r"需要“([^”]+)”", u["why"]) + \
                re.findall(r"平台(?:也)?(?:尚未|未|不)(?:登记|区分)([^,,。;;]+)", u["why"])
            named = [(w, d) for w in wanted for d in provided if d in w]
            assert not named, (pack.id, u["rule"], named)


def test_the_check_fails_when_a_reason_needs_data_the_platform_has(tmp_path):
    text = GOOD + "unverifiable:\n  - {rule: P-GOV-3, why: 平台未登记。, needs: [听证会记录]}\n"
    pack = packs.load_pack(write(tmp_path, text))
    assert set(pack.unverifiable[0]["needs"]) & metrics.data_provided() == {"听证会记录"}


def test_required_indicators_under_a_no_veto_source_warn(tmp_path):
    """000 四(四), 004 §3(一): 取消对社区工作的“一票否决”事项."""
    graded = GOOD + "grading:\n  示范: {min_score: 90}\n  合格: {min_score: 60, require: [area]}\n"
    assert packs.load_pack(write(tmp_path, graded)).warnings == []
    vetoing = graded.replace("source: {document: x.txt, locality: 某市, year: 2020}\n",
                             "source: {document: x.txt, locality: 某市, year: 2020}\nno_veto: 004 §3(一)\n")
    warned = packs.load_pack(write(tmp_path, vetoing))
    assert len(warned.warnings) == 1 and "一票否决" in warned.warnings[0] and "「合格」" in warned.warnings[0]
    for pack_id in ("yixing-2019", "babu-2019"):  # the shipped packs whose source abolishes vetoes
        pack = packs.load(pack_id)
        assert pack.no_veto and pack.warnings == [] and pack.grading["合格"]["require"] == []


def test_readings_quote_their_seed():
    """Every reading's clause is in the seed text its pack cites (punctuation and spaces aside)."""
    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")} if SEEDS.exists() else {}
    if not seeds:
        pytest.skip("the seed texts are not checked out beside the project")
    doc = {"babu-2019": "000", "yixing-2019": "004", "zhuhai-2010": "003"}
    flat = {k: _flat(v) for k, v in seeds.items()}
    for path in sorted(packs.PACK_DIR.glob("*.yaml")):
        pack = packs.load_pack(path)
        text = flat[doc.get(pack.id, "002")]
        for r in pack.readings:
            parts = [p for p in re.split(r"……|…", r["clause"]) if p.strip()]
            assert all(_flat(p) in text for p in parts), (pack.id, r["rule"], r["clause"])


SEEDS = CATALOG.parent / "seeds"


def _flat(text: str) -> str:
    return re.sub(r"[\s,,。;;:：、“”\"'()()—\-]", "", text)
