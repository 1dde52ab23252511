"""Topics in a real browser on a phone: a resident raises one, a neighbour supports it and it
reaches the committee's desk, the community worker answers it, and the community's public board
shows the answer to a visitor without an account."""
from gongzhi.governance.models import Topic, TopicRules, TopicState
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login
from tests.factories import household, resident, user


def test_resident_raises_neighbour_supports_committee_answers_board_shows(page, browser, live_server, live_world):
    w = live_world
    TopicRules.objects.create(community=w.comm_a, threshold=1, answer_days=3)
    neighbour = resident(household(w.grid_a2), name="孙八")
    user("res_a2", "resident", w.comm_a, resident=neighbour)

    login(page, live_server, "res_a1")
    page.goto(f"{live_server.url}/governance/")
    page.click("text=提出议题")
    page.select_option("#id_category", "facilities")
    page.fill("#id_title", "单元门口加装雨棚")
    page.fill("#id_text", "下雨天进出单元门容易滑倒,希望加装雨棚。")
    fits_phone(page)
    page.click("button[type=submit] >> text=提出")
    page.locator("h1", has_text="单元门口加装雨棚").wait_for()
    assert page.locator("[data-testid=topic-state]").inner_text() == "征集中"
    fits_phone(page)

    context, other = _new_page(browser, PHONE_VIEWPORT)
    login(other, live_server, "res_a2")
    other.goto(f"{live_server.url}/governance/?sort=support")
    other.click("text=单元门口加装雨棚")
    other.click("button >> text=附议")
    other.locator(".messages", has_text="已附议").wait_for()
    assert other.locator("[data-testid=topic-state]").inner_text() == "待答复"
    fits_phone(other)
    context.close()

    context, cw = _new_page(browser, PHONE_VIEWPORT)
    login(cw, live_server, "cw_a")
    cw.goto(f"{live_server.url}/governance/desk/")
    assert cw.locator("[data-testid=desk-waiting]").inner_text() == "1"
    cw.click("text=单元门口加装雨棚")
    cw.check("input[name=kind][value=decline]")
    cw.click("button >> text=提交答复")
    cw.locator("#answer-error", has_text="理由").wait_for()
    cw.check("input[name=kind][value=deliberation]")
    cw.fill("#id_text", "下周三议事协商会议商议,请本单元居民参加")
    cw.click("button >> text=提交答复")
    cw.locator(".messages", has_text="已答复").wait_for()
    fits_phone(cw)
    context.close()
    assert Topic.objects.get().state == TopicState.DELIBERATION

    context, visitor = _new_page(browser, PHONE_VIEWPORT)
    visitor.goto(f"{live_server.url}/public/")
    visitor.click("text=社区公开栏")
    visitor.click(f"text={w.comm_a.name}")
    board = visitor.locator("[data-testid=board-list]")
    board.locator("text=单元门口加装雨棚").wait_for()
    text = board.inner_text()
    assert "下周三议事协商会议商议" in text and "转入协商" in text and "张三" not in text
    fits_phone(visitor)
    context.close()
