"""Resident accounts: a resident opens their own on a phone (registry match by keyed hash, a one-time code
through the pluggable senders, a password), a community worker opens one at the desk, and the registry's
moves end or move the account's rights (people.resident_accounts)."""
import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.audit.models import AuditAction, AuditEvent
from gongzhi.people import resident_accounts as ra
from gongzhi.people import services
from gongzhi.people.models import SignupCode
from tests import factories
from tests.factories import PASSWORD

PHONE = "13900002222"
NEW_PASSWORD = "Qing-he-2026!"


@pytest.fixture
def fang(world):
    """王芳: registered and living in community A, grid 2, with a mobile number and no account."""
    w = world
    w.fang_id = factories.id_number(dt.date(1975, 3, 8))
    w.fang = factories.resident(w.hh_a2, "王芳", relation="10", id_number=w.fang_id, phone=PHONE)
    return w


def _start(client, w, *, name="王芳", id_number=None, phone=PHONE, ip="198.51.100.7"):
    return client.post("/people/signup/", {"name": name, "id_number": id_number or w.fang_id, "phone": phone},
                       REMOTE_ADDR=ip)


def _code(capsys) -> str:
    out = capsys.readouterr().out
    codes = re.findall(r"\[短信\] (\S+): .*验证码是 (\d{6})", out)
    assert codes, out
    return codes[-1]


def test_a_resident_opens_their_own_account(client, fang, capsys):
    w = fang
    r = _start(client, w)
    assert r.status_code == 302 and r["Location"] == "/people/signup/code/"
    masked, code = _code(capsys)
    assert masked == "139****2222"  # the console shows the number masked, the code in full
    page = client.get("/people/signup/code/").content.decode()
    assert "139****2222" in page and PHONE not in page
    r = client.post("/people/signup/code/", {"code": code})
    assert r["Location"] == "/people/signup/password/"
    r = client.post("/people/signup/password/", {"username": "wangfang", "password1": NEW_PASSWORD,
                                                 "password2": NEW_PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert r.status_code == 302
    user = User.objects.get(username="wangfang")
    assert user.resident == w.fang and user.display_name == "王芳" and not user.must_change_password
    assert user.check_password(NEW_PASSWORD)
    post = RoleAssignment.objects.get(user=user)
    assert (post.role, post.place, post.active) == (Role.RESIDENT, w.grid_a2, True)
    assert not SignupCode.objects.filter(resident=w.fang).exists()  # the code is spent and gone
    # signed in, and their home is the resident home with their household on it
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/people/home/"
    text = home.content.decode()
    assert "王芳,您好" in text and "HA2" in text and "我的诉求" in text and "社区议题" in text and "消息" in text
    event = AuditEvent.objects.filter(action=AuditAction.ACCOUNT_CREATE, object_id=str(user.pk),
                                      detail__contains="本人").get()
    assert event.after["开户方式"] == "本人自助" and event.ip == "198.51.100.7"
    assert AuditEvent.objects.filter(action=AuditAction.POST_GIVE, object_label="wangfang 的岗位").exists()


@pytest.mark.parametrize("wrong", ["name", "id_number", "phone", "moved_out", "nobody"])
def test_any_mismatch_says_only_that_it_does_not_match(client, fang, capsys, wrong):
    w = fang
    other_id = factories.id_number(dt.date(1990, 1, 2))
    fields = {"name": "王芳", "id_number": w.fang_id, "phone": PHONE}
    if wrong == "name":
        fields["name"] = "王方"
    elif wrong == "id_number":
        factories.resident(w.hh_a2, "王芳", relation="11", id_number=other_id, phone="13900003333")
        fields["id_number"] = other_id  # a real 王芳, but not with this phone
    elif wrong == "phone":
        fields["phone"] = "13900009999"
    elif wrong == "moved_out":
        services.resident_move_out(resident=w.fang, version=w.fang.version, moved_on=dt.date.today(),
                                   destination="外省", by=w.community_worker_a)
    else:
        fields["id_number"] = other_id  # nobody with that number is registered
    r = client.post("/people/signup/", fields, REMOTE_ADDR="198.51.100.8")
    assert r.status_code == 200
    errors = re.findall(r'role="alert"[^>]*>([^<]*)<', r.content.decode())
    assert errors == [ra.ERR_MISMATCH]  # the same one message, in the same place, whichever field was wrong
    assert "[短信]" not in capsys.readouterr().out
    assert not SignupCode.objects.exists() and "resident_signup" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_username__startswith=ra.SIGNUP_KEY,
                                     ip="198.51.100.8").count() == 1


def test_typing_errors_are_named_but_say_nothing_of_the_registry(client, fang):
    r = client.post("/people/signup/", {"name": "王芳", "id_number": "32028219750308123", "phone": PHONE})
    assert "公民身份号码应为18位" in r.content.decode()
    r = client.post("/people/signup/", {"name": "王芳", "id_number": fang.fang_id, "phone": "1390000"})
    assert ra.ERR_PHONE in r.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).exists()


