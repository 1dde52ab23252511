"""Every write of the volunteers module: one function per use case, keyword arguments, one
transaction each. Rules are refused with RuleError and a Chinese message naming what and where
(the constants below, which the tests assert), and a refused call changes nothing.

Concurrency: the last place of an activity is taken under the activity's row lock and a check
constraint (taken <= places); a sign-up is unique per (activity, volunteer); check-in, check-out
and confirmation are conditional updates of the sign-up (only one of two at once matches); points
move under the accounts' row locks, taken in id order, and a person's balance has a check
constraint (>= 0), so two spends of the same points at once leave one refused."""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from gongzhi.core import crypto, idcard
from gongzhi.core.errors import RuleError
from gongzhi.core.validators import ERR_CONTROL, ERR_LINE_BREAK, LINE_BREAKS, has_control_characters
from gongzhi.ledgers import models as ledger_models
from gongzhi.ledgers import services as ledgers
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.people.selectors import active_resident_by_id_number
from gongzhi.places.models import Level, Place
from gongzhi.volunteers.models import (
    SKILL_LABELS, AccountKind, Activity, ActivityState, Availability, Certificate, Commendation, EntryKind, Evaluation,
    Grade, HonourLevel, Offer, PointAccount, PointEntry, SignUp, SignUpState, Team, Training, TrainingAttendance,
    Volunteer, VolunteerYear,
)

# points earned per confirmed hour (the community's rule; kept here as data)
POINTS_PER_HOUR = 10
# check-in opens this long before the start; check-out closes this long after the end
CHECKIN_EARLY = dt.timedelta(minutes=30)
CHECKOUT_LATE = dt.timedelta(minutes=30)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12

ERR_NOT_COMMUNITY = "志愿服务只能登记在社区(村)"
ERR_RESIDENT_UNKNOWN = "{community}没有在册居民的公民身份号码为 {masked}"
ERR_ID_NUMBER = "公民身份号码有误:{error}"
ERR_NOT_ACTIVE = "{name} 不是在册居民,不能注册志愿者"
ERR_ALREADY = "{name} 已是注册志愿者(注册于 {date})"
ERR_SKILL = "技能「{skill}」不在技能列表中"
ERR_AVAILABILITY = "请选择可服务时间"
ERR_TEAM_NAME = "请填写队伍名称"
ERR_TEAM_EXISTS = "{community}已有名为「{name}」的队伍"
ERR_TEAM_COMMUNITY = "队伍「{team}」不属于{community}"
ERR_TITLE = "请填写活动名称"
ERR_LOCATION = "请填写活动地点"
ERR_TIMES = "活动结束时间须晚于开始时间"
ERR_TOO_LONG = "一次活动不能超过 24 小时,请分场次发布"
ERR_PLACES = "招募人数须在 1 到 1000 之间"
ERR_CANCELLED = "活动「{title}」已取消"
ERR_ENDED = "活动「{title}」已结束,不能再报名"
ERR_FULL = "活动「{title}」名额已满"
ERR_NOT_VOLUNTEER = "您还不是注册志愿者,请先在“我的志愿服务”报名注册"
ERR_LEFT = "{name} 已退出志愿者队伍"
ERR_OTHER_COMMUNITY = "只能报名本社区的活动"
ERR_ALREADY_SIGNED = "您已报名活动「{title}」"
ERR_NOT_SIGNED = "您没有报名活动「{title}」,不能签到"
ERR_CHECKIN_EARLY = "活动「{title}」{start} 开始,签到从 {opens} 起,现在还不能签到"
ERR_CHECKIN_LATE = "活动「{title}」已于 {end} 结束,不能再签到"
ERR_CHECKED_IN = "您已于 {time} 签到,不能重复签到"
ERR_NOT_CHECKED_IN = "请先签到再签退"
ERR_CHECKED_OUT = "您已于 {time} 签退"
ERR_CHECKOUT_LATE = "活动「{title}」签退已于 {closes} 截止"
ERR_NOT_ORGANISER = "只有本活动的组织者可以确认时长"
ERR_HOURS_FORMAT = "「{name}」的服务时长须是数字(小时,最多一位小数)"
ERR_HOURS_NEGATIVE = "「{name}」的服务时长不能为负数"
ERR_HOURS_OVER = "「{name}」的服务时长 {hours} 小时超过本场活动的时长 {limit} 小时"
ERR_HOURS_BEFORE_START = "活动「{title}」尚未开始,不能确认时长"
ERR_ALREADY_CONFIRMED = "「{name}」的时长已确认为 {hours} 小时,不能再改"
ERR_WITHDRAWN = "「{name}」已取消报名"
ERR_CERT_UNCONFIRMED = "「{title}」({date})的服务时长尚未经组织者确认,不能出具证明"
ERR_CERT_NONE = "{name} 没有经组织者确认的服务时长,不能出具证明"
ERR_CERT_FOREIGN = "所选服务记录不属于 {name}"
ERR_VOID_REASON = "作废须写明理由"
ERR_OFFER_TITLE = "请填写兑换项目名称"
ERR_OFFER_POINTS = "所需积分须在 1 到 100000 之间"
ERR_OFFER_GONE = "兑换项目「{title}」已下架"
ERR_OFFER_COMMUNITY = "只能兑换本社区提供的项目"
ERR_POINTS_SHORT = "积分不足:「{title}」需要 {points} 分,{name} 现有 {balance} 分"
ERR_POINTS_TWICE = "这次兑换已经登记过(请勿重复提交)"


