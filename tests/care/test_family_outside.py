"""家属 outside the registry (the usual case: a child working in another city): the community worker links them
by name, ID number and mobile; the link waits and a text tells them how to open their family account; they open
it on a phone (three public steps matched against the waiting links, the sign-up's throttle); the account has no
post and no registry record and reaches only the family pages (the kernel's link grant)."""
import datetime as dt
import re
import time

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.audit.models import AuditAction, AuditEvent
from gongzhi.care import family, family_join
from gongzhi.care.models import FamilyLink, FamilySignupCode
from gongzhi.core import crypto
from gongzhi.core.errors import RuleError
from gongzhi.people import resident_accounts as ra
from tests.factories import id_number

TODAY = dt.date.today()
SON_ID = id_number(dt.date(1968, 5, 12))  # not in the registry
PHONE = "13916620418"
NEW_PASSWORD = "Qing-he-2026!"


def _link(homes, world, **kw):
    args = {"elder": homes.alone, "name": "储建国", "id_number": SON_ID, "relation": "child", "phone": PHONE,
            "consent_on": TODAY, "consent_note": "老人本人当面同意,社工在场", "by": world.community_worker_a} | kw
    return family.family_link(**args)


def _sms(capsys) -> list[tuple[str, str]]:
    return re.findall(r"\[短信\] (\S+): (.*)", capsys.readouterr().out)


def _join(client, *, name="储建国", number=SON_ID, phone=PHONE, ip="198.51.100.21"):
    return client.post("/care/family/join/", {"name": name, "id_number": number, "phone": phone}, REMOTE_ADDR=ip)


def test_the_worker_links_a_relative_outside_the_registry_and_the_link_waits(homes, world, capsys,
                                                                             django_capture_on_commit_callbacks):
    with pytest.raises(RuleError, match="不是本地登记的居民:请填写家属本人的手机号码"):
        _link(homes, world, phone="")
    with pytest.raises(RuleError, match="手机号码"):
        _link(homes, world, phone="1391662041\x00")
    with pytest.raises(PermissionDenied):
        _link(homes, world, by=world.community_worker_b)
    assert not FamilyLink.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        link = _link(homes, world)
    assert link.waiting_for_account and link.relative is None and link.account is None
    assert (link.relative_name, link.relative_phone_tail) == ("储建国", "0418")
    assert link.relative_id_hash == crypto.keyed_hash(SON_ID) and PHONE not in str(link.__dict__)
    sms = _sms(capsys)
    assert len(sms) == 1 and sms[0][0] == "139****0418" and "/care/family/join/" in sms[0][1]
    assert "孤老甲" in sms[0][1]
    with pytest.raises(RuleError, match="不能重复关联"):  # the same person, by ID number, while the link waits
        _link(homes, world, phone="13900001111")
    # the same ID number under another name: the name does not match the waiting person's
    assert FamilyLink.objects.count() == 1


