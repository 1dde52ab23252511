"""A browser import and a large export whose files live in a shared S3-compatible store (a real one,
moto's server on loopback): the node that takes the upload, the worker that runs the job and the node
that serves the download share nothing but the database and the store. The worker's local data
directory is emptied between the steps to show nothing is read from it."""
import shutil
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gongzhi.core import jobs
from gongzhi.core.models import Job, JobStatus
from gongzhi.people import exporter
from gongzhi.people.models import Resident
from tests import factories as f
from tests.people.test_import import person, write_xlsx


def _forget_local_files(data_dir: Path) -> None:
    """What another node would see of this one's disk: nothing."""
    for child in data_dir.iterdir():
        if child.is_dir():
            shutil.rmtree(child)


def test_an_import_runs_anywhere_its_upload_and_report_are_in_the_store(client, world, s3_storage, settings,
                                                                        tmp_path):
    settings.DATA_DIR = tmp_path / "node"
    settings.DATA_DIR.mkdir()
    good = person(world, id_number=f.id_number(), name="存储导入")
    bad = person(world, id_number="123")  # rejected: the report is written
    path = write_xlsx(tmp_path / "居民.xlsx", [good, bad])
    client.force_login(world.community_worker_a)
    assert client.post("/people/import/", {"file": SimpleUploadedFile("居民.xlsx", path.read_bytes())}).status_code == 302
    job = Job.objects.get(kind="import_residents")
    assert s3_storage.exists(job.input_path)
    _forget_local_files(settings.DATA_DIR)

    assert jobs.run_pending() == 1  # "another node's" worker
    job.refresh_from_db()
    assert (job.status, job.accepted, job.rejected) == (JobStatus.DONE, 1, 1), job.message
    assert Resident.objects.filter(name="存储导入").exists()
    assert not s3_storage.exists(job.input_path)  # the upload goes with its job
    assert job.result_path.startswith("jobs/imports/") and s3_storage.exists(job.result_path)
    _forget_local_files(settings.DATA_DIR)

    report = client.get(f"/people/import/{job.pk}/rejected.xlsx")
    assert report.status_code == 200
    (tmp_path / "report.xlsx").write_bytes(b"".join(report.streaming_content))
    rows = list(load_workbook(tmp_path / "report.xlsx").active.iter_rows(values_only=True))
    assert any("123" in str(cell) for row in rows for cell in row)


def test_a_large_export_is_written_by_any_worker_and_handed_over_once(client, world, s3_storage, settings,
                                                                     tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "node"
    settings.DATA_DIR.mkdir()
    monkeypatch.setattr(exporter, "BACKGROUND_ROWS", 0)  # every export goes to the queue
    client.force_login(world.community_worker_a)
    started = client.get("/people/export/")
    job = Job.objects.get(kind=exporter.JOB_KIND)
    assert started.status_code == 302 and s3_storage.exists(job.input_path)  # the list's filters
    _forget_local_files(settings.DATA_DIR)

    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert not s3_storage.exists(job.input_path) and s3_storage.exists(job.result_path)
    _forget_local_files(settings.DATA_DIR)

    page = client.get(f"/people/export/{job.pk}/").content.decode()
    assert "下载" in page
    download = client.get(f"/people/export/{job.pk}/file.xlsx")
    assert download.status_code == 200
    (tmp_path / "export.xlsx").write_bytes(b"".join(download.streaming_content))
    assert load_workbook(tmp_path / "export.xlsx").active.max_row >= 2
    assert not s3_storage.exists(job.result_path)  # personal data, handed over once
    assert client.get(f"/people/export/{job.pk}/file.xlsx").status_code == 404
