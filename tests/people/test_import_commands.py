import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog, Job, JobStatus
from gongzhi.people.models import Resident
from tests import factories as f
from tests.people.test_import import person, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[2]


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_progress_and_ends_with_the_counts(world, tmp_path):
    rows = [person(world, id_number=f.id_number(), household=f"HC{i}") for i in range(5)] + [person(world, id_number="1")]
    path = write_xlsx(tmp_path / "居民.xlsx", rows)
    out, err = call("import", "residents", str(path), "--chunk-size", "2")
    assert out.splitlines()[-1] == "accepted: 5, rejected: 1"
    report = tmp_path / "居民.rejected.xlsx"
    assert str(report) in out and report.exists()
    assert len(err.strip().splitlines()) == 3 and "已处理 6/6 行" in err


def test_import_with_report_path_and_nothing_rejected(world, tmp_path):
    path = write_csv(tmp_path / "r.csv", [person(world, id_number=f.id_number())])
    out, _ = call("import", "residents", str(path), "--report", str(tmp_path / "bad.xlsx"))
    assert out.splitlines() == ["accepted: 1, rejected: 0"] and not (tmp_path / "bad.xlsx").exists()
    out, _ = call("import", "residents", str(path))
    assert out.splitlines()[-1] == "accepted: 1, rejected: 0"


def test_import_report_option(world, tmp_path):
    path = write_csv(tmp_path / "r.csv", [person(world, id_number="x")])
    out, _ = call("import", "residents", str(path), "--report", str(tmp_path / "bad.xlsx"))
    assert out.splitlines()[-1] == "accepted: 0, rejected: 1"
    assert load_workbook(tmp_path / "bad.xlsx").active.max_row == 2


@pytest.mark.parametrize("args,message", [
    (["residents", "/nonexistent/r.xlsx"], "找不到文件"),
    (["people", "r.xlsx"], "只能导入 residents"),
    (["residents", "r.xlsx", "--job", "999999"], "找不到任务"),
])
def test_import_command_errors(db, args, message):
    with pytest.raises(CommandError, match=message):
        call("import", *args)


def test_import_command_missing_column(world, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [person(world)], headers=["姓名", "公民身份号码"])
    with pytest.raises(CommandError, match="缺少必填列: 民族、户号"):
        call("import", "residents", str(path))


def test_import_for_a_job_uses_its_creators_scope(world, tmp_path):
    rows = [person(world, id_number=f.id_number()),
            person(world, id_number=f.id_number(), household="HB9", community=world.comm_b.code,
                   grid=world.grid_b1.code)]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    job = Job.objects.create(kind="import_residents", created_by=world.community_worker_a, input_path=str(path))
    out, _ = call("import", "residents", str(path), "--job", str(job.pk))
    assert out.splitlines()[-1] == "accepted: 1, rejected: 1"
    job.refresh_from_db()
    assert (job.status, job.processed, job.accepted, job.rejected) == (JobStatus.DONE, 2, 1, 1)
    assert job.result_path == str(tmp_path / "r.rejected.xlsx")
    assert Resident.objects.filter(household__number="HNEW1").get().history.get().history_user == \
        world.community_worker_a


def test_import_for_a_job_whose_creator_may_not_import(world, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [person(world)])
    job = Job.objects.create(kind="import_residents", created_by=world.grid_worker_a1)
    with pytest.raises(CommandError, match="权限"):
        call("import", "residents", str(path), "--job", str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_export_command_writes_unmasked_and_logs(world, tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "ops")
    out, _ = call("export", "residents", str(tmp_path / "all.xlsx"))
    assert out.splitlines()[-1] == "exported: 3"
    rows = list(load_workbook(tmp_path / "all.xlsx").active.iter_rows(values_only=True))
    assert "*" not in "".join(r[1] for r in rows[1:])
    log = AccessLog.objects.get(action="export")
    assert log.username == "ops" and log.user is None and "未脱敏" in log.detail


def test_export_command_scope_and_errors(world, tmp_path, monkeypatch):
    monkeypatch.delenv("USER", raising=False)
    out, _ = call("export", "residents", str(tmp_path / "b.xlsx"), "--scope", world.comm_b.code)
    assert out.splitlines()[-1] == "exported: 1"
    assert AccessLog.objects.get(action="export").username == "system"
    with pytest.raises(CommandError, match="找不到代码为 999"):
        call("export", "residents", str(tmp_path / "c.xlsx"), "--scope", "999")
    with pytest.raises(CommandError, match="只能导出 residents"):
        call("export", "households", str(tmp_path / "c.xlsx"))


def test_the_console_command_end_to_end(tmp_path):
    """Through the installed `gongzhi` script, on a database of its own."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GONGZHI_DATA_DIR"] = str(tmp_path / "data")
    gongzhi = str(Path(sys.executable).with_name("gongzhi"))
    subprocess.run([gongzhi, "migrate", "-v0"], env=env, check=True, cwd=tmp_path, timeout=300)
    rows = [{"姓名": "张三", "公民身份号码": "320282198005170011", "民族": "汉族", "户号": "H1", "与户主关系": "户主",
             "社区代码": "320282001001", "网格编号": "320282001001001", "居住状态": "户籍人口"}]
    path = write_csv(tmp_path / "r.csv", rows)
    done = subprocess.run([gongzhi, "import", "residents", str(path)], env=env, capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "accepted: 0, rejected: 1"  # no such community in an empty database
    missing = subprocess.run([gongzhi, "import", "residents", str(tmp_path / "nope.xlsx")], env=env,
                             capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert missing.returncode == 1 and "找不到文件" in missing.stderr and "file not found" in missing.stderr
