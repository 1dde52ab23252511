"""Health and readiness, Prometheus metrics (who may read them, what they count), and JSON log lines
that carry the request's id."""
import io
import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client

from gongzhi.core import health
from gongzhi.core.logconfig import JsonFormatter, RequestIdFilter


def test_health_and_readiness_say_nothing_personal(client, db):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "cache": "ok"}}
    assert "no-cache" in answer["Cache-Control"]


def test_readiness_fails_when_the_cache_does_not_answer(client, db, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 10.0.0.7:6379")
    monkeypatch.setattr(cache, "set", down)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["cache"] == "error: ConnectionError"
    assert "10.0.0.7" not in answer.content.decode()  # the kind of failure, not where the server is


def test_readiness_fails_when_migrations_are_missing(client, db, monkeypatch):
    monkeypatch.setattr(health, "_MIGRATIONS_APPLIED", False)
    from django.db.migrations.executor import MigrationExecutor
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)] * 2)
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["checks"]["migrations"] == "2 unapplied"


def test_metrics_from_this_machine_count_requests_latencies_and_queries(client, db):
    client.get("/readyz")
    client.get("/readyz")
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
    text = answer.content.decode()
    assert 'gongzhi_http_requests_total{method="GET",status="200",view="core:readyz"}' in text
    assert 'gongzhi_http_request_duration_seconds_bucket{le="0.3",method="GET",view="core:readyz"}' in text
    queries = [line for line in text.splitlines() if line.startswith('gongzhi_db_queries_total{view="core:readyz"}')]
    assert queries and float(queries[0].split()[-1]) >= 2  # SELECT 1 on each of two readiness checks
    assert "gongzhi_jobs_oldest_waiting_seconds" in text and "gongzhi_import_rows_per_second" in text
    assert "gongzhi_queue_oldest_due_seconds" in text


def test_metrics_show_the_queue_depth_and_the_sweep_lag(client, db):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.core.models import Periodic
    from tests.core.queue_tasks import probe
    probe.enqueue()
    probe.enqueue()  # two tasks waiting, no worker
    Periodic.objects.update_or_create(name="overdue-sweep", defaults={"next_at": timezone.now() - dt.timedelta(
        seconds=90)})
    text = client.get("/metrics").content.decode()
    assert 'gongzhi_queue_tasks{status="READY"} 2.0' in text
    lag = [line for line in text.splitlines() if line.startswith('gongzhi_periodic_lag_seconds{name="overdue-sweep"}')]
    assert lag and 89 <= float(lag[0].split()[-1]) < 200


def test_metrics_refuse_a_caller_through_a_proxy_or_from_elsewhere(client, db):
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    assert Client(REMOTE_ADDR="192.0.2.10").get("/metrics").status_code == 403


def test_metrics_with_a_token_need_that_token(client, db, settings):
    settings.GONGZHI_METRICS_TOKEN = "s3cret-scraper-token"
    assert client.get("/metrics").status_code == 403  # from this machine, but without the token
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    far = Client(REMOTE_ADDR="192.0.2.10")
    answer = far.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")
    assert answer.status_code == 200 and b"gongzhi_http_requests_total" in answer.content


def test_every_log_line_of_a_request_carries_its_id(client, db):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        given = client.get("/no-such-page/", HTTP_X_REQUEST_ID="lb-7f3a9c")
        made = client.get("/no-such-page/", HTTP_X_REQUEST_ID="not a valid id; <script>")
    finally:
        logger.removeHandler(handler)
    assert given["X-Request-ID"] == "lb-7f3a9c"
    assert made["X-Request-ID"] != "not a valid id; <script>" and len(made["X-Request-ID"]) == 32
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == ["lb-7f3a9c", made["X-Request-ID"]]
    assert lines[0]["level"] == "WARNING" and "/no-such-page/" in lines[0]["message"]


def test_the_configured_logging_writes_json_lines_with_the_request_id(settings):
    console = settings.LOGGING["handlers"]["console"]
    assert console["formatter"] == "json" and "request_id" in console["filters"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_both_log_formats_render(fmt):
    from gongzhi.core.logconfig import logging_config
    config = logging_config(fmt, "INFO")
    assert config["handlers"]["console"]["formatter"] == fmt
