"""Uploads: an import file over the limit is refused with a clear message; what the page keeps
is readable by the server's user only, and the uploaded file is gone when its job ends."""
import stat

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from gongzhi.core.models import Job
from gongzhi.people.forms import ImportForm
from tests import factories as f
from tests.people.test_import import person, write_xlsx


def test_an_oversized_import_is_refused_with_the_reason(settings):
    settings.IMPORT_MAX_BYTES = 2**20
    form = ImportForm(files={"file": SimpleUploadedFile("大表.xlsx", b"x" * (2**20 + 2**19))})
    assert not form.is_valid()
    assert "大表.xlsx 有 1.5 MB,超过 1 MB 的上限" in str(form.errors["file"])


def test_a_jobs_upload_is_deleted_and_its_report_is_private(world, tmp_path):
    upload = write_xlsx(tmp_path / "upload.xlsx", [person(world, id_number=f.id_number()), person(world, id_number="1")])
    report = tmp_path / "upload.rejected.xlsx"
    job = Job.objects.create(kind="import_residents", created_by=world.community_worker_a, input_name="居民.xlsx",
                             input_path=str(upload), result_path=str(report))
    call_command("import", "residents", str(upload), "--job", str(job.pk), "--report", str(report))
    assert not upload.exists()
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_a_file_named_on_the_command_line_is_left_alone(world, tmp_path):
    path = write_xlsx(tmp_path / "mine.xlsx", [person(world, id_number=f.id_number())])
    call_command("import", "residents", str(path))
    assert path.exists()
