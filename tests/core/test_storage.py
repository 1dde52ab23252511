"""One storage for every kept file: local disk by default, an S3-compatible store by URL.

The S3 part runs against a real S3-compatible server (moto's standalone server) started on loopback
by the fixture: files are written, read, backed up with their checksums and restored through it."""
import os
import socket
import subprocess
import sys
import time
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


@pytest.fixture(scope="module")
def s3_server():
    server = Path(sys.executable).with_name("moto_server")
    if not server.exists():
        pytest.fail("moto_server is missing: pip install 'moto[server]' (a test dependency in pyproject.toml)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("moto_server did not start")
                time.sleep(0.2)
        import boto3
        boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="test",
                     aws_secret_access_key="test", region_name="us-east-1").create_bucket(Bucket="gongzhi")
        yield f"s3://test:test@127.0.0.1:{port}/gongzhi/node?region=us-east-1&secure=0"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def s3_storage(s3_server, settings):
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_setting(s3_server, Path("/unused"))}
    from django.core.files.storage import default_storage
    yield default_storage
    for name in backup._storage_names(default_storage):
        default_storage.delete(name)


def test_files_through_an_s3_compatible_store_are_backed_up_and_restored(s3_storage, tmp_path):
    storage = s3_storage
    storage.exists("x")
    assert type(storage._wrapped).__name__ == "S3Storage"
    photo = storage.save("workorders/2026/11/照片.jpg", ContentFile(b"\xff\xd8\xff" + os.urandom(500)))
    case = storage.save("cases/2026/case.pdf", ContentFile(b"%PDF-1.4 " + os.urandom(500)))
    again = storage.save("cases/2026/case.pdf", ContentFile(b"%PDF-1.4 other"))
    assert again != case  # never overwrites another upload
    contents = {name: storage.open(name).read() for name in (photo, case, again)}

    files = backup.backup_files(tmp_path / "b.files.tar")
    assert {e["name"] for e in files["entries"]} == set(contents) and files["count"] == 3
    backup.check_files(tmp_path / "b", files)
    for name in contents:  # the store is lost
        storage.delete(name)
    assert backup._storage_names(storage) == []
    assert backup.restore_files(tmp_path / "b", files) == 3
    assert {name: storage.open(name).read() for name in contents} == contents
