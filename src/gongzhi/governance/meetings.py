"""Every write of links 2 and 3 of the chain: deliberation sessions (协商) and the residents' /
villagers' meetings that decide (决策), with their rolls, votes and results.

Plain functions, one transaction each; a rule broken raises `RuleError` with a Chinese message and
writes nothing; a stale form raises `ConflictError`. The quorum arithmetic is integers only
(`present * den > roll * num`), so "exactly half" and "exactly two thirds" are decided exactly.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone

from gongzhi.core import codes
from gongzhi.core.db_statistics import analyze_if_stale
from gongzhi.core.errors import ConflictError, RuleError, lock_version
from gongzhi.core.validators import has_control_characters
from gongzhi.governance.models import (
    COMMENT_MAX, NUMERALS, SESSION_TEXT_MAX, HearingMatter, MeetingBody, MeetingForm, MeetingState, MotionOption,
    Outcome, Participant, ParticipantKind, PostKind, QuorumRule, ResidentGroup, ResidentMeeting, ResidentPost, RollEntry,
    Session, SessionComment, SessionForm, SessionState, Topic, TopicState, Vote, VoteChoice,
)
from gongzhi.people.models import HouseholdStatus, PersonStatus, ResidenceStatus, Resident
from gongzhi.places.models import AreaKind, Level, Place
from gongzhi.workorders import notify

# -- messages ---------------------------------------------------------------------------------
ERR_TITLE = "请填写{what}(不超过 60 个字)"
ERR_LONG = "「{field}」不能超过 {n} 个字(现有 {m} 个字)"
ERR_CONTROL = "「{field}」含有不可见的控制字符,请删除后重新输入"
ERR_FORM = "请选择协商形式"
ERR_NOT_COMMUNITY = "协商和居民会议只能由社区(村)组织"
ERR_TOPIC = "所选议题不属于本社区,或尚未答复为「转入协商」"
ERR_NO_PARTICIPANTS = ("协商会至少要有一位参加人:请勾选居委会成员、居民代表、驻区单位,"
                       "选择受影响的楼栋或网格,或填写党代表、人大代表的姓名")
ERR_STARTS = "请填写召开时间"
ERR_COMMENTS_UNTIL = "网上意见截止时间不能早于召开时间"
ERR_DEPUTY = "党代表、人大代表姓名每行一位,每位不超过 20 个字"
ERR_SESSION_DONE = "该协商会已{state},不能再修改"
ERR_SESSION_CONFLICT = "该协商会刚被他人修改,请刷新页面后重试"
ERR_OUTCOME = "请填写协商成果"
ERR_HEARING = "听证会须填写反馈部门和反馈给部门的意见"
ERR_HEARING_MATTER = ("听证会须选择至少一个听证事项:本社区已转为工单、并已派给政府部门办理的议题"
                      "(对涉及政府部门解决的事项召开听证会)")
ERR_MATTER = "所选听证事项不属于本社区,或不是已转为工单并派给政府部门办理的议题"
ERR_HEARING_DEPARTMENT = "请选择听证会的反馈部门(本社区听证事项的承办部门之一)"
ERR_NOT_HEARING = "只有听证会选择听证事项和反馈部门;请把协商形式改为「听证会」,或取消所选事项"
BIGINT = 2 ** 63
ERR_HELD_FUTURE = "召开日期不能晚于今天"
ERR_HELD_BEFORE = "召开日期不能早于通知日期"
ERR_ATTENDANCE = "到会人数须在 0 至 100000 之间"
ERR_COMMENT_EMPTY = "请填写意见"
ERR_COMMENT_CLOSED = "该协商会的网上意见征集已截止"
ERR_COMMENT_WHO = "只有本社区登记在册的居民可以发表意见"
ERR_BODY = "请选择会议类型(社区为居民会议或居民代表会议,村为村民会议或村民代表会议)"
ERR_MEETING_FORM = "「{body}」不能采用「{form}」的组成形式"
ERR_HELD_ON = "请填写会议日期"
ERR_CLOSES = "网上投票截止时间须晚于现在"
ERR_ROLL_EMPTY = "按 {date} 的登记信息,本社区没有符合「{form}」条件的人员,名册为空,不能召开会议"
ERR_NOT_VERIFIED = "只有已实名绑定登记居民的账号可以网上投票"
ERR_CLOSED = "表决已经截止或尚未开始网上投票,您的投票没有计入"
ERR_NOT_ON_ROLL = "您不在本次会议的名册上(名册按会议日期的登记信息生成),不能投票"
ERR_TWICE = "您已经投过票,每人(户)只能投一次,第二次投票没有计入"
ERR_CHOICE = "请选择同意、反对或弃权"
ERR_MEETING_CONFLICT = "该会议刚被他人修改,请刷新页面后重试"
ERR_MEETING_DONE = "该会议已{state},不能再修改"
ERR_TALLY = "现场同意、反对、弃权合计 {sum} 票,超过现场到会 {present} 人"
ERR_TALLY_ROLL = "现场到会 {present} 人加网上投票 {online} 人,超过名册 {roll} 人"
ERR_NUMBER = "人数须为 0 至 10000000 之间的整数"
ERR_OPTIONS_FEW = "供选择的方案至少要有两个(只有一个方案时,请不填方案,直接表决同意、反对或弃权)"
ERR_OPTIONS_MANY = "供选择的方案最多 {n} 个(现有 {m} 个)"
ERR_OPTION_LONG = "第 {i} 个方案超过 60 个字,请精简"
ERR_OPTION_TWICE = "方案「{label}」重复了,每个方案只写一次"
ERR_OPTION_CHOICE = "请选择一个方案,或「都不同意」「弃权」"
ERR_OPTION_TALLY = "请为每个方案填写现场票数"
ERR_TALLY_OPTIONS = "现场各方案、都不同意、弃权合计 {sum} 票,超过现场到会 {present} 人"
OPTIONS_MAX = 9
ERR_CLOSE_EARLY = "会议日期({date})之前不能结束表决"

SESSION_FORMS = dict(SessionForm.choices)
# which forms each body may take (城市居民委员会组织法 第十二条; 村民委员会组织法 第二十二、二十五条)
BODY_FORMS = {
    MeetingBody.RESIDENTS: (MeetingForm.ADULTS, MeetingForm.HOUSEHOLDS, MeetingForm.GROUP_REPS),
    MeetingBody.REPRESENTATIVES: (MeetingForm.REPRESENTATIVES,),
    MeetingBody.VILLAGERS: (MeetingForm.ADULTS, MeetingForm.HOUSEHOLDS),
    MeetingBody.VILLAGE_REPS: (MeetingForm.REPRESENTATIVES,),
}


@dataclass(frozen=True)
class Rule:
    quorum_num: int
    quorum_den: int
    quorum_strict: bool  # True: more than (过半数); False: at least (三分之二以上)
    pass_num: int
    pass_den: int
    pass_strict: bool
    basis: str


_HALF = dict(pass_num=1, pass_den=2, pass_strict=True)
# the organic laws' defaults; a QuorumRule row for a district, street or community overrides them below it
DEFAULT_RULES = {
    (MeetingBody.RESIDENTS, MeetingForm.ADULTS): Rule(1, 2, True, **_HALF, basis="城市居民委员会组织法第十二条"),
    (MeetingBody.RESIDENTS, MeetingForm.HOUSEHOLDS): Rule(1, 2, True, **_HALF, basis="城市居民委员会组织法第十二条"),
    (MeetingBody.RESIDENTS, MeetingForm.GROUP_REPS): Rule(1, 2, True, **_HALF, basis="城市居民委员会组织法第十二条"),
    (MeetingBody.REPRESENTATIVES, MeetingForm.REPRESENTATIVES): Rule(2, 3, False, **_HALF,
                                                                     basis="参照村民委员会组织法第二十六条"),
    (MeetingBody.VILLAGERS, MeetingForm.ADULTS): Rule(1, 2, True, **_HALF, basis="村民委员会组织法第二十二条"),
    (MeetingBody.VILLAGERS, MeetingForm.HOUSEHOLDS): Rule(2, 3, False, **_HALF, basis="村民委员会组织法第二十二条"),
    (MeetingBody.VILLAGE_REPS, MeetingForm.REPRESENTATIVES): Rule(2, 3, False, **_HALF,
                                                                  basis="村民委员会组织法第二十六条"),
}
# the ledger kind a held meeting writes (ledgers.MeetingKind)
LEDGER_KIND = {MeetingBody.RESIDENTS: "residents", MeetingBody.VILLAGERS: "residents",
               MeetingBody.REPRESENTATIVES: "representatives", MeetingBody.VILLAGE_REPS: "representatives"}
SESSION_SOURCE = "governance.session"
MEETING_SOURCE = "governance.meeting"


# -- helpers ----------------------------------------------------------------------------------
def _text(value, field: str, *, limit: int, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleError(required)
    if len(value) > limit:
        raise RuleError(ERR_LONG.format(field=field, n=limit, m=len(value)))
    if has_control_characters(value):
        raise RuleError(ERR_CONTROL.format(field=field))
    return value


def _community(place: Place) -> Place:
    if place is None or place.level != Level.COMMUNITY:
        raise RuleError(ERR_NOT_COMMUNITY)
    return place


def is_village(community: Place) -> bool:
    """A village: a rural community, or a code in the village committees' range (末三位 200–399)."""
    return community.area_kind == AreaKind.RURAL or (len(community.code) == 12 and 200 <= int(community.code[9:]) <= 399)


