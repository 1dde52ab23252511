"""Every write of cadre supervision: plain functions with keyword arguments, one transaction each.
Rules broken raise RuleError with a Chinese message naming the field (the constants below, which the
tests assert); a stale form raises ConflictError. Callers have checked the caller's scope (the views
through cadres.selectors.access_*)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.cadres import rules
from gongzhi.cadres.models import (
    AUDIT_FORMS, COMMENT_MAX, REASON_MAX, TALK_FORMS, ActivistOutcome, ActivistReview, CadreLink, Oversight, CheckKind,
    FollowUp, Pledge, PledgeState, Rater, RaterBasis, Rating, Recommendation, ReviewRound, RoundState, Subject,
    Verdict,
)
from gongzhi.core.errors import ConflictError, RuleError, lock_version
from gongzhi.core.validators import check_text
from gongzhi.workorders import notify
from gongzhi.governance.models import PostKind, ResidentPost
from gongzhi.ledgers.models import Worker
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.places.models import AreaKind, Level

ERR_NOT_VILLAGE = "「村」:{name} 不是村(农村社区),村干部民主评议只在村开展"
ERR_YEAR = "「年度」应在 2000—2100 之间"
ERR_HALF = "「半年」应为上半年或下半年"
ERR_WINDOW_ORDER = "「评议截止」({closes})不能早于「评议开始」({opens})"
ERR_WINDOW_HALF = "「评议开始」应在 {year} 年{half}内({first} 至 {last})"
ERR_WINDOW_LONG = "评议窗口最长 {days} 天,现为 {n} 天"
ERR_ROUND_EXISTS = "{village} {label}的民主评议已经组织过(如需重来,请先作废原来的一次并写明原因)"
ERR_NO_CADRES = "{village} 在 {day} 没有在任的村“两委”干部(班子台账中有职务、未离任的人员),无法评议"
ERR_AMBIGUOUS = "干部「{name}」在本村有 {n} 名同名居民,无法确定其本人,请先在干部页面指定其居民档案(防止本人评本人)"
ERR_NO_RATERS = "{village} 没有可参评的人员(本村登记的党员、村民代表和村干部)"
ERR_NOT_RESIDENT = "您的账号没有绑定本村登记居民,不能参加评议"
ERR_NOT_ON_ROLL = "您不在本次评议的参评名单中(参评人员为评议开始当日本村登记的村干部、党员和村民代表)"
ERR_SELF = "不能评议自己:「{name}」就是您本人"
ERR_OUTSIDE_WINDOW = "评议时间为 {opens} 至 {closes},现在不在评议时间内,评议未保存"
ERR_ROUND_NOT_OPEN = "本次评议{state},不能再评议"
ERR_VERDICT = "「评议意见」请选择满意、基本满意或不满意"
ERR_COMMENT = "「意见建议」最多 {n} 字"
ERR_ALREADY_RATED = "您已评议过「{name}」,每人对每名干部只评一次;如需改变意见,请用“修改”并保存"
ERR_NOT_RATED = "您还没有评议「{name}」,不能修改"
ERR_STALE_RATING = "您对「{name}」的评议已在别处修改过,请刷新后再改"
ERR_STALE = "该记录已被他人修改,请刷新后重试"
ERR_CLOSE_EARLY = "评议截止日 {closes} 之后才能结束评议、公布结果"
ERR_REASON = "「作废原因」请填写(最多 {n} 字)"
ERR_ALREADY_VOID = "该记录已作废"
ERR_KIND = "「类别」应为经管站审计或镇主要负责人谈话"
ERR_FORM = "「形式」与类别不符:{kind}可选 {forms}"
ERR_DUE = "「应于」日期应在 2000 年至 {last} 之间"
ERR_HELD_FUTURE = "「实际日期」{day} 在今天({today})之后:尚未发生的审计或谈话不能登记为已开展"
ERR_HELD_OLD = "「实际日期」不能早于 2000 年"
ERR_HELD_AGAIN = "该{kind}已于 {day} 登记为已开展,不能再次登记"
ERR_BY_WHOM = "「{label}」请填写(最多 60 字)"
ERR_CADRES = "「对象」请选择本村在任的村干部"
ERR_TALK_CADRES = "「对象」谈话至少要有一名村“两委”干部"
ERR_FOLLOW_UP_NOTE = "「整改要求与情况」需要整改时请写明整改要求"
ERR_FOLLOW_UP_DUE = "「整改期限」不能早于实际日期"
ERR_TEXT = "「{label}」请填写,最多 {n} 字"
ERR_NOT_CADRE = "「干部」{name} 不是本村在任的村“两委”干部"
ERR_PLEDGE_YEAR = "「年度」应在 2000 年至 {last} 之间"
ERR_MADE_ON = "「承诺日期」应在 {year} 年内,且不晚于今天"
ERR_PLEDGE_STATE = "「兑现情况」请选择推进中、已兑现或未兑现"
ERR_PLEDGE_NOTE = "「兑现说明」已兑现或未兑现时请写明情况(最多 500 字)"
ERR_CHECKED_ON = "「核实日期」不能晚于今天,也不能早于承诺日期"
ERR_ACT_RESIDENT = "「人选」不是本村在册的登记居民"
ERR_ACT_MEMBER = "「人选」{name} 已是党员,不需要确定为入党积极分子"
ERR_ACT_RECOMMENDED = "「推荐方式」请选择党员推荐或村民代表推荐"
ERR_ACT_HELD = "「评议会日期」不能晚于今天,也不能早于 2000 年"
ERR_ACT_ATTENDEES = "「参会人数」应为 1 至 100000 之间的整数"
ERR_ACT_SUM = "票数对不上:赞成 {f}、反对 {a}、弃权 {b} 之和为 {s},应等于参会人数 {n}"
ERR_ACT_TWICE = "{name} 在 {day} 已有一次民主评议记录,同一天不能重复登记"

WINDOW_MAX_DAYS = 31
MAX_YEAR = 2100


def _text(value: str, label: str, n: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    try:
        check_text(value, f"「{label}」")
    except ValueError as exc:
        raise RuleError(str(exc)) from None
    if (required and not value) or len(value) > n:
        raise RuleError(ERR_TEXT.format(label=label, n=n))
    return value


def _today(today=None) -> dt.date:
    return today or timezone.localdate()


def half_bounds(year: int, half: int) -> tuple[dt.date, dt.date]:
    return (dt.date(year, 1, 1), dt.date(year, 6, 30)) if half == 1 else (dt.date(year, 7, 1), dt.date(year, 12, 31))


def _check_village(village) -> None:
    if village.level != Level.COMMUNITY or village.area_kind != AreaKind.RURAL:
        raise RuleError(ERR_NOT_VILLAGE.format(name=village.name))


# -- who the cadres and the raters are -------------------------------------------------------------
CADRE_POSTS = ~Q(committee_post="") | ~Q(party_post="")


def cadres_of(village, on: dt.date | None = None):
    """The village's “两委” members serving on `on` (today), from the community's books."""
    on = on or timezone.localdate()
    serving = (Q(since__isnull=True) | Q(since__lte=on)) & (Q(left_on__isnull=True) | Q(left_on__gt=on))
    return Worker.objects.filter(CADRE_POSTS, serving, community=village).order_by("party_post", "committee_post",
                                                                                   "name", "pk")


def cadres_serving_in(villages, on: dt.date | None = None):
    """The “两委” members serving on `on` in any of `villages` (a queryset), in one query."""
    on = on or timezone.localdate()
    serving = (Q(since__isnull=True) | Q(since__lte=on)) & (Q(left_on__isnull=True) | Q(left_on__gt=on))
    return Worker.objects.filter(CADRE_POSTS, serving, community__in=villages) \
        .select_related("community").order_by("community__path", "party_post", "committee_post", "name", "pk")


def is_principal(worker: Worker) -> bool:
    """The secretary or the director (四2(1): they pledge to the town and to all villagers)."""
    return worker.is_leader


def resident_of(worker: Worker) -> Resident | None:
    """The cadre's registry record: the town's link when set, else the one living villager of that name;
    None when there is none (a cadre sent from outside, who is not on the roll either)."""
    link = CadreLink.objects.filter(worker=worker).select_related("resident").first()
    if link is not None:
        return link.resident
    same = list(Resident.objects.filter(community_id=worker.community_id, status=PersonStatus.ACTIVE,
                                        name=worker.name).order_by("pk")[:3])
    if len(same) > 1:
        raise RuleError(ERR_AMBIGUOUS.format(name=worker.name, n=len(same)))
    return same[0] if same else None


@transaction.atomic
def cadre_link(*, worker: Worker, resident: Resident, by) -> CadreLink:
    if resident.community_id != worker.community_id or resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_ACT_RESIDENT.replace("人选", "居民档案"))
    link, _ = CadreLink.objects.update_or_create(worker=worker, defaults={"resident": resident, "by": by,
                                                                         "at": timezone.now()})
    return link


def eligible_raters(village, day: dt.date, cadre_residents) -> dict[int, list[str]]:
    """Resident id → why they may rate: the village's living party members and villagers' representatives
    (a representative's post open on `day`), and its cadres who are registered villagers (四3(2))."""
    basis: dict[int, list[str]] = defaultdict(list)
    for rid in cadre_residents:
        basis[rid].append(RaterBasis.CADRE)
    for rid in Resident.objects.filter(community=village, status=PersonStatus.ACTIVE, party_member=True) \
            .values_list("pk", flat=True):
        basis[rid].append(RaterBasis.PARTY)
    reps = ResidentPost.objects.filter(community=village, kind=PostKind.REPRESENTATIVE, since__lte=day,
                                       resident__community=village, resident__status=PersonStatus.ACTIVE) \
        .filter(Q(until__isnull=True) | Q(until__gt=day)).values_list("resident_id", flat=True)
    for rid in reps:
        if RaterBasis.REPRESENTATIVE not in basis[rid]:
            basis[rid].append(RaterBasis.REPRESENTATIVE)
    return basis


# -- review rounds -----------------------------------------------------------------------------------
@transaction.atomic
def round_open(*, village, year: int, half: int, opens_on: dt.date, closes_on: dt.date, note: str = "",
               by) -> ReviewRound:
    """Open the half-year's review of `village`: the window, the pack's line, the cadres (snapshot) and the
    roll of raters as the registry stands on the opening day."""
    _check_village(village)
    if not 2000 <= year <= MAX_YEAR:
        raise RuleError(ERR_YEAR)
    if half not in (1, 2):
        raise RuleError(ERR_HALF)
    first, last = half_bounds(year, half)
    if not first <= opens_on <= last:
        raise RuleError(ERR_WINDOW_HALF.format(year=year, half="上半年" if half == 1 else "下半年", first=first,
                                               last=last))
    if closes_on < opens_on:
        raise RuleError(ERR_WINDOW_ORDER.format(opens=opens_on, closes=closes_on))
    if (closes_on - opens_on).days + 1 > WINDOW_MAX_DAYS:
        raise RuleError(ERR_WINDOW_LONG.format(days=WINDOW_MAX_DAYS, n=(closes_on - opens_on).days + 1))
    note = _text(note, "述职与评议说明", 200, required=False)
    label = f"{year}年{'上半年' if half == 1 else '下半年'}"
    if ReviewRound.objects.filter(community=village, year=year, half=half).exclude(state=RoundState.VOIDED).exists():
        raise RuleError(ERR_ROUND_EXISTS.format(village=village.name, label=label))
    cadres = list(cadres_of(village, opens_on))
    if not cadres:
        raise RuleError(ERR_NO_CADRES.format(village=village.name, day=opens_on))
    subjects = [(w, resident_of(w)) for w in cadres]
    roll = eligible_raters(village, opens_on, [r.pk for _, r in subjects if r is not None])
    if not roll:
        raise RuleError(ERR_NO_RATERS.format(village=village.name))
    lines = rules.lines_for(village)
    try:
        with transaction.atomic():  # the round, its cadres and its roll, or nothing
            rnd = ReviewRound.objects.create(
                community=village, year=year, half=half, opens_on=opens_on, closes_on=closes_on, note=note,
                approval_line=lines.flag_at_most, counts_basic=lines.counts_basic, pack_id=lines.pack_id,
                pack_title=lines.pack_title, raters=len(roll), created_by=by)
            Subject.objects.bulk_create([Subject(round=rnd, worker=w, resident=r, name=w.name, posts=w.posts())
                                         for w, r in subjects])
            Rater.objects.bulk_create([Rater(round=rnd, resident_id=rid, basis=",".join(b))
                                       for rid, b in sorted(roll.items())])
            _tell_raters(rnd, list(roll))
    except IntegrityError:
        raise RuleError(ERR_ROUND_EXISTS.format(village=village.name, label=label)) from None
    return rnd


NOTICE_ROUND = "cadrereview"


def _tell_raters(rnd: ReviewRound, resident_ids: list[int]) -> int:
    """The raters who have an account hear of the round and its window (the others are told at the
    villagers' meeting or on paper, as before)."""
    users = User.objects.filter(resident_id__in=resident_ids, is_active=True).values_list("pk", flat=True)
    return notify.notify(list(users), order=None, kind=NOTICE_ROUND,
                         text=f"{rnd.community.name}{rnd.label}村干部民主评议:{rnd.opens_on:%Y-%m-%d} 至 "
                              f"{rnd.closes_on:%Y-%m-%d},请在“评议村干部”中对每名村干部评议")


def _clean_verdict(verdict: str, comment: str) -> tuple[str, str]:
    if verdict not in Verdict.values:
        raise RuleError(ERR_VERDICT)
    comment = (comment or "").strip()
    try:
        check_text(comment, "「意见建议」")
    except ValueError as exc:
        raise RuleError(str(exc)) from None
    if len(comment) > COMMENT_MAX:
        raise RuleError(ERR_COMMENT.format(n=COMMENT_MAX))
    return verdict, comment


@transaction.atomic
def rate(*, subject: Subject, resident: Resident | None, by, verdict: str, comment: str = "", version: int = 0,
         now: dt.datetime | None = None) -> Rating:
    """`resident`'s verdict on one cadre, typed by `by` (the resident through their own account; the demo
    enters paper ballots as the town). `version` 0 rates for the first time (a second is refused: one
    rating per rater and cadre per round); the version of the rater's own rating changes it while the
    window is open (an explicit edit, kept in the rating's history)."""
    now = now or timezone.now()
    if resident is None:
        raise RuleError(ERR_NOT_RESIDENT)
    rnd = ReviewRound.objects.select_for_update().get(pk=subject.round_id)
    if rnd.state != RoundState.OPEN:
        raise RuleError(ERR_ROUND_NOT_OPEN.format(state=rnd.get_state_display()))
    if not rnd.window_open(timezone.localtime(now).date()):
        raise RuleError(ERR_OUTSIDE_WINDOW.format(opens=rnd.opens_on, closes=rnd.closes_on))
    rater = Rater.objects.filter(round=rnd, resident=resident).first()
    if rater is None:
        raise RuleError(ERR_NOT_ON_ROLL)
    if subject.resident_id == resident.pk:
        raise RuleError(ERR_SELF.format(name=subject.name))
    verdict, comment = _clean_verdict(verdict, comment)
    existing = Rating.objects.select_for_update().filter(subject=subject, rater=rater).first()
    if version <= 0:
        if existing is not None:
            raise RuleError(ERR_ALREADY_RATED.format(name=subject.name))
        try:
            with transaction.atomic():
                return Rating.objects.create(round=rnd, subject=subject, rater=rater, verdict=verdict,
                                             comment=comment, by=by, at=now)
        except IntegrityError:
            raise RuleError(ERR_ALREADY_RATED.format(name=subject.name)) from None
    if existing is None:
        raise RuleError(ERR_NOT_RATED.format(name=subject.name))
    if existing.version != version:
        raise ConflictError(ERR_STALE_RATING.format(name=subject.name))
    existing.verdict, existing.comment, existing.at, existing.by = verdict, comment, now, by
    existing.version += 1
    existing.save()
    return existing


def tallies(rnd: ReviewRound) -> dict[int, dict]:
    """Subject id → counts of each verdict, one grouped query."""
    rows = Rating.objects.filter(round=rnd).values("subject_id").annotate(
        satisfied=Count("pk", filter=Q(verdict=Verdict.SATISFIED)), basic=Count("pk", filter=Q(verdict=Verdict.BASIC)),
        unsatisfied=Count("pk", filter=Q(verdict=Verdict.UNSATISFIED))).order_by()
    return {r["subject_id"]: r for r in rows}


def result_of(rnd: ReviewRound, satisfied: int, basic: int, unsatisfied: int) -> tuple:
    """(approval %, flagged) under the round's own line."""
    total = satisfied + basic + unsatisfied
    approving = satisfied + (basic if rnd.counts_basic else 0)
    return rules.share(approving, total), rules.at_or_under(approving, total, rnd.approval_line)


@transaction.atomic
def round_close(*, rnd: ReviewRound, version: int, by, today: dt.date | None = None) -> ReviewRound:
    """End the review after its window: each cadre's counts and approval are fixed, and a cadre at or under
    the line is flagged to the town."""
    rnd = lock_version(ReviewRound.objects, rnd.pk, version, ERR_STALE)
    if rnd.state != RoundState.OPEN:
        raise RuleError(ERR_ROUND_NOT_OPEN.format(state=rnd.get_state_display()))
    if _today(today) <= rnd.closes_on:
        raise RuleError(ERR_CLOSE_EARLY.format(closes=rnd.closes_on))
    counts = tallies(rnd)
    for subject in rnd.subjects.all():
        c = counts.get(subject.pk, {"satisfied": 0, "basic": 0, "unsatisfied": 0})
        subject.satisfied, subject.basic, subject.unsatisfied = c["satisfied"], c["basic"], c["unsatisfied"]
        subject.approval, subject.flagged = result_of(rnd, subject.satisfied, subject.basic, subject.unsatisfied)
        subject.save(update_fields=["satisfied", "basic", "unsatisfied", "approval", "flagged"])
    rnd.state, rnd.closed_by, rnd.closed_at = RoundState.CLOSED, by, timezone.now()
    rnd.version += 1
    rnd.save(update_fields=["state", "closed_by", "closed_at", "version"])
    return rnd


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    try:
        check_text(reason, "「作废原因」")
    except ValueError as exc:
        raise RuleError(str(exc)) from None
    if not reason or len(reason) > REASON_MAX:
        raise RuleError(ERR_REASON.format(n=REASON_MAX))
    return reason


@transaction.atomic
def round_void(*, rnd: ReviewRound, reason: str, version: int, by) -> ReviewRound:
    reason = _reason(reason)
    rnd = lock_version(ReviewRound.objects, rnd.pk, version, ERR_STALE)
    if rnd.state == RoundState.VOIDED:
        raise RuleError(ERR_ALREADY_VOID)
    rnd.state, rnd.void_reason = RoundState.VOIDED, reason
    rnd.version += 1
    rnd.save(update_fields=["state", "void_reason", "version"])
    return rnd


# -- audits and talks --------------------------------------------------------------------------------
def _forms_of(kind: str):
    return AUDIT_FORMS if kind == CheckKind.AUDIT else TALK_FORMS


@transaction.atomic
def check_schedule(*, village, kind: str, form: str, due_on: dt.date, by_whom: str = "", by) -> Oversight:
    _check_village(village)
    if kind not in CheckKind.values:
        raise RuleError(ERR_KIND)
    forms = _forms_of(kind)
    if form not in forms:
        raise RuleError(ERR_FORM.format(kind=CheckKind(kind).label, forms="、".join(f.label for f in forms)))
    if not dt.date(2000, 1, 1) <= due_on <= dt.date(MAX_YEAR, 12, 31):
        raise RuleError(ERR_DUE.format(last=MAX_YEAR))
    by_whom = _text(by_whom, "审计单位" if kind == CheckKind.AUDIT else "谈话人", 60, required=False)
    return Oversight.objects.create(community=village, kind=kind, form=form, due_on=due_on, by_whom=by_whom,
                                created_by=by)


@transaction.atomic
def checks_plan_year(*, village, year: int, by) -> list[Oversight]:
    """The year's cycle of 四3: a routine audit due at the end of each half-year and a regular talk at the end
    of each quarter; a period that already has one of its kind scheduled or held is left as it is."""
    _check_village(village)
    if not 2000 <= year <= MAX_YEAR:
        raise RuleError(ERR_YEAR)
    due = [(CheckKind.AUDIT, "routine", dt.date(year, 6, 30)), (CheckKind.AUDIT, "routine", dt.date(year, 12, 31))]
    due += [(CheckKind.TALK, "regular", d) for d in (dt.date(year, 3, 31), dt.date(year, 6, 30), dt.date(year, 9, 30),
                                                      dt.date(year, 12, 31))]
    existing = Oversight.objects.filter(community=village, void_reason="", due_on__year=year)
    made = []
    for kind, form, day in due:
        months = 6 if kind == CheckKind.AUDIT else 3
        start = dt.date(year, day.month - months + 1, 1)
        if existing.filter(kind=kind).filter(Q(due_on__range=(start, day)) | Q(held_on__range=(start, day))).exists():
            continue
        made.append(Oversight.objects.create(community=village, kind=kind, form=form, due_on=day,
                                         by_whom="经管站" if kind == CheckKind.AUDIT else "", created_by=by))
    return made


@transaction.atomic
def check_record(*, check: Oversight, version: int, held_on: dt.date, by_whom: str, cadre_ids, findings: str = "",
                 conclusion: str = "", follow_up: str = "", follow_up_note: str = "",
                 follow_up_due: dt.date | None = None, by, today: dt.date | None = None) -> Oversight:
    """Record a scheduled audit or talk as held, with what was found and the follow-up (整改)."""
    today = _today(today)
    kind_label = check.get_kind_display()
    if held_on > today:
        raise RuleError(ERR_HELD_FUTURE.format(day=held_on, today=today))
    if held_on < dt.date(2000, 1, 1):
        raise RuleError(ERR_HELD_OLD)
    by_whom = _text(by_whom, "审计单位" if check.kind == CheckKind.AUDIT else "谈话人", 60)
    findings = _text(findings, "发现的问题", 2000, required=False)
    conclusion = _text(conclusion, "结论(公开)", 200, required=False)
    follow_up_note = _text(follow_up_note, "整改要求与情况", 2000, required=False)
    if follow_up not in FollowUp.values:
        follow_up = ""
    if follow_up and not follow_up_note:
        raise RuleError(ERR_FOLLOW_UP_NOTE)
    if follow_up_due is not None and follow_up_due < held_on:
        raise RuleError(ERR_FOLLOW_UP_DUE)
    ids = {int(i) for i in cadre_ids or ()}
    cadres = list(cadres_of(check.community, held_on).filter(pk__in=ids)) if ids else []
    if len(cadres) != len(ids):
        raise RuleError(ERR_CADRES)
    if check.kind == CheckKind.TALK and not cadres:
        raise RuleError(ERR_TALK_CADRES)
    check = lock_version(Oversight.objects, check.pk, version, ERR_STALE)
    if check.void_reason:
        raise RuleError(ERR_ALREADY_VOID)
    if check.held_on is not None:
        raise RuleError(ERR_HELD_AGAIN.format(kind=kind_label, day=check.held_on))
    check.held_on, check.by_whom, check.findings, check.conclusion = held_on, by_whom, findings, conclusion
    check.follow_up, check.follow_up_note, check.follow_up_due = follow_up, follow_up_note, follow_up_due
    check.recorded_by = by
    check.version += 1
    check.save()
    check.cadres.set(cadres)
    return check


@transaction.atomic
def check_follow_up(*, check: Oversight, version: int, follow_up: str, follow_up_note: str, by) -> Oversight:
    """The follow-up of a held check moves on (整改中 → 已整改), with what was done."""
    follow_up_note = _text(follow_up_note, "整改要求与情况", 2000)
    if follow_up not in FollowUp.values:
        raise RuleError(ERR_TEXT.format(label="整改", n=8))
    check = lock_version(Oversight.objects, check.pk, version, ERR_STALE)
    if check.void_reason:
        raise RuleError(ERR_ALREADY_VOID)
    check.follow_up, check.follow_up_note = follow_up, follow_up_note
    check.version += 1
    check.save(update_fields=["follow_up", "follow_up_note", "version"])
    return check


@transaction.atomic
def check_void(*, check: Oversight, reason: str, version: int, by) -> Oversight:
    reason = _reason(reason)
    check = lock_version(Oversight.objects, check.pk, version, ERR_STALE)
    if check.void_reason:
        raise RuleError(ERR_ALREADY_VOID)
    check.void_reason = reason
    check.version += 1
    check.save(update_fields=["void_reason", "version"])
    return check


# -- pledges -----------------------------------------------------------------------------------------
def pledge_to_whom(worker: Worker) -> str:
    """四2(1): the secretary and the director pledge to the town's party committee and government and to all
    villagers; the other “两委” members to the village party branch and to all villagers."""
    return "镇党委、政府和全体村民" if is_principal(worker) else "村党支部和全体村民"


@transaction.atomic
def pledge_add(*, worker: Worker, year: int, made_on: dt.date, text: str, by, today: dt.date | None = None) -> Pledge:
    today = _today(today)
    if not 2000 <= year <= today.year + 1:
        raise RuleError(ERR_PLEDGE_YEAR.format(last=today.year + 1))
    if made_on.year != year or made_on > today:
        raise RuleError(ERR_MADE_ON.format(year=year))
    if not cadres_of(worker.community, made_on).filter(pk=worker.pk).exists():
        raise RuleError(ERR_NOT_CADRE.format(name=worker.name))
    text = _text(text, "承诺内容", 500)
    return Pledge.objects.create(community=worker.community, worker=worker, name=worker.name, posts=worker.posts(),
                                 year=year, made_on=made_on, to_whom=pledge_to_whom(worker), text=text, created_by=by)


@transaction.atomic
def pledge_follow_up(*, pledge: Pledge, version: int, state: str, note: str, checked_on: dt.date | None, by,
                     today: dt.date | None = None) -> Pledge:
    today = _today(today)
    if state not in PledgeState.values:
        raise RuleError(ERR_PLEDGE_STATE)
    note = (note or "").strip()
    try:
        check_text(note, "「兑现说明」")
    except ValueError as exc:
        raise RuleError(str(exc)) from None
    if len(note) > 500 or (state != PledgeState.IN_PROGRESS and not note):
        raise RuleError(ERR_PLEDGE_NOTE)
    checked_on = checked_on or today
    if checked_on > today or checked_on < pledge.made_on:
        raise RuleError(ERR_CHECKED_ON)
    pledge = lock_version(Pledge.objects, pledge.pk, version, ERR_STALE)
    if pledge.void_reason:
        raise RuleError(ERR_ALREADY_VOID)
    pledge.state, pledge.note, pledge.checked_on = state, note, checked_on
    pledge.version += 1
    pledge.save()
    return pledge


@transaction.atomic
def pledge_void(*, pledge: Pledge, reason: str, version: int, by) -> Pledge:
    reason = _reason(reason)
    pledge = lock_version(Pledge.objects, pledge.pk, version, ERR_STALE)
    if pledge.void_reason:
        raise RuleError(ERR_ALREADY_VOID)
    pledge.void_reason = reason
    pledge.version += 1
    pledge.save(update_fields=["void_reason", "version"])
    return pledge


# -- party activists (P-GOV-10) ----------------------------------------------------------------------
@transaction.atomic
def activist_review(*, village, resident: Resident, recommended_by: str, held_on: dt.date, attendees: int,
                    votes_for: int, votes_against: int, abstentions: int, by,
                    today: dt.date | None = None) -> ActivistReview:
    """The branch's “一评” of a candidate from the “两推”: the votes of the meeting of party members and
    villagers' representatives. Approval (赞成 ÷ 参会) at or under the pack's line (“不超过60%”, 60 % included)
    refuses the candidate; the review is recorded either way."""
    today = _today(today)
    _check_village(village)
    if resident.community_id != village.pk or resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_ACT_RESIDENT)
    if resident.party_member:
        raise RuleError(ERR_ACT_MEMBER.format(name=resident.name))
    if recommended_by not in Recommendation.values:
        raise RuleError(ERR_ACT_RECOMMENDED)
    if held_on > today or held_on < dt.date(2000, 1, 1):
        raise RuleError(ERR_ACT_HELD)
    if not 1 <= attendees <= 100_000:
        raise RuleError(ERR_ACT_ATTENDEES)
    votes = (votes_for, votes_against, abstentions)
    if any(v < 0 or v > 100_000 for v in votes) or sum(votes) != attendees:
        raise RuleError(ERR_ACT_SUM.format(f=votes_for, a=votes_against, b=abstentions, s=sum(votes), n=attendees))
    if ActivistReview.objects.filter(resident=resident, held_on=held_on).exists():
        raise RuleError(ERR_ACT_TWICE.format(name=resident.name, day=held_on))
    lines = rules.lines_for(village)
    refused = rules.at_or_under(votes_for, attendees, lines.activist_at_most)
    return ActivistReview.objects.create(
        community=village, resident=resident, name=resident.name, recommended_by=recommended_by, held_on=held_on,
        attendees=attendees, votes_for=votes_for, votes_against=votes_against, abstentions=abstentions,
        approval=rules.share(votes_for, attendees), line=lines.activist_at_most, pack_id=lines.pack_id,
        outcome=ActivistOutcome.REFUSED if refused else ActivistOutcome.CONFIRMED, by=by)



