"""The mailbox in a real browser on a phone: a resident writes to the secretary from the menu, the
community worker finds the letter on the home page, turns it into a topic, and the resident sees the
answer under 我的来信."""
from playwright.sync_api import expect

from gongzhi.governance.models import Letter, LetterState
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login, nav_to


def test_resident_writes_committee_turns_it_into_a_topic(page, browser, live_server, live_world):
    login(page, live_server, "res_a1")
    nav_to(page, "书记信箱")
    page.click("button[type=submit] >> text=寄出")  # empty: the browser asks for the fields first
    assert not Letter.objects.exists()
    page.check("input[name=to][value=director]")
    page.fill("#l-subject", "单元门禁坏了")
    page.fill("#l-text", "2 幢 1 单元门禁刷卡没反应已经一周了。")
    fits_phone(page)
    page.click("button[type=submit] >> text=寄出")
    expect(page.locator(".messages")).to_contain_text("来信已送达")
    expect(page.get_by_test_id("my-letters")).to_contain_text("待处理")
    fits_phone(page)

    context, cw = _new_page(browser, PHONE_VIEWPORT)
    login(cw, live_server, "cw_a")
    expect(cw.get_by_test_id("home-letters-open")).to_have_text("1")
    cw.get_by_test_id("home-letters-open").click()
    cw.click("text=单元门禁坏了")
    fits_phone(cw)
    cw.click("button >> text=转为议题")  # no category chosen: refused, nothing changed
    expect(cw.get_by_role("alert")).to_contain_text("请选择议题类别")
    cw.select_option("#a-category", "facilities")
    cw.click("button >> text=转为议题")
    expect(cw.locator(".messages")).to_contain_text("已转为社区议题")
    fits_phone(cw)
    context.close()
    assert Letter.objects.get().state == LetterState.TOPIC

    page.reload()
    expect(page.get_by_test_id("my-letters")).to_contain_text("已转为议题")
    page.click("text=单元门禁坏了 >> nth=-1")
    expect(page.locator("h1")).to_have_text("单元门禁坏了")