def _community(place: Place) -> Place:
    if place is None or place.level != Level.COMMUNITY:
        raise RuleError(ERR_NOT_COMMUNITY)
    return place


def _skills(skills) -> list[str]:
    out = []
    for s in skills or []:
        if s not in SKILL_LABELS:
            raise RuleError(ERR_SKILL.format(skill=str(s)[:20]))
        if s not in out:
            out.append(s)
    return out


def _team(team: Team | None, community: Place) -> Team | None:
    if team is not None and team.community_id != community.pk:
        raise RuleError(ERR_TEAM_COMMUNITY.format(team=team.name, community=community.name))
    return team


def _write_ledger_volunteer(volunteer: Volunteer, by) -> None:
    """The community's volunteer ledger (ledgers.Volunteer, one row per resident) is written from
    here, so the books and the metrics read from them count this volunteer; a row entered by hand
    before stays as it is."""
    row = ledger_models.Volunteer.objects.select_for_update().filter(resident=volunteer.resident).first()
    if row is not None and row.left_on is None:
        return
    row = row or ledger_models.Volunteer(resident=volunteer.resident)
    row.community, row.registered_on, row.left_on = volunteer.community, volunteer.registered_on, None
    row._history_user = by
    row.save()


# -- volunteers and teams -------------------------------------------------------------------------
@transaction.atomic
def volunteer_enrol(*, resident: Resident, skills=(), availability: str = Availability.ANY, team: Team | None = None,
                    by=None, self_signed: bool = False, on: dt.date | None = None) -> Volunteer:
    """Register `resident` as a volunteer of their community (again, if they had left)."""
    if resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_NOT_ACTIVE.format(name=resident.name))
    community = _community(resident.community)
    skills = _skills(skills)
    if availability not in Availability.values:
        raise RuleError(ERR_AVAILABILITY)
    team = _team(team, community)
    on = on or timezone.localdate()
    existing = Volunteer.objects.select_for_update().filter(resident=resident).first()
    if existing is not None and existing.left_on is None:
        raise RuleError(ERR_ALREADY.format(name=resident.name, date=existing.registered_on))
    volunteer = existing or Volunteer(resident=resident)
    volunteer.community, volunteer.team, volunteer.skills, volunteer.availability = community, team, skills, availability
    volunteer.self_signed, volunteer.registered_on, volunteer.registered_by, volunteer.left_on = \
        self_signed, on, by, None
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:  # the same resident registered a moment ago by another request
        raise RuleError(ERR_ALREADY.format(name=resident.name, date=on)) from None
    _write_ledger_volunteer(volunteer, by)
    PointAccount.objects.get_or_create(volunteer=volunteer, defaults={"community": community,
                                                                       "kind": AccountKind.PERSON})
    return volunteer


def volunteer_register_by_id(*, community: Place, id_number: str, skills=(), availability=Availability.ANY,
                             team: Team | None = None, by=None) -> Volunteer:
    """A worker registers a resident of `community`, found by ID number through the keyed hash."""
    _community(community)
    try:
        number, resident = active_resident_by_id_number(id_number, Resident.objects.filter(community=community))
    except idcard.IdNumberError as exc:
        raise RuleError(ERR_ID_NUMBER.format(error=exc)) from None
    if resident is None:
        raise RuleError(ERR_RESIDENT_UNKNOWN.format(community=community.name,
                                                    masked=crypto.mask_id_number(number)))
    return volunteer_enrol(resident=resident, skills=skills, availability=availability, team=team, by=by)


@transaction.atomic
def volunteer_update(*, volunteer: Volunteer, skills=(), availability: str, team: Team | None = None) -> Volunteer:
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if availability not in Availability.values:
        raise RuleError(ERR_AVAILABILITY)
    volunteer.skills, volunteer.availability = _skills(skills), availability
    volunteer.team = _team(team, volunteer.community)
    volunteer.save(update_fields=["skills", "availability", "team"])
    return volunteer


@transaction.atomic
def volunteer_leave(*, volunteer: Volunteer, on: dt.date | None = None, by=None) -> Volunteer:
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.left_on is None:
        volunteer.left_on = max(on or timezone.localdate(), volunteer.registered_on)
        volunteer.save(update_fields=["left_on"])
        row = ledger_models.Volunteer.objects.filter(resident_id=volunteer.resident_id).first()
        if row is not None:
            ledgers.volunteer_leave(volunteer=row, left_on=volunteer.left_on, by=by)
    return volunteer


