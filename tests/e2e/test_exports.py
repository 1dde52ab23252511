"""Excel exports in a real browser (zh-CN, phone-sized): the resident list filtered to
独居老人 exports those residents only (it used to export everyone), and a large export
runs in the background — on the job queue, in a real `gongzhi worker` process — while the
page shows a progress bar, then offers the file once."""
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.people import exporter
from gongzhi.people.models import CareTag
from tests import factories as f
from tests.e2e.conftest import login


def _names(download) -> list[str]:
    rows = list(load_workbook(open(download.value.path(), "rb"), read_only=True).worksheets[0]
                .iter_rows(values_only=True))
    return sorted(r[0] for r in rows[1:])


def _alone(w):
    alone = CareTag.objects.get(code="living_alone")
    w.res_a1.care_tags.set([alone])
    for i in range(3):
        f.resident(w.hh_a2, f"独居{i}", relation="20").care_tags.set([alone])
    for i in range(5):
        f.resident(w.hh_a2, f"同住{i}", relation="20")
    return ["张三", "独居0", "独居1", "独居2"]


def _filter_alone(page, live_server):
    page.goto(f"{live_server.url}/people/residents/")
    page.select_option("#tag", "living_alone")
    page.locator("[data-testid=result-count]", has_text="共 4 人").wait_for()


def test_the_filtered_list_exports_what_it_shows(page, live_server, live_world):
    expected = _alone(live_world)
    login(page, live_server, "cw_a")
    _filter_alone(page, live_server)
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    assert _names(download) == expected
    assert "人员标签=独居老人" in AccessLog.objects.get(action="export").detail
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_a_large_export_shows_progress_then_downloads_once(page, live_server, live_world, monkeypatch, queue_worker):
    monkeypatch.setattr(exporter, "BACKGROUND_ROWS", 2)  # the server's threshold: 4 rows is "large" here
    expected = _alone(live_world)
    login(page, live_server, "cw_a")
    _filter_alone(page, live_server)
    page.click("[data-testid=export]")
    page.wait_for_url("**/people/export/*/")
    assert page.locator("[role=progressbar]").count() == 1
    page.wait_for_selector("#progress[data-status=done]", timeout=60000)
    with page.expect_download() as download:
        page.click("[data-testid=download]")
    assert _names(download) == expected
    page.reload()
    assert "文件已下载并从服务器删除" in page.content()
    log = AccessLog.objects.get(action="export")
    assert log.username == "cw_a" and "4 人" in log.detail and "人员标签=独居老人" in log.detail
