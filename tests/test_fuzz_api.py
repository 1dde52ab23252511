"""The JSON API under fuzz: schemathesis generates requests for every operation of the
OpenAPI document (/api/openapi.json) from a fixed seed; none may end in a server error,
and the answers must match the document (status codes, content types, bodies).

The requests go through Django's own test handler (the CSRF check off, as for the test
client; the database is the test's), signed in as the community worker of community A.
"""
import pytest
import schemathesis
from django.conf import settings
from django.test.client import ClientHandler
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from gongzhi.api import api

EXAMPLES = 25  # per operation; six operations stay well under a minute


def _document():
    document = api.get_openapi_schema(path_prefix="/api")
    # Sessions authenticate the API; schemathesis need not try to sign in by itself.
    document.get("components", {}).pop("securitySchemes", None)
    for path in document["paths"].values():
        for operation in path.values():
            operation.pop("security", None)
    return document


schema = schemathesis.openapi.from_dict(_document())


class _DjangoWsgi:
    """A WSGI app around Django's test handler: the requests share the test's database
    connection (the handler keeps request signals from closing it)."""

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        if response.streaming:
            return [b"".join(response.streaming_content)]
        return [response.content]


APP = _DjangoWsgi()


@pytest.fixture
def session_cookie(client, world):
    """World's community worker of A, signed in: most operations answer with data."""
    client.force_login(world.community_worker_a)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                     suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_keeps_to_its_document(case, session_cookie):
    response = case.call(app=APP, cookies=session_cookie)
    assert response.status_code < 500, (case.method, case.formatted_path, case.query, case.body,
                                        response.text[:500])
    case.validate_response(response, transport_kwargs={"app": APP, "cookies": session_cookie})