def team_create(*, community: Place, name: str, field: str = "", on: dt.date | None = None) -> Team:
    _community(community)
    name = (name or "").strip()[:60]
    if not name:
        raise RuleError(ERR_TEAM_NAME)
    try:
        with transaction.atomic():
            return Team.objects.create(community=community, name=name, field=(field or "").strip()[:60],
                                       created_on=on or timezone.localdate())
    except IntegrityError:
        raise RuleError(ERR_TEAM_EXISTS.format(community=community.name, name=name)) from None


# -- activities --------------------------------------------------------------------------------------
def activity_publish(*, community: Place, title: str, location: str, starts_at: dt.datetime, ends_at: dt.datetime,
                     places: int, organiser, skills=(), description: str = "", team: Team | None = None) -> Activity:
    _community(community)
    title, location = (title or "").strip()[:100], (location or "").strip()[:100]
    if not title:
        raise RuleError(ERR_TITLE)
    if not location:
        raise RuleError(ERR_LOCATION)
    if not starts_at or not ends_at or ends_at <= starts_at:
        raise RuleError(ERR_TIMES)
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise RuleError(ERR_TOO_LONG)
    if not isinstance(places, int) or not 1 <= places <= 1000:
        raise RuleError(ERR_PLACES)
    return Activity.objects.create(
        community=community, team=_team(team, community), title=title, description=(description or "").strip(),
        location=location, starts_at=starts_at, ends_at=ends_at, places=places, skills=_skills(skills),
        organiser=organiser, token=secrets.token_urlsafe(18)[:24])


@transaction.atomic
def activity_cancel(*, activity: Activity, by) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.organiser_id != by.pk:
        raise RuleError(ERR_NOT_ORGANISER.replace("确认时长", "取消活动"))
    activity.state = ActivityState.CANCELLED
    activity.save(update_fields=["state"])
    ledgers.void_from(model=ledger_models.Activity, source=LEDGER_SOURCE, source_pk=activity.pk, reason="活动已取消",
                      by=by)
    return activity


def _volunteer_of(resident: Resident | None) -> Volunteer:
    volunteer = Volunteer.objects.filter(resident=resident).select_related("resident").first() if resident else None
    if volunteer is None:
        raise RuleError(ERR_NOT_VOLUNTEER)
    if volunteer.left_on is not None:
        raise RuleError(ERR_LEFT.format(name=volunteer.resident.name))
    return volunteer


def signup(*, activity: Activity, resident: Resident | None, now: dt.datetime | None = None) -> SignUp:
    """The resident signs up for one place. The activity row is locked while the place is counted
    and taken, so two residents after the last place get one place and one refusal."""
    now = now or timezone.now()
    volunteer = _volunteer_of(resident)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.community_id != volunteer.community_id:
            raise RuleError(ERR_OTHER_COMMUNITY)
        if activity.state == ActivityState.CANCELLED:
            raise RuleError(ERR_CANCELLED.format(title=activity.title))
        if activity.ends_at <= now:
            raise RuleError(ERR_ENDED.format(title=activity.title))
        existing = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
        if existing is not None and existing.state == SignUpState.SIGNED:
            raise RuleError(ERR_ALREADY_SIGNED.format(title=activity.title))
        if activity.taken >= activity.places:
            raise RuleError(ERR_FULL.format(title=activity.title))
        Activity.objects.filter(pk=activity.pk).update(taken=F("taken") + 1)
        if existing is not None:  # signed up again after withdrawing
            existing.state = SignUpState.SIGNED
            existing.save(update_fields=["state"])
            return existing
        try:
            with transaction.atomic():
                return SignUp.objects.create(activity=activity, volunteer=volunteer, community_id=activity.community_id,
                                             team_id=activity.team_id, served_on=timezone.localtime(activity.starts_at).date())
        except IntegrityError:
            raise RuleError(ERR_ALREADY_SIGNED.format(title=activity.title)) from None


@transaction.atomic
def signup_withdraw(*, activity: Activity, resident: Resident | None) -> SignUp:
    volunteer = _volunteer_of(resident)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    record = SignUp.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if record is None or record.state != SignUpState.SIGNED:
        raise RuleError(ERR_NOT_SIGNED.format(title=activity.title).replace(",不能签到", ""))
    if record.checked_in_at is not None:
        raise RuleError(ERR_CHECKED_IN.format(time=_hm(record.checked_in_at)).replace("不能重复签到", "不能取消报名"))
    record.state = SignUpState.WITHDRAWN
    record.save(update_fields=["state"])
    Activity.objects.filter(pk=activity.pk).update(taken=F("taken") - 1)
    return record


