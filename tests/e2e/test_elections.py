"""Elections in a real browser on a 390 px phone: a street officer finds the community's election
through the menu, builds and publishes its voter roll (and is told in Chinese when a step is not
allowed); the resident then sees their own entry and the published roll."""
import datetime as dt

from gongzhi.elections import services
from gongzhi.elections.models import State
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login, nav_to


def test_street_publishes_a_roll_on_a_phone_and_a_resident_sees_their_entry(page, browser, live_server, live_world):
    w = live_world
    today = dt.date.today()
    (e,) = services.election_open(street=w.street_a, communities=[w.comm_a], term=2026, committee_on=today,
                                  roll_on=today + dt.timedelta(days=1), candidates_on=today + dt.timedelta(days=25),
                                  election_day=today + dt.timedelta(days=40))

    login(page, live_server, "street_a")
    nav_to(page, "换届选举")
    page.click(f"text={w.comm_a.name}")
    page.locator("[data-testid=state]", has_text="筹备中").wait_for()
    fits_phone(page)
    # an empty roll cannot be published: the page says so in Chinese
    page.click("[data-testid=roll-publish]")
    page.locator(".messages", has_text="选民名单为空").wait_for()
    page.click("[data-testid=roll-build]")
    page.locator(".messages", has_text="已按今天的人员登记生成选民名单:2 人").wait_for()
    page.click("[data-testid=roll-publish]")
    page.locator(".messages", has_text="选民名单第 1 版已公布,共 2 人").wait_for()
    assert page.locator("[data-testid=state]").inner_text() == "选民名单已公布"
    fits_phone(page)
    page.click("text=查看名单")
    page.locator("[data-testid=roll]", has_text="张三").wait_for()
    fits_phone(page)
    e.refresh_from_db()
    assert e.state == State.ROLL_PUBLISHED

    context, resident = _new_page(browser, PHONE_VIEWPORT)
    login(resident, live_server, "res_a1")
    nav_to(resident, "选举公告")
    resident.locator("[data-testid=my-entry]", has_text="您已登记为选民").wait_for()
    fits_phone(resident)
    resident.click("text=查看名单")
    resident.locator("p", has_text="张三、李四").wait_for()
    fits_phone(resident)
    context.close()
