"""The residents' mailbox (书记主任信箱, P-GOV-12): a resident writes to the secretary or the
director; the committee replies, turns the letter into a topic or hands it to the work-order
engine, once, within the time limit; the street steps in only when it is overdue; bad input and
stale forms change nothing."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.scope import Scope
from gongzhi.governance import mailbox
from gongzhi.governance.manifest import ANSWER_LETTERS
from gongzhi.governance.models import Letter, LetterState, Topic
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.workorders.models import Category, Notification, WorkOrder
from tests.factories import household, resident, user


def _send(w, **kw):
    kw.setdefault("to", "secretary")
    kw.setdefault("subject", "楼道堆物")
    kw.setdefault("text", "三号楼二单元楼道里堆满了杂物,影响通行")
    return mailbox.letter_send(by=kw.pop("by", w.resident_user), **kw)


def _scope(u):
    return Scope.for_user_capability(u, ANSWER_LETTERS)


def test_a_letter_reaches_the_committee_with_a_time_limit(world):
    now = timezone.now()
    letter = _send(world)
    assert letter.state == LetterState.OPEN and letter.community == world.comm_a and letter.grid == world.grid_a1
    assert letter.due_at > now + dt.timedelta(days=4)  # five working days
    assert Notification.objects.filter(user=world.community_worker_a, kind="letter").exists()
    assert not Notification.objects.filter(user=world.community_worker_b).exists()


def test_the_time_limit_is_the_communitys_own(world, client):
    from gongzhi.workorders.calendar import add_working_days
    client.force_login(world.community_worker_a)
    client.post(f"/governance/rules/{world.comm_a.code}/", {"version": 1, "threshold": 10, "answer_days": 5,
                                                           "letter_days": 2})
    before = timezone.now()
    letter = _send(world)
    assert add_working_days(before, 2) <= letter.due_at <= add_working_days(timezone.now(), 2)
    client.force_login(world.resident_user)
    assert "居委会在 2 个工作日内答复" in client.get("/governance/mailbox/mine/").content.decode()
    client.force_login(world.community_worker_a)
    bad = client.post(f"/governance/rules/{world.comm_a.code}/", {"version": 1, "threshold": 10, "answer_days": 5,
                                                                 "letter_days": 61}, follow=True)
    assert "信箱答复时限" in bad.content.decode()


@pytest.mark.parametrize("fields, message", [
    ({"subject": ""}, "请填写主题"),
    ({"subject": "x" * 61}, "请填写主题"),
    ({"text": "  "}, "请填写来信内容"),
    ({"text": "长" * 2001}, "来信内容不能超过 2000 个字"),
    ({"text": "有\x00控制字符"}, "来信内容含有不可见的控制字符"),
    ({"to": "mayor"}, "请选择写给书记还是主任"),
])
def test_bad_letters_are_refused_and_nothing_saved(world, fields, message):
    with pytest.raises(RuleError, match=message):
        _send(world, **fields)
    assert not Letter.objects.exists()


def test_only_a_living_registered_resident_writes_and_not_a_flood(world):
    with pytest.raises(RuleError, match="登记在册"):
        _send(world, by=world.community_worker_a)
    for _ in range(mailbox.LETTERS_PER_DAY):
        _send(world)
    with pytest.raises(RuleError, match="请明天再写"):
        _send(world)
    Resident.objects.filter(pk=world.res_a1.pk).update(status=PersonStatus.MOVED_OUT)
    world.resident_user.refresh_from_db()
    with pytest.raises(RuleError, match="登记在册"):
        _send(world)
    assert Letter.objects.count() == mailbox.LETTERS_PER_DAY


def test_reply_once_and_a_stale_form_changes_nothing(world):
    letter = _send(world)
    done = mailbox.letter_reply(scope=_scope(world.community_worker_a), letter_id=letter.pk, version=1,
                                text="已通知物业本周清理", by=world.community_worker_a)
    assert done.state == LetterState.REPLIED and done.answered_on_time
    assert Notification.objects.filter(user=world.resident_user, text__contains="已通知物业本周清理").exists()
    with pytest.raises(ConflictError):
        mailbox.letter_reply(scope=_scope(world.community_worker_a), letter_id=letter.pk, version=1, text="再答一次",
                             by=world.community_worker_a)
    assert Letter.objects.get(pk=letter.pk).reply == "已通知物业本周清理"


def test_a_letter_becomes_a_topic_raised_by_its_writer(world):
    letter = _send(world)
    done = mailbox.letter_to_topic(scope=_scope(world.community_worker_a), letter_id=letter.pk, version=1,
                                   category="environment", by=world.community_worker_a)
    topic = Topic.objects.get(pk=done.topic_id)
    assert done.state == LetterState.TOPIC and topic.raised_by == world.resident_user
    assert topic.grid == world.grid_a1 and topic.title == "楼道堆物"


def test_a_letter_becomes_an_order_the_writer_follows(world):
    category = Category.objects.filter(active=True, locality__isnull=True).first() or Category.objects.create(
        code="litter", name="环境卫生", accept_days=1)
    letter = _send(world)
    with pytest.raises(RuleError, match="请选择工单类别"):
        mailbox.letter_to_order(scope=_scope(world.community_worker_a), letter_id=letter.pk, version=1,
                                category=None, by=world.community_worker_a)
    assert not WorkOrder.objects.exists()
    done = mailbox.letter_to_order(scope=_scope(world.community_worker_a), letter_id=letter.pk, version=1,
                                   category=category, by=world.community_worker_a)
    order = WorkOrder.objects.get(pk=done.order_id)
    assert done.state == LetterState.ORDER and order.reporter_user == world.resident_user
    assert order.community == world.comm_a and order.household == world.hh_a1


def test_the_street_steps_in_only_when_overdue_and_never_elsewhere(world):
    letter = _send(world)
    street = _scope(world.street_officer_a)
    with pytest.raises(RuleError, match="超过时限后街道可以代为处理"):
        mailbox.letter_reply(scope=street, letter_id=letter.pk, version=1, text="街道答复", by=world.street_officer_a)
    Letter.objects.filter(pk=letter.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(RuleError):  # community B's committee never answers A's letters
        mailbox.letter_reply(scope=_scope(world.community_worker_b), letter_id=letter.pk, version=1, text="x",
                             by=world.community_worker_b)
    done = mailbox.letter_reply(scope=street, letter_id=letter.pk, version=1, text="街道答复", by=world.street_officer_a)
    assert done.state == LetterState.REPLIED and not done.answered_on_time


def test_pages_for_the_resident_the_committee_and_the_street(world, client):
    client.force_login(world.resident_user)
    assert client.post("/governance/mailbox/mine/", {"to": "director", "subject": "", "text": "x"}).status_code == 422
    response = client.post("/governance/mailbox/mine/", {"to": "director", "subject": "健身器材坏了", "text": "小广场单杠松动"})
    assert response.status_code == 302
    letter = Letter.objects.get()
    other = user("res_a2", "resident", world.comm_a, resident=world.res_a2)
    client.force_login(other)
    assert "健身器材坏了" not in client.get("/governance/mailbox/mine/").content.decode()
    assert client.get(f"/governance/mailbox/{letter.pk}/").status_code == 403  # residents have no staff list

    client.force_login(world.street_officer_a)
    body = client.get(f"/governance/mailbox/{letter.pk}/").content.decode()
    assert "张*" in body and "张三" not in body and "转为工单" not in body  # not overdue: the street watches
    client.force_login(world.community_worker_a)
    body = client.get(f"/governance/mailbox/{letter.pk}/").content.decode()
    assert "张三" in body and "转为工单" in body
    assert "待处理 <strong data-testid=\"letters-open\">1</strong>" in client.get("/governance/mailbox/").content.decode()
    response = client.post(f"/governance/mailbox/{letter.pk}/answer/", {"action": "reply", "version": "abc", "text": "x"})
    assert response.status_code == 409
    response = client.post(f"/governance/mailbox/{letter.pk}/answer/", {"action": "reply", "version": 1, "text": ""})
    assert response.status_code == 422 and "请填写答复内容" in response.content.decode()
    response = client.post(f"/governance/mailbox/{letter.pk}/answer/", {"action": "reply", "version": 1, "text": "已报修"})
    assert response.status_code == 302 and Letter.objects.get().state == LetterState.REPLIED
    client.force_login(world.resident_user)
    assert "已报修" in client.get("/governance/mailbox/mine/").content.decode()


def test_a_resident_of_another_household_in_b_never_sees_a_letters(world, client):
    _send(world)
    wang = user("wang", "resident", world.comm_b, resident=resident(household(world.grid_b1, "HB9"), "王六"))
    client.force_login(wang)
    assert "楼道堆物" not in client.get("/governance/mailbox/mine/").content.decode()
