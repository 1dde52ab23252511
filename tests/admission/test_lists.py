"""The two lists: items with their legal basis and funding, version history, voiding, the public page."""
import pytest

from gongzhi.admission import rules, services
from gongzhi.admission.models import ListItem
from gongzhi.core.errors import ConflictError, RuleError


def test_every_shipped_rules_file_loads_and_says_whether_its_seed_has_lists():
    for rules_id in rules.available():
        r = rules.load(rules_id)
        assert r.procedure and r.lists_note
        assert r.lists_in_seed is False  # none of the seeds lists the items (docs/admission.md)
    assert [s.label for s in rules.load("yixing-2019").procedure] == ["法制办审核", "常务会议研究"]
    zhuhai = rules.load("zhuhai-2010")
    assert zhuhai.split and zhuhai.annual_plan and zhuhai.procedure[-1].label == "社区建设领导小组审批"


def test_a_broken_rules_file_names_the_file(db):
    with pytest.raises(rules.RulesError, match="x.yaml:审批程序第 1 个环节"):
        rules.parse("format: 1\nid: x\nlocality: x\nlists_note: x\nprocedure: [{code: a, label: b, days: 0}]", "x.yaml")
    with pytest.raises(RuleError, match="没有名为 nope 的准入规则"):
        services.rules_choose(locality=None, rules_id="nope", by=None)


def test_items_are_numbered_per_list_and_every_change_is_kept(adm):
    assert (adm.duty.number, adm.assist.number) == (1, 1)
    item = services.item_edit(item=adm.assist, version=adm.assist.version, by=adm.admin, change_reason="年度经费调整",
                              takeup="", title=adm.assist.title, legal_basis=adm.assist.legal_basis,
                              department="市民政局", community_does="协助受理低保申请", funding_yuan="15000",
                              funding_note="", hours_per_year="200")
    assert item.funding_yuan == 15000 and item.version == 2
    history = list(item.history.order_by("history_date"))
    assert [h.funding_yuan for h in history] == [12000, 15000]
    assert history[-1].history_change_reason == "年度经费调整" and history[-1].history_user == adm.admin
    with pytest.raises(ConflictError):
        services.item_edit(item=item, version=1, by=adm.admin, takeup="", title="x", legal_basis="x", department="x",
                           community_does="x", funding_yuan="", funding_note="", hours_per_year="")


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "请填写事项名称"), ("legal_basis", "  ", "请填写法律依据"), ("funding_yuan", "十二万", "随事经费须为"),
    ("funding_yuan", "-5", "随事经费须为"), ("title", "调解民间纠纷", "清单中已有同名事项"),
    ("takeup", "must", "本地区不分须承接和可承接"), ("community_does", "a\x00b", "含有不可见的控制字符"),
])
def test_bad_items_are_refused_in_chinese_and_change_nothing(adm, field, value, message):
    fields = {"kind": "assist", "takeup": "", "title": "新事项", "legal_basis": "依据", "department": "部门",
              "community_does": "做什么", "funding_yuan": "", "funding_note": "", "hours_per_year": ""}
    fields[field] = value
    before = ListItem.objects.count()
    with pytest.raises(RuleError, match=message):
        services.item_add(locality=adm.district, by=adm.admin, **fields)
    assert ListItem.objects.count() == before


def test_zhuhai_needs_the_takeup_class(adm):
    services.rules_choose(locality=adm.district, rules_id="zhuhai-2010", by=adm.admin)
    with pytest.raises(RuleError, match="须承接和可承接两类"):
        services.item_add(locality=adm.district, by=adm.admin, kind="assist", takeup="", title="新事项",
                          legal_basis="x", department="x", community_does="x", funding_yuan="", funding_note="",
                          hours_per_year="")
    item = services.item_add(locality=adm.district, by=adm.admin, kind="assist", takeup="may", title="新事项",
                             legal_basis="x", department="x", community_does="x", funding_yuan="", funding_note="",
                             hours_per_year="")
    assert item.get_takeup_display() == "可承接"


def test_an_item_is_voided_with_a_reason_never_deleted(adm):
    with pytest.raises(RuleError, match="作废须写明理由"):
        services.item_void(item=adm.duty, version=adm.duty.version, reason=" ", by=adm.admin)
    item = services.item_void(item=adm.duty, version=adm.duty.version, reason="并入其他事项", by=adm.admin)
    assert item.voided and ListItem.objects.filter(pk=item.pk).exists()
    assert item.history.count() == 2
    with pytest.raises(RuleError, match="已作废"):
        services.item_void(item=item, version=item.version, reason="再次", by=adm.admin)


def test_public_page_shows_the_lists_and_no_personal_data(client, adm):
    services.item_void(item=adm.duty, version=1, reason="并入其他事项", by=adm.admin)
    text = client.get(f"/duties/public/{adm.district.code}/").content.decode()
    assert "协助做好社会救助工作" in text and "¥12,000.00" in text and "法制办审核" in text
    assert "调解民间纠纷" not in text  # voided
    for personal in ("张三", "李四", "王五", "minzheng", "admin"):
        assert personal not in text
    assert adm.district.name in client.get("/duties/public/").content.decode()
    assert client.get("/duties/public/999999/").status_code == 404


def test_staff_pages(client, adm):
    client.force_login(adm.admin)
    assert "协助做好社会救助工作" in client.get("/duties/").content.decode()
    r = client.post("/duties/items/new/", {"kind": "duty", "title": "", "legal_basis": "x", "department": "x",
                                           "community_does": "x"})
    assert r.status_code == 422 and "事项名称" in r.content.decode()
    r = client.post("/duties/items/new/", {"kind": "duty", "title": "宣传法律法规", "legal_basis": "组织法第三条(一)",
                                           "department": "市司法局", "community_does": "普法宣传"})
    assert r.status_code == 302
    item = ListItem.objects.get(title="宣传法律法规")
    assert item.number == 2
    page = client.get(f"/duties/items/{item.pk}/").content.decode()
    assert "版本记录" in page and "新增" in page
    client.force_login(adm.community_worker_a)
    assert client.get("/duties/").status_code == 200
    assert client.get("/duties/items/new/").status_code == 403
