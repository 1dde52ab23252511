"""Cadre supervision in a real browser on a phone: the town opens the half-year's democratic review of a
village, a villager rates the other cadres through their own account (not themselves, once, then an explicit
change), the town reads who rated whom; a cadre flagged in last half-year's review shows on the town's page,
the village committee reads results without raters, and an overdue talk is on the town's list."""
import datetime as dt

from django.utils import timezone

from gongzhi.cadres import services
from gongzhi.cadres.models import Rating, ReviewRound
from tests.cadres.conftest import account, build_village
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login, nav_to


def _last_half(today):
    return (today.year - 1, 2) if today.month <= 6 else (today.year, 1)


def test_town_opens_review_villager_rates_flagged_and_overdue_show(page, browser, live_server, live_world):
    w = build_village(live_world)
    today = timezone.localdate()
    # last half-year's review, closed: 陈委员 under the line
    year, half = _last_half(today)
    last = services.half_bounds(year, half)[1]
    old = services.round_open(village=w.village, year=year, half=half, opens_on=last - dt.timedelta(days=10),
                              closes_on=last - dt.timedelta(days=2), by=w.town_officer)
    at = timezone.make_aware(dt.datetime.combine(last - dt.timedelta(days=5), dt.time(10)))
    for rater, verdict in ((w.sec, "satisfied"), (w.dep, "unsatisfied"), (w.party, "unsatisfied"),
                           (w.rep, "basic")):
        services.rate(subject=old.subjects.get(name="陈委员"), resident=rater, by=account(w, rater),
                      verdict=verdict, comment="村务公开不及时" if verdict == "unsatisfied" else "", now=at)
    services.round_close(rnd=old, version=old.version, by=w.town_officer)
    services.check_schedule(village=w.village, kind="talk", form="regular", due_on=today - dt.timedelta(days=3),
                            by=w.town_officer)

    login(page, live_server, "town")
    assert page.locator("[data-testid=panel-talks-overdue]").inner_text() == "1"
    nav_to(page, "村干部监督")
    page.locator("[data-testid=flagged]", has_text="陈委员").wait_for()
    fits_phone(page)
    page.click("text=组织一次民主评议")
    page.fill("#r-open", today.isoformat())
    page.fill("#r-close", (today - dt.timedelta(days=1)).isoformat())
    page.click("button >> text=开始评议")
    page.locator("#form-error", has_text="不能早于「评议开始」").wait_for()
    assert ReviewRound.objects.count() == 1
    page.fill("#r-close", (today + dt.timedelta(days=5)).isoformat())
    page.click("button >> text=开始评议")
    page.locator(".messages", has_text="参评 5 人").wait_for()
    assert page.locator("[data-testid=round-state]").inner_text() == "评议中"
    fits_phone(page)

    context, villager = _new_page(browser, PHONE_VIEWPORT)
    login(villager, live_server, account(w, w.sec).username)
    nav_to(villager, "评议村干部")
    mine = villager.locator("[data-testid=subject]", has_text="周书记")
    mine.locator("text=本人,不参加对自己的评议").wait_for()
    chen = villager.locator("[data-testid=subject]", has_text="陈委员")
    chen.locator("input[value=satisfied]").check()
    chen.locator("input[name=comment]").fill("工作踏实")
    chen.locator("button >> text=提交").click()
    villager.locator(".messages", has_text="已评议 陈委员").wait_for()
    fits_phone(villager)
    chen = villager.locator("[data-testid=subject]", has_text="陈委员")
    chen.locator("input[value=basic]").check()
    chen.locator("button >> text=修改").click()
    villager.locator(".messages", has_text="已评议 陈委员").wait_for()
    context.close()
    rating = Rating.objects.get(round__state="open")
    assert (rating.verdict, rating.version, rating.comment) == ("basic", 2, "工作踏实")

    page.reload()
    page.click("text=谁评议了谁")
    page.locator("table", has_text="周书记").first.wait_for()
    page.goto(f"{live_server.url}/cadres/checks/?state=overdue")
    page.locator("[data-testid=overdue]").first.wait_for()
    fits_phone(page)

    context, committee = _new_page(browser, PHONE_VIEWPORT)
    login(committee, live_server, "vc")
    committee.goto(f"{live_server.url}/cadres/rounds/{old.pk}/")
    committee.locator("[data-testid=flag]").wait_for()
    body = committee.content()
    assert "村务公开不及时" in body and "钱党员" not in body and "谁评议了谁" not in body
    fits_phone(committee)
    context.close()
