"""The attacker's probe, as a test: the demo district (scale 0.02), every demo account.

1. Reads: every object URL of a record outside the account's scope for the page's capability
   (other grids' and communities' residents and households, orders, organisations, ledger rows,
   cases, surveys, other people's export and import jobs) answers 403 or 404, never the record,
   and the refusal does not carry the record's name or number.
2. Content scan: no page that a role without the unmask right sees (lists, the records it may
   read, their edit forms, their API answers) holds a full 18-digit ID number or 11-digit
   mobile number.
3. Writes: a POST to every write URL of a foreign record is refused and changes nothing.

Records are sampled evenly (SAMPLE per kind and account) to keep the run to about two minutes.
"""
import json
import re

import pytest
from django.forms.models import model_to_dict
from django.urls import resolve

from gongzhi.accounts.models import User
from gongzhi.core import demo
from gongzhi.core.permissions import capability_of
from gongzhi.core.scope import Scope

SAMPLE = 4
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                       r"(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


@pytest.fixture
def district(db):
    demo.build_demo(scale=0.02)
    User.objects.update(must_change_password=False)
    return {a.username: User.objects.get(username=a.username) for a in demo.ACCOUNTS}


def _sample(rows, n=SAMPLE):
    rows = list(rows)
    if len(rows) <= n:
        return rows
    step = len(rows) / n
    return [rows[int(i * step)] for i in range(n)]


def _capability(url):
    match = resolve(url.split("?")[0])
    if match.namespace == "api":
        from tests.test_scope_matrix import _api_capability
        return _api_capability(match.url_name)
    return capability_of(match.func)


def _unique(model, field, value):
    return value if value and model.objects.filter(**{field: value}).count() == 1 else None


# -- what each record is, where it is, and its URLs --------------------------------------------
def _kinds():
    """[(kind, rows, place_of(row) or None, marker(row), reads(row), writes(row))]."""
    from gongzhi.core.models import Job
    from gongzhi.governance.models import Topic
    from gongzhi.ledgers.models import Meeting, Volunteer, Worker
    from gongzhi.people.models import Household, Organisation, Resident
    from gongzhi.standards.models import CaseSubmission, Survey
    from gongzhi.workorders.models import VisitLog, WorkOrder

    def hh_place(hh):
        return hh.grid or hh.community
    return [
        ("resident", Resident.objects.select_related("household__grid", "household__community").order_by("pk"),
         lambda r: hh_place(r.household), lambda r: _unique(Resident, "name", r.name),
         lambda r: [f"/people/residents/{r.pk}/", f"/people/residents/{r.pk}/edit/", f"/api/residents/{r.pk}"],
         lambda r: [f"/people/residents/{r.pk}/edit/", f"/people/residents/{r.pk}/move/",
                    f"/people/residents/{r.pk}/move-out/", f"/people/residents/{r.pk}/death/",
                    f"/people/residents/{r.pk}/reveal/", ("PATCH", f"/api/residents/{r.pk}")]),
        ("household", Household.objects.select_related("grid", "community").order_by("pk"),
         hh_place, lambda h: h.number,
         lambda h: [f"/people/households/{h.pk}/", f"/people/households/{h.pk}/card.pdf",
                    f"/api/households/{h.pk}", f"/people/households/{h.pk}/residents/new/"],
         lambda h: [f"/people/households/{h.pk}/residents/new/"]),
        ("order", WorkOrder.objects.order_by("pk"), None, lambda o: o.number,
         lambda o: [f"/orders/{o.pk}/"] + [f"/orders/{o.pk}/files/{a.pk}/" for a in o.attachments.all()[:1]],
         lambda o: [f"/orders/{o.pk}/act/{a}/" for a in ("accept", "dispatch", "close", "decline", "comment")]
         + [f"/orders/{o.pk}/reveal/"]),
        ("visit", VisitLog.objects.select_related("grid").order_by("pk"), lambda v: v.grid, lambda v: None,
         lambda v: [], lambda v: [f"/orders/visits/{v.pk}/order/"]),
        ("organisation", Organisation.objects.select_related("community").order_by("pk"), lambda o: o.community,
         lambda o: _unique(Organisation, "name", o.name),
         lambda o: [f"/people/places/{o.community.code}/organisations/{o.pk}/"],
         lambda o: [f"/people/places/{o.community.code}/organisations/{o.pk}/"]),
        ("worker", Worker.objects.select_related("community").order_by("pk"), lambda w: w.community,
         lambda w: _unique(Worker, "name", w.name),
         lambda w: [f"/ledgers/{w.community.code}/workers/{w.pk}/"],
         lambda w: [f"/ledgers/{w.community.code}/workers/{w.pk}/"]),
        ("meeting", Meeting.objects.select_related("community").order_by("pk"), lambda m: m.community,
         lambda m: None, lambda m: [], lambda m: [f"/ledgers/{m.community.code}/meetings/{m.pk}/void/"]),
        ("volunteer", Volunteer.objects.select_related("community").order_by("pk"), lambda v: v.community,
         lambda v: None, lambda v: [], lambda v: [f"/ledgers/{v.community.code}/volunteers/{v.pk}/leave/"]),
        ("case", CaseSubmission.objects.select_related("place").order_by("pk"), lambda c: c.place,
         lambda c: _unique(CaseSubmission, "title", c.title),
         lambda c: [f"/standards/cases/{c.call_id}/{c.pk}/"],
         lambda c: [f"/standards/cases/{c.call_id}/{c.pk}/{s}/" for s in ("accepted", "rejected")]),
        ("survey", Survey.objects.select_related("place").order_by("pk"), lambda s: s.place,
         lambda s: _unique(Survey, "title", s.title),
         lambda s: [f"/standards/surveys/{s.pk}/", f"/standards/surveys/{s.pk}/results.xlsx"],
         lambda s: [f"/standards/surveys/{s.pk}/closed/"]),
        # topics: the governance selectors' own rule is the reference (a grid post sees its community's)
        ("topic", Topic.objects.order_by("pk"), "topic", lambda t: _unique(Topic, "title", t.title),
         lambda t: [f"/governance/{t.pk}/"] + [f"/governance/{t.pk}/photos/{p.pk}/" for p in t.photos.all()[:1]],
         lambda t: [f"/governance/{t.pk}/{a}/" for a in ("support", "withdraw", "answer")]),
        ("job", Job.objects.order_by("pk"), "creator", lambda j: None,
         lambda j: [f"/people/export/{j.pk}/", f"/people/export/{j.pk}/file.xlsx",
                    f"/people/import/{j.pk}/", f"/people/import/{j.pk}/rejected.xlsx"], lambda j: []),
    ]


