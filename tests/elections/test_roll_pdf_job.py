"""A long roll's board is typeset on the job queue: the page shows its state, the owner downloads it once
(written to the access log), nobody else sees the job, and a post taken away before the worker runs it
refuses it."""
from io import BytesIO

import pytest
from pypdf import PdfReader

from gongzhi.core import jobs
from gongzhi.core.models import AccessLog, Job
from gongzhi.elections import pdf
from tests.elections.helpers import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_roll(monkeypatch, world):
    monkeypatch.setattr(pdf, "ROLL_PDF_BACKGROUND", 5)  # the helper's roll has 12 voters
    return published(world)


def test_a_long_roll_is_typeset_on_the_queue_and_handed_over_once(client, world, long_roll):
    e = long_roll
    client.force_login(world.community_worker_a)
    r = client.get(f"/elections/{e.pk}/roll.pdf")
    job = Job.objects.get(kind=pdf.JOB_KIND)
    assert r.status_code == 302 and r["Location"] == f"/elections/pdf/{job.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert 'data-status="queued"' in page
    assert 'hx-trigger="every 2s"' in page and "约需" in page
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.accepted == e.voters
    fragment = client.get(f"/elections/pdf/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and f"/elections/pdf/{job.pk}/download/" in fragment
    # someone else, even of the same community, sees no job
    client.force_login(world.street_officer_a)
    assert client.get(f"/elections/pdf/{job.pk}/").status_code == 404
    assert client.get(f"/elections/pdf/{job.pk}/download/").status_code == 404
    client.force_login(world.community_worker_a)
    r = client.get(f"/elections/pdf/{job.pk}/download/")
    body = b"".join(r.streaming_content)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(body))
    assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == (842, 1191)
    assert "选民0" in "".join(p.extract_text() for p in reader.pages)
    assert AccessLog.objects.filter(user=world.community_worker_a, detail="选民名单 PDF").exists()
    assert client.get(f"/elections/pdf/{job.pk}/download/").status_code == 404  # once
    assert "文件已下载" in client.get(f"/elections/pdf/{job.pk}/").content.decode()


def test_a_post_taken_away_before_the_worker_runs_refuses_the_job(client, world, long_roll):
    from gongzhi.accounts.models import RoleAssignment
    client.force_login(world.community_worker_a)
    client.get(f"/elections/{long_roll.pk}/roll.pdf")
    RoleAssignment.objects.filter(user=world.community_worker_a).delete()
    jobs.run_pending()
    job = Job.objects.get(kind=pdf.JOB_KIND)
    assert job.status == "failed" and "生成选民名单 PDF 失败" in job.message
    from gongzhi.core import job_files
    assert not job_files.exists(job.result_path)
