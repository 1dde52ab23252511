"""The residents' mailbox (书记主任信箱, P-GOV-12): writing, answering (reply, turn into a topic, hand
to the work-order engine), and what each caller may read. One transaction per write; a broken rule
raises `RuleError` (Chinese, nothing written); a letter answered meanwhile raises `ConflictError`."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.core.errors import ConflictError, RuleError, lock_version
from gongzhi.core.scope import Scope
from gongzhi.core.validators import has_control_characters
from gongzhi.governance import selectors
from gongzhi.governance import services as topics
from gongzhi.governance.models import (
    LETTER_SUBJECT_MAX, LETTER_TEXT_MAX, REPLY_MAX, Addressee, Letter, LetterState, TopicCategory,
)
from gongzhi.people.models import PersonStatus
from gongzhi.workorders import notify
from gongzhi.workorders.calendar import add_working_days

# a resident writes at most this many letters a day: the mailbox is a voice, not a flood
LETTERS_PER_DAY = 5

ERR_NOT_RESIDENT = "只有登记在册、仍在本社区居住的居民可以写信"
ERR_TO = "请选择写给书记还是主任"
ERR_SUBJECT = "请填写主题(不超过 {n} 个字)"
ERR_TEXT = "请填写来信内容"
ERR_TEXT_LONG = "来信内容不能超过 {n} 个字(现有 {m} 个字)"
ERR_REPLY = "请填写答复内容(不超过 {n} 个字)"
ERR_CONTROL = "{field}含有不可见的控制字符,请删除后重新输入"
ERR_TOO_MANY = "您今天已经写了 {n} 封信,请明天再写"
ERR_ANSWERED = "这封信已经处理过了"
ERR_CONFLICT = "这封信刚被他人处理,请刷新页面后查看"
ERR_CATEGORY = "请选择议题类别"
ERR_ORDER_CATEGORY = "请选择工单类别"
ERR_NOT_YOURS = "这封信不归您处理:社区的信由本社区处理,超过时限后街道可以代为处理"

NOTICE_NEW = "书记主任信箱收到一封来信「{subject}」,请在 {due} 前处理"
NOTICE_ANSWER = {
    LetterState.REPLIED: "您写给{to}的信「{subject}」已答复:{text}",
    LetterState.TOPIC: "您写给{to}的信「{subject}」已转为社区议题,其他居民可以附议",
    LetterState.ORDER: "您写给{to}的信「{subject}」已转为工单 {number} 办理",
}


def _text(value, field: str, *, limit: int, empty: str, too_long: str | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleError(empty)
    if len(value) > limit:
        raise RuleError((too_long or empty).format(n=limit, m=len(value)))
    if has_control_characters(value):
        raise RuleError(ERR_CONTROL.format(field=field))
    return value


def writer_resident(user):
    """The registered, living resident a resident account writes as, or None."""
    resident = getattr(user, "resident", None)
    if resident is None or resident.status != PersonStatus.ACTIVE:
        return None
    return resident


# -- writes ---------------------------------------------------------------------------------------
def letter_send(*, by, to: str, subject: str, text: str, now: dt.datetime | None = None) -> Letter:
    now = now or timezone.now()
    resident = writer_resident(by)
    if resident is None:
        raise RuleError(ERR_NOT_RESIDENT)
    if to not in Addressee.values:
        raise RuleError(ERR_TO)
    subject = _text(subject, "主题", limit=LETTER_SUBJECT_MAX, empty=ERR_SUBJECT)
    text = _text(text, "来信内容", limit=LETTER_TEXT_MAX, empty=ERR_TEXT, too_long=ERR_TEXT_LONG)
    with transaction.atomic():
        today = Letter.objects.filter(writer=by, written_at__gte=now - dt.timedelta(days=1)).count()
        if today >= LETTERS_PER_DAY:
            raise RuleError(ERR_TOO_MANY.format(n=today))
        letter = Letter.objects.create(community_id=resident.community_id, grid_id=resident.grid_id, to=to,
                                       subject=subject, text=text, writer=by, written_at=now,
                                       due_at=add_working_days(now, letter_days(resident.community)))
        notify.notify(notify.users_at(letter.community, [Role.COMMUNITY]), order=None, kind="letter", now=now,
                      text=NOTICE_NEW.format(subject=subject,
                                             due=timezone.localtime(letter.due_at).strftime("%m月%d日")))
    return letter


def letter_days(community) -> int:
    """The working days (the national calendar's, like work orders) within which the community's
    committee answers a letter: set per community with its topic rules."""
    return topics.rules_for(community).letter_days


def may_answer(scope: Scope, letter: Letter, now: dt.datetime | None = None) -> bool:
    """The community's committee answers its letters; a street post steps in once one is overdue
    (as for topics). `scope` is narrowed to ANSWER_LETTERS."""
    for a in scope.assignments:
        if a.role == Role.COMMUNITY and a.place_id == letter.community_id:
            return True
        if a.role == Role.STREET and letter.community.is_within(a.place) and letter.overdue(now):
            return True
    return False


def _answer(*, scope: Scope, letter_id: int, version: int, state: str, by, now, reply: str = "",
            make=None) -> Letter:
    with transaction.atomic():
        letter = lock_version(Letter.objects.all(), letter_id, version, ERR_CONFLICT)
        if not letter.is_open:
            raise ConflictError(ERR_ANSWERED)
        if not may_answer(scope, letter, now):
            raise RuleError(ERR_NOT_YOURS)
        if make is not None:
            make(letter)
        letter.state, letter.reply, letter.answered_at, letter.answered_by = state, reply, now, by
        letter.version += 1
        letter.save()
        notify.notify([letter.writer_id], order=letter.order, kind="letter", now=now,
                      text=NOTICE_ANSWER[state].format(to=letter.get_to_display(), subject=letter.subject, text=reply,
                                                       number=letter.order.number if letter.order else ""))
    return letter


def letter_reply(*, scope: Scope, letter_id: int, version: int, text: str, by,
                 now: dt.datetime | None = None) -> Letter:
    reply = _text(text, "答复", limit=REPLY_MAX, empty=ERR_REPLY)
    return _answer(scope=scope, letter_id=letter_id, version=version, state=LetterState.REPLIED, by=by,
                   now=now or timezone.now(), reply=reply)


def letter_to_topic(*, scope: Scope, letter_id: int, version: int, category: str, by,
                    now: dt.datetime | None = None) -> Letter:
    """The letter becomes a topic raised by its writer (it collects supports and is answered like any
    other); the writer is told."""
    now = now or timezone.now()
    if category not in TopicCategory.values:
        raise RuleError(ERR_CATEGORY)

    def make(letter):
        letter.topic = topics.topic_raise(place=letter.grid or letter.community, category=category,
                                          title=letter.subject, text=letter.text, by=letter.writer,
                                          raised_as="resident", now=now)
    return _answer(scope=scope, letter_id=letter_id, version=version, state=LetterState.TOPIC, by=by, now=now,
                   reply="已转为社区议题", make=make)


def letter_to_order(*, scope: Scope, letter_id: int, version: int, category, by,
                    now: dt.datetime | None = None) -> Letter:
    """The letter is handed to the work-order engine, reported in the writer's name (they follow it
    under 我的诉求 and rate it); `category` is read by the caller from the catalogue."""
    now = now or timezone.now()
    if category is None:
        raise RuleError(ERR_ORDER_CATEGORY)

    def make(letter):
        from gongzhi.workorders import services as orders
        from gongzhi.workorders.models import Channel
        resident = writer_resident(letter.writer)
        letter.order = orders.order_report(
            category=category, description=f"{letter.text}\n\n(由书记主任信箱来信转来)", title=letter.subject,
            channel=Channel.WEB, by=letter.writer, grid=letter.grid,
            community=letter.community if letter.grid is None else None,
            household=resident.household if resident is not None else None, now=now)
    return _answer(scope=scope, letter_id=letter_id, version=version, state=LetterState.ORDER, by=by, now=now,
                   reply="已转为工单办理", make=make)


# -- reads ----------------------------------------------------------------------------------------
def letters_in(scope: Scope) -> QuerySet[Letter]:
    """Staff: the letters of the communities their posts (for the capability) reach."""
    return Letter.objects.filter(selectors.topic_q(scope))


def letters_of(user) -> QuerySet[Letter]:
    return Letter.objects.filter(writer=user)


def counts(qs: QuerySet[Letter], now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return qs.order_by().aggregate(open=Count("pk", filter=Q(state=LetterState.OPEN)),
                                   overdue=Count("pk", filter=Q(state=LetterState.OPEN, due_at__lt=now)),
                                   answered=Count("pk", filter=~Q(state=LetterState.OPEN)),
                                   on_time=Count("pk", filter=Q(answered_at__isnull=False,
                                                                answered_at__lte=F("due_at"))))
