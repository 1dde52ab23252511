"""Import uploads at rest: a directory only the server's user may enter, files only it may read, and
nothing kept past the retention period, whether its job ended, crashed or was abandoned."""
import io
import os
import shutil
import stat
import time
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from gongzhi.core import job_files
from gongzhi.core.models import Job, JobStatus
from gongzhi.core.uploads import private_dir, purge_older_than
from gongzhi.people import import_uploads
from tests import factories as f
from tests.people.test_import import person, write_xlsx


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _age(path: Path, hours: float) -> Path:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return path


def test_the_directory_is_made_private_even_if_it_existed(tmp_path):
    d = tmp_path / "imports"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    assert _mode(private_dir(d)) == 0o700
    assert _mode(private_dir(tmp_path / "new" / "imports")) == 0o700


def test_purge_removes_only_what_is_older_than_the_period(tmp_path):
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"x")
    _age(old, 25)
    young = tmp_path / "young.xlsx"
    young.write_bytes(b"y")
    (tmp_path / "sub").mkdir()
    _age(tmp_path / "sub", 48)
    assert purge_older_than(tmp_path, 24) == [old]
    assert not old.exists() and young.exists() and (tmp_path / "sub").is_dir()
    assert purge_older_than(tmp_path / "missing", 24) == []


def test_a_crashed_jobs_upload_and_report_go_after_the_period(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.UPLOAD_RETENTION_HOURS = 24
    d = import_uploads.import_dir()
    upload = _age(write_xlsx(d / "crashed.xlsx", [person(world)]), 30)
    log = d / "crashed.log"
    log.write_text("已处理 5000 行")
    _age(log, 30)
    report = d / "done.rejected.xlsx"
    report.write_bytes(b"report")
    _age(report, 30)
    fresh = write_xlsx(d / "running.xlsx", [person(world)])
    crashed = Job.objects.create(kind="import_residents", status=JobStatus.RUNNING, input_path=str(upload))
    running = Job.objects.create(kind="import_residents", status=JobStatus.RUNNING, input_path=str(fresh))
    done = Job.objects.create(kind="import_residents", status=JobStatus.DONE, input_path=str(d / "done.xlsx"),
                              result_path=str(report), rejected=1)
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert out.getvalue() == "deleted: 3\n"
    assert sorted(p.name for p in d.iterdir()) == ["running.xlsx"]
    crashed.refresh_from_db()
    running.refresh_from_db()
    done.refresh_from_db()
    assert crashed.status == JobStatus.FAILED and "超过保留期限(24 小时)被删除" in crashed.message
    assert running.status == JobStatus.RUNNING and done.status == JobStatus.DONE


def test_an_expired_report_is_not_found_with_the_reason(client, world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    job = Job.objects.create(kind="import_residents", status=JobStatus.DONE, created_by=world.community_worker_a,
                             rejected=1, input_name="居民.xlsx", result_path=str(tmp_path / "gone.rejected.xlsx"))
    client.force_login(world.community_worker_a)
    r = client.get(f"/people/import/{job.pk}/rejected.xlsx")
    assert r.status_code == 404 and "保留期限" in r.content.decode()


def test_the_page_keeps_its_upload_private_and_sweeps_before_saving(client, world, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    (tmp_path / "imports").mkdir(mode=0o755)
    os.chmod(tmp_path / "imports", 0o755)
    stale = tmp_path / "imports" / "20200101-000000-deadbeef.csv"
    stale.write_text("姓名\n张三\n")
    _age(stale, 72)
    path = write_xlsx(tmp_path / "mine.xlsx", [person(world, id_number=f.id_number())])
    client.force_login(world.community_worker_a)
    r = client.post("/people/import/", {"file": SimpleUploadedFile("居民.xlsx", path.read_bytes())})
    job = Job.objects.get(kind="import_residents", created_by=world.community_worker_a)
    assert r.status_code == 302 and job.task_id  # on the queue, for a worker
    assert job.input_path.startswith("jobs/imports/") and job.input_path.endswith(".xlsx")  # in the storage
    assert _mode(Path(default_storage.path(job.input_path))) == 0o600
    assert _mode(tmp_path / "imports") == 0o700
    assert not stale.exists()  # a file of a job from before the storage, past its period


def test_stored_uploads_past_the_period_go_and_their_jobs_fail(world, settings):
    settings.UPLOAD_RETENTION_HOURS = 24
    old = job_files.save(import_uploads.stored_name("old.xlsx"), ContentFile(b"x"))
    young = job_files.save(import_uploads.stored_name("young.xlsx"), ContentFile(b"y"))
    _age(Path(default_storage.path(old)), 30)
    waiting = Job.objects.create(kind="import_residents", status=JobStatus.QUEUED, input_path=old)
    assert import_uploads.purge() == [old]
    assert not default_storage.exists(old) and default_storage.exists(young)
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.FAILED and "超过保留期限" in waiting.message
    job_files.delete(young)


def test_a_killed_workers_local_copy_goes_after_the_period(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with job_files.scratch("居民.xlsx") as left:  # what a worker killed mid-job leaves behind
        left.write_bytes(b"PK")
        kept = tmp_path / "tmp" / "kept"
        shutil.copytree(left.parent, kept)
    _age(kept, 30)
    with job_files.scratch("running.xlsx") as running:
        running.write_bytes(b"PK")
        import_uploads.purge(hours=24)
        assert running.exists() and not kept.exists()
