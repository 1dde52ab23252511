"""Assessment pages through the caller's scope: who may start a run, the
summary with targets, the matrix's filters and sorting, the scorecard as a
page and as a PDF with Chinese fonts embedded, the xlsx export (logged)."""
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from gongzhi.core.models import AccessLog
from gongzhi.places.models import Facility
from gongzhi.standards import assess, assess_views, packs
from gongzhi.standards.models import AssessmentRun, RunStatus


@pytest.fixture
def in_process(monkeypatch):
    """Run the assessment in the test's own transaction instead of a child
    process (which could not see uncommitted test data); the browser test
    covers the real child process."""
    monkeypatch.setattr(assess_views, "_launch",
                        lambda run: assess.run(run, packs.load(run.pack_id)))


def _run(world, place=None, pack_id="yixing-2019"):
    pack = packs.load(pack_id)
    return assess.run(assess.start(pack=pack, period=2025, scope=place or world.district), pack)


def test_street_officer_starts_a_run_for_their_street_only(client, world, in_process):
    client.force_login(world.street_officer_a)
    r = client.post("/standards/assessments/", {"pack": "wuhan-2011", "period": "2025", "scope": world.street_a.code})
    run = AssessmentRun.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/standards/assessments/{run.pk}/"
    assert run.status == RunStatus.DONE and run.started_by == world.street_officer_a
    r = client.post("/standards/assessments/", {"pack": "wuhan-2011", "period": "2025", "scope": world.street_b.code})
    assert r.status_code == 404 and AssessmentRun.objects.count() == 1
    r = client.post("/standards/assessments/", {"pack": "wuhan-2011", "period": "二〇二五", "scope": world.street_a.code})
    assert r.status_code == 400 and "年度应为数字" in r.content.decode()


@pytest.mark.parametrize("who, status", [("community_worker_a", 403), ("department", 403), ("grid_worker_a1", 403)])
def test_others_may_not_start_runs(client, world, who, status, in_process):
    client.force_login(getattr(world, who))
    r = client.post("/standards/assessments/", {"pack": "yixing-2019", "period": "2025",
                                                 "scope": world.district.code})
    assert r.status_code == status and not AssessmentRun.objects.exists()


def test_departments_see_no_assessment(client, world):
    run = _run(world)
    client.force_login(world.department)
    for url in ("/standards/assessments/", f"/standards/assessments/{run.pk}/",
                f"/standards/assessments/{run.pk}/matrix/"):
        assert client.get(url).status_code == 403


def test_summary_matrix_and_scorecard(client, world):
    Facility.objects.create(community=world.comm_a, service_area_m2=100)
    run = _run(world)
    client.force_login(world.street_officer_a)
    page = client.get(f"/standards/assessments/{run.pk}/").content.decode()
    assert "目标达成" in page and 'id="targets-chart"' in page
    matrix = client.get(f"/standards/assessments/{run.pk}/matrix/?sort=-facility-area").content.decode()
    assert "东虹社区" in matrix and "南岳社区" not in matrix and 'class="cell ok"' in matrix
    assert "东虹社区" not in client.get(f"/standards/assessments/{run.pk}/matrix/?grade=示范").content.decode()
    card = client.get(f"/standards/assessments/{run.pk}/communities/{world.comm_a.code}/").content.decode()
    assert "综合服务设施面积每百户不低于 40 平方米" in card
    assert "100 m² ÷ 2 户" in card, card[card.find("依据"):][:3000]
    assert f"/places/{world.comm_a.code}/" in card  # evidence links to the records


