"""Hostile input at every form.

First the rule itself: every text field refuses control characters, whichever app made it and
whenever (Django's own sign-in and password forms are built before our apps are ready), and so
do the e-mail, web-address and slug fields, which bring validators of their own.
"""
import pytest
from django import forms

from gongzhi.core.validators import ERR_CONTROL

HOSTILE_CONTROL = ["a\x00b", "张\x1b[31m三", "x\x08", "\u202eevil", "a\u200bb"]


def _refuses(field, value):
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(value)
    return ERR_CONTROL in " ".join(refused.value.messages)


@pytest.mark.parametrize("value", HOSTILE_CONTROL)
def test_sign_in_forms_refuse_control_characters(rf, db, value):
    from gongzhi.accounts.forms import CodeForm, LoginForm, PasswordChangeForm
    from gongzhi.accounts.models import User
    user = User(username="someone")
    forms_ = [LoginForm(rf.post("/accounts/login/")), PasswordChangeForm(user), CodeForm()]
    for form in forms_:
        for name, field in form.fields.items():
            assert _refuses(field, value), (type(form).__name__, name)


@pytest.mark.parametrize("field", [forms.EmailField(), forms.URLField(assume_scheme="https"), forms.SlugField(), forms.CharField(),
                                   forms.RegexField(regex=r".*")])
def test_every_kind_of_text_field_refuses_control_characters(field):
    value = {forms.EmailField: '"a\x01b"@example.com', forms.URLField: "http://example.com/a\x01b",
             forms.SlugField: "a\x01b"}.get(type(field), "a\x01b")
    assert _refuses(field, value)


def test_the_login_page_says_so(client, db):
    response = client.post("/accounts/login/", {"username": "ad\x00min", "password": "x\x00"})
    assert response.status_code == 200 and ERR_CONTROL in response.content.decode()


# -- the form fuzzer -------------------------------------------------------------------------
# Every demo account follows the links from its home page (one page of each kind), and every
# form it finds is sent hostile values from a fixed seed: no answer may be a server error, and
# afterwards no text column of the database holds a control character.
import random  # noqa: E402
import re  # noqa: E402
from html.parser import HTMLParser  # noqa: E402
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit  # noqa: E402

SEED = 20261130
CASES_PER_FORM = 8
PAGES_PER_ACCOUNT = 60
HOSTILE = ["", " ", "x" * 100_000, "a\x00b", "\x1b[2J", "行一\r\n行二", "=1+1", "+1-1", "@SUM(A1)", "-2+3",
           "99999999999999999999", "-1", "-99999999999999999999", "2147483648", "١٢٣", "１２３", "1e309", "NaN",
           "inf", "0", "2020-02-30", "0000-00-00", "9999-12-31", "2026-13-01", "<script>alert(1)</script>",
           "' OR '1'='1", '"; DROP TABLE people_resident; --', "\u202eevil", "😀", "../../etc/passwd",
           "320282198005170012", "%00", "null", "[]", "{}"]
# Pages whose parameters no link on the way carries (the calendar's year)
EXTRA_PAGES = ["/orders/calendar/?year=2026", "/orders/figures/?start=2026-01-01&end=2026-03-01&group=community"]
SKIP_ACTIONS = ("/accounts/logout/", "/accounts/two-factor/disable/")
SKIP_LINKS = (".pdf", ".xlsx", "/accounts/logout/", "/static/", "/admin/")
STORED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Forms(HTMLParser):
    """Forms of a page: method, action and fields with their current values; and its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links, self._form, self._select, self._textarea = [], [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "",
                          "fields": {}, "options": {}, "files": []}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form["files"].append(a["name"])
            elif kind in ("checkbox", "radio"):
                self._form["options"].setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    self._form["fields"].setdefault(a["name"], a.get("value", "on"))
            elif kind not in ("submit", "button", "reset", "image"):
                self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].setdefault(a["name"], "")
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form["options"].setdefault(self._select, []).append(value)
            if "selected" in a or not self._form["fields"][self._select]:
                self._form["fields"][self._select] = value
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _kind(url):
    """The URL's name (one form per kind of page is enough), or its path with numbers as N."""
    from django.urls import Resolver404, resolve
    path = urlsplit(url).path
    try:
        match = resolve(path)
    except Resolver404:
        return re.sub(r"\d+", "N", path)
    return f"{match.namespace}:{match.url_name}"


