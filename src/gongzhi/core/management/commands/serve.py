"""`gongzhi serve`: the production web server (gunicorn, run in-process).

    gongzhi serve [--host H] [--port P] [--workers N] [--threads T] [--migrate] [--no-worker]

Defaults come from gongzhi/gunicorn_conf.py (127.0.0.1:8000, gthread workers,
access log on stdout). Static files are served by WhiteNoise straight from the
apps (WHITENOISE_USE_FINDERS), so no collectstatic step is needed. A job-queue
worker (`gongzhi worker`: imports, exports, assessments, notices, the overdue
sweep) runs beside the server in a process of its own unless --no-worker.
"""
import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from gunicorn.app.base import BaseApplication

from gongzhi import gunicorn_conf


class GongzhiApplication(BaseApplication):
    """Gunicorn with our config module plus command-line overrides; no argv parsing."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        known = self.cfg.settings
        for name, value in vars(gunicorn_conf).items():
            if name in known and not name.startswith("_"):
                self.cfg.set(name, value)
        for name, value in self.options.items():
            if name in known and value is not None:
                self.cfg.set(name, value)

    def load(self):
        from gongzhi.wsgi import application

        # The master must not hand open database connections to forked workers.
        connections.close_all()
        return application


def _bind(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    return f"{host}:{port}"


class Command(BaseCommand):
    help = "运行生产 Web 服务(gunicorn)/ Run the production web server (gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", help="listen address (default 127.0.0.1, or GONGZHI_BIND)")
        parser.add_argument("--port", type=int, help="TCP port (default 8000, or GONGZHI_BIND)")
        parser.add_argument("--workers", type=int,
                            help=f"worker processes (default {gunicorn_conf.workers} here)")
        parser.add_argument("--threads", type=int, help=f"threads per worker (default {gunicorn_conf.threads})")
        parser.add_argument("--migrate", action="store_true", help="run `migrate --noinput` before starting")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start a job-queue worker beside the server (run `gongzhi worker` apart)")
        parser.add_argument("--sweep-every", type=int, default=0, metavar="SECONDS",
                            help="the overdue sweep's period for the worker started here "
                                 "(default GONGZHI_SWEEP_EVERY, 60)")

    def handle(self, *args, **opts):
        if opts["workers"] is not None and opts["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        if opts["threads"] is not None and opts["threads"] < 1:
            raise CommandError("--threads must be at least 1")
        if opts["migrate"]:
            call_command("migrate", interactive=False, verbosity=opts["verbosity"])
        else:
            self._warn_unapplied_migrations()
        # WhiteNoise warns on every start when STATIC_ROOT is missing.
        if settings.STATIC_ROOT:
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        connections.close_all()

        options = {"workers": opts["workers"], "threads": opts["threads"]}
        if opts["host"] or opts["port"]:
            options["bind"] = [_bind(opts["host"] or "127.0.0.1", opts["port"] or 8000)]
        app = GongzhiApplication(options)
        cfg = app.cfg
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"gongzhi: gunicorn on {', '.join(cfg.bind)} — {cfg.workers} workers × {cfg.threads} threads "
            f"({cfg.worker_class_str}), database {engine}"
        )
        self.stdout.flush()
        if opts["sweep_every"] < 0:
            raise CommandError("--sweep-every must be positive")
        worker = None if opts["no_worker"] else self._start_worker(opts["sweep_every"])
        try:
            app.run()
        finally:
            if worker is not None:
                self._stop_worker(worker)

    def _start_worker(self, sweep_every: int):
        """`gongzhi worker` beside the server: a process of its own, so no database connection
        crosses gunicorn's fork, and a server restart does not stop the running task."""
        import subprocess
        import sys

        from gongzhi.core.dburl import current_database_url

        env = {**os.environ, "DATABASE_URL": current_database_url(), "GONGZHI_DATA_DIR": str(settings.DATA_DIR)}
        if sweep_every:
            env["GONGZHI_SWEEP_EVERY"] = str(sweep_every)
        self.stdout.write("gongzhi: job-queue worker started beside the server")
        self.stdout.flush()
        return subprocess.Popen([sys.executable, "-m", "gongzhi.cli", "worker"], env=env)

    @staticmethod
    def _stop_worker(worker) -> None:
        """SIGTERM lets the running task finish; one that takes longer is stopped and goes back in
        the queue for the next worker (core/jobs.py)."""
        import subprocess

        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    def _warn_unapplied_migrations(self):
        from django.db.migrations.executor import MigrationExecutor

        try:
            executor = MigrationExecutor(connections["default"])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as e:  # the server may still be useful; say why and go on
            self.stderr.write(self.style.WARNING(f"gongzhi: cannot read the migration state: {e}"))
            return
        if plan:
            self.stderr.write(self.style.WARNING(
                f"gongzhi: 数据库有 {len(plan)} 个迁移未执行,请先运行 `gongzhi migrate` 或加 --migrate。/ "
                f"The database has {len(plan)} unapplied migrations: run `gongzhi migrate` or use --migrate."))
