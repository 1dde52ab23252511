"""The standards engine in a real browser, for the bureau, the street and the
community: an assessment started from the page runs on the job queue while
the page shows progress; the summary, matrix, scorecard, targets and funding
pages draw their charts under the CSP and fit a phone; a community worker
keeps the books on a phone; a resident answers a survey."""
import datetime as dt

from gongzhi.ledgers.models import Meeting
from gongzhi.places.models import Facility
from gongzhi.standards import assess, packs, surveys
from gongzhi.standards.models import AssessmentRun, SurveyResponse
from tests.e2e.conftest import PHONE_VIEWPORT, fits_phone, login


def _watch(page):
    """Script errors and CSP refusals; a form answered with 400 on purpose is not one."""
    problems = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "status of 400" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_bureau_starts_an_assessment_and_reads_it(desktop_page, live_server, live_world, queue_worker):
    Facility.objects.create(community=live_world.comm_a, service_area_m2=100)
    page = desktop_page
    problems = _watch(page)
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/standards/assessments/")
    page.select_option("#pack", "yixing-2019")
    page.fill("#period", "2025")
    page.select_option("#scope", live_world.district.code)
    page.click("button >> text=开始评估")
    # the run goes on the job queue (a real `gongzhi worker`); the page polls and then shows the results
    page.wait_for_selector("[data-testid=grade-failed]", timeout=60_000)
    run = AssessmentRun.objects.get()
    assert run.status == "done" and run.started_by.username == "admin"
    page.wait_for_selector("#targets-chart canvas")
    page.wait_for_selector("#pass-chart canvas")
    page.click("text=达标矩阵")
    page.wait_for_selector("[data-testid=matrix]")
    assert page.locator("table.matrix tbody tr").count() == 2
    page.click("table.matrix >> text=东虹社区")
    page.wait_for_selector("[data-testid=score]")
    assert "综合服务设施面积每百户不低于 40 平方米" in page.content()
    with page.expect_download() as download:
        page.click("text=下载 PDF 记分卡")
    assert download.value.suggested_filename.endswith(".pdf")
    assert problems == []


def test_street_and_community_read_on_a_phone(page, browser, live_server, live_world):
    pack = packs.load("yixing-2019")
    for period in (2024, 2025):
        assess.run(assess.start(pack=pack, period=period, scope=live_world.district), pack)
    run = AssessmentRun.objects.order_by("-period").first()
    problems = _watch(page)
    login(page, live_server, "street_a")
    for url, selector in ((f"/standards/assessments/{run.pk}/", "#pass-chart canvas"),
                          ("/standards/targets/", "#targets-trend canvas"),
                          ("/standards/funding/", "[data-testid=funding-total]"),
                          (f"/standards/assessments/{run.pk}/matrix/", "[data-testid=matrix]")):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_selector(selector)
        fits_phone(page)  # the matrix scrolls inside its own box, not the page
    assert "南岳社区" not in page.content()
    context = browser.new_context(locale="zh-CN", viewport=PHONE_VIEWPORT)
    page = context.new_page()
    problems += _watch(page)
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/standards/assessments/{run.pk}/communities/{live_world.comm_a.code}/")
    page.wait_for_selector("#trend-chart canvas")
    fits_phone(page)
    context.close()
    assert problems == []


def test_community_worker_keeps_the_books_on_a_phone(page, live_server, live_world):
    problems = _watch(page)
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/places/{live_world.comm_a.code}/")
    page.click("text=班子与工作者、培训、会议")
    page.click("nav.tabs >> text=会议")
    page.click("a.button >> text=登记")
    page.select_option("#id_kind", "residents")
    page.fill("#id_held_on", (dt.date.today() + dt.timedelta(days=2)).isoformat())
    page.fill("#id_title", "年初居民会议")
    page.click("button >> text=保存")
    page.wait_for_selector("text=「召开日期」不能晚于今天")
    page.fill("#id_held_on", dt.date.today().isoformat())
    page.click("button >> text=保存")
    page.wait_for_selector("text=已登记会议")
    fits_phone(page)
    assert Meeting.objects.get().title == "年初居民会议"
    assert problems == []


def test_resident_answers_a_survey_on_a_phone(page, live_server, live_world):
    today = dt.date.today()
    survey = surveys.survey_create(place=live_world.comm_a, title="东虹社区满意度", kind="satisfaction",
                                   questions=["总体满意吗?", "环境满意吗?"], opens_on=today, closes_on=today,
                                   by=live_world.community_worker_a)
    surveys.survey_set_state(survey=survey, state="open", version=1)
    login(page, live_server, "res_a1")
    page.goto(f"{live_server.url}/standards/surveys/mine/")
    page.click("text=东虹社区满意度")
    page.locator("fieldset").nth(0).get_by_text("满意", exact=True).click()  # tapping the label picks it
    page.locator("fieldset").nth(1).get_by_text("非常满意", exact=True).click()
    fits_phone(page)
    page.click("button >> text=提交")
    page.wait_for_selector("text=感谢参与")
    assert SurveyResponse.objects.get().answers == [4, 5]


def test_a_street_submits_a_case_and_the_bureau_reviews_it(page, desktop_page, live_server, live_world):
    from gongzhi.standards import cases
    from gongzhi.standards.models import CaseSubmission
    call = cases.call_create(place=live_world.district, title="城乡社区治理和服务创新优秀案例征集",
                             deadline=dt.date.today() + dt.timedelta(days=7), topics=["完善社区服务体系"],
                             experts=[live_world.admin], by=live_world.admin)
    problems = _watch(page)
    login(page, live_server, "street_a")
    page.goto(f"{live_server.url}/standards/cases/")
    page.click(f"text={call.title}")
    page.select_option("#id_place", live_world.comm_a.code)
    page.fill("#id_title", "东虹社区“红色管家”")
    page.fill("#id_text", "东虹社区组织党员担任楼道管家。\n每月收集居民需求,按项目办理。")
    page.click("button >> text=报送")
    page.wait_for_selector("[data-testid=case-text]")
    fits_phone(page)
    case = CaseSubmission.objects.get()
    admin = desktop_page
    problems += _watch(admin)
    login(admin, live_server, "admin")
    admin.goto(f"{live_server.url}/standards/cases/{call.pk}/{case.pk}/")
    admin.fill("#id_scientific", "8")
    admin.fill("#id_innovative", "9")
    admin.fill("#id_practical", "8")
    admin.click("button >> text=保存评审")
    admin.wait_for_selector("text=均分 25.0 / 30")
    admin.click("button >> text=入围实地察看")
    admin.wait_for_selector("text=登记实地察看")
    assert problems == []


def test_anyone_reads_published_results_on_a_phone(page, live_server, live_world):
    from django.utils import timezone
    pack = packs.load("yixing-2019")
    run = assess.run(assess.start(pack=pack, period=2025, scope=live_world.district), pack)
    AssessmentRun.objects.filter(pk=run.pk).update(published_at=timezone.now())
    problems = _watch(page)
    page.goto(f"{live_server.url}/standards/public/")
    page.click("text=2025 年 · 宜兴市")
    page.wait_for_selector("[data-testid=public-scores]")
    assert page.locator("[data-testid=public-scores] tbody tr").count() == 2
    fits_phone(page)
    assert problems == []
