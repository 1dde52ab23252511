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


def test_counting_night_on_a_phone_sheet_down_and_up_then_count_all(page, live_server, live_world, tmp_path):
    """The street officer downloads the counting sheet, fills it (as Excel would), uploads it on the
    phone: a wrong figure is named by row and column; the corrected sheet writes both stations; then
    every ready election is counted."""
    from openpyxl import load_workbook

    from tests.elections.helpers import voting
    w = live_world
    e = voting(w)
    ids = list(e.roll.filter(resident__in=w.adults[:7]).values_list("pk", flat=True))  # 7 of 12 vote
    services.turnout_bulk(election=e, station=w.station, voter_ids=ids)

    login(page, live_server, "street_a")
    nav_to(page, "换届选举")
    page.click("text=计票汇总")
    page.locator("[data-testid=pending]", has_text="2").wait_for()
    fits_phone(page)
    with page.expect_download() as download:
        page.click("[data-testid=template]")
    sheet = tmp_path / "计票汇总表.xlsx"
    download.value.save_as(sheet)
    book = load_workbook(sheet)
    rows = list(book.active.iter_rows())
    for row in rows[1:]:
        station, item, name = row[2].value, row[4].value, row[6].value
        if item == "收回选票":
            row[9].value = 7 if station == "第一投票站" else 0
        elif item == "候选人" and station == "第一投票站" and name in ("选民0", "选民2", "选民3"):
            row[9].value = "五" if name == "选民3" else 5  # a slip: a Chinese numeral
    book.save(sheet)
    page.set_input_files("#tally-file", str(sheet))
    page.click("text=上传并录入")
    page.locator("[data-testid=sheet-errors]", has_text="「票数」:须为不小于 0 的整数").wait_for()
    fits_phone(page)
    for row in rows[1:]:
        if row[9].value == "五":
            row[9].value = 5
    book.save(sheet)
    page.set_input_files("#tally-file", str(sheet))
    page.click("text=上传并录入")
    page.locator(".messages", has_text="已录入 2 个投票点的计票结果").wait_for()
    page.click("[data-testid=count-all]")
    page.locator(".messages", has_text="已计票 1 个选举:选举有效 1 个").wait_for()
    fits_phone(page)
    e.refresh_from_db()
    assert e.state == State.DONE
    assert set(e.candidates.filter(elected=True).values_list("name", flat=True)) == {"选民0", "选民2", "选民3"}