def test_the_relative_opens_the_family_account_on_a_phone(homes, world, client, capsys,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        link = _link(homes, world)
        other = _link(homes, world, elder=homes.old_man, relation="other")  # linked to two elders, both waiting
    capsys.readouterr()
    r = _join(client)
    assert r.status_code == 302 and r["Location"] == "/care/family/join/code/"
    masked, text = _sms(capsys)[-1]
    code = re.search(r"验证码是 (\d{6})", text).group(1)
    page = client.get("/care/family/join/code/").content.decode()
    assert "0418" in page and PHONE not in page
    assert client.get("/care/family/join/account/").status_code == 302  # not before the code
    r = client.post("/care/family/join/code/", {"code": "000000" if code != "000000" else "111111"})
    assert "验证码错误" in r.content.decode()
    time.sleep(1.1)  # a wrong code slows the next try by a second (django-otp's throttle)
    r = client.post("/care/family/join/code/", {"code": code})
    assert r["Location"] == "/care/family/join/account/"
    r = client.post("/care/family/join/account/", {"username": "chujianguo", "password1": NEW_PASSWORD,
                                                   "password2": NEW_PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/care/family/"
    user = User.objects.get(username="chujianguo")
    assert user.resident is None and user.display_name == "储建国"
    assert not RoleAssignment.objects.filter(user=user).exists()  # no post at all
    assert {lk.account_id for lk in FamilyLink.objects.filter(pk__in=[link.pk, other.pk])} == {user.pk}
    assert not FamilySignupCode.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_CREATE, object_id=str(user.pk),
                                     detail__contains="家属账号").exists()
    # signed in: the home is the family page, the header names what the account is, nothing else is reachable
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/care/family/"
    text = home.content.decode()
    assert "孤老甲" in text and "老夫乙" in text and "老人家属" in text and "家属关爱" in text
    assert "我的诉求" not in text and "未分配角色" not in text
    for url in ("/people/", f"/care/people/{homes.alone.pk}/", "/orders/", "/care/groups/"):
        assert client.get(url).status_code in (403, 404), url
    # a second link to this relative takes the account at once
    later = _link(homes, world, elder=homes.grandpa, phone="")
    assert later.account == user and not later.waiting_for_account
    with pytest.raises(RuleError, match="姓名与公民身份号码不符"):  # the account's name is 储建国
        _link(homes, world, elder=homes.old_wife, name="储建民", phone="")
    # the flow cannot be replayed: the waiting links are taken
    client.logout()
    r = _join(client)
    assert ra.ERR_MISMATCH not in r.content.decode() and family_join.ERR_MISMATCH in r.content.decode()


@pytest.mark.parametrize("wrong", ["name", "number", "phone", "ended"])
def test_any_mismatch_says_only_that_it_does_not_match(homes, world, client, capsys, wrong):
    link = _link(homes, world)
    fields = {}
    if wrong == "name":
        fields["name"] = "储建民"
    elif wrong == "number":
        fields["number"] = id_number(dt.date(1970, 1, 2))
    elif wrong == "phone":
        fields["phone"] = "13900009999"
    else:
        family.family_unlink(link=link, reason="老人要求解除", by=world.community_worker_a)
    capsys.readouterr()
    r = _join(client, ip="198.51.100.22", **fields)
    assert r.status_code == 200
    errors = re.findall(r'role="alert"[^>]*>([^<]*)<', r.content.decode())
    assert errors == [family_join.ERR_MISMATCH]
    assert "验证码" not in capsys.readouterr().out and not FamilySignupCode.objects.exists()
    assert "family_join" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_username__startswith=ra.SIGNUP_KEY,
                                     ip="198.51.100.22").count() == 1


def test_hostile_input_to_the_join_pages_never_fails(homes, world, client):
    _link(homes, world)
    for fields in ({"name": "储建国\x00", "id_number": SON_ID, "phone": PHONE},
                   {"name": "=HYPERLINK(1)", "id_number": "=1+1", "phone": "+86" + PHONE},
                   {"name": "储" * 5000, "id_number": "9" * 5000, "phone": "1" * 5000},
                   {}):
        r = client.post("/care/family/join/", fields, REMOTE_ADDR="198.51.100.23")
        assert r.status_code in (200, 429)
    for url in ("/care/family/join/code/", "/care/family/join/account/"):
        assert client.post(url, {"code": "1" * 5000, "username": "x" * 5000}).status_code == 302  # no flow
    assert not User.objects.filter(resident__isnull=True, display_name="储建国").exists()


def test_an_account_with_neither_post_nor_link_sees_a_page_saying_so(db, client):
    user = User.objects.create_user(username="nobody", password=NEW_PASSWORD, display_name="某人")
    client.force_login(user)
    r = client.get("/", follow=True)
    text = r.content.decode()
    assert r.status_code == 200 and "暂无可用功能" in text and "老人的家属" in text
    assert "家属关爱" not in text and "我的诉求" not in text


def test_every_page_without_a_post_answers_a_family_account_without_failing(homes, world, client):
    """An account with no post and no registry record is new to the pages written for residents (which read the
    caller's registry record): every page any signed-in user may open (own records, panels), and every
    resident link of the header, answers it with a page, a redirect or a refusal — never a server error."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from gongzhi.core import modules
    from gongzhi.core.permissions import OWN_RECORDS, PANELS, capability_of

    link = _link(homes, world)
    user = family_join.join_open(id_hash=link.relative_id_hash, username="chujianguo", password=NEW_PASSWORD)
    client.force_login(user)

    def walk(resolver, prefix=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and "<" not in str(p.pattern):
                yield prefix + str(p.pattern), p.callback

    urls = {"/" + path.lstrip("^").rstrip("$") for path, view in walk(get_resolver())
            if capability_of(view) in (OWN_RECORDS, PANELS)}
    from django.urls import reverse
    urls |= {reverse(e.url_name) for e in modules.nav_entries() if e.audience == "resident"}
    assert len(urls) > 10
    for url in sorted(urls):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
