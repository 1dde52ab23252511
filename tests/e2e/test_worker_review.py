"""The community-worker yearly review in a real browser on a phone: the street officer enters a score
for a worker of its community and finalises it; the worker then reads the result, with the breakdown,
on their own page. Both pages fit a 390 px phone and draw their charts under the CSP."""
import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.standards.models import Survey, SurveyResponse, WorkerReview
from tests.e2e.conftest import PHONE_VIEWPORT, fits_phone, login


def _watch(page):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_street_scores_a_worker_and_the_worker_reads_the_result(page, browser, live_server, live_world):
    w = live_world
    year = timezone.localdate().year - 1
    when = timezone.make_aware(dt.datetime(year, 5, 20, 10))
    for i in range(10):  # ten satisfaction responses of 4 in 东虹社区: residents' score 80.0
        survey = Survey.objects.create(title=f"满意度调查{i}", kind="satisfaction", place=w.comm_a,
                                       questions=["满意吗?"], opens_on=dt.date(year, 1, 1),
                                       closes_on=dt.date(year, 12, 31), state="closed")
        SurveyResponse.objects.create(survey=survey, resident=w.res_a1, community=w.comm_a, answers=[4], score=4.0,
                                      positive=True, submitted_at=when)
    problems = _watch(page)
    login(page, live_server, "street_a")
    page.goto(f"{live_server.url}/standards/workers/?year={year}")
    page.wait_for_selector("#workers-chart canvas")
    fits_phone(page)
    expect(page.get_by_test_id("weights")).to_contain_text("平台默认")
    row = page.locator("[data-testid=worker-row][data-worker=cw_a]")
    expect(row.get_by_test_id("residents-score")).to_have_text("80.0")
    row.locator("input[name=street_score]").fill("86")
    row.locator("textarea[name=comment]").fill("入户走访扎实")
    row.get_by_test_id("finalise").click()
    page.wait_for_url(lambda url: "/standards/workers/?" in url)
    row = page.locator("[data-testid=worker-row][data-worker=cw_a]")
    expect(row.get_by_test_id("combined")).to_have_text("82.4")  # 80 × 0.6 + 86 × 0.4
    expect(row).to_contain_text("已定稿")
    fits_phone(page)
    review = WorkerReview.objects.get()
    assert (review.state, review.residents_n, str(review.combined_score)) == ("final", 10, "82.4")

    context = browser.new_context(locale="zh-CN", viewport=PHONE_VIEWPORT)
    mine = context.new_page()
    problems += _watch(mine)
    login(mine, live_server, "cw_a")
    mine.goto(f"{live_server.url}/standards/workers/mine/")
    card = mine.get_by_test_id("my-review")
    expect(card).to_contain_text(f"{year} 年")
    expect(mine.get_by_test_id("my-combined")).to_have_text("82.4")
    expect(mine.get_by_test_id("my-residents")).to_have_text("80.0")
    expect(mine.get_by_test_id("my-street")).to_have_text("86.0")
    expect(card).to_contain_text("10 份")
    expect(card).to_contain_text("入户走访扎实")
    fits_phone(mine)
    context.close()
    assert problems == []
