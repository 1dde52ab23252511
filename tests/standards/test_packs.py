"""Policy packs load and validate with errors that name the file and line;
the funding calculator reads the shipped packs as their readings say."""
import json
import textwrap

import pytest
from django.core.management import call_command

from gongzhi.standards import funding, packs
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
    town = lambda n, area="rural": funding.funding_for(pack, Community(n, area, "和桥镇"))["total"]  # noqa: E731
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
