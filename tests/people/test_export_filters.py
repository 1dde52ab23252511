"""The resident list's Excel export holds exactly the rows the filtered list shows
(it used to ignore the filters: 独居老人 → 281 shown, 7,564 exported), within the
places of the posts that may export; large exports run as a job with a progress bar."""
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog, Job
from gongzhi.core.scope import Scope
from gongzhi.people import export_views, exporter, selectors, services
from gongzhi.people.manifest import VIEW_PEOPLE
from gongzhi.people.models import CareTag, Resident
from tests import factories as f


def rows_of(body: bytes) -> list[dict]:
    rows = list(load_workbook(BytesIO(body), read_only=True).worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def plain_id(resident) -> str:
    return services.resident_reveal(resident=resident)["id_number"]


def download(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxml")
    return b"".join(response.streaming_content)


@pytest.fixture
def tagged(world):
    """Community A: 张三 and six more live alone; 李四 and ten more do not."""
    alone = CareTag.objects.get(code="living_alone")
    world.res_a1.care_tags.set([alone])
    for i in range(6):
        f.resident(world.hh_a1, f"独居{i}", relation="20").care_tags.set([alone])
    for i in range(10):
        f.resident(world.hh_a2, f"居民{i}", relation="20")
    world.res_b1.care_tags.set([alone])  # community B: never in A's export
    return world


def listed_names(client, query: str) -> set[str]:
    """The names the list page shows for `query` (every page)."""
    ids = list(selectors.residents_from_query(
        scope=Scope.for_user_capability(client.user, VIEW_PEOPLE), params=_qd(query)).values_list("id", flat=True))
    response = client.get(f"/people/residents/?{query}")
    assert response.status_code == 200
    shown = response.context["page"].paginator.count
    assert shown == len(ids)
    return set(Resident.objects.filter(pk__in=ids).values_list("name", flat=True))


def _qd(query):
    from django.http import QueryDict
    return QueryDict(query)


@pytest.fixture
def cw_client(client, tagged):
    client.force_login(tagged.community_worker_a)
    client.user = tagged.community_worker_a
    return client


@pytest.mark.parametrize("query", ["tag=living_alone", "", "status=", "q=独居", "residence=registered&tag=living_alone",
                                   "q=zs", "tag=low_income"])
def test_the_export_holds_exactly_the_rows_the_filtered_list_shows(cw_client, query):
    names = listed_names(cw_client, query)
    exported = rows_of(download(cw_client.get(f"/people/export/?{query}")))
    assert sorted(r["姓名"] for r in exported) == sorted(names)
    assert "王五" not in names


def test_filter_alone_exports_seven_not_everyone(cw_client):
    """The reported case: the filter 独居老人 shows 7, the export held all 18."""
    page = cw_client.get("/people/residents/?tag=living_alone")
    assert page.context["page"].paginator.count == 7
    assert len(rows_of(download(cw_client.get("/people/export/?tag=living_alone")))) == 7


def test_the_list_links_the_export_with_its_query_string(cw_client):
    html = cw_client.get("/people/residents/?tag=living_alone&page=1", HTTP_HX_REQUEST="true").content.decode()
    assert 'href="/people/export/?tag=living_alone"' in html  # the page number is left out
    assert 'action="/people/export/?tag=living_alone"' in html  # the unmasked export too


def test_the_access_log_names_the_filter_and_the_count(cw_client, tagged):
    download(cw_client.get("/people/export/?tag=living_alone&residence=registered"))
    log = AccessLog.objects.get(action="export")
    assert log.user == tagged.community_worker_a
    assert log.detail == (exporter.DETAIL.format(count=7, mode=exporter.MASKED)
                          + exporter.FILTERED.format(filter="状态=在册;居住状态=户籍人口;人员标签=独居老人"))


def test_a_whole_id_number_in_the_filter_is_not_written_to_the_log(cw_client, tagged):
    number = f.id_number()
    download(cw_client.get(f"/people/export/?q={number}"))
    log = AccessLog.objects.get(action="export")
    assert number not in log.detail and "完整号码(18 位)" in log.detail


def test_unmasked_export_keeps_the_filter(cw_client, tagged):
    body = download(cw_client.post("/people/export/?tag=living_alone", {"unmasked": "1"}))
    rows = rows_of(body)
    assert len(rows) == 7
    zhang = next(r for r in rows if r["姓名"] == "张三")
    assert zhang["公民身份号码"] == plain_id(tagged.res_a1) and "*" not in zhang["公民身份号码"]
    assert AccessLog.objects.get(action="export").detail.startswith(
        exporter.DETAIL.format(count=7, mode=exporter.UNMASKED))


def test_a_user_with_two_posts_exports_only_where_a_post_may_export(client, tagged):
    """A street officer of A who is also grid worker of B1: the list shows B1's people (the grid
    post may view them), the export holds only street A's (a grid post may not export)."""
    user = f.user_with_posts("two_posts", ("street", tagged.street_a, ""), ("grid", tagged.grid_b1, ""))
    client.force_login(user)
    listed = client.get("/people/residents/?tag=living_alone")
    assert "王五" in listed.content.decode()
    rows = rows_of(download(client.get("/people/export/?tag=living_alone")))
    assert len(rows) == 7 and "王五" not in {r["姓名"] for r in rows}
    assert AccessLog.objects.get(action="export").target == f"{tagged.street_a.name}({tagged.street_a.code})"


def test_formula_like_names_stay_text(cw_client, tagged):
    Resident.objects.filter(pk=tagged.res_a1.pk).update(name='=HYPERLINK("http://x.example","点我")')
    body = download(cw_client.get("/people/export/?tag=living_alone"))
    sheet = load_workbook(BytesIO(body)).worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


def test_no_query_per_row(cw_client, tagged, django_assert_max_num_queries):
    for i in range(60):
        f.resident(tagged.hh_a2, f"多{i}", relation="20").care_tags.set([CareTag.objects.get(code="living_alone")])
    with django_assert_max_num_queries(16):  # session, user, posts, count, tags, rows, log: not 67 rows
        rows = rows_of(download(cw_client.get("/people/export/?tag=living_alone")))
    assert len(rows) == 67


def test_refused_without_the_capability(client, tagged):
    client.force_login(tagged.grid_worker_a1)
    assert client.get("/people/export/").status_code == 403
    client.force_login(tagged.street_officer_a)
    assert client.post("/people/export/", {"unmasked": "1"}).status_code == 403
    assert not AccessLog.objects.filter(action="export").exists()


# -- large exports: a job with a progress bar ---------------------------------------------------

@pytest.fixture
def in_process(monkeypatch):
    """Run the queued export job at once, in this process (a `gongzhi worker` runs it in production)."""
    from gongzhi.core import jobs
    monkeypatch.setattr(exporter, "BACKGROUND_ROWS", 5)
    launch = export_views._launch
    monkeypatch.setattr(export_views, "_launch", lambda job: (launch(job), jobs.run_pending()))


def test_a_large_export_runs_as_a_job_and_shows_progress(cw_client, tagged, in_process):
    response = cw_client.get("/people/export/?tag=living_alone")
    job = Job.objects.get(kind=exporter.JOB_KIND)
    assert response.status_code == 302 and response["Location"] == f"/people/export/{job.pk}/"
    assert job.created_by == tagged.community_worker_a and job.status == "done" and job.accepted == 7
    page = cw_client.get(f"/people/export/{job.pk}/")
    assert 'role="progressbar"' in page.content.decode() and 'aria-valuenow="100"' in page.content.decode()
    fragment = cw_client.get(f"/people/export/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and f"/people/export/{job.pk}/file.xlsx" in fragment
    assert sorted(r["姓名"] for r in rows_of(download(cw_client.get(f"/people/export/{job.pk}/file.xlsx")))) \
        == sorted(listed_names(cw_client, "tag=living_alone"))
    # downloaded once, then gone from the server
    assert cw_client.get(f"/people/export/{job.pk}/file.xlsx").status_code == 404
    log = AccessLog.objects.get(action="export")
    assert log.user == tagged.community_worker_a and "人员标签=独居老人" in log.detail and "7 人" in log.detail


def test_a_running_job_polls(cw_client, tagged, in_process, monkeypatch):
    monkeypatch.setattr(export_views, "_launch", lambda job: None)  # still queued
    cw_client.get("/people/export/")
    job = Job.objects.get(kind=exporter.JOB_KIND)
    Job.objects.filter(pk=job.pk).update(status="running", processed=6, total=12)
    fragment = cw_client.get(f"/people/export/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "6 / 12" in fragment and 'aria-valuenow="50"' in fragment
    assert cw_client.get(f"/people/export/{job.pk}/file.xlsx").status_code == 404


def test_an_unmasked_job_is_checked_again_and_jobs_are_private(client, tagged, in_process):
    client.force_login(tagged.community_worker_a)
    assert client.post("/people/export/?tag=living_alone", {"unmasked": "1"}).status_code == 302
    job = Job.objects.get(kind=exporter.JOB_KIND)
    client.force_login(tagged.community_worker_b)
    assert client.get(f"/people/export/{job.pk}/").status_code == 404
    assert client.get(f"/people/export/{job.pk}/file.xlsx").status_code == 404
    client.force_login(tagged.community_worker_a)
    rows = rows_of(download(client.get(f"/people/export/{job.pk}/file.xlsx")))
    assert next(r for r in rows if r["姓名"] == "张三")["公民身份号码"] == plain_id(tagged.res_a1)


def test_a_job_whose_user_lost_the_right_fails_with_the_reason(cw_client, tagged, monkeypatch):
    monkeypatch.setattr(exporter, "BACKGROUND_ROWS", 5)
    monkeypatch.setattr(export_views, "_launch", lambda job: None)
    cw_client.get("/people/export/")
    job = Job.objects.get(kind=exporter.JOB_KIND)
    tagged.community_worker_a.assignments.update(role="grid")  # no export right any more
    with pytest.raises(Exception):
        call_command("export", "residents", "--job", str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and exporter.ERR_NO_EXPORT in job.message
    assert not AccessLog.objects.filter(action="export").exists()


def test_files_never_downloaded_are_purged(cw_client, tagged, in_process, monkeypatch):
    import os
    import time

    from gongzhi.core import exports
    cw_client.get("/people/export/")
    job = Job.objects.get(kind=exporter.JOB_KIND)
    old = time.time() - (exports.KEEP_HOURS + 1) * 3600
    from django.core.files.storage import default_storage
    os.utime(default_storage.path(job.result_path), (old, old))  # the local storage of the tests
    assert exports.purge_stale() == 1
    response = cw_client.get(f"/people/export/{job.pk}/file.xlsx")
    assert response.status_code == 404
    page = cw_client.get(f"/people/export/{job.pk}/").content.decode()
    assert "已超过 24 小时" in page


def test_the_list_says_when_an_export_will_run_in_the_background(cw_client, tagged, monkeypatch):
    assert "将在后台生成" not in cw_client.get("/people/residents/").content.decode()
    monkeypatch.setattr(exporter, "BACKGROUND_ROWS", 5)
    assert "将在后台生成并显示进度" in cw_client.get("/people/residents/").content.decode()
