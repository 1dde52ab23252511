"""The URL of the database this process is connected to, so that a child
process (a browser-launched import) writes to exactly the same database,
including a test database whose name differs from DATABASE_URL's."""
from urllib.parse import quote

from django.db import connection


def current_database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s.get("USER") or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'])}"