def bodies_for(community: Place) -> tuple[str, ...]:
    if is_village(community):
        return (MeetingBody.VILLAGERS, MeetingBody.VILLAGE_REPS)
    return (MeetingBody.RESIDENTS, MeetingBody.REPRESENTATIVES)


def community_residents(community: Place):
    return Resident.objects.filter(community=community, status=PersonStatus.ACTIVE)


def resident_of(user, community_id: int):
    """The registered, living resident an account is bound to, when they live in `community_id`."""
    resident = getattr(user, "resident", None)
    if resident is None or resident.community_id != community_id or resident.status != PersonStatus.ACTIVE:
        return None
    return resident


def _accounts_of(resident_ids) -> list[int]:
    from gongzhi.accounts.models import User
    return list(User.objects.filter(resident_id__in=resident_ids, is_active=True).values_list("pk", flat=True))


def _committee_accounts(community: Place) -> list[int]:
    from gongzhi.accounts.models import Role
    return notify.users_at(community, [Role.COMMUNITY])


def _write_ledger(*, source, record, community, kind, held_on, title, attendees, minutes, by):
    from gongzhi.ledgers import services as ledgers
    from gongzhi.ledgers.models import Meeting
    return ledgers.write_from(model=Meeting, source=source, source_pk=record.pk, community=community, by=by,
                              kind=kind, held_on=held_on, title=title[:200], attendees=attendees, minutes=minutes)


# -- hearings: the matters that need the government (P-GOV-3) --------------------------------------
def government_matters(community_id: int):
    """The community's matters that need the government (002(2) 二(三)2(4) 涉及政府部门解决的事项): its
    residents' topics answered 转为工单 whose work order a government department handles (the order's
    handling_department is set), newest first."""
    return (Topic.objects.filter(community_id=community_id, state=TopicState.ORDERED, handed_order__isnull=False)
            .exclude(handed_order__handling_department="").select_related("handed_order__handling_place")
            .order_by("-answered_at", "-pk"))


def department_key(place_id: int, department: str) -> str:
    return f"{place_id}:{department}"


def matter_departments(community_id: int) -> list[tuple[str, str]]:
    """(key, label) of the departments handling the community's matters, for the hearing form's picker."""
    rows = (government_matters(community_id).order_by()
            .values_list("handed_order__handling_place_id", "handed_order__handling_place__name",
                         "handed_order__handling_department").distinct())
    return sorted((department_key(pid, dep), f"{name}{dep}") for pid, name, dep in rows)


def _ids(values) -> list[int]:
    """Ids from a form: positive integers below 2^63, else the matter names nothing."""
    out = []
    for v in values or ():
        v = str(v).strip()
        if not v.isascii() or not v.isdigit() or not 0 < int(v) < BIGINT:
            raise RuleError(ERR_MATTER)
        out.append(int(v))
    return list(dict.fromkeys(out))


def _hearing_matters(community: Place, matter_ids, department_key_: str) -> tuple[list[Topic], Place, str]:
    """The topics a hearing hears and its department ((place, name) of a unit handling one of the
    community's matters), or RuleError naming what is wrong."""
    ids = _ids(matter_ids)
    if not ids:
        raise RuleError(ERR_HEARING_MATTER)
    found = {t.pk: t for t in government_matters(community.pk).filter(pk__in=ids)}
    if len(found) != len(ids):
        raise RuleError(ERR_MATTER)
    topics = [found[i] for i in ids]  # in the order picked
    key = (department_key_ or "").strip()
    if not key or has_control_characters(key) or len(key) > 90:
        raise RuleError(ERR_HEARING_DEPARTMENT)
    if key not in dict(matter_departments(community.pk)):
        raise RuleError(ERR_HEARING_DEPARTMENT)
    place_id, name = key.split(":", 1)
    return topics, Place.objects.get(pk=int(place_id)), name