def _hm(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _own_signup(activity: Activity, resident) -> SignUp:
    volunteer = _volunteer_of(resident)
    record = SignUp.objects.filter(activity=activity, volunteer=volunteer, state=SignUpState.SIGNED).first()
    if record is None:
        raise RuleError(ERR_NOT_SIGNED.format(title=activity.title))
    return record


# the check-in in one statement: the sign-up of this resident at the activity with this token, not yet
# checked in, inside the window, the activity not cancelled and the volunteer not left. It matches one
# row or none; only when none does the slow path below find out why (and say so).
_CHECK_IN_SQL = """
UPDATE volunteers_signup SET checked_in_at = %s
WHERE checked_in_at IS NULL AND state = 'signed'
  AND activity_id = (SELECT a.id FROM volunteers_activity a WHERE a.token = %s AND a.state = 'published'
                     AND a.starts_at <= %s AND a.ends_at >= %s)
  AND volunteer_id = (SELECT v.id FROM volunteers_volunteer v WHERE v.resident_id = %s AND v.left_on IS NULL)
RETURNING id, activity_id, volunteer_id, checked_in_at"""
_CHECK_IN_WHY_SQL = """
SELECT a.title, a.state, a.starts_at, a.ends_at, v.id, v.left_on, r.name, s.id, s.state, s.checked_in_at
FROM volunteers_activity a
LEFT JOIN volunteers_volunteer v ON v.resident_id = %s
LEFT JOIN people_resident r ON r.id = v.resident_id
LEFT JOIN volunteers_signup s ON s.activity_id = a.id AND s.volunteer_id = v.id
WHERE a.token = %s"""
ERR_TOKEN = "二维码无效或已过期,请向组织者核对"


def check_in(*, token: str, resident: Resident | None, now: dt.datetime | None = None) -> SignUp:
    """The volunteer opens the activity's QR code on their phone: checked in at `now`, only inside
    the window (from CHECKIN_EARLY before the start to the end). One conditional UPDATE … RETURNING
    does it (autocommit: one statement, one round trip); a second check-in (two taps, two phones)
    matches no row, and only then are the activity and the sign-up read to say why."""
    now = now or timezone.now()
    token = (token or "")[:32]
    if token and resident is not None:
        with connection.cursor() as cur:
            # the window test is on the activity's start shifted by CHECKIN_EARLY, passed as `now + early`
            adapt = connection.ops.adapt_datetimefield_value
            cur.execute(_CHECK_IN_SQL, [adapt(now), token, adapt(now + CHECKIN_EARLY), adapt(now), resident.pk])
            row = cur.fetchone()
        if row is not None:
            return SignUp.from_db(connection.alias, ["id", "activity_id", "volunteer_id", "checked_in_at"],
                                  list(row[:3]) + [now])
    # nothing matched: one read of the activity, the volunteer and their sign-up says why
    with connection.cursor() as cur:
        cur.execute(_CHECK_IN_WHY_SQL, [resident.pk if resident is not None else None, token])
        row = cur.fetchone()
    if row is None or not token:
        raise RuleError(ERR_TOKEN)
    title, state, starts_at, ends_at, volunteer_id, left_on, name, signup_id, signup_state, checked_in_at = row
    if connection.vendor == "sqlite":  # raw rows carry text there
        from django.utils.dateparse import parse_datetime
        starts_at, ends_at, checked_in_at = (parse_datetime(v) if isinstance(v, str) else v
                                             for v in (starts_at, ends_at, checked_in_at))
        starts_at, ends_at, checked_in_at = (timezone.make_aware(v, dt.timezone.utc)
                                             if v is not None and timezone.is_naive(v) else v
                                             for v in (starts_at, ends_at, checked_in_at))
    if state == ActivityState.CANCELLED:
        raise RuleError(ERR_CANCELLED.format(title=title))
    if volunteer_id is None:
        raise RuleError(ERR_NOT_VOLUNTEER)
    if left_on is not None:
        raise RuleError(ERR_LEFT.format(name=name))
    if signup_id is None or signup_state != SignUpState.SIGNED:
        raise RuleError(ERR_NOT_SIGNED.format(title=title))
    opens = starts_at - CHECKIN_EARLY
    if now < opens:
        raise RuleError(ERR_CHECKIN_EARLY.format(title=title, start=_hm(starts_at), opens=_hm(opens)))
    if now > ends_at:
        raise RuleError(ERR_CHECKIN_LATE.format(title=title, end=_hm(ends_at)))
    if checked_in_at is not None:
        raise RuleError(ERR_CHECKED_IN.format(time=_hm(checked_in_at)))
    # every condition holds now (the sign-up was renewed or the volunteer came back a moment ago):
    # the same conditional update on the record itself
    if not SignUp.objects.filter(pk=signup_id, checked_in_at__isnull=True, state=SignUpState.SIGNED).update(
            checked_in_at=now):
        raise RuleError(ERR_CHECKED_IN.format(time=_hm(SignUp.objects.get(pk=signup_id).checked_in_at)))
    return SignUp.objects.get(pk=signup_id)


def check_out(*, token: str, resident: Resident | None, now: dt.datetime | None = None) -> SignUp:
    now = now or timezone.now()
    activity = activity_by_token(token)
    record = _own_signup(activity, resident)
    if record.checked_in_at is None:
        raise RuleError(ERR_NOT_CHECKED_IN)
    closes = activity.ends_at + CHECKOUT_LATE
    if now > closes:
        raise RuleError(ERR_CHECKOUT_LATE.format(title=activity.title, closes=_hm(closes)))
    with transaction.atomic():
        if not SignUp.objects.filter(pk=record.pk, checked_out_at__isnull=True).update(
                checked_out_at=max(now, record.checked_in_at)):
            record.refresh_from_db()
            raise RuleError(ERR_CHECKED_OUT.format(time=_hm(record.checked_out_at)))
    record.refresh_from_db()
    return record


def activity_by_token(token: str) -> Activity:
    activity = Activity.objects.filter(token=(token or "")[:32]).first() if token else None
    if activity is None:
        raise RuleError(ERR_TOKEN)
    return activity


def suggested_hours(record: SignUp) -> Decimal | None:
    """From the check-in and check-out times, capped by the session's length."""
    if record.checked_in_at is None or record.checked_out_at is None:
        return None
    start = max(record.checked_in_at, record.activity.starts_at)
    end = min(record.checked_out_at, record.activity.ends_at)
    hours = Decimal(max((end - start).total_seconds(), 0)) / Decimal(3600)
    return hours.quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _parse_hours(raw, name: str) -> Decimal:
    try:
        hours = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise RuleError(ERR_HOURS_FORMAT.format(name=name)) from None
    if not hours.is_finite() or hours != hours.quantize(Decimal("0.1")) or abs(hours) >= 10000:
        raise RuleError(ERR_HOURS_FORMAT.format(name=name))
    if hours < 0:
        raise RuleError(ERR_HOURS_NEGATIVE.format(name=name))
    return hours


LEDGER_SOURCE = "volunteers.activity"


@transaction.atomic
def hours_confirm(*, activity: Activity, hours: dict, by, now: dt.datetime | None = None) -> list[SignUp]:
    """The organiser confirms hours for sign-ups {signup id: hours}. Every value is checked before
    anything is written (one bad value: nothing changes). Each confirmation adds to the volunteer's
    cumulative hours, earns points in the time bank, and the activity's ledger row is written."""
    now = now or timezone.now()
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.organiser_id != getattr(by, "pk", None):
        raise RuleError(ERR_NOT_ORGANISER)
    if activity.starts_at > now:
        raise RuleError(ERR_HOURS_BEFORE_START.format(title=activity.title))
    limit = activity.session_hours
    # of=self: the sign-ups only, not the joined volunteers (locked below, after the community's account)
    records = {r.pk: r for r in SignUp.objects.select_for_update(of=("self",)).filter(activity=activity,
                                                                                      pk__in=list(hours))
               .select_related("volunteer__resident")}
    plan = []
    for pk, raw in hours.items():
        record = records.get(pk)
        if record is None:
            raise RuleError("所选报名记录不属于本活动")
        name = record.volunteer.resident.name
        if record.state != SignUpState.SIGNED:
            raise RuleError(ERR_WITHDRAWN.format(name=name))
        if record.hours is not None:
            raise RuleError(ERR_ALREADY_CONFIRMED.format(name=name, hours=record.hours))
        value = _parse_hours(raw, name)
        if value > limit:
            raise RuleError(ERR_HOURS_OVER.format(name=name, hours=value, limit=limit))
        plan.append((record, value))
    # the community's issuing account is locked first: confirmations in one community queue here, so
    # the volunteers' rows, their yearly rollups and their accounts are never locked in two orders by
    # two confirmations at once (no deadlock), and each rollup row is added to by one at a time
    issue = _community_account(activity.community, AccountKind.ISSUE)
    PointAccount.objects.select_for_update().filter(pk=issue.pk).first()
    plan.sort(key=lambda item: (item[0].volunteer_id, item[0].pk))
    done = []
    for record, value in plan:
        record.hours, record.confirmed_by, record.confirmed_at = value, by, now
        record.save(update_fields=["hours", "confirmed_by", "confirmed_at"])
        Volunteer.objects.filter(pk=record.volunteer_id).update(hours=F("hours") + value)
        _rollup_add(record, value)
        points = int(value * POINTS_PER_HOUR)
        if points > 0:
            _move(debit=issue, credit=_person_account(record.volunteer), amount=points, kind=EntryKind.EARN,
                  memo=f"{activity.title} 服务 {value} 小时"[:100], signup=record, by=by)
        done.append(record)
    _write_ledger_activity(activity, by)
    return done


_ROLLUP_SQL = """
INSERT INTO volunteers_volunteeryear (volunteer_id, community_id, year, hours, records) VALUES (%s, %s, %s, %s, 1)
ON CONFLICT (volunteer_id, community_id, year)
DO UPDATE SET hours = volunteers_volunteeryear.hours + excluded.hours,
              records = volunteers_volunteeryear.records + 1"""


def _rollup_add(record: SignUp, value: Decimal) -> None:
    """Add one confirmed record to its volunteer's rollup of that community and year (one upsert,
    PostgreSQL and SQLite alike). Call inside the confirmation's transaction."""
    with connection.cursor() as cur:
        cur.execute(_ROLLUP_SQL, [record.volunteer_id, record.community_id, record.served_on.year,
                                  connection.ops.adapt_decimalfield_value(value, 9, 1)])


@transaction.atomic
def rollup_rebuild(*, community_ids: list[int]) -> int:
    """The yearly rollup of `community_ids` recomputed from the records (one grouped query): for rows
    written in bulk without the services (the demo, the benchmark's build). Returns the rows written."""
    from django.db.models.functions import ExtractYear
    VolunteerYear.objects.filter(community_id__in=community_ids).delete()
    rows = (SignUp.objects.filter(community_id__in=community_ids, hours__isnull=False)
            .annotate(y=ExtractYear("served_on")).values("volunteer_id", "community_id", "y")
            .annotate(h=Sum("hours"), n=Count("id")).order_by())
    batch, written = [], 0
    for r in rows.iterator(chunk_size=5000):
        batch.append(VolunteerYear(volunteer_id=r["volunteer_id"], community_id=r["community_id"], year=r["y"],
                                   hours=r["h"], records=r["n"]))
        if len(batch) >= 5000:
            written += len(VolunteerYear.objects.bulk_create(batch))
            batch = []
    written += len(VolunteerYear.objects.bulk_create(batch))
    return written


def _write_ledger_activity(activity: Activity, by) -> None:
    totals = SignUp.objects.filter(activity=activity, hours__isnull=False).aggregate(n=Count("id"), h=Sum("hours"))
    ledgers.write_from(model=ledger_models.Activity, source=LEDGER_SOURCE, source_pk=activity.pk,
                       community=activity.community, by=by, kind=ledger_models.ActivityKind.VOLUNTEER,
                       held_on=timezone.localtime(activity.starts_at).date(), title=activity.title[:200],
                       participants=totals["n"], hours=totals["h"] or 0)


# -- certificates ---------------------------------------------------------------------------------------
def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:32]