_SCOPES = {}


def _scope(user, url):
    """The user's scope for the capability `url` declares (None: a capability of no place)."""
    pattern = re.sub(r"\d+", "N", url.split("?")[0])
    key = (user.pk, pattern)
    if key not in _SCOPES:
        capability = _capability(url)
        _SCOPES[key] = Scope.for_user_capability(user, capability) if hasattr(capability, "granted_to") else None
    return _SCOPES[key]


def _foreign(user, kind, place_of, row, url):
    """Is `row` outside what `user` may reach through the capability `url` declares?"""
    if place_of == "creator":
        return row.created_by_id != user.pk
    scope = _scope(user, url)
    if scope is None:
        return False
    if place_of == "topic":
        from gongzhi.governance.models import Topic
        from gongzhi.governance.selectors import topic_q
        return not Topic.objects.filter(topic_q(scope), pk=row.pk).exists()
    if place_of is None:  # orders: the work-order selectors' own rule is the reference
        from gongzhi.workorders.models import WorkOrder
        from gongzhi.workorders.selectors import order_q
        return not WorkOrder.objects.filter(order_q(scope), pk=row.pk).exists()
    place = place_of(row)
    if place is None or not scope:
        return True
    if kind in ("survey", "case"):  # a district-wide survey or call is partly every community's
        return not any(place.is_within(p) or p.is_within(place) for p in scope.staff_places)
    return not scope.contains(place)


def _body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="ignore")


def _foreign_rows(user, kind, rows, place_of, urls_of):
    """The sampled rows of `kind` that are foreign to `user` for every URL they have."""
    found = []
    for row in rows:
        urls = [u if isinstance(u, str) else u[1] for u in urls_of(row)]
        if urls and all(_foreign(user, kind, place_of, row, u) for u in urls):
            found.append(row)
    return _sample(found)


def test_every_account_is_refused_every_foreign_record(client, district):
    _SCOPES.clear()
    findings, probed = [], 0
    kinds = _kinds()
    for username, user in district.items():
        client.force_login(user)
        for kind, rows, place_of, marker_of, reads, _writes in kinds:
            for row in _foreign_rows(user, kind, rows, place_of, reads):
                marker = marker_of(row)
                for url in reads(row):
                    response = client.get(url)
                    probed += 1
                    if response.status_code not in (403, 404):
                        findings.append((username, kind, url, response.status_code))
                    elif marker and marker != user.display_name and marker in _body(response):
                        findings.append((username, kind, url, "refusal names the record", marker))
    assert probed > 200, probed  # the probe really ran
    assert not findings, "\n".join(map(str, findings))


