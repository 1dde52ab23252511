"""Dates survive a save in a browser of any language: the forms that lost dates in a zh-CN
browser (a ledger worker's 任职日期, a resident's 迁入日期, the visit log's required date)
open with the stored date shown and, saved unchanged, keep it — under zh-CN, en-US and zh-TW.
(The crawl in test_crawl.py checks every date field it meets on every page for the same.)"""
import datetime as dt

import pytest

from gongzhi.ledgers.models import Worker
from gongzhi.people.models import Resident
from gongzhi.workorders.models import VisitLog
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, PHONE_VIEWPORT, login

SINCE = dt.date(2020, 3, 1)
MOVED_IN = dt.date(2019, 7, 15)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US", "zh-TW"])
def test_dates_round_trip_in_every_browser_language(browser, live_server, live_world, locale):
    w = live_world
    worker = Worker.objects.create(community=w.comm_a, name="周敏", since=SINCE)
    Resident.objects.filter(pk=w.res_a1.pk).update(moved_in_on=MOVED_IN)
    context = browser.new_context(locale=locale, viewport=PHONE_VIEWPORT)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        login(page, live_server, "cw_a")

        page.goto(f"{live_server.url}/ledgers/{w.comm_a.code}/workers/{worker.pk}/")
        assert page.input_value("input[name=since]") == "2020-03-01"
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        worker.refresh_from_db()
        assert worker.since == SINCE, locale

        page.goto(f"{live_server.url}/people/residents/{w.res_a1.pk}/edit/")
        assert page.input_value("input[name=moved_in_on]") == "2019-07-15"
        page.click("main form button[type=submit]")
        page.wait_for_url(lambda url: "/edit/" not in url)
        assert Resident.objects.get(pk=w.res_a1.pk).moved_in_on == MOVED_IN, locale

        page.goto(f"{live_server.url}/orders/visits/")
        today = page.input_value("input[name=visited_on]")
        assert dt.date.fromisoformat(today) == dt.date.today(), locale  # filled, in ISO form
        page.fill("textarea[name=notes]", "走访张三家,一切正常")
        page.click("#visit-form button[type=submit]")
        page.wait_for_load_state()
        visit = VisitLog.objects.get(notes="走访张三家,一切正常")
        assert visit.visited_on.isoformat() == today, locale
    finally:
        context.close()