@transaction.atomic
def certificate_issue(*, volunteer: Volunteer, by, records=None, year: int | None = None) -> Certificate:
    """A certificate of confirmed service: for the sign-ups `records` (each must be this volunteer's
    and confirmed) or, without them, for every confirmed record (of `year`, when given)."""
    name = volunteer.resident.name
    if records is not None:
        chosen = list(SignUp.objects.filter(pk__in=[getattr(r, "pk", r) for r in records]).select_related("activity"))
        if not chosen or any(r.volunteer_id != volunteer.pk for r in chosen):
            raise RuleError(ERR_CERT_FOREIGN.format(name=name))
        for r in chosen:
            if r.hours is None or r.state != SignUpState.SIGNED:
                raise RuleError(ERR_CERT_UNCONFIRMED.format(title=r.activity.title, date=r.served_on))
    else:
        qs = SignUp.objects.filter(volunteer=volunteer, hours__isnull=False, state=SignUpState.SIGNED)
        if year:
            qs = qs.filter(served_on__year=year)
        chosen = list(qs)
    chosen = [r for r in chosen if r.hours and r.hours > 0]
    if not chosen:
        raise RuleError(ERR_CERT_NONE.format(name=name))
    community = volunteer.community
    year_now = timezone.localdate().year
    prefix = f"ZYFW-{community.code}-{year_now}-"
    for attempt in range(5):
        seq = Certificate.objects.filter(number__startswith=prefix).count() + 1 + attempt
        try:
            with transaction.atomic():
                cert = Certificate.objects.create(
                    volunteer=volunteer, community=community, number=f"{prefix}{seq:05d}", code=code_new(),
                    hours=sum((r.hours for r in chosen), Decimal(0)), records=len(chosen),
                    first_on=min(r.served_on for r in chosen), last_on=max(r.served_on for r in chosen), issued_by=by)
                cert.signups.set(chosen)
                return cert
        except IntegrityError:  # a number taken by a concurrent issue
            continue
    raise RuleError("证明编号冲突,请重试")