def _pattern(url):
    parts = urlsplit(url)
    keys = sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)} - {"page"})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def _crawl(client, start="/"):
    """(pages, forms) one account reaches: a page of each kind, and the forms on them."""
    seen, queue, pages = set(), [start, *EXTRA_PAGES], []
    while queue and len(pages) < PAGES_PER_ACCOUNT:
        url = queue.pop(0)
        pattern = _pattern(url)
        if pattern in seen or not url.startswith("/") or any(s in url for s in SKIP_LINKS):
            continue
        seen.add(pattern)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode(errors="ignore"))
        pages.append((url, parser.forms))
        queue += [urljoin(url, href.split("#")[0]) for href in parser.links if not href.startswith(("#", "mailto:"))]
    return pages


def _cases(form, rng):
    """CASES_PER_FORM bodies: the form as shown with one field (or every field) made hostile."""
    names = list(form["fields"]) + list(form["options"])
    names = [n for n in dict.fromkeys(names) if n != "csrfmiddlewaretoken"]
    for i in range(CASES_PER_FORM):
        body = dict(form["fields"])
        targets = names if i == 0 else rng.sample(names, min(len(names), rng.choice((1, 1, 2))))
        for name in targets:
            body[name] = rng.choice(HOSTILE)
        yield body


def _send(client, page_url, form, body):
    from django.core.files.uploadedfile import SimpleUploadedFile
    action = urljoin(page_url, form["action"] or page_url)
    if form["method"] == "post":
        data = dict(body)
        for name in form["files"]:
            data[name] = SimpleUploadedFile("=1+1\x00.xlsx", b"PK\x03\x04" + "\x00=1+1<script>".encode() * 50)
        return action, client.post(action, data)
    base = action.split("?")[0]
    return action, client.get(f"{base}?{urlencode(body)}")


def _stored_control_characters():
    """(model, field, pk, value) for every text value in the database holding a control character."""
    from django.apps import apps
    from django.db import models as m
    found = []
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "contenttypes", "admin"):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, (m.CharField, m.TextField)) and not f.choices:
                for pk, value in model.objects.filter(**{f"{f.name}__regex": STORED_CONTROL.pattern}) \
                        .values_list("pk", f.name)[:5]:
                    found.append((model.__name__, f.name, pk, value[:80]))
    return found


def test_every_form_of_every_demo_account_withstands_hostile_input(district_for_forms):
    from django.test import Client

    from gongzhi.accounts.models import User
    rng = random.Random(SEED)
    findings, done, sent = [], set(), 0
    accounts = [None] + list(district_for_forms)  # None: a visitor, at the login and public pages
    for username in accounts:
        client = Client(raise_request_exception=False)
        if username:
            User.objects.update(is_active=True, must_change_password=False)
            client.force_login(User.objects.get(username=username))
        for page_url, forms_ in _crawl(client, "/" if username else "/accounts/login/"):
            parts = urlsplit(page_url)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            for name in sorted(params):  # the parameters of the links followed
                if ("GET", _kind(page_url), name) in done:
                    continue
                done.add(("GET", _kind(page_url), name))
                for value in rng.sample(HOSTILE, 3):
                    target = f"{parts.path}?{urlencode({**params, name: value})}"
                    response = client.get(target)
                    sent += 1
                    if response.status_code >= 500:
                        findings.append((username, "GET", target[:200], response.status_code))
            for form in forms_:
                action = urljoin(page_url, form["action"] or page_url)
                key = (form["method"], _kind(action), tuple(sorted(form["fields"])))
                if key in done or any(s in action for s in SKIP_ACTIONS):
                    continue
                done.add(key)
                for body in _cases(form, rng):
                    if username:
                        client.force_login(User.objects.get(username=username))
                    target, response = _send(client, page_url, form, body)
                    sent += 1
                    if response.status_code >= 500:
                        shown = {k: (v[:40] + "…" if len(v) > 40 else v) for k, v in body.items()}
                        findings.append((username, form["method"], target, response.status_code, shown))
    assert len(done) > 30 and sent > 300, (len(done), sent)  # the fuzzer really ran
    assert not findings, "\n".join(map(str, findings))
    assert not _stored_control_characters()