# -- the content scan --------------------------------------------------------------------------
LIST_PAGES = ["/", "/people/residents/?status=", "/people/residents/?status=&page=2", "/api/residents?status=",
              "/orders/?state=", "/orders/inbox/", "/orders/desk/", "/orders/visits/", "/orders/disputes/",
              "/places/", "/accounts/", "/people/me/", "/standards/surveys/", "/standards/cases/",
              "/people/export/", "/people/import/", "/audit/", "/audit/accounts/", "/access-log/"]


def _own_rows(user, kinds):
    """A few rows of each kind the user may read: their pages are scanned too."""
    urls = []
    for kind, rows, place_of, _marker, reads, _writes in kinds:
        # 40 rows spread over the kind's first 400 are asked about (each answer is a query: 400 of them per kind
        # and account took two minutes on PostgreSQL for the same three samples)
        mine = [row for row in _sample(rows[:400], 40)
                if reads(row) and not _foreign(user, kind, place_of, row, reads(row)[0])]
        for row in _sample(mine, 3):
            urls += [u for u in reads(row) if not u.endswith((".pdf", ".xlsx"))]
    return urls


def test_no_page_shows_a_full_id_or_mobile_number_to_a_role_that_may_not_unmask(client, district):
    from gongzhi.people.manifest import UNMASK
    _SCOPES.clear()
    findings, scanned = [], 0
    kinds = _kinds()
    for username, user in district.items():
        if Scope.for_user(user).can(UNMASK):
            continue
        client.force_login(user)
        for url in LIST_PAGES + _own_rows(user, kinds):
            response = client.get(url)
            if response.status_code != 200:
                continue
            scanned += 1
            body = _body(response)
            for pattern, what in ((ID_NUMBER, "身份证号"), (MOBILE, "手机号")):
                for hit in pattern.findall(body):
                    findings.append((username, url, what, hit))
    assert scanned > 50, scanned
    assert not findings, "\n".join(map(str, findings[:50]))


# -- cross-scope writes ------------------------------------------------------------------------
WRITE_BODY = {"version": "1", "name": "篡改", "number": "HX9", "id_number": "11010519491231002X", "ethnicity": "01",
              "residence_status": "registered", "moved_on": "2025-01-01", "died_on": "2025-01-01",
              "destination": "x", "household_number": "HA1", "relation": "10", "kind": "social_org",
              "registration": "filed", "held_on": "2025-03-01", "title": "篡改", "reason": "篡改",
              "note": "篡改", "committee_post": "member", "registered_on": "2025-01-01", "left_on": "2025-01-01",
              "full_time": "on", "department": "x", "comment": "篡改", "phone": "13900001111"}


def _snapshot(row):
    row.refresh_from_db()
    return json.dumps(model_to_dict(row), default=str, sort_keys=True)


def test_no_write_reaches_a_foreign_record(client, district):
    from gongzhi.people.models import Resident
    _SCOPES.clear()
    findings, probed = [], 0
    kinds = _kinds()
    residents_before = Resident.objects.count()
    for username, user in district.items():
        client.force_login(user)
        for kind, rows, place_of, _marker, _reads, writes in kinds:
            for row in _foreign_rows(user, kind, rows, place_of, writes)[:2]:
                before = _snapshot(row)
                for target in writes(row):
                    method, url = target if isinstance(target, tuple) else ("POST", target)
                    if method == "PATCH":
                        response = client.patch(url, json.dumps({"version": 1, "name": "篡改"}),
                                                content_type="application/json")
                    else:
                        response = client.post(url, WRITE_BODY)
                    probed += 1
                    if response.status_code not in (403, 404):
                        findings.append((username, kind, url, response.status_code))
                if _snapshot(row) != before:
                    findings.append((username, kind, row.pk, "changed"))
    assert Resident.objects.count() == residents_before
    assert probed > 100, probed
    assert not findings, "\n".join(map(str, findings))


def test_the_scan_knows_a_number_when_it_sees_one():
    import datetime as dt

    from gongzhi.core import idcard
    number = idcard.make("320282", dt.date(1980, 5, 17), 12)
    assert ID_NUMBER.findall(f"<td>{number}</td>") == [number]
    assert ID_NUMBER.findall(f"{number[:4]}**********{number[-4:]}") == []
    assert MOBILE.findall("电话 13912345678,") == ["13912345678"]
    assert MOBILE.findall("工单 GD202611250000123 网格 320282001001001 电话 139****5678") == []