def hearing_matters(session: Session) -> list[dict]:
    """The matters a hearing hears, each with its handling unit and, when the hearing does not count for
    it (metric `government_matters_heard_share`), why: fed back to another department than the one
    handling its order, or held before the topic was handed."""
    out = []
    for hm in session.matters.select_related("topic__handed_order__handling_place").order_by("pk"):
        t, order = hm.topic, hm.topic.handed_order
        unit = f"{order.handling_place.name if order.handling_place_id else ''}{order.handling_department}"
        handed = timezone.localtime(t.answered_at).date() if t.answered_at else None
        note = ""
        if (order.handling_place_id, order.handling_department) != (session.department_place_id, session.department):
            note = f"该事项现由{unit or '未派单位'}承办,与本次反馈部门不同,不算对它召开了听证会"
        elif session.held_on and handed and session.held_on < handed:
            note = f"召开日期早于该议题转办之日({handed:%Y-%m-%d}),不算对它召开了听证会"
        out.append({"topic": t, "order": order, "unit": unit, "handed": handed, "note": note})
    return out


# -- deliberation sessions ----------------------------------------------------------------------
def _deputies(text: str) -> list[str]:
    names = [n.strip() for n in (text or "").splitlines() if n.strip()]
    if any(len(n) > 20 or has_control_characters(n) for n in names) or len(names) > 200:
        raise RuleError(ERR_DEPUTY)
    return list(dict.fromkeys(names))


def session_create(*, community: Place, form: str, title: str, starts_at: dt.datetime, by,
                   agenda: str = "", venue: str = "", comments_until: dt.datetime | None = None,
                   topic: Topic | None = None, committee: bool = False, representatives: bool = False,
                   building_ids=(), grid_ids=(), unit_ids=(), deputies: str = "",
                   matter_ids=(), department: str = "", now: dt.datetime | None = None) -> Session:
    """A session called by the committee (or for a topic answered 转入协商), with its participants
    picked from the registry in a few set-based inserts, and a notice to each one's inbox.

    A hearing (听证会) hears one or more of the community's matters that need the government
    (`matter_ids`, see `government_matters`) and names its department, `department` being the key
    "<place id>:<department>" of a unit handling one of them (`matter_departments`)."""
    now = now or timezone.now()
    _community(community)
    if form not in SESSION_FORMS:
        raise RuleError(ERR_FORM)
    title = _text(title, "协商事项", limit=60, required=ERR_TITLE.format(what="协商事项"))
    agenda = _text(agenda, "协商内容", limit=SESSION_TEXT_MAX)
    venue = _text(venue, "地点", limit=60)
    if starts_at is None:
        raise RuleError(ERR_STARTS)
    comments_until = comments_until or starts_at + dt.timedelta(days=7)
    if comments_until < starts_at:
        raise RuleError(ERR_COMMENTS_UNTIL)
    if topic is not None and (topic.community_id != community.pk or topic.state != TopicState.DELIBERATION):
        raise RuleError(ERR_TOPIC)
    names = _deputies(deputies)
    matters, department_place, department_name = [], None, ""
    if form == SessionForm.HEARING:
        matters, department_place, department_name = _hearing_matters(community, matter_ids, department)
    elif matter_ids or (department or "").strip():
        raise RuleError(ERR_NOT_HEARING)
    from gongzhi.ledgers.models import Worker
    from gongzhi.people.models import OrgKind, Organisation
    with transaction.atomic():
        session = Session.objects.create(community=community, topic=topic, form=form, title=title, agenda=agenda,
                                         venue=venue, starts_at=starts_at, comments_until=comments_until,
                                         created_by=by, created_at=now, department_place=department_place,
                                         department=department_name)
        HearingMatter.objects.bulk_create([HearingMatter(session=session, topic=t) for t in matters])
        rows = []
        if committee:
            rows += [Participant(session=session, kind=ParticipantKind.COMMITTEE, worker_id=pk, name=name)
                     for pk, name in Worker.objects.filter(community=community, left_on__isnull=True)
                     .exclude(committee_post="").values_list("pk", "name")]
        if representatives:
            rows += [Participant(session=session, kind=ParticipantKind.REPRESENTATIVE, resident_id=pk)
                     for pk in posts_on(community, PostKind.REPRESENTATIVE, now.date())
                     .values_list("resident_id", flat=True)]
        if building_ids or grid_ids:
            # one per household of the affected buildings / grids: the head, or its first member
            place_q = Q(pk__in=[])
            if building_ids:
                place_q |= Q(household__dwelling__building_id__in=list(building_ids))
            if grid_ids:
                place_q |= Q(household__grid_id__in=list(grid_ids))
            head_first = Case(When(relation=codes.HEAD_RELATION, then=Value(0)), default=Value(1))
            picked = (community_residents(community).filter(place_q, household__status=HouseholdStatus.ACTIVE)
                      .order_by("household_id", head_first, "pk").values_list("household_id", "pk"))
            seen = set()
            for household_id, pk in picked.iterator(chunk_size=2000):
                if household_id not in seen:
                    seen.add(household_id)
                    rows.append(Participant(session=session, kind=ParticipantKind.STAKEHOLDER, resident_id=pk))
        if unit_ids:
            rows += [Participant(session=session, kind=ParticipantKind.UNIT, organisation_id=pk, name=name)
                     for pk, name in Organisation.objects.filter(community=community, kind=OrgKind.RESIDENT_UNIT,
                                                                 active=True, pk__in=list(unit_ids))
                     .values_list("pk", "name")]
        rows += [Participant(session=session, kind=ParticipantKind.DEPUTY, name=n) for n in names]
        if not rows:
            raise RuleError(ERR_NO_PARTICIPANTS)
        Participant.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        when = timezone.localtime(starts_at)
        text = (f"{community.name}将于 {when:%Y-%m-%d %H:%M} 召开{SESSION_FORMS[form]}「{title}」"
                f"{'(' + venue + ')' if venue else ''},请您参加;会前会后可在平台上发表意见。")
        resident_ids = Participant.objects.filter(session=session, resident__isnull=False).values("resident_id")
        users = _accounts_of(resident_ids)
        if committee:
            users += _committee_accounts(community)
        notify.notify(users, order=None, kind="session", text=text, now=now)
    return session


def comment_add(*, session: Session, by, text: str, now: dt.datetime | None = None) -> SessionComment:
    """A resident of the session's community gives a view online, before or after the day."""
    now = now or timezone.now()
    resident = resident_of(by, session.community_id)
    if resident is None:
        raise RuleError(ERR_COMMENT_WHO)
    text = _text(text, "意见", limit=COMMENT_MAX, required=ERR_COMMENT_EMPTY)
    with transaction.atomic():
        current = Session.objects.get(pk=session.pk)
        if current.state == SessionState.CANCELLED or now > current.comments_until:
            raise RuleError(ERR_COMMENT_CLOSED)
        return SessionComment.objects.create(session=current, resident=resident, user=by, text=text,
                                             after=now >= current.starts_at, created_at=now)


