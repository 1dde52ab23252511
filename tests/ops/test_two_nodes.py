"""Two real app nodes (`gongzhi serve`, gunicorn) on two loopback ports against the test's
PostgreSQL database and the shared cache (GONGZHI_CACHE_URL: Redis in the test command):

- a session made on one node works on the other;
- an upload (a work order's photo) made on one node is read on the other;
- a revoked Open311 key is refused on both at once;
- a catalogue edit is seen on both at once;
- a job (an import) started on one node is run by a queue worker and read on the other.

PostgreSQL only: two servers on one SQLite file is not a deployment anyone should run."""
import io
import os
import re
import time

import pytest
import requests
from django.urls import reverse

from tests.ops.nodes import Nodes

pytestmark = [
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis", "pgsql")),
                       reason="several app nodes share one PostgreSQL; SQLite is the one-node embedded default"),
    pytest.mark.argon2,  # the servers check passwords with the production hasher
]

PASSWORD = "Node-test-密码-2026"


def _png() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def nodes(transactional_db, tmp_path):
    with Nodes(tmp_path, count=2) as started:
        yield started


def test_two_nodes_share_sessions_uploads_keys_and_the_catalogue(nodes):
    from gongzhi.accounts.models import Role, RoleAssignment, User
    from gongzhi.workorders import apikeys
    from gongzhi.workorders.models import Attachment, Category
    from tests import factories

    a, b = nodes.urls
    for node in (a, b):  # both ready: database, migrations and the shared cache answer
        assert requests.get(node + "/readyz", timeout=30).json()["status"] == "ready"
    g = factories.grid(factories.community(factories.street(factories.district())))
    worker = User.objects.create_user(username="wangge", password=PASSWORD, display_name="网格员")
    RoleAssignment.objects.create(user=worker, role=Role.GRID, place=g)
    category = Category.objects.get(code="sanitation")

    # a session made on node A
    browser = requests.Session()
    login = reverse("accounts:login")
    page = browser.get(a + login, timeout=30)
    answer = browser.post(a + login, data={"csrfmiddlewaretoken": _csrf(page.text), "username": "wangge",
                                           "password": PASSWORD}, headers={"Referer": a + login},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:500]
    # ... is good on node B: the report form, and a report with a photo
    new = reverse("workorders:new")
    page = browser.get(b + new, timeout=30, allow_redirects=False)
    assert page.status_code == 200, page.status_code
    photo = _png()
    answer = browser.post(b + new, data={"csrfmiddlewaretoken": _csrf(page.text), "category": category.code,
                                         "description": "两节点测试:楼道灯坏了", "grid": g.code},
                          files={"photos": ("deng.png", photo, "image/png")}, headers={"Referer": b + new},
                          allow_redirects=False, timeout=60)
    assert answer.status_code == 302, answer.text[:2000]
    attachment = Attachment.objects.get(event__order__description="两节点测试:楼道灯坏了")
    # the photo uploaded on node B is read on node A
    url = reverse("workorders:attachment", args=[attachment.event.order_id, attachment.pk])
    for node in (a, b):
        read = browser.get(node + url, timeout=30)
        assert read.status_code == 200 and read.content == photo, (node, read.status_code)

    # an Open311 key works on both nodes (and each node now holds it in the shared cache)...
    key, raw = apikeys.apikey_create(name="两节点")
    post = reverse("open311:requests", kwargs={"fmt": "json"})

    def report(node, code=category.code):
        return requests.post(node + post, data={"api_key": raw, "service_code": code, "address_string": "人民路1号",
                                                "description": "两节点 Open311"}, timeout=30)
    for node in (a, b):
        assert report(node).status_code == 200, report(node).text
    # ... a catalogue edit (the category is withdrawn) is seen on both at once ...
    category.active = False
    category.save()  # the catalogue page saves it the same way; any save tells every node
    for node in (a, b):
        answer = report(node)
        assert answer.status_code in (400, 404), (node, answer.status_code, answer.text)
    category.active = True
    category.save()
    for node in (a, b):
        assert report(node).status_code == 200
    # ... and revoked here (a third process: the admin's command), it is refused on both at once
    apikeys.apikey_revoke(prefix=key.prefix)
    for node in (a, b):
        answer = report(node)
        assert answer.status_code == 403 and "api_key" in answer.text, (node, answer.status_code)

    # a job (an import of residents) started on node B is run by a queue worker and read on node A
    from gongzhi.core.models import Job, JobStatus
    staff = User.objects.create_user(username="shequ", password=PASSWORD, display_name="社区工作者")
    RoleAssignment.objects.create(user=staff, role=Role.COMMUNITY, place=g.parent)
    office = requests.Session()
    page = office.get(b + login, timeout=30)
    answer = office.post(b + login, data={"csrfmiddlewaretoken": _csrf(page.text), "username": "shequ",
                                          "password": PASSWORD}, headers={"Referer": b + login},
                         allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    template = office.get(b + reverse("people:import_template"), timeout=60)
    assert template.status_code == 200
    start = reverse("people:import")
    page = office.get(b + start, timeout=30)
    answer = office.post(b + start, data={"csrfmiddlewaretoken": _csrf(page.text)},
                         files={"file": ("居民.xlsx", template.content,
                                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
                         headers={"Referer": b + start}, allow_redirects=False, timeout=60)
    assert answer.status_code == 302, answer.text[:1000]
    job = Job.objects.get(kind="import_residents", created_by=staff)
    deadline = time.monotonic() + 90
    while Job.objects.get(pk=job.pk).status in (JobStatus.QUEUED, JobStatus.RUNNING):
        assert time.monotonic() < deadline, "no worker took the import"
        time.sleep(0.5)
    job.refresh_from_db()
    seen = office.get(a + reverse("people:import_job", args=[job.pk]), timeout=30)
    assert seen.status_code == 200 and job.get_status_display() in seen.text