def test_one_id_number_waits_after_five_failures_from_anywhere(client, fang, capsys):
    w = fang
    for i in range(ra.ID_FAILURE_LIMIT):
        assert ra.ERR_MISMATCH in _start(client, w, phone=f"1390000{i:04d}", ip=f"198.51.100.{20 + i}").content.decode()
    r = _start(client, w, ip="198.51.100.99")  # now even the right data from a fresh address waits
    assert r.status_code == 429 and "该证件号码尝试次数过多" in r.content.decode()
    assert "[短信]" not in capsys.readouterr().out
    # another resident's number is not held up
    other = factories.resident(w.hh_a1, "赵六", relation="10", phone="13700001111")
    from gongzhi.core import crypto
    number = crypto.decrypt(other.id_number_enc)
    assert _start(client, w, name="赵六", id_number=number, phone="13700001111",
                  ip="198.51.100.98").status_code == 302


def test_one_source_waits_with_the_sign_in_throttle(client, fang, settings):
    settings.LOGIN_SOURCE_FAILURE_LIMIT = 3
    w = fang
    for i in range(2):  # failed sign-ins and failed sign-ups from one address count together
        _start(client, w, id_number=factories.id_number(dt.date(1960, 1, 1 + i)), ip="203.0.113.9")
    client.post("/accounts/login/", {"username": "nobody", "password": "x"}, REMOTE_ADDR="203.0.113.9")
    r = _start(client, w, ip="203.0.113.9")
    assert r.status_code == 429 and "网络地址的尝试次数过多" in r.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_THROTTLED, ip="203.0.113.9").count() == 1
    assert _start(client, w, ip="203.0.113.10").status_code == 302


def test_wrong_and_expired_codes_are_refused_and_counted(client, fang, capsys):
    w = fang
    _start(client, w)
    _, code = _code(capsys)
    wrong = "000000" if code != "000000" else "111111"
    r = client.post("/people/signup/code/", {"code": wrong})
    assert ra.ERR_CODE in r.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, detail__contains="验证码").count() == 1
    # django-otp slows the next try down
    r = client.post("/people/signup/code/", {"code": code})
    assert "秒后再试" in r.content.decode() and "resident_signup" in client.session
    device = SignupCode.objects.get(resident=w.fang)
    device.throttling_failure_timestamp = timezone.now() - dt.timedelta(minutes=1)
    device.valid_until = timezone.now() - dt.timedelta(seconds=1)  # and the code has expired
    device.save()
    r = client.post("/people/signup/code/", {"code": code})
    assert ra.ERR_CODE in r.content.decode()
    assert client.get("/people/signup/password/")["Location"] == "/people/signup/"  # no way round the code
    assert not User.objects.filter(resident=w.fang).exists()


def test_a_new_code_waits_a_minute_and_replaces_the_old(client, fang, capsys):
    w = fang
    _start(client, w)
    _, first = _code(capsys)
    r = client.post("/people/signup/code/", {"resend": "1", "code": ""})
    assert "秒后再重新获取" in r.content.decode()
    SignupCode.objects.filter(resident=w.fang).update(last_generated_timestamp=timezone.now() - dt.timedelta(minutes=2))
    client.post("/people/signup/code/", {"resend": "1", "code": ""})
    _, second = _code(capsys)
    if first != second:
        assert ra.ERR_CODE in client.post("/people/signup/code/", {"code": first}).content.decode()
        SignupCode.objects.filter(resident=w.fang).update(throttling_failure_timestamp=None,
                                                          throttling_failure_count=0)
    assert client.post("/people/signup/code/", {"code": second})["Location"] == "/people/signup/password/"