@transaction.atomic
def certificate_void(*, certificate: Certificate, reason: str) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(ERR_VOID_REASON)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not certificate.voided:
        certificate.voided = reason[:100]
        certificate.save(update_fields=["voided"])
    return certificate


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 王五 → 王*: what the public check may show."""
    return crypto.mask_name(name, keep_last=True)


def certificate_verify(code: str) -> dict | None:
    """What the public check may say about `code` (None: no certificate has it)."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    cert = Certificate.objects.select_related("community", "volunteer__resident").filter(code=code).first()
    if cert is None:
        return None
    return {"number": cert.number, "name": mask_name(cert.volunteer.resident.name), "community": cert.community.name,
            "hours": cert.hours, "records": cert.records, "first_on": cert.first_on, "last_on": cert.last_on,
            "issued_on": timezone.localtime(cert.issued_at).date(), "voided": cert.voided}


# -- the time bank -------------------------------------------------------------------------------------
def _community_account(community: Place, kind: str) -> PointAccount:
    account = PointAccount.objects.filter(community=community, kind=kind).first()
    if account is None:
        try:
            with transaction.atomic():
                account = PointAccount.objects.create(community=community, kind=kind)
        except IntegrityError:
            account = PointAccount.objects.get(community=community, kind=kind)
    return account


