"""A large case book is typeset on the job queue (standards/case_book.py), the way the elections' roll
board is: the page shows its state, the organiser who asked downloads it once, nobody else sees the job,
a failed typesetting says why in Chinese, and a post taken away before the worker runs it refuses it.
A small book still comes at once (tests/standards/test_cases.py)."""
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from gongzhi.core import job_files, jobs
from gongzhi.core.models import Job
from gongzhi.core.scope import Scope
from gongzhi.standards import case_book, cases
from gongzhi.standards.manifest import ORGANISE_CASES, SUBMIT_CASES
from gongzhi.standards.models import CaseState
from tests.standards.test_cases import REAL_PNG, TEXT, call  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _text(body: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(BytesIO(body)).pages)


@pytest.fixture
def selected(world, call, settings, tmp_path):  # noqa: F811
    """One case of community A with a photo, selected for the book."""
    settings.MEDIA_ROOT = tmp_path
    case = cases.case_submit(call=call, scope=Scope.for_user_capability(world.street_officer_a, SUBMIT_CASES),
                             place=world.comm_a, title="院落议事会", topic="健全基层协商民主机制", text=TEXT,
                             by=world.street_officer_a,
                             files=[SimpleUploadedFile("现场.png", REAL_PNG, content_type="image/png")])
    organiser = Scope.for_user_capability(world.admin, ORGANISE_CASES)
    cases.case_move(case=case, scope=organiser, state=CaseState.SHORTLISTED, version=1)
    return cases.case_move(case=case, scope=organiser, state=CaseState.SELECTED, version=2)


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(case_book, "BACKGROUND_SECONDS", 0)  # every book counts as large


def test_a_large_book_is_typeset_on_the_queue_and_handed_over_once(client, world, call, selected, large):  # noqa: F811
    client.force_login(world.admin)
    inline = _text(cases.compile_pdf(call=call, scope=Scope.for_user_capability(world.admin, ORGANISE_CASES)))
    r = client.get(f"/standards/cases/{call.pk}/book.pdf")
    job = Job.objects.get(kind=case_book.JOB_KIND)
    assert r.status_code == 302 and r["Location"] == f"/standards/cases/book/{job.pk}/"
    assert job.created_by == world.admin and job.total == 1 and job.input_name == f"{call.title}-案例汇编.pdf"
    # a second click while it waits re-uses the job
    assert client.get(f"/standards/cases/{call.pk}/book.pdf")["Location"] == r["Location"]
    assert Job.objects.filter(kind=case_book.JOB_KIND).count() == 1
    page = client.get(r["Location"]).content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 2s"' in page and "约需" in page
    assert f"/standards/cases/{call.pk}/" in page  # the way back to the call
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.accepted == 1 and not job_files.exists(job.input_path)
    fragment = client.get(r["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and f"/standards/cases/book/{job.pk}/download/" in fragment
    # another organiser of the same district sees no job; a street officer may not organise at all
    from tests.factories import user
    client.force_login(user("admin2", "admin", world.district))
    assert client.get(r["Location"]).status_code == 404
    assert client.get(f"/standards/cases/book/{job.pk}/download/").status_code == 404
    client.force_login(world.street_officer_a)
    assert client.get(r["Location"]).status_code == 403
    assert client.get(f"/standards/cases/book/{job.pk}/download/").status_code == 403
    client.force_login(world.admin)
    r = client.get(f"/standards/cases/book/{job.pk}/download/")
    body = b"".join(r.streaming_content)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"] and ".pdf" in r["Content-Disposition"]
    assert body.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(body))
    text = _text(body)
    assert "案例汇编" in text and "院落议事会" in text and "议事会每月召开一次" in text
    assert text == inline  # the same book as one typeset in the request
    assert len({img.name for page in reader.pages for img in page.images}) == 1
    assert client.get(f"/standards/cases/book/{job.pk}/download/").status_code == 404  # once
    assert "文件已下载" in client.get(f"/standards/cases/book/{job.pk}/").content.decode()
    # the file is gone: a new click queues a new book
    assert client.get(f"/standards/cases/{call.pk}/book.pdf").status_code == 302
    assert Job.objects.filter(kind=case_book.JOB_KIND).count() == 2


def test_nothing_selected_queues_nothing(client, world, call, large):  # noqa: F811
    client.force_login(world.admin)
    r = client.get(f"/standards/cases/{call.pk}/book.pdf", follow=True)
    assert r.redirect_chain == [(f"/standards/cases/{call.pk}/", 302)]
    assert cases.ERR_NOTHING_SELECTED in r.content.decode() and not Job.objects.exists()
    client.force_login(world.street_officer_a)  # the book is the organiser's, as before
    assert client.get(f"/standards/cases/{call.pk}/book.pdf").status_code == 403 and not Job.objects.exists()


def test_a_failed_typesetting_says_why_in_chinese(client, world, call, selected, large, monkeypatch):  # noqa: F811
    def broken(**kwargs):
        raise RuntimeError("no font")
    monkeypatch.setattr(cases, "render_book", broken)
    client.force_login(world.admin)
    location = client.get(f"/standards/cases/{call.pk}/book.pdf")["Location"]
    assert jobs.run_pending() == 1
    job = Job.objects.get(kind=case_book.JOB_KIND)
    assert job.status == "failed" and job.message.startswith("生成案例汇编 PDF 失败:排版出错(no font)")
    page = client.get(location).content.decode()
    assert 'role="alert">生成案例汇编 PDF 失败' in page and "hx-trigger" not in page
    assert client.get(f"/standards/cases/book/{job.pk}/download/").status_code == 404
    assert not job_files.exists(job.result_path) and not job_files.exists(job.input_path)
    assert jobs.run_pending() == 0  # the same cases would fail the same way: not retried


def test_a_post_taken_away_before_the_worker_runs_refuses_the_job(client, world, call, selected, large):  # noqa: F811
    from gongzhi.accounts.models import RoleAssignment
    client.force_login(world.admin)
    client.get(f"/standards/cases/{call.pk}/book.pdf")
    RoleAssignment.objects.filter(user=world.admin).delete()
    jobs.run_pending()
    job = Job.objects.get(kind=case_book.JOB_KIND)
    # still the call's expert, so the call is found, but no longer its organiser
    assert job.status == "failed" and job.message == case_book.ERR_FAILED.format(error=cases.ERR_ORGANISER)
    assert not job_files.exists(job.result_path)


def test_which_books_go_on_the_queue():
    def case(chars, *photos):
        files = [SimpleNamespace(content_type="image/jpeg", size=size) for size in photos]
        files.append(SimpleNamespace(content_type="application/pdf", size=30 * 2**20))  # travels beside the book
        return SimpleNamespace(text="字" * chars, attachments=SimpleNamespace(all=lambda: files))
    few = [case(2000, 3 * 2**20) for _ in range(10)]  # about 0.9 s, 30 MB of photos
    assert not case_book.queued(few) and case_book.estimate(few) < 1
    plain = [case(2000, 2**20) for _ in range(40)]  # about 2.6 s, 40 MB
    assert not case_book.queued(plain)
    assert case_book.queued([case(2000, 3 * 2**20, 3 * 2**20) for _ in range(25)])  # 2.2 s, but 150 MB of photos
    assert case_book.queued([case(2000) for _ in range(80)])  # long: about 3.2 s
    assert case_book.queued([case(20000) for _ in range(10)])  # few cases, but long ones
    assert case_book.queued([case(2000, 9 * 2**20, 9 * 2**20, 9 * 2**20) for _ in range(2)])  # 54 MB of photos