def test_the_password_rules_apply(client, fang, capsys):
    w = fang
    _start(client, w)
    client.post("/people/signup/code/", {"code": _code(capsys)[1]})
    r = client.post("/people/signup/password/", {"username": "wangfang", "password1": "12345678",
                                                 "password2": "12345678"})
    text = r.content.decode()
    assert r.status_code == 200 and "密码" in text and not User.objects.filter(username="wangfang").exists()
    r = client.post("/people/signup/password/", {"username": "res_a1", "password1": NEW_PASSWORD,
                                                 "password2": NEW_PASSWORD})
    assert "登录名 res_a1 已被使用" in r.content.decode()
    r = client.post("/people/signup/password/", {"username": "wangfang", "password1": NEW_PASSWORD,
                                                 "password2": NEW_PASSWORD + "x"})
    assert ra.ERR_PASSWORDS_DIFFER in r.content.decode()
    assert not User.objects.filter(resident=w.fang).exists()


def test_a_resident_with_an_account_is_told_so(client, world, capsys):
    w = world  # 张三 (res_a1) has the account res_a1
    from gongzhi.core import crypto
    r = _start(client, w, name="张三", id_number=crypto.decrypt(w.res_a1.id_number_enc), phone="13812345678")
    assert ra.ERR_HAS_ACCOUNT in r.content.decode()
    assert "[短信]" not in capsys.readouterr().out
    with pytest.raises(ra.SignupError, match="已开通账号"):
        ra.resident_account_open(resident=w.res_a1, username="zhangsan2", password=NEW_PASSWORD)
    assert User.objects.filter(resident=w.res_a1).count() == 1


