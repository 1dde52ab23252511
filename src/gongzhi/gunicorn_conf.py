"""Gunicorn settings for gongzhi.

Used by `gongzhi serve` (which runs gunicorn in-process) and usable on its own:

    gunicorn -c python:gongzhi.gunicorn_conf

Every value can be changed from the environment (GONGZHI_BIND, GONGZHI_WORKERS,
GONGZHI_THREADS, GONGZHI_TIMEOUT, GONGZHI_FORWARDED_ALLOW_IPS); `gongzhi serve`
options override both.
"""
import os
import shutil
import tempfile

wsgi_app = "gongzhi.wsgi:application"


def database_is_sqlite() -> bool:
    """Same rule as settings.py: no DATABASE_URL means the SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip().lower()
    return not url or url.startswith("sqlite")


def default_workers() -> int:
    """SQLite serialises writes, so more than 4 processes only add lock waits.
    On PostgreSQL requests are CPU-bound Python: processes beat threads (the
    Open311 benchmark on 2 cores: 8 workers × 2 threads gave +70 % over 4 × 4),
    so 4 × cores, capped at 16 (each process holds up to `threads` connections)."""
    cores = os.cpu_count() or 1
    return max(1, min(4 * cores, 16)) if not database_is_sqlite() else max(1, min(2 * cores, 4))


bind = [os.environ.get("GONGZHI_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("GONGZHI_WORKERS") or default_workers())
worker_class = "gthread"
threads = int(os.environ.get("GONGZHI_THREADS", "2"))
# Imports and exports run as jobs, but a large Excel upload can take a while.
timeout = int(os.environ.get("GONGZHI_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth), not all at once.
max_requests = 20000
max_requests_jitter = 2000
# Load Django once in the master: errors show before any worker starts, and
# workers share the imported code.
preload_app = True

accesslog = "-"  # stdout
errorlog = "-"  # stderr
loglevel = "info"
# the last field is the request id (X-Request-ID, core/observability.py): the same as in the app's log lines
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'

# Prometheus metrics from every worker process: each writes its figures under this directory and
# /metrics adds them up (prometheus_client's multiprocess mode). Set here, before the app (and the
# metrics library) is loaded; unless given, one fresh directory per server, removed at exit.
_metrics_dir_ours = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"gongzhi-metrics-{os.getpid()}"))
if _metrics_dir_ours:
    shutil.rmtree(_metrics_dir, ignore_errors=True)
os.makedirs(_metrics_dir, mode=0o700, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_dir_ours:
        shutil.rmtree(_metrics_dir, ignore_errors=True)

# Trust X-Forwarded-* only from a reverse proxy on this machine.
forwarded_allow_ips = os.environ.get("GONGZHI_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Gunicorn ≥ 25.1 opens a control socket at a fixed per-user path by default;
# two instances on one machine would fight over it, and we do not use it.
control_socket_disable = True
