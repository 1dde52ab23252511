"""Log lines as JSON with the request's id (read by settings.py: nothing here imports Django or the
metrics library, so settings can use it before either is set up). The id is set by
core/observability.RequestIdMiddleware."""
from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import traceback

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("gongzhi_request_id", default="")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (empty outside a request)."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
            "pid": record.process,
        }
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        return json.dumps(entry, ensure_ascii=False)


def logging_config(fmt: str, level: str) -> dict:
    """settings.LOGGING: JSON lines (GONGZHI_LOG_FORMAT=json, the default) or plain text for a person."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "gongzhi.core.logconfig.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "gongzhi.core.logconfig.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                                 "formatter": "text" if fmt == "text" else "json"}},
        "root": {"handlers": ["console"], "level": level},
    }