def _person_account(volunteer: Volunteer) -> PointAccount:
    account, _ = PointAccount.objects.get_or_create(volunteer=volunteer, defaults={
        "community_id": volunteer.community_id, "kind": AccountKind.PERSON})
    return account


def _move(*, debit: PointAccount, credit: PointAccount, amount: int, kind: str, memo: str, by=None, signup=None,
          offer=None, request_key=None, short_message: str = "") -> PointEntry:
    """Move `amount` from `debit` to `credit`: both rows locked in id order (no deadlock between two
    moves), the debit taken only while it stays >= 0 for a person, and the entry written in the same
    transaction. Call inside a transaction."""
    locked = {a.pk: a for a in PointAccount.objects.select_for_update().filter(pk__in=sorted({debit.pk, credit.pk}))
              .order_by("pk")}
    debit = locked[debit.pk]
    if debit.kind == AccountKind.PERSON:
        if not PointAccount.objects.filter(pk=debit.pk, balance__gte=amount).update(balance=F("balance") - amount):
            balance = PointAccount.objects.get(pk=debit.pk).balance
            raise RuleError((short_message or "积分不足,现有 {balance} 分").format(balance=balance))
    else:
        PointAccount.objects.filter(pk=debit.pk).update(balance=F("balance") - amount)
    PointAccount.objects.filter(pk=credit.pk).update(balance=F("balance") + amount)
    return PointEntry.objects.create(debit_id=debit.pk, credit_id=credit.pk, amount=amount, kind=kind, memo=memo,
                                     signup=signup, offer=offer, request_key=request_key, created_by=by)


def offer_add(*, community: Place, title: str, points) -> Offer:
    _community(community)
    title = (title or "").strip()[:60]
    if not title:
        raise RuleError(ERR_OFFER_TITLE)
    try:
        points = int(points)
    except (TypeError, ValueError):
        raise RuleError(ERR_OFFER_POINTS) from None
    if not 1 <= points <= 100_000:
        raise RuleError(ERR_OFFER_POINTS)
    return Offer.objects.create(community=community, title=title, points=points)


def offer_withdraw(*, offer: Offer) -> Offer:
    Offer.objects.filter(pk=offer.pk).update(active=False)
    offer.refresh_from_db()
    return offer


def points_spend(*, volunteer: Volunteer, offer: Offer, by, request_key: str | None = None) -> PointEntry:
    """Spend the volunteer's points on `offer`. Two spends at once of points enough for one: the
    second waits for the first's row lock, then finds the balance short and is refused. The same
    form submitted twice (same `request_key`) is refused as a repeat."""
    name = volunteer.resident.name
    if not offer.active:
        raise RuleError(ERR_OFFER_GONE.format(title=offer.title))
    if offer.community_id != volunteer.community_id:
        raise RuleError(ERR_OFFER_COMMUNITY)
    if request_key and PointEntry.objects.filter(request_key=request_key[:40]).exists():
        raise RuleError(ERR_POINTS_TWICE)
    try:
        with transaction.atomic():
            account = _person_account(volunteer)
            sink = _community_account(offer.community, AccountKind.REDEEM)
            return _move(debit=account, credit=sink, amount=offer.points, kind=EntryKind.SPEND,
                         memo=f"兑换:{offer.title}"[:100], offer=offer, by=by,
                         request_key=(request_key or None) and request_key[:40],
                         short_message=ERR_POINTS_SHORT.format(title=offer.title, points=offer.points, name=name,
                                                               balance="{balance}"))
    except IntegrityError:  # the same request key written by a concurrent submit
        raise RuleError(ERR_POINTS_TWICE) from None


def points_short_message(volunteer: Volunteer, offer: Offer) -> str:
    balance = PointAccount.objects.filter(volunteer=volunteer).values_list("balance", flat=True).first() or 0
    return ERR_POINTS_SHORT.format(title=offer.title, points=offer.points, name=volunteer.resident.name, balance=balance)


# -- training, evaluations and commendations (P-VOL-2) -------------------------------------------------
ERR_COURSE = "请填写培训课程名称"
ERR_TRAINER = "请填写授课人"
ERR_TRAINING_DATE = "培训日期须是 {low} 到 {high} 之间的日期(年-月-日)"
ERR_TRAINING_HOURS = "培训学时须是 0.5 到 24 之间的数字(最多一位小数)"
ERR_ATTEND_NONE = "请选择参加培训的志愿者"
ERR_ATTEND_FOREIGN = "所选人员不是{community}的在册志愿者"
ERR_GRADE = "请选择评价等次(优秀、称职、基本称职、不称职)"
ERR_EVAL_REASON = "请填写评价理由(最多 300 字)"
ERR_EVAL_YEAR = "评价年度须在 {low} 到 {high} 之间"
ERR_EVALUATED = "{name} {year} 年度已评价为「{grade}」,不能重复评价"
ERR_HONOUR_TITLE = "请填写表彰名称"
ERR_HONOUR_LEVEL = "请选择表彰级别"
ERR_HONOUR_DATE = "表彰日期须是 {low} 到 {high} 之间的日期(年-月-日)"
ERR_HONOUR_ISSUER = "请填写授予单位"