def test_the_database_keeps_one_account_per_resident(fang, monkeypatch):
    """Even past the check (two completions between check and insert), the one-to-one refuses the second."""
    w = fang
    ra.resident_account_open(resident=w.fang, username="wangfang", password=NEW_PASSWORD)
    real = User.objects

    class Blind:
        def filter(self, *args, **kwargs):
            if "resident" in kwargs:
                return real.none()
            return real.filter(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(ra.User, "objects", Blind())
    monkeypatch.setattr(ra, "clean_username", lambda u: u)
    with pytest.raises(ra.SignupError, match="已开通账号"):
        ra.resident_account_open(resident=w.fang, username="wangfang2", password=NEW_PASSWORD)
    monkeypatch.undo()
    assert list(User.objects.filter(resident=w.fang).values_list("username", flat=True)) == ["wangfang"]


@pytest.mark.django_db(transaction=True)
def test_two_completions_at_once_open_one_account():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    w = factories.World()
    fang = factories.resident(w.hh_a2, "王芳", relation="10", phone=PHONE)
    barrier, results = threading.Barrier(2), []

    def complete(name):
        from django.db import connection as conn
        try:
            barrier.wait()
            ra.resident_account_open(resident=fang, username=name, password=NEW_PASSWORD)
            results.append("ok")
        except ra.SignupError as e:
            results.append(str(e))
        finally:
            conn.close()

    threads = [threading.Thread(target=complete, args=(n,)) for n in ("fang_one", "fang_two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(["ok", ra.ERR_HAS_ACCOUNT])
    assert User.objects.filter(resident=fang).count() == 1
    assert RoleAssignment.objects.filter(user__resident=fang).count() == 1


def test_a_community_worker_opens_an_account_at_the_desk(client, world):
    w = world
    client.force_login(w.community_worker_a)
    page = client.get(f"/people/residents/{w.res_a2.pk}/").content.decode()
    assert f"/people/residents/{w.res_a2.pk}/account/" in page
    r = client.post(f"/people/residents/{w.res_a2.pk}/account/", {
        "username": "lisi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 302
    user = User.objects.get(username="lisi")
    assert user.resident == w.res_a2 and user.must_change_password  # the worker knows it: the owner changes it
    assert RoleAssignment.objects.get(user=user).place == w.grid_a2
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CREATE, object_id=str(user.pk), detail__contains="代为")
    assert event.actor == w.community_worker_a and event.after["开户方式"] == "服务站代开"
    # a second one is not offered, nor made
    page = client.get(f"/people/residents/{w.res_a2.pk}/account/").content.decode()
    assert "已开通居民账号" in page
    client.post(f"/people/residents/{w.res_a2.pk}/account/", {
        "username": "lisi2", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert User.objects.filter(resident=w.res_a2).count() == 1
    # the resident signs in and must choose their own password first
    client.logout()
    client.post("/accounts/login/", {"username": "lisi", "password": NEW_PASSWORD})
    assert client.get("/people/home/")["Location"].startswith("/accounts/password/")


def test_only_the_residents_own_community_opens_at_the_desk(client, world):
    w = world
    before = User.objects.count()
    for who, status in ((w.community_worker_b, 404), (w.grid_worker_a1, 403), (w.street_officer_a, 403),
                        (w.resident_user, 403)):
        client.force_login(who)
        r = client.post(f"/people/residents/{w.res_a2.pk}/account/", {
            "username": f"x{who.pk}", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert r.status_code == status, who
    assert User.objects.count() == before


def test_moving_out_or_dying_ends_the_accounts_rights(world):
    w = world
    ra.resident_account_open(resident=w.res_a2, username="lisi", password=NEW_PASSWORD)
    post = RoleAssignment.objects.get(user__username="lisi")
    services.resident_move_out(resident=w.res_a2, version=w.res_a2.version, moved_on=dt.date.today(),
                               destination="外省", by=w.community_worker_a)
    post.refresh_from_db()
    assert not post.active and User.objects.get(username="lisi").is_active  # they still read their inbox
    assert AuditEvent.objects.filter(action=AuditAction.POST_END, object_id=str(post.pk)).exists()
    # 张三 dies: the post ends and the account is switched off
    w.res_a1.refresh_from_db()
    services.resident_record_death(resident=w.res_a1, version=w.res_a1.version, died_on=dt.date.today(),
                                   by=w.community_worker_a)
    assert not RoleAssignment.objects.filter(user=w.resident_user, active=True).exists()
    w.resident_user.refresh_from_db()
    assert not w.resident_user.is_active


def test_a_move_to_another_community_moves_the_post(client, world):
    w = world
    services.resident_move_household(resident=w.res_a1, version=w.res_a1.version, household=w.hh_b1,
                                     relation="10", moved_on=dt.date.today(), by=w.admin)
    posts = list(RoleAssignment.objects.filter(user=w.resident_user).values_list("place", "active"))
    assert posts == [(w.grid_b1.pk, True)]  # the rights at A end, those at B begin
    from gongzhi.core.scope import Scope
    from gongzhi.governance.manifest import VIEW_TOPICS
    scope = Scope.for_user_capability(w.resident_user, VIEW_TOPICS)
    assert [a.place for a in scope.assignments] == [w.grid_b1]
    # and back: the post follows again
    w.res_a1.refresh_from_db()
    services.resident_move_household(resident=w.res_a1, version=w.res_a1.version, household=w.hh_a1,
                                     relation="10", moved_on=dt.date.today(), by=w.admin)
    assert list(RoleAssignment.objects.filter(user=w.resident_user, active=True)
                .values_list("place", flat=True)) == [w.grid_a1.pk]


def test_signup_pages_are_public_and_a_signed_in_user_is_sent_home(client, world):
    assert client.get("/people/signup/").status_code == 200
    assert "用手机开通居民账号" in client.get("/accounts/login/").content.decode()
    assert client.get("/people/signup/code/")["Location"] == "/people/signup/"
    client.force_login(world.resident_user)
    assert client.get("/people/signup/")["Location"] == "/"


def test_the_resident_home_shows_only_their_own(client, world):
    w = world
    from gongzhi.workorders import services as orders
    from gongzhi.workorders.models import Category, Channel
    orders.order_report(category=Category.objects.get(code="sanitation"), description="张三反映垃圾桶满了",
                        channel=Channel.WEB,
                        by=w.resident_user, grid=w.grid_a1)
    orders.order_report(category=Category.objects.get(code="sanitation"), description="王五家门口垃圾",
                        channel=Channel.WINDOW, by=w.community_worker_b, household=w.hh_b1)
    client.force_login(w.resident_user)
    text = client.get("/people/home/").content.decode()
    assert "垃圾桶" in text
    assert "王五" not in text and "HB1" not in text
    client.force_login(w.community_worker_a)
    assert client.get("/people/home/")["Location"] == "/"  # staff have their own home


def test_the_resident_post_login_is_their_password(client, fang, capsys):
    """The account opened on the phone signs in with the password chosen, like any account."""
    w = fang
    _start(client, w)
    client.post("/people/signup/code/", {"code": _code(capsys)[1]})
    client.post("/people/signup/password/", {"username": "wangfang", "password1": NEW_PASSWORD,
                                             "password2": NEW_PASSWORD})
    client.logout()
    assert client.post("/accounts/login/", {"username": "wangfang", "password": PASSWORD}).status_code == 200
    assert client.post("/accounts/login/", {"username": "wangfang", "password": NEW_PASSWORD}).status_code == 302