def test_scorecard_pdf_prints_chinese(client, world):
    run = _run(world)
    client.force_login(world.community_worker_a)
    pdf = client.get(f"/standards/assessments/{run.pk}/communities/{world.comm_a.code}/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(pdf.content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "东虹社区 2025 年社区评估记分卡" in text and "综合服务设施面积每百户" in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        font = font.get_object()
        descendant = font.get("/DescendantFonts")
        descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"].get_object()
        assert "CJK" in font["/BaseFont"] and any(k.startswith("/FontFile") for k in descriptor)
    other = client.get(f"/standards/assessments/{run.pk}/communities/{world.comm_b.code}/?format=pdf")
    assert other.status_code == 404


def test_xlsx_export_holds_the_callers_communities_and_is_logged(client, world):
    run = _run(world)
    client.force_login(world.community_worker_a)
    r = client.get(f"/standards/assessments/{run.pk}/matrix/?format=xlsx")
    sheet = load_workbook(BytesIO(r.content))["评估结果"]
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert names == ["东虹社区"]
    assert AccessLog.objects.filter(user=world.community_worker_a, action="export").count() == 1


def test_matrix_queries_do_not_grow_with_communities(client, world, django_assert_max_num_queries):
    run = _run(world)
    client.force_login(world.admin)
    with django_assert_max_num_queries(14):
        assert client.get(f"/standards/assessments/{run.pk}/matrix/").status_code == 200


def test_funding_table_totals_by_street(client, world):
    client.force_login(world.admin)
    page = client.get("/standards/funding/?pack=yixing-2019").content.decode()
    # 宜城街道 (urban, per-100 rule): 2 households → 220 元; 新街街道 also one of the six: 1 household → 110 元
    assert 'data-testid="funding-total">¥330.00<' in page
    r = client.get("/standards/funding/?pack=yixing-2019&format=xlsx")
    sheet = load_workbook(BytesIO(r.content))["按街道汇总"]
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == [220, 110, 330]
    assert AccessLog.objects.filter(user=world.admin, action="export").count() == 1
    assert client.get("/standards/funding/?pack=nowhere").status_code == 404


def test_targets_page_follows_the_periods(client, world):
    for period in (2024, 2025):
        pack = packs.load("yixing-2019")
        assess.run(assess.start(pack=pack, period=period, scope=world.district), pack)
    client.force_login(world.street_officer_a)
    page = client.get("/standards/targets/").content.decode()
    assert "2025 年" in page and "网格化管理覆盖率 100%" in page and 'id="targets-trend"' in page


def test_a_run_whose_process_stopped_says_so(client, world):
    import datetime as dt

    pack = packs.load("yixing-2019")
    run = assess.start(pack=pack, period=2025, scope=world.district)
    AssessmentRun.objects.filter(pk=run.pk).update(started_at=run.started_at - dt.timedelta(hours=1))
    client.force_login(world.admin)
    page = client.get(f"/standards/assessments/{run.pk}/").content.decode()
    assert "评估进程已停止" in page and "hx-trigger" not in page


def test_admin_records_a_street_centre_and_the_street_indicator_reads_it(client, world):
    client.force_login(world.admin)
    r = client.post(f"/places/{world.street_a.code}/facility/", {"service_area_m2": "2100"})
    assert r.status_code == 302
    assert "2100" in client.get(f"/places/{world.street_a.code}/").content.decode()
    run = _run(world)
    from gongzhi.standards.models import Result
    assert Result.objects.get(run=run, place=world.street_a, indicator="street-centre").passed
    client.force_login(world.street_officer_a)  # street officers read the registry but do not edit places
    assert client.post(f"/places/{world.street_a.code}/facility/", {"service_area_m2": "1"}).status_code == 403


def test_results_are_published_for_anyone_by_the_admin_only(client, world):
    Facility.objects.create(community=world.comm_a, service_area_m2=100)
    run = _run(world)
    assert client.get(f"/standards/public/{run.pk}/").status_code == 404  # not published yet
    client.force_login(world.street_officer_a)  # a street does not publish a district's results
    assert client.post(f"/standards/assessments/{run.pk}/publish/").status_code == 403
    client.force_login(world.admin)
    assert client.post(f"/standards/assessments/{run.pk}/publish/").status_code == 302
    client.logout()
    listing = client.get("/standards/public/").content.decode()
    assert "2025 年 · 宜兴市" in listing
    page = client.get(f"/standards/public/{run.pk}/").content.decode()
    assert "东虹社区" in page and "南岳社区" in page and "综合服务设施面积每百户" in page
    for personal in ("张三", "李四", "王五"):  # no person appears
        assert personal not in page
    client.force_login(world.admin)
    client.post(f"/standards/assessments/{run.pk}/publish/", {"publish": "0"})
    client.logout()
    assert client.get(f"/standards/public/{run.pk}/").status_code == 404