@pytest.fixture
def district_for_forms(db):
    from gongzhi.accounts.models import User
    from gongzhi.core import demo
    demo.build_demo(scale=0.02)
    User.objects.update(must_change_password=False)
    return [a.username for a in demo.ACCOUNTS]


def test_what_the_fuzzer_found_stays_fixed(client, world):
    """Each was a server error: a 100 kB resident search (SQLite's LIKE limit) and a pack name
    too long for the file system."""
    client.force_login(world.admin)
    assert client.get("/people/residents/", {"q": "x" * 100_000}).status_code == 200
    assert client.get("/api/residents", {"q": "张" * 60_000}).status_code == 200
    assert client.get("/standards/funding/", {"pack": "x" * 100_000}).status_code in (200, 404)
    assert client.get("/access-log/", {"user": "x" * 100_000}).status_code == 200
    # a care tag id no database column can hold (SQLite's OverflowError)
    client.force_login(world.community_worker_a)
    # a volunteer team id no column can hold, and a digit Python cannot read as a number
    for team in ("99999999999999999999", "²", "0"):
        assert client.get("/volunteers/roster/", {"q": "1e309", "team": team}).status_code == 200
    r = world.res_a1
    for tag in ("-99999999999999999999", "99999999999999999999", "9223372036854775808"):
        response = client.post(f"/people/residents/{r.pk}/edit/", {
            "name": "张三", "version": r.version, "care_tags": tag, "relation": "02", "ethnicity": "01",
            "residence_status": "registered"})
        assert response.status_code == 200 and "人员标签" in response.content.decode()


def test_a_nul_in_a_page_s_parameters_is_refused_by_name(client, world):
    """PostgreSQL cannot take a NUL in a query: found by the fuzzer there (the orders' state filter,
    the matrix's street filter); every page refuses one in its address with 400 and names the parameter."""
    client.force_login(world.admin)
    for url, params in (("/orders/", {"state": "a\x00b"}), ("/people/residents/", {"q": "张\x00"})):
        response = client.get(url, params)
        assert response.status_code == 400 and "含有空字符" in response.content.decode(), url
    response = client.get("/orders/", {"state\x00": "open"})
    assert response.status_code == 400 and "「state」" in response.content.decode()
    response = client.post("/orders/catalogue/new/", {"name": "x\x00"})  # forms: the field says what is wrong
    assert response.status_code == 200 and ERR_CONTROL in response.content.decode()
    assert client.get("/api/residents", {"q": "a\x00b"}).status_code == 200  # the API: no match, not a refusal


def test_election_steps_and_admission_versions_refuse_what_the_fuzzer_sent(rf):
    """Server errors on PostgreSQL: a NUL in an election objection (PostgreSQL stores no NUL) and a
    version of "NaN" or "²" on an admission request's withdrawal (int() raised)."""
    from django.http import QueryDict

    from gongzhi.admission.views import _posted_version
    from gongzhi.core.errors import RuleError
    from gongzhi.elections.views import _no_control_characters
    with pytest.raises(RuleError, match="异议人"):
        _no_control_characters(QueryDict("raised_by=a%00b&text=x"))
    with pytest.raises(RuleError, match="内容"):
        _no_control_characters(QueryDict("raised_by=a&text=%1b%5B2J"))
    _no_control_characters(QueryDict("raised_by=王五&text=两行%0D%0A也可以"))
    for junk in ("NaN", "²", "../../etc/passwd", "@SUM(A1)", "9" * 30, ""):
        assert _posted_version(rf.post("/", {"version": junk})) == 0
    assert _posted_version(rf.post("/", {"version": "12"})) == 12
