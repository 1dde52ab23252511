"""Import and export jobs run on the queue (core/jobs.py); their pages cancel them: the owner only,
a queued job at once (it never runs), and the page then says so."""
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from gongzhi.core import jobs
from gongzhi.core.models import Job, JobStatus
from gongzhi.people import exporter
from gongzhi.people.tasks import export_residents, import_residents


def _queued(kind, user, task):
    job = Job.objects.create(kind=kind, created_by=user, input_name="居民.xlsx", input_path="/nonexistent")
    jobs.enqueue(task, job=job)
    return job


def test_the_owner_cancels_a_queued_import_and_it_never_runs(client, world):
    job = _queued("import_residents", world.community_worker_a, import_residents)
    client.force_login(world.community_worker_a)
    page = client.get(f"/people/import/{job.pk}/").content.decode()
    assert 'data-testid="cancel"' in page and "取消导入" in page
    r = client.post(f"/people/import/{job.pk}/", {"cancel": "1"})
    assert r.status_code == 302 and r["Location"] == f"/people/import/{job.pk}/"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.FAILED
    assert jobs.run_pending() == 0
    page = client.get(f"/people/import/{job.pk}/").content.decode()
    assert "已取消" in page and 'data-testid="cancel"' not in page and "hx-trigger" not in page


def test_nobody_else_cancels_a_job(client, world):
    job = _queued("import_residents", world.community_worker_a, import_residents)
    client.force_login(world.community_worker_b)
    assert client.post(f"/people/import/{job.pk}/", {"cancel": "1"}).status_code == 404
    export = _queued(exporter.JOB_KIND, world.community_worker_a, export_residents)
    assert client.post(f"/people/export/{export.pk}/", {"cancel": "1"}).status_code == 404
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.QUEUED}


def test_the_owner_cancels_an_export(client, world):
    job = _queued(exporter.JOB_KIND, world.community_worker_a, export_residents)
    client.force_login(world.community_worker_a)
    assert "取消导出" in client.get(f"/people/export/{job.pk}/").content.decode()
    assert client.post(f"/people/export/{job.pk}/", {"cancel": "1"}).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert "没有生成文件" in client.get(f"/people/export/{job.pk}/").content.decode()
