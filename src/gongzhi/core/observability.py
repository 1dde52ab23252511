"""Request ids, JSON log lines and Prometheus metrics (docs/operations.md "Observability").

- `RequestIdMiddleware` (first in MIDDLEWARE): takes the caller's `X-Request-ID` (a proxy's, if it is
  a plain token of at most 64 characters) or makes one, answers with it, and puts it on every log
  line written while the request runs (`RequestIdFilter`); it also counts the request, its time and
  its database queries for Prometheus.
- `JsonFormatter`: one JSON object per line (time, level, logger, message, request_id, exception).
- Metrics: prometheus-client. Under gunicorn (several worker processes) the values are kept in
  PROMETHEUS_MULTIPROC_DIR (gunicorn_conf.py sets and clears it) and `/metrics` adds them up.
  Figures read from the database (jobs waiting, job durations, import rows/s) are computed when
  `/metrics` is read (`DatabaseCollector`); other modules add theirs with `add_scrape_hook`.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
import uuid
from typing import Callable, Iterable

from django.core.signals import request_finished
from django.db import connections
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from gongzhi.core.logconfig import request_id_var

_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

# -- metrics -----------------------------------------------------------------------------------
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30)
REQUESTS = Counter("gongzhi_http_requests", "HTTP requests answered", ["method", "view", "status"])
LATENCY = Histogram("gongzhi_http_request_duration_seconds", "Time to answer a request", ["method", "view"],
                    buckets=LATENCY_BUCKETS)
QUERIES = Counter("gongzhi_db_queries", "Database queries made while answering requests", ["view"])
QUERIES_PER_REQUEST = Histogram("gongzhi_db_queries_per_request", "Database queries per request", ["view"],
                                buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000))

_scrape_hooks: list[Callable[[], Iterable]] = []


def add_scrape_hook(hook: Callable[[], Iterable]) -> None:
    """`hook()` yields prometheus_client metric families, read afresh at every scrape (e.g. the queue's
    depth from its table)."""
    _scrape_hooks.append(hook)


class DatabaseCollector:
    """Figures that live in the database, so every node reports the same: jobs by status and kind,
    the age of the oldest waiting job, and the rows per second of the last hour's finished imports."""

    def collect(self):
        from django.utils import timezone

        from gongzhi.core.models import Job, JobStatus
        try:
            jobs = GaugeMetricFamily("gongzhi_jobs", "Jobs by status and kind", labels=["status", "kind"])
            from django.db.models import Count, Min
            for row in Job.objects.values("status", "kind").annotate(n=Count("id")).order_by():
                jobs.add_metric([row["status"], row["kind"]], row["n"])
            yield jobs
            oldest = Job.objects.filter(status=JobStatus.QUEUED).aggregate(at=Min("created_at"))["at"]
            yield GaugeMetricFamily("gongzhi_jobs_oldest_waiting_seconds", "Age of the oldest waiting job",
                                    value=(timezone.now() - oldest).total_seconds() if oldest else 0)
            since = timezone.now() - dt.timedelta(hours=1)
            rows = seconds = 0.0
            for processed, created, finished in Job.objects.filter(
                    kind__icontains="import", status=JobStatus.DONE, finished_at__gte=since).values_list(
                    "processed", "created_at", "finished_at"):
                rows += processed or 0
                seconds += max((finished - created).total_seconds(), 0.001)
            yield GaugeMetricFamily("gongzhi_import_rows_per_second",
                                    "Rows per second of the imports finished in the last hour (0: none)",
                                    value=rows / seconds if seconds else 0)
        except Exception:  # the database is down or not migrated: /readyz says so; metrics go on
            logging.getLogger(__name__).warning("metrics: database figures unavailable", exc_info=True)
        try:
            yield from self._queue()
        except Exception:
            logging.getLogger(__name__).warning("metrics: queue figures unavailable", exc_info=True)
        for hook in _scrape_hooks:
            try:
                yield from hook()
            except Exception:
                logging.getLogger(__name__).warning("metrics: scrape hook %r failed", hook, exc_info=True)


    def _queue(self):
        """The task queue (django-tasks-db, core/jobs.py): depth, waiting time, durations, sweep lag."""
        from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Min
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from gongzhi.core.models import Periodic
        now = timezone.now()
        tasks = GaugeMetricFamily("gongzhi_queue_tasks", "Queue tasks by status (READY: the queue depth)",
                                  labels=["status"])
        for row in DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by():
            tasks.add_metric([row["status"]], row["n"])
        yield tasks
        due = DBTaskResult.objects.filter(status="READY", run_after__lte=now).aggregate(at=Min("run_after"))["at"]
        yield GaugeMetricFamily("gongzhi_queue_oldest_due_seconds", "How long the oldest due task has waited",
                                value=(now - due).total_seconds() if due else 0)
        took = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
        avg = GaugeMetricFamily("gongzhi_queue_task_seconds_avg", "Mean run time of tasks finished in the last hour",
                                labels=["task", "status"])
        top = GaugeMetricFamily("gongzhi_queue_task_seconds_max", "Longest run of tasks finished in the last hour",
                                labels=["task", "status"])
        for row in (DBTaskResult.objects.filter(finished_at__gte=now - dt.timedelta(hours=1), started_at__isnull=False)
                    .values("task_path", "status").annotate(avg=Avg(took), top=Max(took)).order_by()):
            labels = [row["task_path"].rsplit(".", 1)[-1], row["status"]]
            avg.add_metric(labels, row["avg"].total_seconds() if row["avg"] is not None else 0)
            top.add_metric(labels, row["top"].total_seconds() if row["top"] is not None else 0)
        yield avg
        yield top
        lag = GaugeMetricFamily("gongzhi_periodic_lag_seconds",
                                "How far past its time periodic work (the overdue sweep) is still not queued",
                                labels=["name"])
        for name, next_at in Periodic.objects.values_list("name", "next_at"):
            lag.add_metric([name], max((now - next_at).total_seconds(), 0))
        yield lag


def exposition() -> bytes:
    """The text for /metrics: every process's request figures (added up under gunicorn), then the
    database's."""
    from prometheus_client import REGISTRY, generate_latest
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return generate_latest(processes) + generate_latest(database)


# -- request ids and per-request figures -------------------------------------------------------
class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestIdMiddleware:
    HEADER = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get(self.HEADER, "")
        rid = given if _VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid
        # set, not reset at the end: Django logs a 4xx/5xx answer after the middleware has returned;
        # request_finished (when the answer is sent) clears it
        request_id_var.set(rid)
        counter = _QueryCounter()
        started = time.perf_counter()
        status = 500
        try:
            with connections["default"].execute_wrapper(counter):
                response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            elapsed = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match is not None and match.view_name else "unmatched"
            REQUESTS.labels(method=request.method if request.method in _METHODS else "other", view=view,
                            status=str(status)).inc()
            LATENCY.labels(method=request.method if request.method in _METHODS else "other", view=view).observe(
                elapsed)
            QUERIES.labels(view=view).inc(counter.count)
            QUERIES_PER_REQUEST.labels(view=view).observe(counter.count)


def _request_finished(**kwargs):
    request_id_var.set("")


request_finished.connect(_request_finished, dispatch_uid="gongzhi.observability.request_id")


_METHODS = {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}
