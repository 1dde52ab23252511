"""The disclosure board: publishing (and its ledger row), withdrawing, bad input, freshness at the
period boundaries (the database's answer against the plain reference), the pages and who may use them."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.disclosure import freshness, services
from gongzhi.disclosure.models import CategoryRule, Item
from gongzhi.ledgers.models import Disclosure
from gongzhi.places.models import Place

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _publish(w, **kw):
    kw.setdefault("community", w.comm_a)
    kw.setdefault("category", "finance")
    kw.setdefault("title", "2026 年第四季度财务收支情况")
    kw.setdefault("body", "收入 12,000 元,支出 9,800 元。")
    kw.setdefault("by", w.community_worker_a)
    return services.publish(**kw)


def _at(day: dt.date, hour=10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# -- publish and withdraw ----------------------------------------------------------------------
def test_publish_writes_one_ledger_row_and_defaults_to_the_quarter(world):
    item = _publish(world, now=_at(dt.date(2026, 11, 5)))
    assert (item.period_start, item.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    row = Disclosure.objects.get(source="disclosure.item", source_pk=item.pk)
    assert (row.community, row.kind, row.published_on, row.title, row.voided) == \
        (world.comm_a, "finance", dt.date(2026, 11, 5), item.title, "")
    assert Disclosure.objects.count() == 1


def test_publish_by_a_module_with_a_source_is_idempotent(world):
    first = _publish(world, source="governance.topic", source_pk=7)
    again = _publish(world, source="governance.topic", source_pk=7, title="别的标题")
    assert again.pk == first.pk and Item.objects.count() == 1 == Disclosure.objects.count()
    with pytest.raises(RuleError, match="来源"):
        _publish(world, source="governance.topic")


def test_withdraw_keeps_the_item_and_voids_its_ledger_row(world):
    item = _publish(world)
    with pytest.raises(RuleError, match="撤下原因"):
        services.withdraw(item=item, reason="  ", by=world.community_worker_a)
    item = services.withdraw(item=item, reason="金额录入有误", by=world.community_worker_a)
    assert item.withdrawn_at and item.withdraw_reason == "金额录入有误"
    assert Disclosure.objects.get(source_pk=item.pk).voided == "撤下:金额录入有误"
    with pytest.raises(RuleError, match="已于"):
        services.withdraw(item=item, reason="再撤一次", by=world.community_worker_a)
    with pytest.raises(ValueError):
        item.delete()
    assert Item.objects.filter(pk=item.pk).exists()
    assert item.history.count() == 2  # published, withdrawn
    # a source's record may be published again once its item is withdrawn
    _publish(world, source="governance.topic", source_pk=9)
    services.withdraw(item=Item.objects.get(source_pk=9), reason="重发", by=world.community_worker_a)
    assert _publish(world, source="governance.topic", source_pk=9).withdrawn_at is None


@pytest.mark.parametrize("kw, message", [
    ({"title": ""}, "请填写标题"),
    ({"title": "长" * 61}, "标题不能超过 60 个字"),
    ({"body": ""}, "请填写公开内容"),
    ({"body": "字" * 10_000_000}, "不能超过 5000 个字"),
    ({"body": "收入\x00支出"}, "内容含有不可见的控制字符"),
    ({"title": "标题\u202e"}, "标题含有不可见的控制字符"),
    ({"category": "gossip"}, "请选择公开类别"),
    ({"period_start": dt.date(2026, 6, 1), "period_end": dt.date(2026, 5, 1)}, "结束日期不能早于开始日期"),
    ({"period_start": dt.date(2024, 1, 1), "period_end": dt.date(2026, 1, 1)}, "不能超过 1 年"),
    ({"attachment": SimpleUploadedFile("账目.pdf", b"MZ\x90\x00 not a pdf")}, "附件「账目.pdf」格式不支持"),
])
def test_bad_input_is_refused_and_nothing_is_saved(world, kw, message):
    with pytest.raises(RuleError, match=message):
        _publish(world, **kw)
    assert not Item.objects.exists() and not Disclosure.objects.exists()


def test_only_a_community_has_a_board(world):
    with pytest.raises(RuleError, match="只能发布在社区"):
        _publish(world, community=world.grid_a1)
    with pytest.raises(RuleError, match="只能发布在社区"):
        _publish(world, community=world.street_a)


def test_a_pdf_attachment_is_kept(world):
    item = _publish(world, attachment=SimpleUploadedFile("账目.pdf", PDF))
    assert item.attachment_type == "application/pdf" and item.attachment_name == "账目.pdf"


# -- freshness ---------------------------------------------------------------------------------
def _status(community, category, today):
    qs, windows = freshness.annotate_freshness(Place.objects.filter(pk=community.pk), today)
    row = qs.get()
    w = next(w for w in windows if w.category == category)
    reference = freshness.status_of(getattr(row, w.last_key), w)
    assert getattr(row, w.status_key) == reference  # the database agrees with the plain rule
    return reference


@pytest.mark.parametrize("published, today, expected", [
    (dt.date(2026, 10, 1), dt.date(2026, 10, 1), "fresh"),     # first day of the quarter
    (dt.date(2026, 9, 30), dt.date(2026, 9, 30), "fresh"),     # last day of Q3, same quarter
    (dt.date(2026, 9, 30), dt.date(2026, 10, 1), "due"),       # the next day: a new quarter, still in time
    (dt.date(2026, 9, 30), dt.date(2026, 12, 31), "due"),      # the last day of that quarter
    (dt.date(2026, 9, 30), dt.date(2027, 1, 1), "stale"),      # a whole quarter without a refresh: red
    (dt.date(2026, 7, 1), dt.date(2026, 12, 31), "due"),       # the first day of the previous quarter
    (dt.date(2026, 6, 30), dt.date(2026, 10, 1), "stale"),     # the day before it
    (dt.date(2025, 12, 31), dt.date(2026, 3, 31), "due"),      # across the year's end
    (dt.date(2025, 9, 30), dt.date(2026, 1, 1), "stale"),
    (None, dt.date(2026, 10, 1), "stale"),                     # never published
])
def test_freshness_at_quarter_ends(world, published, today, expected):
    if published:
        Disclosure.objects.create(community=world.comm_a, kind="finance", published_on=published, title="x")
    assert _status(world.comm_a, "finance", today) == expected


def test_freshness_ignores_voided_and_future_rows_and_counts_hand_entries(world):
    today = dt.date(2026, 11, 15)
    Disclosure.objects.create(community=world.comm_a, kind="plan", published_on=dt.date(2026, 11, 1), title="x",
                              voided="录错")
    Disclosure.objects.create(community=world.comm_a, kind="plan", published_on=dt.date(2026, 12, 1), title="x")
    assert _status(world.comm_a, "plan", today) == "stale"
    Disclosure.objects.create(community=world.comm_a, kind="plan", published_on=dt.date(2026, 10, 2), title="手工登记")
    assert _status(world.comm_a, "plan", today) == "fresh"
    item = _publish(world, category="results", now=_at(dt.date(2026, 11, 2)))
    assert _status(world.comm_a, "results", today) == "fresh"
    services.withdraw(item=item, reason="重复", by=world.community_worker_a)
    assert _status(world.comm_a, "results", today) == "stale"


def test_a_monthly_category_uses_months(world):
    CategoryRule.objects.create(category="finance", refresh_months=1)
    Disclosure.objects.create(community=world.comm_a, kind="finance", published_on=dt.date(2026, 9, 30), title="x")
    assert _status(world.comm_a, "finance", dt.date(2026, 10, 31)) == "due"
    assert _status(world.comm_a, "finance", dt.date(2026, 11, 1)) == "stale"
    assert freshness.period_label(dt.date(2026, 10, 1), 3) == "2026 年第四季度"


def test_freshness_table_counts_every_community_in_one_query(world, django_assert_max_num_queries):
    for c in (world.comm_a, world.comm_b):
        Disclosure.objects.create(community=c, kind="plan", published_on=dt.date(2026, 10, 2), title="x")
    communities = Place.objects.filter(level="community")
    with django_assert_max_num_queries(2):  # the category rules, the grouped query
        table, windows = freshness.rows(communities, dt.date(2026, 11, 1))
    assert [r["stale"] for r in table] == [3, 3]
    summary = freshness.summary(communities, dt.date(2026, 11, 1))
    plan = next(s for s in summary["by_category"] if s["window"].category == "plan")
    assert (plan["fresh"], plan["due"], plan["stale"]) == (2, 0, 0)


# -- pages ---------------------------------------------------------------------------------------
def test_committee_publishes_and_withdraws_through_the_pages(world, client):
    client.force_login(world.community_worker_a)
    response = client.post("/disclosure/new/", {"category": "plan", "title": "第四季度工作计划", "body": "一、二、三",
                                                "attachment": SimpleUploadedFile("计划.pdf", PDF)})
    assert response.status_code == 302, response.content.decode()[:500]
    item = Item.objects.get()
    assert item.community == world.comm_a and item.published_by == world.community_worker_a
    assert client.get(f"/disclosure/{item.pk}/file/").status_code == 200
    response = client.post(f"/disclosure/{item.pk}/withdraw/", {"reason": ""})
    assert response.status_code == 422 and "撤下原因" in response.content.decode()
    client.post(f"/disclosure/{item.pk}/withdraw/", {"reason": "错发"})
    item.refresh_from_db()
    assert item.withdraw_reason == "错发"
    assert "错发" in client.get(f"/disclosure/{item.pk}/").content.decode()


def test_bad_input_on_the_page_says_what_and_changes_nothing(world, client):
    client.force_login(world.community_worker_a)
    response = client.post("/disclosure/new/", {"category": "plan", "title": "计划", "body": "内容\x1b",
                                                "attachment": SimpleUploadedFile("x.png", b"GIF89a fake")})
    assert response.status_code == 422
    assert not Item.objects.exists()
    response = client.post("/disclosure/new/", {"category": "plan", "title": "计划", "body": "好",
                                                "attachment": SimpleUploadedFile("x.png", b"GIF89a fake")})
    assert response.status_code == 422 and "附件「x.png」格式不支持" in response.content.decode()
    assert not Item.objects.exists()


def test_who_may_publish(world, client):
    for u in (world.street_officer_a, world.grid_worker_a1, world.resident_user, world.department):
        client.force_login(u)
        assert client.post("/disclosure/new/", {"category": "plan", "title": "t", "body": "b"}).status_code == 403
    client.force_login(world.community_worker_a)  # their own community only
    assert client.post("/disclosure/new/", {"community": world.comm_b.code, "category": "plan", "title": "t",
                                            "body": "b"}).status_code == 404
    assert not Item.objects.exists()


def test_freshness_page_panel_and_xlsx(world, client):
    _publish(world, category="plan")
    client.force_login(world.street_officer_a)
    text = client.get("/disclosure/freshness/").content.decode()
    assert "东虹社区" in text and "南岳社区" not in text and 'data-status="fresh"' in text and 'data-status="stale"' in text
    response = client.get("/disclosure/freshness/?format=xlsx")
    from io import BytesIO

    from openpyxl import load_workbook
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("街道", "社区", "逾期类别数") and rows[1][1] == "东虹社区" and rows[1][2] == 3
    assert len(rows) == 2  # street A's one community; nothing of street B
    home = client.get("/").content.decode()
    assert 'data-testid="panel-freshness"' in home
    client.force_login(world.community_worker_a)
    home = client.get("/").content.decode()
    assert "逾期未更新" in home and "已更新" in home


def test_public_board_has_no_personal_data(world, client):
    world.community_worker_a.display_name = "吴晓燕"
    world.community_worker_a.save()
    item = _publish(world, category="results", title="第三季度工作成果", body="维修路灯 12 盏",
                    attachment=SimpleUploadedFile("成果.pdf", PDF))
    gone = _publish(world, category="major", title="撤下的公示", body="x")
    services.withdraw(item=gone, reason="错发", by=world.community_worker_a)
    text = client.get(f"/disclosure/board/{world.comm_a.code}/").content.decode()
    assert "第三季度工作成果" in text and "维修路灯 12 盏" in text
    for private in ("吴晓燕", "cw_a", "撤下的公示", "错发", "张三", "13812345678"):
        assert private not in text, private
    assert client.get(f"/disclosure/board/{world.comm_a.code}/files/{item.pk}/").status_code == 200
    assert client.get(f"/disclosure/board/{world.comm_a.code}/files/{gone.pk}/").status_code == 404
    assert client.get(f"/disclosure/board/{world.comm_b.code}/files/{item.pk}/").status_code == 404
    assert client.get("/disclosure/board/nope/").status_code == 404
    assert world.comm_a.name in client.get("/disclosure/board/").content.decode()
    assert "居务公开栏" in client.get("/public/").content.decode()


def test_resident_reads_their_own_board(world, client):
    _publish(world, title="东虹的计划")
    _publish(world, community=world.comm_b, by=world.community_worker_b, title="南岳的计划")
    client.force_login(world.resident_user)
    text = client.get("/disclosure/mine/").content.decode()
    assert "东虹的计划" in text and "南岳的计划" not in text
    assert client.get("/disclosure/").status_code == 403
    home = client.get("/people/home/").content.decode()  # the resident's home page (people's resident_panels)
    assert 'data-testid="panel-board"' in home and "东虹的计划" in home and "南岳的计划" not in home


def test_board_sections_from_other_modules(world, client, monkeypatch):
    from gongzhi.core import modules
    from gongzhi.disclosure.selectors import Section

    def topics(community, *, now):
        return Section(title="居民议题答复", rows=[("加装雨棚", now.date(), "已转入协商")])
    real = modules.extras
    monkeypatch.setattr(modules, "extras", lambda key: [topics] if key == "disclosure_sections" else real(key))
    text = client.get(f"/disclosure/board/{world.comm_a.code}/").content.decode()
    assert "居民议题答复" in text and "加装雨棚" in text