def _date_between(value, low: dt.date, high: dt.date, message: str) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            value = None
    if not isinstance(value, dt.date) or not low <= value <= high:
        raise RuleError(message.format(low=low, high=high))
    return value


def _text(value, limit: int, message: str, *, label: str, one_line: bool = True) -> str:
    """A required text of at most `limit` characters; control characters (and, for a one-line field,
    line breaks) are refused naming the field `label`."""
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        raise RuleError(message)
    if has_control_characters(value) or (one_line and LINE_BREAKS.search(value)):
        raise RuleError(f"「{label}」{ERR_LINE_BREAK if not has_control_characters(value) else ERR_CONTROL}")
    return value[:limit]


def training_add(*, community: Place, course: str, held_on, hours, trainer: str, by) -> Training:
    """Record a training session of `community`'s volunteers (attendance is added after)."""
    _community(community)
    course = _text(course, 100, ERR_COURSE, label="培训课程")
    trainer = _text(trainer, 60, ERR_TRAINER, label="授课人")
    today = timezone.localdate()
    held_on = _date_between(held_on, dt.date(2000, 1, 1), today + dt.timedelta(days=366), ERR_TRAINING_DATE)
    try:
        value = Decimal(str(hours).strip())
    except (InvalidOperation, ValueError):
        raise RuleError(ERR_TRAINING_HOURS) from None
    if not value.is_finite() or not Decimal("0.5") <= value <= 24 or value != value.quantize(Decimal("0.1")):
        raise RuleError(ERR_TRAINING_HOURS)
    return Training.objects.create(community=community, course=course, held_on=held_on, hours=value,
                                   trainer=trainer, created_by=by)


@transaction.atomic
def training_attend(*, training: Training, volunteer_ids, by) -> int:
    """Mark the volunteers `volunteer_ids` (current volunteers of the training's community) as having
    attended: all or none; one already marked stays as it was. Returns how many were added."""
    ids = set()
    for raw in volunteer_ids or ():
        try:
            ids.add(int(raw))
        except (TypeError, ValueError):
            raise RuleError(ERR_ATTEND_FOREIGN.format(community=training.community.name)) from None
    if not ids:
        raise RuleError(ERR_ATTEND_NONE)
    if any(not 0 < i < 2**63 for i in ids):
        raise RuleError(ERR_ATTEND_FOREIGN.format(community=training.community.name))
    found = set(Volunteer.objects.filter(pk__in=ids, community_id=training.community_id, left_on__isnull=True)
                .values_list("pk", flat=True))
    if found != ids:
        raise RuleError(ERR_ATTEND_FOREIGN.format(community=training.community.name))
    before = TrainingAttendance.objects.filter(training=training).count()
    TrainingAttendance.objects.bulk_create([TrainingAttendance(training=training, volunteer_id=i, recorded_by=by)
                                           for i in sorted(ids)], ignore_conflicts=True)
    return TrainingAttendance.objects.filter(training=training).count() - before


def evaluation_record(*, volunteer: Volunteer, year, grade: str, reason: str, by) -> Evaluation:
    """The community's evaluation of `volunteer` for `year` (from the year they registered to this
    one), once: a second evaluation of the same year, even at the same moment, is refused."""
    this = timezone.localdate().year
    low = volunteer.registered_on.year
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not low <= year <= this:
        raise RuleError(ERR_EVAL_YEAR.format(low=low, high=this))
    if grade not in Grade.values:
        raise RuleError(ERR_GRADE)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > 300:
        raise RuleError(ERR_EVAL_REASON)
    reason = _text(reason, 300, ERR_EVAL_REASON, label="评价理由", one_line=False)
    name = volunteer.resident.name
    try:
        with transaction.atomic():
            return Evaluation.objects.create(volunteer=volunteer, community_id=volunteer.community_id, year=year,
                                             grade=grade, reason=reason, by=by)
    except IntegrityError:
        done = Evaluation.objects.get(volunteer=volunteer, year=year)
        raise RuleError(ERR_EVALUATED.format(name=name, year=year, grade=done.get_grade_display())) from None


def commendation_add(*, volunteer: Volunteer, title: str, level: str, awarded_on, issuer: str, by) -> Commendation:
    """A commendation (表彰) the volunteer received: its title, level, date and issuing body."""
    title = _text(title, 100, ERR_HONOUR_TITLE, label="表彰名称")
    if level not in HonourLevel.values:
        raise RuleError(ERR_HONOUR_LEVEL)
    awarded_on = _date_between(awarded_on, dt.date(1990, 1, 1), timezone.localdate(), ERR_HONOUR_DATE)
    issuer = _text(issuer, 100, ERR_HONOUR_ISSUER, label="授予单位")
    return Commendation.objects.create(volunteer=volunteer, community_id=volunteer.community_id, title=title,
                                       level=level, awarded_on=awarded_on, issuer=issuer, by=by)
