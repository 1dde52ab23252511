"""The packs' optional `cadre_review` section: checked when the pack loads (file and line in the message),
and read by the cadres module through its extension point."""
import pytest

from gongzhi.standards import cadre_rules, packs
from tests.standards.test_packs import GOOD, write


def _with(tmp_path, section: str):
    return packs.load_pack(write(tmp_path, GOOD + section))


def test_the_village_pack_sets_the_lines_and_its_indicators():
    pack = packs.load("village-organisation")
    assert pack.cadre_review == {"approval": ["satisfied", "basic"], "flag_at_most": 60, "activist_at_most": 60}
    metrics = {i["metric"] for i in pack.indicators if i["rule"] == "P-GOV-11"}
    assert {"cadre_review_halves", "cadre_audit_halves", "cadre_talk_quarters"} <= metrics
    assert "P-GOV-11" not in {u["rule"] for u in pack.unverifiable}  # now indicators
    assert "P-GOV-10" in {u["rule"] for u in pack.unverifiable}  # a per-person rule, enforced in the workflow
    reading = next(r for r in pack.readings if r["rule"] == "P-GOV-10")
    assert "包括 60%" in reading["reading"] and "村干部监督" in reading["reading"]


def test_a_good_section_loads(tmp_path):
    pack = _with(tmp_path, "cadre_review:\n  approval: [satisfied]\n  flag_at_most: 50\n  activist_at_most: 60\n")
    assert pack.cadre_review == {"approval": ["satisfied"], "flag_at_most": 50, "activist_at_most": 60}
    assert packs.load("babu-2019").cadre_review is None  # optional


@pytest.mark.parametrize("section, message", [
    ("cadre_review:\n  approval: [basic]\n  flag_at_most: 60\n  activist_at_most: 60\n", "satisfied(满意,必须有)"),
    ("cadre_review:\n  approval: [satisfied, unsatisfied]\n  flag_at_most: 60\n  activist_at_most: 60\n",
     "cadre_review.approval"),
    ("cadre_review:\n  approval: [satisfied]\n  flag_at_most: 160\n  activist_at_most: 60\n", "应在 0—100 之间"),
    ("cadre_review:\n  approval: [satisfied]\n  flag_at_most: 60\n", "缺少「activist_at_most」"),
    ("cadre_review:\n  approval: [satisfied]\n  flag_at_most: 60\n  activist_at_most: 60\n  line: 3\n",
     "不认识「line」"),
    ("cadre_review: 60\n", "「cadre_review」 应为键值表"),
])
def test_a_bad_section_names_the_file_and_line(tmp_path, section, message):
    with pytest.raises(packs.PackError, match=r"test-pack\.yaml:\d+: .*" + message.replace("(", r"\(")
                       .replace(")", r"\)").replace("[", r"\[")):
        _with(tmp_path, section)


def test_the_provider_hands_the_village_pack_down(world):
    from tests.factories import community
    village = community(world.street_a, 1, "某村", rural=True)
    found = cadre_rules.for_village(village)
    assert found == {"flag_at_most": 60, "activist_at_most": 60, "counts_basic": True,
                     "pack_id": "village-organisation", "pack_title": packs.load("village-organisation").title}


def test_the_pack_page_shows_the_lines(client, world):
    client.force_login(world.street_officer_a)
    page = client.get("/standards/packs/village-organisation/").content.decode()
    assert 'data-testid="pack-cadre-review"' in page and "不超过 60%" in page
    assert 'data-testid="pack-cadre-review"' not in client.get("/standards/packs/babu-2019/").content.decode()
