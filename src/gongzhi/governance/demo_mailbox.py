"""The mailbox of the demo district (DemoPart 49): the demo residents' letters to their community's
secretary and director over the last two months, through the real services, in every state: replied
(on time and late), turned into a topic, handed to the work-order engine, waiting, and one overdue
(so the committee's and the street's alerts show). Its own random generator."""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gongzhi.accounts.models import Role, User
from gongzhi.core.scope import Scope
from gongzhi.governance import mailbox
from gongzhi.governance.manifest import ANSWER_LETTERS
from gongzhi.governance.models import Letter
from gongzhi.workorders.models import Category

SEED = 4949
SUMMARY = {"letters": "书记主任信箱来信 letters"}
# (days ago, to, subject, text, answer, answer after days): answer is a reply text, "topic:<category>",
# "order", or "" (still waiting)
LETTERS = [
    (58, "secretary", "小区南门晚上太暗", "南门到菜场那段路没有路灯,老人晚上出门不安全,希望加装路灯。",
     "已联系城管部门,本月底前加装两盏路灯。", 3),
    (45, "director", "楼道堆物", "3 幢 2 单元楼道长期堆放纸箱和旧家具,有消防隐患。", "order", 1),
    (40, "secretary", "希望开设老年人智能手机课", "很多老人不会用手机挂号、付款,希望社区组织培训。",
     "topic:services", 2),
    (30, "director", "广场舞音量太大", "晚上九点以后还有音响,影响孩子休息。",
     "已与舞蹈队约定晚上八点半结束并降低音量,请继续监督。", 9),
    (12, "secretary", "加装电梯补贴怎么申请", "我们单元想加装电梯,不知道补贴标准和申请流程。", "", 0),
    (2, "director", "快递柜收费问题", "小区快递柜超时收费,能否协调延长免费时间?", "", 0),
]


def _at(days_ago: int, hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def build(ctx) -> None:
    rng = random.Random(SEED)
    writers = list(User.objects.filter(assignments__role=Role.RESIDENT, resident__isnull=False, is_active=True)
                   .select_related("resident").order_by("username")[:3])
    made = 0
    for i, (ago, to, subject, text, answer, after) in enumerate(LETTERS):
        if not writers:
            break
        writer = writers[i % len(writers)]
        letter = mailbox.letter_send(by=writer, to=to, subject=subject, text=text, now=_at(ago, rng.randint(8, 21)))
        made += 1
        if not answer:
            continue
        committee = (User.objects.filter(assignments__role=Role.COMMUNITY, assignments__place=letter.community_id,
                                         assignments__active=True, is_active=True).order_by("pk").first())
        if committee is None:
            continue
        scope, when = Scope.for_user_capability(committee, ANSWER_LETTERS), _at(ago - after, rng.randint(9, 17))
        common = {"scope": scope, "letter_id": letter.pk, "version": letter.version, "by": committee, "now": when}
        if answer.startswith("topic:"):
            mailbox.letter_to_topic(category=answer.split(":", 1)[1], **common)
        elif answer == "order":
            category = Category.objects.filter(active=True, locality__isnull=True).order_by("sort", "pk").first()
            if category is not None:
                mailbox.letter_to_order(category=category, **common)
        else:
            mailbox.letter_reply(text=answer, **common)
    ctx.summary.add(SUMMARY, letters=made)


def count_existing(summary, district) -> None:
    summary.add(SUMMARY, letters=Letter.objects.filter(community__path__startswith=district.path).count())