def _count(value, field="到会人数") -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        raise RuleError(ERR_ATTENDANCE) from None
    if not 0 <= n <= 100000:
        raise RuleError(ERR_ATTENDANCE)
    return n


def _session_minutes(session: Session) -> str:
    """The ledger row's minutes: the outcome; for a hearing also the matters heard, what was fed back
    to which department, and its answer once it came."""
    minutes = f"协商成果:{session.outcome}"
    if session.form == SessionForm.HEARING:
        heard = list(session.matters.order_by("pk").values_list("topic__title", flat=True))
        if heard:
            minutes += "\n听证事项:" + "、".join(f"「{t}」" for t in heard)
        minutes += f"\n反馈{session.department}:{session.fed_back}"
        if session.department_answer:
            minutes += f"\n部门答复:{session.department_answer}"
    return minutes


def session_record(*, session_id: int, version: int, by, held_on: dt.date, outcome: str, attended_ids=(),
                   walk_ins=0, options: str = "", views_for: str = "", views_against: str = "",
                   department: str = "", fed_back: str = "", department_answer: str = "") -> Session:
    """The day's record: who came (ticked participants plus walk-ins), the options discussed, the
    views for and against, and the 协商成果; a hearing adds what was fed back to which department
    and, when it came, the department's answer. Writes the session's ledgers.Meeting row."""
    outcome = _text(outcome, "协商成果", limit=SESSION_TEXT_MAX, required=ERR_OUTCOME)
    options = _text(options, "讨论的方案", limit=SESSION_TEXT_MAX)
    views_for = _text(views_for, "赞成意见", limit=SESSION_TEXT_MAX)
    views_against = _text(views_against, "反对意见", limit=SESSION_TEXT_MAX)
    department = _text(department, "反馈部门", limit=60)
    fed_back = _text(fed_back, "反馈部门的意见", limit=SESSION_TEXT_MAX)
    department_answer = _text(department_answer, "部门答复", limit=SESSION_TEXT_MAX)
    walk_ins = _count(walk_ins)
    if held_on is None or held_on > timezone.localdate():
        raise RuleError(ERR_HELD_FUTURE)
    with transaction.atomic():
        session = lock_version(Session.objects.all(), session_id, version, ERR_SESSION_CONFLICT)
        if session.state != SessionState.NOTIFIED:
            raise ConflictError(ERR_SESSION_DONE.format(state=session.get_state_display()))
        if held_on < timezone.localtime(session.created_at).date():
            raise RuleError(ERR_HELD_BEFORE)
        if session.department_place_id:  # named when the hearing was called: the matters' department
            department = session.department
        if session.form == SessionForm.HEARING and not (department and fed_back):
            raise RuleError(ERR_HEARING)
        ids = {int(i) for i in attended_ids if str(i).isdigit()}
        Participant.objects.filter(session=session).update(attended=False)
        came = Participant.objects.filter(session=session, pk__in=ids).update(attended=True)
        session.state = SessionState.HELD
        session.held_on, session.recorded_by, session.recorded_at = held_on, by, timezone.now()
        session.attendance = came + walk_ins
        session.options, session.views_for, session.views_against = options, views_for, views_against
        session.outcome, session.department, session.fed_back = outcome, department, fed_back
        session.department_answer = department_answer
        session.version += 1
        minutes = _session_minutes(session)
        session.ledger_row = _write_ledger(
            source=SESSION_SOURCE, record=session, community=session.community,
            kind="hearing" if session.form == SessionForm.HEARING else "deliberation", held_on=held_on,
            title=f"{session.get_form_display()}:{session.title}", attendees=session.attendance, minutes=minutes,
            by=by)
        session.save()
        resident_ids = Participant.objects.filter(session=session, resident__isnull=False).values("resident_id")
        notify.notify(_accounts_of(resident_ids), order=None, kind="session",
                      text=f"您参加的{session.get_form_display()}「{session.title}」已形成协商成果:{outcome}")
    return session


def session_answer(*, session_id: int, version: int, by, department_answer: str) -> Session:
    """A hearing's department answered after the day: its answer is added once, and the ledger row follows."""
    answer = _text(department_answer, "部门答复", limit=SESSION_TEXT_MAX, required="请填写部门答复")
    with transaction.atomic():
        session = lock_version(Session.objects.all(), session_id, version, ERR_SESSION_CONFLICT)
        if session.state != SessionState.HELD or session.form != SessionForm.HEARING or session.department_answer:
            raise ConflictError("只有已召开、尚未登记部门答复的听证会可以登记部门答复")
        session.department_answer = answer
        session.version += 1
        session.save()
        _write_ledger(source=SESSION_SOURCE, record=session, community=session.community, kind="hearing",
                      held_on=session.held_on, title=f"{session.get_form_display()}:{session.title}",
                      attendees=session.attendance, minutes=_session_minutes(session), by=by)
    return session


# -- rules, rolls --------------------------------------------------------------------------------
def rule_for(community: Place, body: str, form: str) -> Rule:
    """The most specific QuorumRule on the community's path (community, street, district), else the law's default."""
    codes_on_path = [c for c in community.path.strip("/").split("/") if c]
    rows = {r.place.code: r for r in QuorumRule.objects.filter(place__code__in=codes_on_path, body=body, form=form)
            .select_related("place")}
    for code in reversed(codes_on_path):
        r = rows.get(code)
        if r is not None:
            return Rule(r.quorum_num, r.quorum_den, r.quorum_strict, r.pass_num, r.pass_den, r.pass_strict,
                        r.basis or f"{r.place.name}规定")
    return DEFAULT_RULES[(body, form)]


def posts_on(community: Place, kind: str, on: dt.date):
    return ResidentPost.objects.filter(community=community, kind=kind, since__lte=on).filter(
        Q(until__isnull=True) | Q(until__gt=on))


def adult_cutoff(on: dt.date) -> dt.date:
    """Born on or before this day: 18 or older on `on` (29 February counts from 1 March)."""
    try:
        return on.replace(year=on.year - 18)
    except ValueError:
        return on.replace(year=on.year - 18, day=28)


