"""One storage for every kept file: local disk by default, an S3-compatible store by URL.

The S3 part runs against a real S3-compatible server (moto's standalone server) started on loopback
by the fixture: files are written, read, backed up with their checksums and restored through it."""
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from gongzhi.core import backup
from gongzhi.core.storage import StorageURLError, default_storage_setting


def test_local_disk_by_default_and_by_file_url(tmp_path):
    assert default_storage_setting(None, tmp_path) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert default_storage_setting(f"file://{tmp_path}/m", tmp_path)["OPTIONS"] == {"location": f"{tmp_path}/m"}


def test_s3_url():
    s = default_storage_setting("s3://AK:S%2FK@127.0.0.1:9000/gongzhi/prod?region=cn-east-1&secure=0", Path("/x"))
    assert s["BACKEND"] == "storages.backends.s3.S3Storage"
    o = s["OPTIONS"]
    assert (o["bucket_name"], o["location"], o["endpoint_url"], o["access_key"], o["secret_key"], o["region_name"]) \
        == ("gongzhi", "prod", "http://127.0.0.1:9000", "AK", "S/K", "cn-east-1")
    assert o["default_acl"] is None and o["file_overwrite"] is False
    assert default_storage_setting("s3://bucket-only", Path("/x"))["OPTIONS"]["bucket_name"] == "bucket-only"


@pytest.mark.parametrize("url,message", [("ftp://h/b", "只支持 file:// 或 s3://"), ("s3://AK:secret@h:9000", "缺少存储桶名")])
def test_bad_storage_urls_are_named(url, message):
    with pytest.raises(StorageURLError, match=message) as e:
        default_storage_setting(url, Path("/x"))
    assert "secret" not in str(e.value)


def test_files_through_an_s3_compatible_store_are_backed_up_and_restored(s3_storage, tmp_path):
    storage = s3_storage
    storage.exists("x")
    assert type(storage._wrapped).__name__ == "S3Storage"
    photo = storage.save("workorders/2026/11/照片.jpg", ContentFile(b"\xff\xd8\xff" + os.urandom(500)))
    case = storage.save("cases/2026/case.pdf", ContentFile(b"%PDF-1.4 " + os.urandom(500)))
    again = storage.save("cases/2026/case.pdf", ContentFile(b"%PDF-1.4 other"))
    assert again != case  # never overwrites another upload
    contents = {name: storage.open(name).read() for name in (photo, case, again)}
    upload = storage.save("jobs/imports/20261130-居民.xlsx", ContentFile(b"PK transient"))  # a queued job's

    files = backup.backup_files(tmp_path / "b.files.tar")
    assert {e["name"] for e in files["entries"]} == set(contents) and files["count"] == 3
    backup.check_files(tmp_path / "b", files)
    for name in [*contents, upload]:  # the store is lost
        storage.delete(name)
    assert backup._storage_names(storage) == []
    assert backup.restore_files(tmp_path / "b", files) == 3
    assert {name: storage.open(name).read() for name in contents} == contents
