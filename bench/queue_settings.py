"""A minimal Django for bench/queue_bench.py: one queue (BENCH_QUEUE=tasks|q2) on one database
(BENCH_DB: a SQLite path or a postgres:// URL). Not the platform's settings: the queues are compared
on the same footing, with nothing else installed."""
import os

import dj_database_url

SECRET_KEY = "bench"
USE_TZ = True
QUEUE = os.environ.get("BENCH_QUEUE", "tasks")
_db = os.environ.get("BENCH_DB", "/tmp/queue-bench.sqlite3")
if _db.startswith(("postgres", "pgsql")):
    DATABASES = {"default": dj_database_url.parse(_db, conn_max_age=60)}  # as the platform's settings
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": _db, "OPTIONS": {
        "transaction_mode": "IMMEDIATE", "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}}
INSTALLED_APPS = ["django.contrib.contenttypes"]
if QUEUE == "tasks":
    INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    INSTALLED_APPS += ["django_q"]
    Q_CLUSTER = {"name": "bench", "orm": "default", "workers": int(os.environ.get("BENCH_Q2_WORKERS", "1")),
                 "timeout": 20, "retry": int(os.environ.get("BENCH_Q2_RETRY", "30")), "max_attempts": 3,
                 "poll": 0.2, "catch_up": False, "ack_failures": True, "save_limit": 0, "log_level": "ERROR"}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