def _eligible_sql(meeting: ResidentMeeting) -> tuple[str, list]:
    """The WHERE clause (on people_resident r) of who was an adult, living member of the community on
    the meeting's date: active and moved in by then, or since moved out / deceased after it."""
    on = meeting.held_on
    sql = ("r.community_id = %s AND r.birth_date IS NOT NULL AND r.birth_date <= %s"
           " AND (r.moved_in_on IS NULL OR r.moved_in_on <= %s)"
           " AND (r.status = %s OR (r.status_changed_on IS NOT NULL AND r.status_changed_on > %s))")
    params = [meeting.community_id, adult_cutoff(on), on, PersonStatus.ACTIVE, on]
    if meeting.body in (MeetingBody.VILLAGERS, MeetingBody.VILLAGE_REPS):
        sql += " AND r.residence_status <> %s"  # 村民: registered or living there, not the floating population
        params.append(ResidenceStatus.FLOATING)
    return sql, params


def build_roll(meeting: ResidentMeeting) -> int:
    """Fill the meeting's roll from the registry on its date in one INSERT … SELECT (no row goes
    through Python): adults; one per household (its head, else its first adult member); or the
    representatives serving on that date. Returns the roll's size."""
    roll = RollEntry._meta.db_table
    people = Resident._meta.db_table
    analyze_if_stale(people, ResidentPost._meta.db_table)  # a roll right after an import: plan with statistics
    where, params = _eligible_sql(meeting)
    if meeting.form == MeetingForm.ADULTS:
        sql = (f"INSERT INTO {roll} (meeting_id, resident_id, household_id) "
               f"SELECT %s, r.id, CAST(NULL AS BIGINT) FROM {people} r WHERE {where}")
        params = [meeting.pk, *params]
    elif meeting.form == MeetingForm.HOUSEHOLDS:
        sql = (f"INSERT INTO {roll} (meeting_id, resident_id, household_id) "
               f"SELECT %s, COALESCE(MIN(CASE WHEN r.relation = %s THEN r.id END), MIN(r.id)), r.household_id "
               f"FROM {people} r WHERE {where} GROUP BY r.household_id")
        params = [meeting.pk, codes.HEAD_RELATION, *params]
    else:
        kind = PostKind.GROUP_REP if meeting.form == MeetingForm.GROUP_REPS else PostKind.REPRESENTATIVE
        posts = ResidentPost._meta.db_table
        sql = (f"INSERT INTO {roll} (meeting_id, resident_id, household_id) "
               f"SELECT DISTINCT %s, r.id, CAST(NULL AS BIGINT) FROM {posts} p "
               f"JOIN {people} r ON r.id = p.resident_id "
               f"WHERE p.community_id = %s AND p.kind = %s AND p.since <= %s "
               f"AND (p.until IS NULL OR p.until > %s) AND {where}")
        params = [meeting.pk, meeting.community_id, kind, meeting.held_on, meeting.held_on, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return RollEntry.objects.filter(meeting=meeting).count()


# -- the arithmetic -------------------------------------------------------------------------------
def _needed(total: int, num: int, den: int, strict: bool) -> int:
    """The least whole number n with n > total·num/den (strict) or n ≥ total·num/den."""
    return total * num // den + 1 if strict else -(-total * num // den)


def _fraction(num: int, den: int, strict: bool) -> str:
    name = {(1, 2): "半数", (2, 3): "三分之二"}.get((num, den), f"{num}/{den}")
    return f"{name}{'(须超过)' if strict else '以上(含本数)'}"


@dataclass(frozen=True)
class Result:
    quorum_met: bool
    adopted: bool
    outcome: str
    reason: str


def _quorum(rule: Rule, roll: int, present: int, unit: str) -> tuple[list[str], Result | None]:
    """The reason's opening (roll, present, the quorum rule) and, when the meeting did not hold, its result."""
    need_present = _needed(roll, rule.quorum_num, rule.quorum_den, rule.quorum_strict)
    parts = [f"应到 {roll} {unit},实到 {present} {unit};依{rule.basis},须有应到的"
             f"{_fraction(rule.quorum_num, rule.quorum_den, rule.quorum_strict)}出席,即至少 {need_present} {unit}"]
    if roll > 0 and present >= need_present:
        return parts, None
    parts.append(f"未达到法定人数(差 {need_present - present} {unit}),会议决定不成立")
    return parts, Result(False, False, Outcome.NO_QUORUM, ";".join(parts) + "。")


def decide(*, rule: Rule, roll: int, present: int, yes: int, no: int = 0, abstain: int = 0, unit: str = "人") -> Result:
    """Whether the meeting held (quorum) and whether the motion passed, and why, in numbers."""
    parts, not_held = _quorum(rule, roll, present, unit)
    if not_held:
        return not_held
    need_yes = _needed(present, rule.pass_num, rule.pass_den, rule.pass_strict)
    adopted = yes >= need_yes
    parts.append("达到法定人数")
    parts.append(f"同意 {yes}、反对 {no}、弃权 {abstain};须经到会的"
                 f"{_fraction(rule.pass_num, rule.pass_den, rule.pass_strict)}同意,即至少 {need_yes} 票")
    parts.append("通过" if adopted else f"未通过(差 {need_yes - yes} 票)")
    return Result(True, adopted, Outcome.ADOPTED if adopted else Outcome.REJECTED, ";".join(parts) + "。")


@dataclass(frozen=True)
class Choice:
    """The result of a choice between plans: `chosen` is the index of the adopted option, if any."""
    result: Result
    chosen: int | None


def decide_choice(*, rule: Rule, roll: int, present: int, options: list[tuple[str, int]], no: int = 0,
                  abstain: int = 0, unit: str = "人") -> Choice:
    """A choice between plans: the meeting must hold as for any motion; then the option with the most
    votes is adopted if it alone has the pass fraction of those present. Options are (name, votes)."""
    parts, not_held = _quorum(rule, roll, present, unit)
    if not_held:
        return Choice(not_held, None)
    need = _needed(present, rule.pass_num, rule.pass_den, rule.pass_strict)
    top = max(n for _, n in options)
    leaders = [i for i, (_, n) in enumerate(options) if n == top]
    parts.append("达到法定人数")
    parts.append("、".join(f"{name} {n} 票" for name, n in options) + f"、都不同意 {no}、弃权 {abstain};"
                 f"须经到会的{_fraction(rule.pass_num, rule.pass_den, rule.pass_strict)}选择同一方案,即至少 {need} 票")
    if len(leaders) > 1:
        parts.append("、".join(options[i][0] for i in leaders) + f"得票相同({top} 票),没有方案通过,须另行表决")
        return Choice(Result(True, False, Outcome.REJECTED, ";".join(parts) + "。"), None)
    best = leaders[0]
    if top >= need:
        parts.append(f"{options[best][0]}得票最多,通过")
        return Choice(Result(True, True, Outcome.ADOPTED, ";".join(parts) + "。"), best)
    parts.append(f"得票最多的{options[best][0]}差 {need - top} 票,没有方案通过")
    return Choice(Result(True, False, Outcome.REJECTED, ";".join(parts) + "。"), None)


def parse_options(text) -> list[str]:
    """The plans of a choice, one per line (blank lines skipped): none, or two to nine distinct ones."""
    labels = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not labels:
        return []
    if len(labels) == 1:
        raise RuleError(ERR_OPTIONS_FEW)
    if len(labels) > OPTIONS_MAX:
        raise RuleError(ERR_OPTIONS_MANY.format(n=OPTIONS_MAX, m=len(labels)))
    seen = set()
    for i, label in enumerate(labels, 1):
        if len(label) > 60:
            raise RuleError(ERR_OPTION_LONG.format(i=i))
        if has_control_characters(label):
            raise RuleError(ERR_CONTROL.format(field=f"方案{NUMERALS[i]}"))
        if label in seen:
            raise RuleError(ERR_OPTION_TWICE.format(label=label))
        seen.add(label)
    return labels


# -- meetings ---------------------------------------------------------------------------------
def meeting_create(*, community: Place, body: str, form: str, title: str, held_on: dt.date, by,
                   motion: str = "", venue: str = "", online: bool = True, closes_at: dt.datetime | None = None,
                   topic: Topic | None = None, session: Session | None = None, options=(),
                   now: dt.datetime | None = None) -> ResidentMeeting:
    """Call a meeting: the rule it is held under is copied onto it, its roll is built from the
    registry on its date, and everyone on the roll with an account gets the notice. `options` (two to
    nine plans, or a text of one per line) make it a choice between them instead of a yes/no motion."""
    now = now or timezone.now()
    _community(community)
    if body not in bodies_for(community):
        raise RuleError(ERR_BODY)
    if form not in BODY_FORMS[body]:
        raise RuleError(ERR_MEETING_FORM.format(body=MeetingBody(body).label,
                                                form=MeetingForm(form).label if form in MeetingForm.values else form))
    title = _text(title, "表决事项", limit=60, required=ERR_TITLE.format(what="表决事项"))
    motion = _text(motion, "决定内容", limit=SESSION_TEXT_MAX)
    venue = _text(venue, "地点", limit=60)
    if held_on is None:
        raise RuleError(ERR_HELD_ON)
    if online and closes_at is not None and closes_at <= now:
        raise RuleError(ERR_CLOSES)
    if topic is not None and topic.community_id != community.pk:
        raise RuleError(ERR_TOPIC)
    if session is not None and session.community_id != community.pk:
        raise RuleError("所选协商会不属于本社区")
    labels = parse_options(options if isinstance(options, str) else "\n".join(options))
    rule = rule_for(community, body, form)
    with transaction.atomic():
        meeting = ResidentMeeting.objects.create(
            community=community, body=body, form=form, title=title, motion=motion, venue=venue, held_on=held_on,
            online=online, closes_at=closes_at if online else None, topic=topic, session=session,
            state=MeetingState.VOTING if online else MeetingState.NOTIFIED,
            quorum_num=rule.quorum_num, quorum_den=rule.quorum_den, quorum_strict=rule.quorum_strict,
            pass_num=rule.pass_num, pass_den=rule.pass_den, pass_strict=rule.pass_strict, rule_basis=rule.basis,
            created_by=by, created_at=now)
        MotionOption.objects.bulk_create([MotionOption(meeting=meeting, position=i, label=label)
                                          for i, label in enumerate(labels, 1)])
        size = build_roll(meeting)
        if size == 0:
            raise RuleError(ERR_ROLL_EMPTY.format(date=held_on, form=MeetingForm(form).label))
        ResidentMeeting.objects.filter(pk=meeting.pk).update(roll_size=size, roll_built_at=timezone.now())
        meeting.roll_size = size
        users = _accounts_of(RollEntry.objects.filter(meeting=meeting).values("resident_id"))
        notify.notify(users, order=None, kind="meeting", now=now,
                      text=f"{community.name}将于 {held_on:%Y-%m-%d} 召开{meeting.get_body_display()},表决「{title}」"
                           f"{f'(从 {len(labels)} 个方案中选择)' if labels else ''},"
                           f"您在名册上{',可在平台上网上投票' if online else ''}。")
    return meeting


def entry_for(meeting: ResidentMeeting, user) -> RollEntry | None:
    """The caller's roll entry: their own, or their household's when they are its delegate."""
    resident = resident_of(user, meeting.community_id)
    if resident is None:
        return None
    return RollEntry.objects.filter(meeting=meeting, resident=resident).first()


def vote(*, meeting: ResidentMeeting, by, choice: str, option_id: int | None = None,
         now: dt.datetime | None = None) -> Vote:
    """One online vote by a verified resident on the roll. The meeting's counter is moved by a
    conditional UPDATE that also holds its row until commit, so a close waits for votes in flight and
    no vote lands after it; the unique (meeting, entry) constraint keeps it to one per person/household.
    On a meeting with options, 同意 names one of its options (`option_id`) and 反对 reads 都不同意."""
    now = now or timezone.now()
    if choice not in VoteChoice.values:
        raise RuleError(ERR_CHOICE)
    option_ids = set(MotionOption.objects.filter(meeting_id=meeting.pk).values_list("pk", flat=True))
    if option_ids and (choice == VoteChoice.YES) != (option_id in option_ids):
        raise RuleError(ERR_OPTION_CHOICE)
    if not option_ids and option_id is not None:
        raise RuleError(ERR_CHOICE)
    if getattr(by, "resident_id", None) is None:
        raise RuleError(ERR_NOT_VERIFIED)
    with transaction.atomic():
        moved = ResidentMeeting.objects.filter(pk=meeting.pk, state=MeetingState.VOTING, online=True).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now)).update(online_votes=F("online_votes") + 1)
        if not moved:
            raise RuleError(ERR_CLOSED)
        entry = entry_for(meeting, by)
        if entry is None:
            raise RuleError(ERR_NOT_ON_ROLL)
        try:
            with transaction.atomic():
                return Vote.objects.create(meeting_id=meeting.pk, entry=entry, choice=choice, option_id=option_id,
                                           user=by, cast_at=now)
        except IntegrityError:
            raise RuleError(ERR_TWICE) from None


