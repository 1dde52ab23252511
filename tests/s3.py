"""A real S3-compatible store for the tests that need one: moto's standalone server started on
loopback (`s3_server`, one per test module) and the platform's default storage pointed at it for
one test (`s3_storage`, emptied afterwards). Registered in tests/conftest.py."""
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gongzhi.core import backup
from gongzhi.core.storage import default_storage_setting


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
