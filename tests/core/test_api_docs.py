"""The API docs: staff only, and Swagger UI from our own static files (no CDN)."""
import re

import pytest
from django.urls import URLPattern, get_resolver, resolve

from gongzhi.core.manifest import VIEW_API_DOCS
from gongzhi.core.permissions import capability_of


def test_docs_and_schema_declare_their_capability():
    assert capability_of(resolve("/api/docs").func) == VIEW_API_DOCS
    assert capability_of(resolve("/api/openapi.json").func) == VIEW_API_DOCS
    # every page of the API's namespace but the operations (checked by the scope matrix) and
    # django-ninja's root (always 404) declares one
    api = next(r for r in get_resolver().url_patterns if getattr(r, "namespace", None) == "api")
    pages = {p.name: p for p in api.url_patterns if isinstance(p, URLPattern) and p.name in ("openapi-json",
                                                                                             "openapi-view")}
    assert set(pages) == {"openapi-json", "openapi-view"}
    assert all(capability_of(p.callback) == VIEW_API_DOCS for p in pages.values())


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in ("/api/docs", "/api/openapi.json"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], url


def test_residents_are_refused(client, world):
    client.force_login(world.resident_user)
    assert client.get("/api/docs").status_code == 403
    assert client.get("/api/openapi.json").status_code == 403


@pytest.mark.parametrize("who", ["admin", "street_officer_a", "community_worker_a", "grid_worker_a1", "department"])
def test_staff_read_the_docs_from_our_own_static_files(client, world, who):
    client.force_login(getattr(world, who))
    html = client.get("/api/docs").content.decode()
    scripts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in scripts)
    assert scripts and all(s.startswith("/static/") for s in scripts), scripts
    assert '"validatorUrl": null' in html  # no badge fetched from an outside validator
    assert client.get("/api/openapi.json").json()["paths"]


def test_the_swagger_assets_are_served(client, world):
    from django.contrib.staticfiles import finders
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(name), name