def _number(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise RuleError(ERR_NUMBER) from None
    if not 0 <= n <= 10_000_000:
        raise RuleError(ERR_NUMBER)
    return n


def record_paper(*, meeting_id: int, version: int, by, present, yes=0, no=0, abstain=0,
                 option_votes: dict | None = None) -> ResidentMeeting:
    """The day's paper record: those present in person (not counting online voters) and the show of
    hands or ballots per option. On a meeting with options, `option_votes` maps each option's id to
    its paper votes (all of them), `yes` is their sum and `no` counts 都不同意."""
    present, yes, no, abstain = (_number(v) for v in (present, yes, no, abstain))
    with transaction.atomic():
        meeting = lock_version(ResidentMeeting.objects.all(), meeting_id, version, ERR_MEETING_CONFLICT)
        if meeting.state not in (MeetingState.NOTIFIED, MeetingState.VOTING):
            raise ConflictError(ERR_MEETING_DONE.format(state=meeting.get_state_display()))
        options = list(MotionOption.objects.filter(meeting=meeting))
        if options:
            given = {str(k): v for k, v in (option_votes or {}).items()}
            if any(str(o.pk) not in given for o in options):
                raise RuleError(ERR_OPTION_TALLY)
            for o in options:
                o.paper_votes = _number(given[str(o.pk)])
            yes = sum(o.paper_votes for o in options)
            if yes + no + abstain > present:
                raise RuleError(ERR_TALLY_OPTIONS.format(sum=yes + no + abstain, present=present))
            MotionOption.objects.bulk_update(options, ["paper_votes"])
        elif yes + no + abstain > present:
            raise RuleError(ERR_TALLY.format(sum=yes + no + abstain, present=present))
        if present + meeting.online_votes > meeting.roll_size:
            raise RuleError(ERR_TALLY_ROLL.format(present=present, online=meeting.online_votes,
                                                  roll=meeting.roll_size))
        meeting.paper_present, meeting.paper_yes, meeting.paper_no, meeting.paper_abstain = present, yes, no, abstain
        meeting.version += 1
        meeting.save(update_fields=["paper_present", "paper_yes", "paper_no", "paper_abstain", "version"])
    return meeting


def close(*, meeting_id: int, version: int, by, minutes: str = "", now: dt.datetime | None = None) -> ResidentMeeting:
    """End the vote and record the decision: present = in person + online voters; the outcome is
    computed from the meeting's rule — a decision without quorum is recorded as not passed. A meeting
    that held writes its ledgers.Meeting row; a meeting without quorum did not hold and writes none."""
    now = now or timezone.now()
    minutes = _text(minutes, "会议记录", limit=SESSION_TEXT_MAX)
    with transaction.atomic():
        meeting = lock_version(ResidentMeeting.objects.all(), meeting_id, version, ERR_MEETING_CONFLICT)
        if meeting.state not in (MeetingState.NOTIFIED, MeetingState.VOTING):
            raise ConflictError(ERR_MEETING_DONE.format(state=meeting.get_state_display()))
        if timezone.localtime(now).date() < meeting.held_on:
            raise RuleError(ERR_CLOSE_EARLY.format(date=meeting.held_on))
        online = dict(Vote.objects.filter(meeting=meeting).values_list("choice").annotate(n=Count("pk")))
        online_total = sum(online.values())
        if meeting.paper_present + online_total > meeting.roll_size:
            raise RuleError(ERR_TALLY_ROLL.format(present=meeting.paper_present, online=online_total,
                                                  roll=meeting.roll_size))
        yes = meeting.paper_yes + online.get(VoteChoice.YES, 0)
        no = meeting.paper_no + online.get(VoteChoice.NO, 0)
        abstain = meeting.paper_abstain + online.get(VoteChoice.ABSTAIN, 0)
        present = meeting.paper_present + online_total
        rule = Rule(meeting.quorum_num, meeting.quorum_den, meeting.quorum_strict, meeting.pass_num,
                    meeting.pass_den, meeting.pass_strict, meeting.rule_basis)
        unit = "户" if meeting.form == MeetingForm.HOUSEHOLDS else "人"
        options = list(MotionOption.objects.filter(meeting=meeting))
        if options:
            per_option = dict(Vote.objects.filter(meeting=meeting, option__isnull=False).values_list("option_id")
                              .annotate(n=Count("pk")))
            for o in options:
                o.votes = o.paper_votes + per_option.get(o.pk, 0)
            MotionOption.objects.bulk_update(options, ["votes"])
            choice = decide_choice(rule=rule, roll=meeting.roll_size, present=present,
                                   options=[(o.name, o.votes) for o in options], no=no, abstain=abstain, unit=unit)
            result = choice.result
            meeting.adopted_option = options[choice.chosen] if choice.chosen is not None else None
        else:
            result = decide(rule=rule, roll=meeting.roll_size, present=present, yes=yes, no=no, abstain=abstain,
                            unit=unit)
        meeting.state = MeetingState.CLOSED
        meeting.online_votes = online_total
        meeting.present, meeting.yes, meeting.no, meeting.abstain = present, yes, no, abstain
        meeting.quorum_met, meeting.outcome, meeting.outcome_reason = result.quorum_met, result.outcome, result.reason
        meeting.minutes, meeting.closed_by, meeting.closed_at = minutes, by, now
        meeting.version += 1
        if result.quorum_met:
            meeting.ledger_row = _write_ledger(
                source=MEETING_SOURCE, record=meeting, community=meeting.community, kind=LEDGER_KIND[meeting.body],
                held_on=meeting.held_on, title=f"{meeting.title}({meeting.outcome_label})"[:200],
                attendees=present, minutes=(minutes + "\n" if minutes else "") + result.reason, by=by)
        meeting.save()
        voters = Vote.objects.filter(meeting=meeting).values_list("user_id", flat=True)
        notify.notify(list(voters), order=None, kind="meeting", now=now,
                      text=f"{meeting.get_body_display()}「{meeting.title}」表决结果:{meeting.outcome_label}。"
                           f"{result.reason}")
    return meeting


def meeting_cancel(*, meeting_id: int, version: int, by, reason: str) -> ResidentMeeting:
    """A called meeting that will not take place: its votes are kept but count for nothing; those who
    already voted online are told why."""
    reason = _text(reason, "取消原因", limit=200, required="请填写取消原因")
    with transaction.atomic():
        meeting = lock_version(ResidentMeeting.objects.all(), meeting_id, version, ERR_MEETING_CONFLICT)
        if meeting.state not in (MeetingState.NOTIFIED, MeetingState.VOTING):
            raise ConflictError(ERR_MEETING_DONE.format(state=meeting.get_state_display()))
        meeting.state, meeting.cancel_reason = MeetingState.CANCELLED, reason
        meeting.version += 1
        meeting.save(update_fields=["state", "cancel_reason", "version"])
        voters = Vote.objects.filter(meeting=meeting).values_list("entry__resident_id", flat=True)
        notify.notify(_accounts_of(voters), order=None, kind="meeting",
                      text=f"会议「{meeting.title}」已取消:{reason}")
    return meeting


def session_cancel(*, session_id: int, version: int, by, reason: str) -> Session:
    """A noticed session that will not take place: the invited residents are told why; nothing is
    written to the ledger."""
    reason = _text(reason, "取消原因", limit=200, required="请填写取消原因")
    with transaction.atomic():
        session = lock_version(Session.objects.all(), session_id, version, ERR_SESSION_CONFLICT)
        if session.state != SessionState.NOTIFIED:
            raise ConflictError(ERR_SESSION_DONE.format(state=session.get_state_display()))
        session.state, session.cancel_reason = SessionState.CANCELLED, reason
        session.version += 1
        session.save(update_fields=["state", "cancel_reason", "version"])
        invited = Participant.objects.filter(session=session, resident__isnull=False).values_list("resident_id",
                                                                                                 flat=True)
        notify.notify(_accounts_of(invited), order=None, kind="session",
                      text=f"协商会「{session.title}」已取消:{reason}")
    return session


# -- P-GOV-1: a residents' meeting at the start and at the end of each year ---------------------
START_WINDOW = ((1, 1), (3, 31))   # 年初: held from 1 January to 31 March
END_WINDOW = ((10, 1), (12, 31))   # 年末: held from 1 October to 31 December


def _window(year, window):
    (m1, d1), (m2, d2) = window
    return dt.date(year, m1, d1), dt.date(year, m2, d2)


def annual_status(community_ids, today: dt.date) -> dict[int, list[dict]]:
    """Per community, the P-GOV-1 meetings that are due now or were missed: the start-of-year meeting
    of this year, and the end-of-year meeting (this year's from October, last year's until March).
    Held means a residents' (villagers') meeting in the ledger in the window, not voided: rows this
    module writes for meetings that held, and hand entries for the past."""
    from gongzhi.ledgers.models import Meeting
    checks = []  # (label, start, end)
    y = today.year
    if today <= _window(y, START_WINDOW)[1]:
        checks.append((f"{y - 1}年年末居民会议", *_window(y - 1, END_WINDOW)))
    checks.append((f"{y}年年初居民会议", *_window(y, START_WINDOW)))
    if today >= _window(y, END_WINDOW)[0]:
        checks.append((f"{y}年年末居民会议", *_window(y, END_WINDOW)))
    first, last = min(c[1] for c in checks), max(c[2] for c in checks)
    held: dict[int, list[dt.date]] = {}
    for cid, day in Meeting.objects.filter(community_id__in=community_ids, kind="residents", voided="",
                                           held_on__gte=first, held_on__lte=last).values_list("community_id", "held_on"):
        held.setdefault(cid, []).append(day)
    out = {}
    for cid in community_ids:
        items = []
        for label, start, end in checks:
            if any(start <= d <= end for d in held.get(cid, ())):
                continue
            items.append({"label": label, "due": end, "overdue": today > end})
        if items:
            out[cid] = items
    return out


# -- residents' groups and posts (居民小组, 居民代表, 小组长, 门栋长, 下属委员会成员) ----------------------
ERR_POST_KIND = "请选择职务"
ERR_POST_WHO = "本社区没有在册居民的公民身份号码为 {masked}"
ERR_POST_TWICE = "{name} 已担任{kind}(自 {since} 起),不能重复登记"
ERR_POST_PLACE = "所选居民小组或楼栋不属于本社区"
ERR_POST_DATE = "「{field}」不能晚于今天"
ERR_POST_END = "离任日期不能早于任职日期({since})"
ERR_POST_ENDED = "该职务已于 {until} 结束"
ERR_GROUP_NAME = "请填写居民小组名称(不超过 40 个字)"
ERR_GROUP_TWICE = "本社区已有名为「{name}」的居民小组"
ERR_GROUP_SIZE = "居民小组户数须在 0 至 5000 之间(一般 200–300 户)"


def post_add(*, community: Place, kind: str, id_number: str, since: dt.date, by, group=None, building=None,
             note: str = "") -> ResidentPost:
    """A resident of the community takes a post from `since`; the ID number is found through the
    keyed hash. One open post of a kind per resident (the database keeps it so)."""
    from gongzhi.core import crypto, idcard
    from gongzhi.people.selectors import active_resident_by_id_number
    _community(community)
    if kind not in PostKind.values:
        raise RuleError(ERR_POST_KIND)
    if since is None or since > timezone.localdate():
        raise RuleError(ERR_POST_DATE.format(field="任职日期"))
    note = _text(note, "说明", limit=60)
    try:
        number, resident = active_resident_by_id_number(id_number, Resident.objects.filter(community=community))
    except idcard.IdNumberError as exc:
        raise RuleError(f"公民身份号码:{exc}") from None
    if resident is None:
        raise RuleError(ERR_POST_WHO.format(masked=crypto.mask_id_number(number)))
    if (group is not None and group.community_id != community.pk) or \
            (building is not None and building.community_id != community.pk):
        raise RuleError(ERR_POST_PLACE)
    existing = ResidentPost.objects.filter(community=community, kind=kind, resident=resident, until__isnull=True).first()
    if existing is not None:
        raise RuleError(ERR_POST_TWICE.format(name=resident.name, kind=PostKind(kind).label, since=existing.since))
    try:
        with transaction.atomic():
            return ResidentPost.objects.create(community=community, kind=kind, resident=resident, group=group,
                                               building=building, since=since, note=note, created_by=by)
    except IntegrityError:
        raise RuleError(ERR_POST_TWICE.format(name=resident.name, kind=PostKind(kind).label, since=since)) from None


def post_end(*, post: ResidentPost, until: dt.date, by) -> ResidentPost:
    """The post ends on `until`; the row stays as history."""
    if until is None or until > timezone.localdate():
        raise RuleError(ERR_POST_DATE.format(field="离任日期"))
    with transaction.atomic():
        post = ResidentPost.objects.select_for_update().get(pk=post.pk)
        if post.until is not None:
            raise RuleError(ERR_POST_ENDED.format(until=post.until))
        if until < post.since:
            raise RuleError(ERR_POST_END.format(since=post.since))
        post.until = until
        post.save(update_fields=["until"])
    return post


def group_add(*, community: Place, name: str, households: int = 0, grid: Place | None = None) -> ResidentGroup:
    _community(community)
    name = _text(name, "居民小组名称", limit=40, required=ERR_GROUP_NAME)
    if not 0 <= int(households or 0) <= 5000:
        raise RuleError(ERR_GROUP_SIZE)
    if grid is not None and grid.parent_id != community.pk:
        raise RuleError(ERR_POST_PLACE)
    try:
        with transaction.atomic():
            return ResidentGroup.objects.create(community=community, name=name, households=int(households or 0),
                                                grid=grid)
    except IntegrityError:
        raise RuleError(ERR_GROUP_TWICE.format(name=name)) from None
