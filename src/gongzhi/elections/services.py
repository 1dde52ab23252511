"""Every write of an election. One function per step, keyword arguments, one transaction each; a
broken rule raises `ElectionError` with a Chinese message (the constants below) and changes nothing.
Every step writes an `ElectionEvent` (who, when, what; counts only where voting is concerned)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q as models_Q, Sum
from django.utils import timezone

from gongzhi.core import codes
from gongzhi.digests import services as follows
from gongzhi.core.db_statistics import analyze_if_stale
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.elections import rules as locality
from gongzhi.elections.models import (
    OPEN_STATES, Application, Body, Candidate, CandidateList, CommitteeMember, CommitteeRole, Decision, Election,
    ElectionEvent, EventKind, Exclusion, Method, Nomination, Objection, Post, RollChange, RollVersion, State, Station,
    Probation, ProbationOutcome, Tally, TallyLine, Voter, WriteIn,
)
from gongzhi.governance.models_meetings import PostKind, ResidentPost
from gongzhi.people.models import PersonStatus, ResidenceStatus, Resident
from gongzhi.places.models import Level, Place

ERR_NOT_COMMUNITY = "{name} 不是本街道(镇)下的社区(村)"
ERR_ALREADY_OPEN = "{name} 已有 {term} 年的{body}换届选举"
ERR_DATES = "各步骤日期须依次排列:推选选举委员会 {a} → 公布选民名单 {b} → 公布候选人 {c} → 选举日 {d}"
ERR_ROLL_LATE = "选民名单须在选举日({day})的 {days} 天以前公布,最迟 {last};{on} 公布太晚"
ERR_CANDIDATES_LATE = "候选人名单须在选举日({day})的 {days} 天以前公布,最迟 {last};{on} 公布太晚"
ERR_STATE = "选举当前为「{state}」,不能{action}"
ERR_ROLL_EMPTY = "选民名单为空,请先生成选民名单"
ERR_TWO_ROLLS = "{name} 已在 {other} 的 {term} 年选民名单上,一人只能在一处登记"
ERR_UNDERAGE = "{name} 在选举日({day})未满十八周岁(出生日期 {birth}),不能登记为选民"
ERR_NO_BIRTH = "{name} 没有出生日期,无法核对年龄,请先在人员信息中补录"
ERR_NOT_HERE = "{name} 不是 {community} 的在册居民"
ERR_NEEDS_APPLICATION = "{name} 户籍不在本社区,须本人申请并经选举委员会同意后才能登记"
ERR_APPLY_REGISTERED = "{name} 户籍在本社区,直接列入选民名单,无须申请"
ERR_APPLY_SHORT = "{name} 在本社区居住不满一年(迁入 {since}),不能申请在本社区登记"
ERR_EXCLUDED = "{name} 已有不列入选民名单的决定({kind}),不能登记"
ERR_REASON = "请填写原因"
ERR_HOUSEHOLD_VOTER = "户代表选举每户一票:{name} 所在户已由 {other} 代表投票;如需更换户代表,请先将 {other} 移出选民名单"
ERR_NOT_REPRESENTATIVE = "居民代表选举由居民代表投票:{name} 在选举日({day})不是本社区在任的居民代表"
ERR_NOT_ON_ROLL = "{name} 不在本次选举的选民名单上,不能成为候选人"
ERR_RESIDENCE = "{name} 在本社区居住不满 {days} 天(迁入 {since}),不能成为候选人"
ERR_COMMITTEE_STANDS = "{name} 是选举委员会成员,须先退出选举委员会才能成为候选人(勾选「退出选举委员会」)"
ERR_JOINT = "选民联名提名须 {n} 人以上联名,现为 {got} 人"
ERR_PARTY_NOMINATION = "本地规定不由党组织推荐候选人"
ERR_ALREADY_CANDIDATE = "{name} 已是本轮候选人"
ERR_POST = "本次选举没有「{post}」名额"
ERR_MARGIN = "「{post}」应选 {seats} 名,候选人须至少 {need} 名(差额 {margin}),现有 {got} 名"
ERR_VOTING_EARLY = "候选人名单公示期至 {ends} 届满,{on} 还不能开始投票"
ERR_NO_STATIONS = "请先设立投票站、中心会场或流动票箱"
ERR_ALREADY_VOTED = "{name} 已登记投票"
ERR_NOT_VOTER = "该选民不在本次选举的选民名单上"
ERR_PROXY_LIMIT = "{name} 已受托 {held} 人,再受托 {more} 人将超过每人 {limit} 人的上限"
ERR_PROXY_SELF = "不能委托给本人"
ERR_TALLY_OVER = "{station}收回选票 {ballots} 张,多于在该处登记投票的 {voters} 人"
ERR_TALLY_INVALID = "{station}无效票 {invalid} 张,多于收回选票 {ballots} 张"
ERR_TALLY_VOTES = "{station}「{post}」得票合计 {votes},超过有效票 {valid} × 应选 {seats} 名"
ERR_TALLY_CANDIDATE = "{name} 的得票 {votes} 超过{station}有效票 {valid} 张"
ERR_TALLY_MISSING = "以下投票点还没有录入计票结果:{names}"
ERR_TALLY_CONFLICT = "{station}的计票结果已被他人修改,请刷新后重试"
ERR_NOT_COUNTED = "还没有计票结果,请先计票"
ERR_WRITE_IN_NONE = "第 {round} 轮没有选票另选「{name}」为{post}"
ERR_WRITE_IN_DECIDED = "「{name}」({post})已于 {on} 核实:{decision}"
ERR_WRITE_IN_PENDING = "另选他人「{name}」({post})得 {votes} 票,已达当选票数,请先核实其是否为本次选举的选民、是否符合条件,再计票"
ERR_NUMBER = "「{field}」须为不小于 0 的整数"
ERR_ANSWER = "请填写答复内容"
ERR_ALREADY_ANSWERED = "该异议已于 {on} 答复"


class ElectionError(RuleError):
    """An election step breaks a rule (a Chinese message; nothing changed)."""


# the steps residents following an election hear of (digests), named without anyone's name
FOLLOWED_STEPS = (EventKind.ROLL_PUBLISHED, EventKind.CANDIDATES_PUBLISHED, EventKind.VOTING_OPENED,
                  EventKind.RUNOFF, EventKind.RESULT_PUBLISHED)


def _event(election: Election, kind: str, by, text: str = "") -> None:
    ElectionEvent.objects.create(election=election, kind=kind, by=by, text=text[:300])
    if kind in FOLLOWED_STEPS:
        follows.tell_followers(election, text=f"您关注的{election}:{EventKind(kind).label}。")


def _lock(election: Election) -> Election:
    return Election.objects.select_for_update().get(pk=election.pk)


def _in_state(election: Election, states, action: str) -> None:
    if election.state not in states:
        raise ElectionError(ERR_STATE.format(state=election.get_state_display(), action=action))


def _today() -> dt.date:
    return timezone.localdate()


def eighteen_by(day: dt.date) -> dt.date:
    """Born on or before this date: eighteen on `day` (born 29 February: the 28th in a common year)."""
    try:
        return day.replace(year=day.year - 18)
    except ValueError:
        return day.replace(year=day.year - 18, day=28)


def _sha(rows) -> str:
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def person_key(resident: Resident) -> str:
    """The roll's key for a person: the keyed hash of the ID number, else the resident's id."""
    return resident.id_number_hash or f"r{resident.pk}"


def roll_kind(body: str) -> str:
    return "party" if body == Body.PARTY else "committee"


# -- 1. plan ------------------------------------------------------------------------------------------
@transaction.atomic
def election_open(*, street: Place, communities: list[Place], term: int, body: str = Body.RESIDENTS,
                  method: str = "direct", committee_on: dt.date, roll_on: dt.date, candidates_on: dt.date,
                  election_day: dt.date, seats: tuple[int, int, int] | None = None, by=None) -> list[Election]:
    """The street (town) opens a term election for each of `communities`, with the step dates; the seats
    follow each community's size unless given; the locality's rules are copied onto each election."""
    if not committee_on < roll_on <= candidates_on < election_day:
        raise ElectionError(ERR_DATES.format(a=committee_on, b=roll_on, c=candidates_on, d=election_day))
    rules = locality.rules_for(body=body, locality_code=street.code)
    last_roll = election_day - dt.timedelta(days=rules["roll_notice_days"])
    if roll_on > last_roll:
        raise ElectionError(ERR_ROLL_LATE.format(day=election_day, days=rules["roll_notice_days"], last=last_roll,
                                                 on=roll_on))
    last_candidates = election_day - dt.timedelta(days=rules["candidate_notice_days"])
    if candidates_on > last_candidates:
        raise ElectionError(ERR_CANDIDATES_LATE.format(day=election_day, days=rules["candidate_notice_days"],
                                                       last=last_candidates, on=candidates_on))
    made = []
    for community in communities:
        if community.level != Level.COMMUNITY or community.parent_id != street.pk:
            raise ElectionError(ERR_NOT_COMMUNITY.format(name=community.name))
        if Election.objects.filter(community=community, term=term, body=body).exists():
            raise ElectionError(ERR_ALREADY_OPEN.format(name=community.name, term=term,
                                                        body=Body(body).label))
        d, dep, m = seats or locality.seats_for_households(community.households.filter(status="active").count(),
                                                           body)
        election = Election.objects.create(
            community=community, street=street, term=term, body=body, method=method, committee_on=committee_on,
            roll_on=roll_on, candidates_on=candidates_on, election_day=election_day, seats_director=d,
            seats_deputy=dep, seats_member=m, born_by=eighteen_by(election_day), created_by=by, **rules)
        _event(election, EventKind.OPENED, by, f"选举日 {election_day},应选 {election.seats} 名")
        made.append(election)
    return made


# -- 2. election committee ----------------------------------------------------------------------------
@transaction.atomic
def committee_add(*, election: Election, name: str, role: str = CommitteeRole.MEMBER, resident: Resident | None = None,
                  chosen_by: str = "", joined_on: dt.date | None = None, by=None) -> CommitteeMember:
    election = _lock(election)
    _in_state(election, OPEN_STATES, "推选选举委员会成员")
    name = (name or (resident.name if resident else "")).strip()
    if not name:
        raise ElectionError("请填写姓名")
    rank = (election.committee.filter(role=role).count() or 0) + 1
    member = CommitteeMember.objects.create(election=election, name=name[:50], role=role, resident=resident,
                                            rank=rank, chosen_by=chosen_by[:30], joined_on=joined_on or _today())
    _event(election, EventKind.COMMITTEE_MEMBER, by, f"{member.get_role_display()} {member.name}")
    return member


def _committee_member_of(election: Election, resident: Resident) -> CommitteeMember | None:
    return election.committee.filter(resident=resident, left_on__isnull=True).exclude(
        role=CommitteeRole.RESERVE).first()


def _leave_committee(election: Election, member: CommitteeMember, on: dt.date, by) -> CommitteeMember | None:
    """The nominated member leaves; the first reserve takes their place (村组法 第十二条)."""
    reserve = election.committee.filter(role=CommitteeRole.RESERVE, left_on__isnull=True).order_by("rank", "id").first()
    member.left_on, member.left_reason = on, "被提名为候选人,退出选举委员会"
    if reserve is not None:
        reserve.role, reserve.joined_on = member.role, on
        reserve.save(update_fields=["role", "joined_on"])
        member.replaced_by = reserve
    member.save(update_fields=["left_on", "left_reason", "replaced_by"])
    _event(election, EventKind.COMMITTEE_REPLACED, by,
           f"{member.name} 被提名为候选人,退出选举委员会;" + (f"由 {reserve.name} 递补" if reserve else "无候补人选,须补选"))
    return reserve


# -- 3. voter roll ------------------------------------------------------------------------------------
_PERSON = "COALESCE(r.id_number_hash, 'r' || CAST(r.id AS VARCHAR(20)))"
_ELIGIBLE = f"""
SELECT e.id AS election_id, r.id AS resident_id, {_PERSON} AS person, e.term AS term,
       CASE WHEN e.body = 'party' THEN 'party' ELSE 'committee' END AS roll_kind,
       CASE WHEN r.residence_status = 'registered' THEN 'registered' ELSE 'applied' END AS basis{{extra}}
FROM elections_election e
JOIN people_resident r ON r.community_id = e.community_id
WHERE e.id IN ({{ids}}) AND e.state = 'planning'
  AND r.status = 'active' AND r.birth_date IS NOT NULL AND r.birth_date <= e.born_by
  AND (e.body <> 'party' OR r.party_member = %s)
  AND (r.residence_status = 'registered' OR EXISTS (
        SELECT 1 FROM elections_application a
        WHERE a.election_id = e.id AND a.resident_id = r.id AND a.decision = 'approved'))
  AND NOT EXISTS (SELECT 1 FROM elections_exclusion x WHERE x.election_id = e.id AND x.resident_id = r.id)
  AND NOT EXISTS (SELECT 1 FROM elections_voter v
                  WHERE v.term = e.term AND v.active = %s AND v.person = {_PERSON}
                    AND v.roll_kind = CASE WHEN e.body = 'party' THEN 'party' ELSE 'committee' END){{where}}
"""
_INSERT = """
INSERT INTO elections_voter (election_id, resident_id, person, term, roll_kind, basis, active, added_at, voted)
SELECT election_id, resident_id, person, term, roll_kind, basis, %s, %s, %s FROM ({select}) eligible{outer}
"""
# 户代表选举: one voter per household, its head if eligible, else its first eligible member (a resident
# without a household counts as one); the household may change its representative (voter_remove/voter_add)
_HOUSEHOLD_ORDER = (f", ROW_NUMBER() OVER (PARTITION BY e.id, COALESCE(r.household_id, -r.id) "
                    f"ORDER BY CASE WHEN r.relation = '{codes.HEAD_RELATION}' THEN 0 ELSE 1 END, r.id) AS nth")
# 居民代表选举: the residents' representatives serving on election day (governance.ResidentPost)
_REPRESENTATIVE = f"""
  AND EXISTS (SELECT 1 FROM governance_residentpost p
              WHERE p.resident_id = r.id AND p.community_id = e.community_id AND p.kind = '{PostKind.REPRESENTATIVE}'
                AND p.since <= e.election_day AND (p.until IS NULL OR p.until > e.election_day))"""


def _build_sql(method: str, ids: list[int]) -> str:
    """The roll's INSERT … SELECT for elections `ids`, all of one method (a party branch's: direct)."""
    marks = ", ".join(["%s"] * len(ids))
    if method == Method.HOUSEHOLD:
        select = _ELIGIBLE.format(extra=_HOUSEHOLD_ORDER, ids=marks, where="")
        return _INSERT.format(select=select, outer=" WHERE nth = 1")
    select = _ELIGIBLE.format(extra="", ids=marks, where=_REPRESENTATIVE if method == Method.REPRESENTATIVE else "")
    return _INSERT.format(select=select, outer="")


@transaction.atomic
def rolls_build(*, elections: list[Election], by=None) -> dict[int, int]:
    """Build (or rebuild, before publication) the rolls of `elections` from the registry as it stands,
    in one INSERT … SELECT per election method for all of them: active residents eighteen on election
    day, registered here or approved on application, less recorded exclusions and people already on
    another roll of the term; of those, for a household-representative election one per household,
    for a representatives' election the serving residents' representatives. Returns {election id: voters}."""
    ids = sorted(e.pk for e in elections)
    if not ids:
        return {}
    locked = list(Election.objects.select_for_update().filter(pk__in=ids))
    for e in locked:
        _in_state(e, (State.PLANNING,), "生成选民名单")
    Voter.objects.filter(election_id__in=ids).delete()
    by_method: dict[str, list[int]] = {}
    for e in locked:
        by_method.setdefault(Method.DIRECT if e.body == Body.PARTY else e.method, []).append(e.pk)
    analyze_if_stale("people_resident", "elections_application", "elections_exclusion", "elections_voter",
                     "governance_residentpost")
    with connection.cursor() as cursor:
        for method, group in sorted(by_method.items()):
            cursor.execute(_build_sql(method, group), [True, timezone.now(), False, *group, True, True])
        if connection.vendor == "postgresql":
            # a roll is a bulk load: without fresh statistics PostgreSQL planned the published roll's
            # read (voters by household) as if the table were empty, 40 s for a demo community
            cursor.execute("ANALYZE elections_voter")
    counts = dict(Voter.objects.filter(election_id__in=ids).order_by().values("election_id").annotate(n=Count("id"))
                  .values_list("election_id", "n"))
    for e in locked:
        Election.objects.filter(pk=e.pk).update(voters=counts.get(e.pk, 0), version=e.version + 1)
    ElectionEvent.objects.bulk_create([ElectionEvent(election_id=i, kind=EventKind.ROLL_BUILT, by=by,
                                                     text=f"{counts.get(i, 0)} 名选民") for i in ids])
    return {i: counts.get(i, 0) for i in ids}


def roll_build(*, election: Election, by=None) -> int:
    return rolls_build(elections=[election], by=by)[election.pk]


def _refresh_count(election: Election) -> None:
    n = election.roll.filter(active=True).count()
    Election.objects.filter(pk=election.pk).update(voters=n)
    election.voters = n


@transaction.atomic
def roll_publish(*, election: Election, on: dt.date | None = None, by=None) -> RollVersion:
    """Publish (公示) the roll as a frozen version; refused when later than the notice period allows."""
    election = _lock(election)
    on = on or _today()
    _in_state(election, (State.PLANNING,), "公布选民名单")
    last = election.election_day - dt.timedelta(days=election.roll_notice_days)
    if on > last:
        raise ElectionError(ERR_ROLL_LATE.format(day=election.election_day, days=election.roll_notice_days,
                                                 last=last, on=on))
    version = _freeze_roll(election, on, by)
    if not version.count:
        raise ElectionError(ERR_ROLL_EMPTY)
    election.state = State.ROLL_PUBLISHED
    election.version += 1
    election.save(update_fields=["state", "version"])
    _event(election, EventKind.ROLL_PUBLISHED, by, f"第 {version.number} 版,{version.count} 名选民,公布于 {on}")
    return version


def _freeze_roll(election: Election, on: dt.date, by) -> RollVersion:
    rows = [[name, masked, dict(Voter._meta.get_field("basis").choices)[basis]] for name, masked, basis in
            election.roll.filter(active=True).order_by("resident__household__number", "resident_id")
            .values_list("resident__name", "resident__id_number_masked", "basis")]
    number = election.roll_versions.count() + 1
    return RollVersion.objects.create(election=election, number=number, published_on=on, count=len(rows),
                                      rows=rows, sha256=_sha(rows), by=by)


def _elector_basis(election: Election, resident: Resident) -> str:
    """The basis on which `resident` is an elector of this community for this election (with the right
    to vote and to stand): here and alive, eighteen on the day, not excluded, registered here or
    approved on application. ElectionError with the reason otherwise."""
    if resident.community_id != election.community_id or resident.status != PersonStatus.ACTIVE:
        raise ElectionError(ERR_NOT_HERE.format(name=resident.name, community=election.community.name))
    if resident.birth_date is None:
        raise ElectionError(ERR_NO_BIRTH.format(name=resident.name))
    if resident.birth_date > election.born_by:
        raise ElectionError(ERR_UNDERAGE.format(name=resident.name, day=election.election_day,
                                                birth=resident.birth_date))
    exclusion = election.exclusions.filter(resident=resident).first()
    if exclusion is not None:
        raise ElectionError(ERR_EXCLUDED.format(name=resident.name, kind=exclusion.get_kind_display()))
    if resident.residence_status == ResidenceStatus.REGISTERED:
        return "registered"
    if election.applications.filter(resident=resident, decision=Decision.APPROVED).exists():
        return "applied"
    raise ElectionError(ERR_NEEDS_APPLICATION.format(name=resident.name))


def _check_voter(election: Election, resident: Resident) -> str:
    """The basis on which `resident` may be on this roll; ElectionError otherwise."""
    basis = _elector_basis(election, resident)
    other = Voter.objects.filter(term=election.term, roll_kind=roll_kind(election.body), active=True,
                                 person=person_key(resident)).select_related("election__community").first()
    if other is not None:
        where = "本社区" if other.election_id == election.pk else other.election.community.name
        raise ElectionError(ERR_TWO_ROLLS.format(name=resident.name, other=where, term=election.term))
    if _votes_by_representation(election) and election.method == Method.HOUSEHOLD and resident.household_id:
        other = election.roll.filter(active=True, resident__household_id=resident.household_id) \
            .select_related("resident").first()
        if other is not None:
            raise ElectionError(ERR_HOUSEHOLD_VOTER.format(name=resident.name, other=other.resident.name))
    if _votes_by_representation(election) and election.method == Method.REPRESENTATIVE and not \
            ResidentPost.objects.filter(resident=resident, community_id=election.community_id,
                                        kind=PostKind.REPRESENTATIVE, since__lte=election.election_day) \
            .exclude(until__lte=election.election_day).exists():
        raise ElectionError(ERR_NOT_REPRESENTATIVE.format(name=resident.name, day=election.election_day))
    return basis


def _votes_by_representation(election: Election) -> bool:
    """A household-representative or representatives' election: the roll is not every elector."""
    return election.body != Body.PARTY and election.method != Method.DIRECT


@transaction.atomic
def voter_add(*, election: Election, resident: Resident, reason: str = "", by=None) -> Voter:
    """Add one person; after publication the change is logged with its reason."""
    election = _lock(election)
    _in_state(election, (State.PLANNING, State.ROLL_PUBLISHED, State.CANDIDATES_PUBLISHED), "补登选民")
    published = election.state != State.PLANNING
    reason = (reason or "").strip()
    if published and not reason:
        raise ElectionError(ERR_REASON)
    basis = _check_voter(election, resident)
    try:
        with transaction.atomic():
            voter = Voter.objects.create(election=election, resident=resident, person=person_key(resident),
                                         term=election.term, roll_kind=roll_kind(election.body), basis=basis,
                                         added_at=timezone.now())
    except IntegrityError:  # put on another roll a moment ago
        raise ElectionError(ERR_TWO_ROLLS.format(name=resident.name, other="其他社区", term=election.term)) from None
    if published:
        RollChange.objects.create(election=election, voter=voter, added=True, reason=reason[:200], by=by)
        _event(election, EventKind.ROLL_CHANGED, by, f"补登 {resident.name}:{reason}")
    _refresh_count(election)
    return voter


@transaction.atomic
def voter_remove(*, election: Election, voter: Voter, reason: str, by=None) -> Voter:
    election = _lock(election)
    _in_state(election, (State.PLANNING, State.ROLL_PUBLISHED, State.CANDIDATES_PUBLISHED), "移出选民")
    reason = (reason or "").strip()
    if not reason:
        raise ElectionError(ERR_REASON)
    voter = Voter.objects.select_for_update().get(pk=voter.pk, election=election)
    if Candidate.objects.filter(voter=voter).exists():
        raise ElectionError(f"{voter.resident.name} 是候选人,不能移出选民名单")
    voter.active = False
    voter.save(update_fields=["active"])
    RollChange.objects.create(election=election, voter=voter, added=False, reason=reason[:200], by=by)
    _event(election, EventKind.ROLL_CHANGED, by, f"移出 {voter.resident.name}:{reason}")
    _refresh_count(election)
    return voter


@transaction.atomic
def application_decide(*, election: Election, resident: Resident, approved: bool, on: dt.date | None = None,
                       by=None) -> Application:
    """A resident without registration here asks to vote here; the committee's decision is recorded,
    and an approval after publication adds them to the roll (logged)."""
    election = _lock(election)
    _in_state(election, (State.PLANNING, State.ROLL_PUBLISHED, State.CANDIDATES_PUBLISHED), "登记申请")
    on = on or _today()
    if resident.community_id != election.community_id or resident.status != PersonStatus.ACTIVE:
        raise ElectionError(ERR_NOT_HERE.format(name=resident.name, community=election.community.name))
    if resident.residence_status == ResidenceStatus.REGISTERED:
        raise ElectionError(ERR_APPLY_REGISTERED.format(name=resident.name))
    if approved and (resident.moved_in_on is None
                     or resident.moved_in_on > election.election_day - dt.timedelta(days=365)):
        raise ElectionError(ERR_APPLY_SHORT.format(name=resident.name, since=resident.moved_in_on or "未登记"))
    app, _ = Application.objects.update_or_create(
        election=election, resident=resident,
        defaults={"decision": Decision.APPROVED if approved else Decision.REFUSED, "decided_on": on, "by": by})
    _event(election, EventKind.APPLICATION, by, f"{resident.name}:{app.get_decision_display()}")
    if approved and election.state != State.PLANNING:
        voter_add(election=election, resident=resident, reason="申请登记经选举委员会同意", by=by)
    return app


@transaction.atomic
def exclusion_add(*, election: Election, resident: Resident, kind: str, basis_text: str, on: dt.date | None = None,
                  by=None) -> Exclusion:
    election = _lock(election)
    _in_state(election, (State.PLANNING, State.ROLL_PUBLISHED, State.CANDIDATES_PUBLISHED), "记录不列入决定")
    basis_text = (basis_text or "").strip()
    if not basis_text:
        raise ElectionError("请填写决定的依据(如判决书文号)")
    if resident.community_id != election.community_id:
        raise ElectionError(ERR_NOT_HERE.format(name=resident.name, community=election.community.name))
    exclusion, _ = Exclusion.objects.update_or_create(election=election, resident=resident, defaults={
        "kind": kind, "basis_text": basis_text[:200], "decided_on": on or _today(), "by": by})
    _event(election, EventKind.EXCLUSION, by, f"{resident.name}:{exclusion.get_kind_display()}")
    voter = election.roll.filter(resident=resident, active=True).first()
    if voter is not None:
        voter_remove(election=election, voter=voter, reason=exclusion.get_kind_display(), by=by)
    return exclusion


@transaction.atomic
def objection_add(*, election: Election, raised_by: str, text: str, on: dt.date | None = None, by=None) -> Objection:
    election = _lock(election)
    _in_state(election, (State.ROLL_PUBLISHED, State.CANDIDATES_PUBLISHED), "登记异议")
    raised_by, text = (raised_by or "").strip(), (text or "").strip()
    if not raised_by or not text:
        raise ElectionError("请填写异议人和异议内容")
    objection = Objection.objects.create(election=election, raised_by=raised_by[:50], text=text[:300],
                                         raised_on=on or _today())
    _event(election, EventKind.OBJECTION, by, f"{objection.raised_by}:{objection.text}")
    return objection


@transaction.atomic
def objection_answer(*, election: Election, objection: Objection, answer: str, on: dt.date | None = None,
                     by=None) -> Objection:
    objection = Objection.objects.select_for_update().get(pk=objection.pk, election=election)
    answer = (answer or "").strip()
    if not answer:
        raise ElectionError(ERR_ANSWER)
    if objection.answered_on:
        raise ElectionError(ERR_ALREADY_ANSWERED.format(on=objection.answered_on))
    objection.answer, objection.answered_on, objection.answered_by = answer[:300], on or _today(), by
    objection.save(update_fields=["answer", "answered_on", "answered_by"])
    _event(election, EventKind.OBJECTION_ANSWERED, by, f"答复 {objection.raised_by}:{objection.answer}")
    return objection


# -- 4. candidates ------------------------------------------------------------------------------------
def _may_stand(election: Election, resident: Resident) -> Voter | None:
    """The resident's entry on the roll (None in a household or representatives' election, where any
    elector of the community may stand) when they may be a candidate of the round (P-GOV-8: an
    elector, living here `residence_days` before election day, not yet a candidate); ElectionError."""
    voter = election.roll.filter(resident=resident, active=True).first()
    if voter is None:
        if not _votes_by_representation(election):
            raise ElectionError(ERR_NOT_ON_ROLL.format(name=resident.name))
        _elector_basis(election, resident)
    since = resident.moved_in_on
    if since is not None and since > election.election_day - dt.timedelta(days=election.residence_days):
        raise ElectionError(ERR_RESIDENCE.format(name=resident.name, days=election.residence_days, since=since))
    if election.candidates.filter(resident=resident, round=election.round).exists():
        raise ElectionError(ERR_ALREADY_CANDIDATE.format(name=resident.name))
    return voter


@transaction.atomic
def candidate_nominate(*, election: Election, resident: Resident, post: str, nomination: str, nominators: int = 0,
                       leave_committee: bool = False, on: dt.date | None = None, by=None) -> Candidate:
    """Nominate a voter; a nominated member of the election committee leaves it (the next reserve steps in)."""
    election = _lock(election)
    _in_state(election, (State.ROLL_PUBLISHED,), "提名候选人")
    on = on or _today()
    if post not in Post.values or not election.seats_for(post):
        raise ElectionError(ERR_POST.format(post=dict(Post.choices).get(post, post)))
    if nomination == Nomination.JOINT and nominators < election.joint_nominators:
        raise ElectionError(ERR_JOINT.format(n=election.joint_nominators, got=nominators))
    if nomination == Nomination.PARTY and not election.party_nomination:
        raise ElectionError(ERR_PARTY_NOMINATION)
    if nomination not in Nomination.values:
        raise ElectionError("请选择提名方式")
    voter = _may_stand(election, resident)
    member = _committee_member_of(election, resident)
    if member is not None:
        if not leave_committee:
            raise ElectionError(ERR_COMMITTEE_STANDS.format(name=resident.name))
        _leave_committee(election, member, on, by)
    candidate = Candidate.objects.create(
        election=election, resident=resident, voter=voter, name=resident.name, post=post, round=election.round, nomination=nomination,
        nominators=max(0, nominators), nominated_on=on, local=resident.residence_status == ResidenceStatus.REGISTERED)
    _event(election, EventKind.NOMINATED, by,
           f"{candidate.get_post_display()}候选人 {candidate.name}({candidate.get_nomination_display()})")
    return candidate


@transaction.atomic
def candidates_publish(*, election: Election, on: dt.date | None = None, by=None) -> CandidateList:
    """Publish the first round's candidate list (frozen), checking the margin per post; voting may
    open when the notice period has run (`notice_ends`)."""
    election = _lock(election)
    _in_state(election, (State.ROLL_PUBLISHED,), "公布候选人名单")
    on = on or _today()
    last = election.election_day - dt.timedelta(days=election.candidate_notice_days)
    if on > last:
        raise ElectionError(ERR_CANDIDATES_LATE.format(day=election.election_day,
                                                       days=election.candidate_notice_days, last=last, on=on))
    counts = dict(election.candidates.filter(round=1).values("post").annotate(n=Count("id")).values_list("post", "n"))
    for post, label in Post.choices:
        seats = election.seats_for(post)
        if seats and counts.get(post, 0) < seats + election.margin:
            raise ElectionError(ERR_MARGIN.format(post=label, seats=seats, need=seats + election.margin,
                                                  margin=election.margin, got=counts.get(post, 0)))
    listing = _freeze_candidates(election, 1, on, on + dt.timedelta(days=election.candidate_notice_days), by)
    election.state = State.CANDIDATES_PUBLISHED
    election.version += 1
    election.save(update_fields=["state", "version"])
    _event(election, EventKind.CANDIDATES_PUBLISHED, by,
           f"{len(listing.rows)} 名候选人,公布于 {on},公示期至 {listing.notice_ends}")
    return listing


def _freeze_candidates(election: Election, round_: int, on: dt.date, ends: dt.date, by) -> CandidateList:
    rows = [[c.get_post_display(), c.name, c.get_nomination_display()]
            for c in election.candidates.filter(round=round_).order_by("post", "id")]
    return CandidateList.objects.create(election=election, round=round_, published_on=on, notice_ends=ends,
                                        rows=rows, sha256=_sha(rows), by=by)


# -- 5. voting ----------------------------------------------------------------------------------------
@transaction.atomic
def station_add(*, election: Election, kind: str, name: str, by=None) -> Station:
    election = _lock(election)
    _in_state(election, (State.ROLL_PUBLISHED, State.CANDIDATES_PUBLISHED, State.VOTING), "设立投票点")
    name = (name or "").strip()
    if not name:
        raise ElectionError("请填写投票点名称")
    station = Station.objects.create(election=election, kind=kind, name=name[:50])
    _event(election, EventKind.STATION, by, f"{station.get_kind_display()} {station.name}")
    return station


@transaction.atomic
def voting_open(*, election: Election, on: dt.date | None = None, by=None) -> Election:
    """Open the vote: refused before the candidate list's notice period has run."""
    election = _lock(election)
    _in_state(election, (State.CANDIDATES_PUBLISHED,), "开始投票")
    on = on or _today()
    listing = election.candidate_lists.get(round=1)
    if on < listing.notice_ends:
        raise ElectionError(ERR_VOTING_EARLY.format(ends=listing.notice_ends, on=on))
    if not election.stations.exists():
        raise ElectionError(ERR_NO_STATIONS)
    election.state, election.voting_opened_at = State.VOTING, timezone.now()
    election.version += 1
    election.save(update_fields=["state", "voting_opened_at", "version"])
    _event(election, EventKind.VOTING_OPENED, by, f"投票开始于 {on}")
    return election


@transaction.atomic
def turnout_record(*, election: Election, voter: Voter, station: Station, proxy_for: list[Voter] = (),
                   by=None) -> Voter:
    """`voter` signs for their ballot at `station`, and for those who gave them a written proxy.
    Records that they voted, never how."""
    election = _lock(election)
    _in_state(election, (State.VOTING,), "登记投票")
    if station.election_id != election.pk:
        raise ElectionError("投票点不属于本次选举")
    ids = [voter.pk] + [p.pk for p in proxy_for]
    rows = {v.pk: v for v in Voter.objects.select_for_update().select_related("resident")
            .filter(pk__in=ids, election=election, active=True)}
    if len(rows) != len(set(ids)):
        raise ElectionError(ERR_NOT_VOTER if voter.pk in rows or not rows else ERR_PROXY_SELF)
    for v in rows.values():
        if v.voted:
            raise ElectionError(ERR_ALREADY_VOTED.format(name=v.resident.name))
    me = rows[voter.pk]
    if proxy_for:
        held = Voter.objects.filter(proxy=me).count()
        if held + len(proxy_for) > election.proxy_limit:
            raise ElectionError(ERR_PROXY_LIMIT.format(name=me.resident.name, held=held, more=len(proxy_for),
                                                       limit=election.proxy_limit))
    Voter.objects.filter(pk=me.pk).update(voted=True, station=station)
    if proxy_for:
        Voter.objects.filter(pk__in=[p.pk for p in proxy_for]).update(voted=True, station=station, proxy=me)
    return me


@transaction.atomic
def turnout_bulk(*, election: Election, station: Station, voter_ids: list[int], by=None) -> int:
    """Sign many voters at once (the sign-in sheet typed in after the day): one UPDATE, counts only."""
    election = _lock(election)
    _in_state(election, (State.VOTING,), "登记投票")
    n = Voter.objects.filter(election=election, active=True, voted=False, pk__in=voter_ids).update(
        voted=True, station=station)
    _event(election, EventKind.TURNOUT, by, f"{station.name}登记投票 {n} 人")
    return n


def _int(value, field: str) -> int:
    try:
        n = int(str(value).strip() or "0")
    except (TypeError, ValueError):
        raise ElectionError(ERR_NUMBER.format(field=field)) from None
    if n < 0:
        raise ElectionError(ERR_NUMBER.format(field=field))
    return n


def _tally_lines(election: Election, station: Station, *, signed: int, candidates: dict, seats: dict, ballots,
                 invalid, votes: dict, write_ins, confirmed: dict) -> tuple[int, int, list[TallyLine]]:
    """Check one station's count against the rules; (ballots, invalid, lines) or ElectionError.
    `confirmed` {(post, name): candidate}: written-in names already identified count for their candidate."""
    ballots, invalid = _int(ballots, "收回选票"), _int(invalid, "无效票")
    if ballots > signed:
        raise ElectionError(ERR_TALLY_OVER.format(station=station.name, ballots=ballots, voters=signed))
    if invalid > ballots:
        raise ElectionError(ERR_TALLY_INVALID.format(station=station.name, invalid=invalid, ballots=ballots))
    valid = ballots - invalid
    lines, per_post = [], {}
    for cid, raw in votes.items():
        c = candidates.get(int(cid))
        if c is None:
            raise ElectionError("候选人不属于本轮选举")
        n = _int(raw, c.name)
        if n > valid:
            raise ElectionError(ERR_TALLY_CANDIDATE.format(name=c.name, votes=n, station=station.name, valid=valid))
        lines.append(TallyLine(candidate=c, post=c.post, votes=n))
        per_post[c.post] = per_post.get(c.post, 0) + n
    for name, post, raw in write_ins:
        name = (name or "").strip()
        if not name:
            continue
        if post not in Post.values:
            raise ElectionError("另选他人须选择职务")
        n = _int(raw, name)
        if n > valid:
            raise ElectionError(ERR_TALLY_CANDIDATE.format(name=name[:50], votes=n, station=station.name, valid=valid))
        lines.append(TallyLine(write_in=name[:50], post=post, votes=n, candidate=confirmed.get((post, name[:50]))))
        per_post[post] = per_post.get(post, 0) + n
    for post, total in per_post.items():
        if total > valid * seats.get(post, 0):
            raise ElectionError(ERR_TALLY_VOTES.format(station=station.name, post=Post(post).label, votes=total,
                                                       valid=valid, seats=seats.get(post, 0)))
    return ballots, invalid, lines


@transaction.atomic
def tally_enter(*, election: Election, station: Station, ballots, invalid, votes: dict[int, object],
                write_ins: list[tuple[str, str, object]] = (), version: int | None = None, by=None) -> Tally:
    """One station's count for the current round, after the paper ballots were counted: ballots
    collected, invalid ones, votes per candidate and per written-in name. Refused when the ballots
    exceed the voters who signed there, or a post's votes exceed valid ballots × seats."""
    election = _lock(election)
    _in_state(election, (State.VOTING, State.RUNOFF), "录入计票结果")
    station = Station.objects.get(pk=station.pk, election=election)
    signed = Voter.objects.filter(election=election, active=True, voted=True, station=station).count()
    candidates = {c.pk: c for c in election.candidates.filter(round=election.round)}
    ballots, invalid, lines = _tally_lines(election, station, signed=signed, candidates=candidates,
                                           seats=_round_seats(election), ballots=ballots, invalid=invalid,
                                           votes=votes, write_ins=write_ins, confirmed=_confirmed(election))
    tally = Tally.objects.select_for_update().filter(station=station, round=election.round).first()
    if tally is None:
        try:
            with transaction.atomic():
                tally = Tally.objects.create(station=station, round=election.round, ballots=ballots, invalid=invalid,
                                             entered_by=by)
        except IntegrityError:  # entered by someone else a moment ago
            raise ConflictError(ERR_TALLY_CONFLICT.format(station=station.name)) from None
    else:
        if version is not None and tally.version != version:
            raise ConflictError(ERR_TALLY_CONFLICT.format(station=station.name))
        tally.ballots, tally.invalid, tally.entered_by = ballots, invalid, by
        tally.version += 1
        tally.save()
        tally.lines.all().delete()
    for line in lines:
        line.tally = tally
    TallyLine.objects.bulk_create(lines)
    _event(election, EventKind.TALLY, by, f"{station.name}第 {election.round} 轮:收回 {ballots},无效 {invalid}")
    return tally


@transaction.atomic
def tallies_enter(*, entries: list[dict], by=None) -> int:
    """Many stations' first counts at once (a street's counting night typed from the stations' sheets):
    each entry {"station", "ballots", "invalid", "votes", "write_ins"}. One transaction and a handful of
    queries whatever the number; the same rules as `tally_enter`, and one broken rule refuses the whole
    batch, naming the station (and the entry's "where", the rows of the uploaded sheet, when given).
    A station that already has its tally is refused (edit it on its own)."""
    station_ids = [x["station"].pk for x in entries]
    stations = {st.pk: st for st in Station.objects.filter(pk__in=station_ids)}
    election_ids = sorted({st.election_id for st in stations.values()})
    elections = {e.pk: e for e in Election.objects.select_for_update().filter(pk__in=election_ids)}
    for e in elections.values():
        _in_state(e, (State.VOTING, State.RUNOFF), "录入计票结果")
    # order_by(): the model's ordering (by election) would join the elections into this count
    signed = dict(Voter.objects.filter(station_id__in=station_ids, active=True, voted=True).order_by()
                  .values("station_id").annotate(n=Count("id")).values_list("station_id", "n"))
    candidates: dict[int, dict] = {i: {} for i in election_ids}
    for c in Candidate.objects.filter(election_id__in=election_ids):
        if c.round == elections[c.election_id].round:
            candidates[c.election_id][c.pk] = c
    seats = {i: (_round_seats(e) if e.round > 1 else {p: e.seats_for(p) for p in Post.values})
             for i, e in elections.items()}
    existing = set(Tally.objects.filter(station_id__in=station_ids).values_list("station_id", "round"))
    confirmed: dict[int, dict] = {}
    for d in WriteIn.objects.filter(election_id__in=election_ids, confirmed=True).select_related("candidate"):
        if d.round == elections[d.election_id].round:
            confirmed.setdefault(d.election_id, {})[(d.post, d.name)] = d.candidate
    tallies, lines_of, events = [], [], []
    for x in entries:
        st = stations[x["station"].pk]
        e = elections[st.election_id]
        if (st.pk, e.round) in existing:
            raise ConflictError(ERR_TALLY_CONFLICT.format(station=st.name))
        try:
            ballots, invalid, lines = _tally_lines(
                e, st, signed=signed.get(st.pk, 0), candidates=candidates[e.pk], seats=seats[e.pk],
                ballots=x["ballots"], invalid=x.get("invalid", 0), votes=x.get("votes", {}),
                write_ins=x.get("write_ins", ()), confirmed=confirmed.get(e.pk, {}))
        except ElectionError as exc:  # name the station as the caller knows it (the sheet's rows)
            raise ElectionError(f"{x['where']}:{exc}" if x.get("where") else str(exc)) from None
        tallies.append(Tally(station=st, round=e.round, ballots=ballots, invalid=invalid, entered_by=by))
        lines_of.append(lines)
        events.append(ElectionEvent(election=e, kind=EventKind.TALLY, by=by,
                                    text=f"{st.name}第 {e.round} 轮:收回 {ballots},无效 {invalid}"))
    try:
        with transaction.atomic():
            Tally.objects.bulk_create(tallies)
    except IntegrityError:  # one of them entered by someone else a moment ago
        raise ConflictError(ERR_TALLY_CONFLICT.format(station="有的投票点")) from None
    for tally, lines in zip(tallies, lines_of):
        for line in lines:
            line.tally = tally
    TallyLine.objects.bulk_create([line for lines in lines_of for line in lines], batch_size=2000)
    ElectionEvent.objects.bulk_create(events)
    return len(tallies)


def write_ins(election: Election) -> list[dict]:
    """The names written in on the current round's ballots, per post, with their votes over every
    station and the committee's decision (None while undecided), most votes first."""
    rows = (TallyLine.objects.filter(tally__station__election=election, tally__round=election.round,
                                     candidate__isnull=True)
            .values("post", "write_in").annotate(votes=Sum("votes")).order_by("-votes", "post", "write_in"))
    decided = {(d.post, d.name): d for d in election.write_in_decisions.filter(round=election.round)}
    confirmed = {(d.post, d.name): d for d in decided.values() if d.confirmed}
    out = [{"post": r["post"], "post_label": Post(r["post"]).label, "name": r["write_in"], "votes": r["votes"],
            "decision": decided.get((r["post"], r["write_in"]))} for r in rows]
    # a confirmed name's votes now count for its candidate: shown with the decision, from its lines
    totals = dict(TallyLine.objects.filter(candidate__in=[d.candidate_id for d in confirmed.values()])
                  .values("candidate").annotate(n=Sum("votes")).values_list("candidate", "n"))
    for (post, name), d in confirmed.items():
        out.append({"post": post, "post_label": Post(post).label, "name": name,
                    "votes": totals.get(d.candidate_id, 0), "decision": d})
    return out


def _confirmed(election: Election) -> dict:
    return {(d.post, d.name): d.candidate for d in election.write_in_decisions.filter(
        round=election.round, confirmed=True).select_related("candidate")}


def _write_in_lines(election: Election, name: str, post: str):
    return TallyLine.objects.filter(tally__station__election=election, tally__round=election.round,
                                    candidate__isnull=True, write_in=name, post=post)


def _undecided_write_in(election: Election, name: str, post: str) -> int:
    """The votes of a written-in name not yet decided on, or ElectionError."""
    _in_state(election, (State.VOTING, State.RUNOFF), "核实另选他人")
    if post not in Post.values:
        raise ElectionError("请选择职务")
    done = election.write_in_decisions.filter(round=election.round, post=post, name=name).first()
    if done is not None:
        raise ElectionError(ERR_WRITE_IN_DECIDED.format(
            name=name, post=Post(post).label, on=f"{timezone.localtime(done.at):%Y-%m-%d}",
            decision="为本选区选民,计入其得票" if done.confirmed else f"不计入({done.reason})"))
    votes = _write_in_lines(election, name, post).aggregate(n=Sum("votes"))["n"]
    if not votes:
        raise ElectionError(ERR_WRITE_IN_NONE.format(round=election.round, name=name[:50], post=Post(post).label))
    return votes


@transaction.atomic
def write_in_confirm(*, election: Election, name: str, post: str, resident: Resident, on: dt.date | None = None,
                     by=None) -> Candidate:
    """The committee identifies a written-in name as a voter of this roll who may stand (on the roll,
    residence as for a candidate, not yet a candidate of the round): the name's votes at every station
    then count for a candidate of nomination WRITE_IN. A committee member so elected leaves the
    committee as a nominated one would."""
    election = _lock(election)
    votes = _undecided_write_in(election, name, post)
    voter = _may_stand(election, resident)
    on = on or _today()
    member = _committee_member_of(election, resident)
    if member is not None:
        _leave_committee(election, member, on, by)
    candidate = Candidate.objects.create(
        election=election, resident=resident, voter=voter, name=resident.name, post=post, round=election.round,
        nomination=Nomination.WRITE_IN, nominated_on=on, local=resident.residence_status == ResidenceStatus.REGISTERED)
    _write_in_lines(election, name, post).update(candidate=candidate)
    WriteIn.objects.create(election=election, round=election.round, post=post, name=name, confirmed=True,
                           candidate=candidate, by=by)
    _event(election, EventKind.WRITE_IN, by, f"另选他人「{name}」({Post(post).label},{votes} 票)核实为选民 "
                                              f"{resident.name},计入其得票")
    return candidate


@transaction.atomic
def write_in_reject(*, election: Election, name: str, post: str, reason: str, by=None) -> WriteIn:
    """The committee finds a written-in name is no voter of this roll, or one who may not stand: its
    votes stay counted as ballots cast but elect nobody."""
    election = _lock(election)
    votes = _undecided_write_in(election, name, post)
    reason = (reason or "").strip()
    if not reason:
        raise ElectionError(ERR_REASON)
    decision = WriteIn.objects.create(election=election, round=election.round, post=post, name=name,
                                      confirmed=False, reason=reason[:200], by=by)
    _event(election, EventKind.WRITE_IN, by, f"另选他人「{name}」({Post(post).label},{votes} 票)不计入:{reason[:100]}")
    return decision


def _round_seats(election: Election) -> dict[str, int]:
    """Seats to fill in the current round: all of them, or those left for the run-off."""
    seats = {p: election.seats_for(p) for p in Post.values}
    if election.round > 1:
        elected = dict(election.candidates.filter(elected=True, round__lt=election.round).values("post")
                       .annotate(n=Count("id")).values_list("post", "n"))
        seats = {p: s - elected.get(p, 0) for p, s in seats.items()}
    return seats


# -- 6. result ----------------------------------------------------------------------------------------
@transaction.atomic
def count(*, election: Election, by=None) -> Election:
    """Count the round from the stations' tallies: the first round is valid when more than half the
    registered voters voted; a candidate is elected with more than half the ballots cast (the most
    votes within the seats); in a run-off, with the most votes and at least a third of the ballots.
    Too few elected after the first round opens a run-off for the seats left."""
    return counts(elections=[election], by=by)[0]


@transaction.atomic
def counts(*, elections: list[Election], by=None) -> list[Election]:
    """`count` for many elections at once: the tallies, totals and turnout of all of them from a few
    grouped queries; any election with a station not yet tallied refuses the whole batch."""
    ids = [e.pk for e in elections]
    locked = {e.pk: e for e in Election.objects.select_for_update().select_related("community").filter(pk__in=ids)}
    for e in locked.values():
        _in_state(e, (State.VOTING, State.RUNOFF), "计票")
    stations = list(Station.objects.filter(election_id__in=ids))
    tallies = {(t.station_id, t.round): t for t in Tally.objects.filter(station__election_id__in=ids)}
    ballots, missing = dict.fromkeys(ids, 0), {}
    for st in stations:
        t = tallies.get((st.pk, locked[st.election_id].round))
        if t is None:
            missing.setdefault(st.election_id, []).append(st.name)
        else:
            ballots[st.election_id] += t.ballots
    if missing:
        first = next(iter(missing.values()))
        raise ElectionError(ERR_TALLY_MISSING.format(names="、".join(first)))
    _refuse_undecided_write_ins(locked, ballots)
    totals = dict(TallyLine.objects.filter(tally__station__election_id__in=ids, candidate__isnull=False)
                  .values("candidate").annotate(n=Sum("votes")).values_list("candidate", "n"))
    by_election: dict[int, list[Candidate]] = {i: [] for i in ids}
    for c in Candidate.objects.filter(election_id__in=ids):
        if c.round == locked[c.election_id].round:
            c.votes = totals.get(c.pk, 0)
            by_election[c.election_id].append(c)
    roll = {r["election_id"]: r for r in Voter.objects.filter(election_id__in=ids, active=True).order_by()
            .values("election_id").annotate(n=Count("id"), voted=Count("id", filter=models_Q(voted=True)))}
    changed, events = [], []
    for i in ids:
        e = locked[i]
        round_candidates = by_election[i]
        changed += round_candidates
        if e.round == 1:
            e.voters = roll.get(i, {}).get("n", 0)
            e.turnout = roll.get(i, {}).get("voted", 0)
            e.ballots = ballots[i]
            if e.turnout * 2 <= e.voters:
                e.state = State.INVALID
                e.invalid_reason = f"参加投票 {e.turnout} 人,未过登记选民 {e.voters} 人的半数"
                events.append(ElectionEvent(election=e, kind=EventKind.COUNTED, by=by, text=e.invalid_reason))
                e.version += 1
                continue
        seats = _round_seats(e)
        cast = ballots[i]
        threshold = (lambda v, cast=cast, r=e.round: _passes(r, v, cast))
        short = 0
        for post in Post.values:
            ranked = sorted((c for c in round_candidates if c.post == post), key=lambda c: (-c.votes, c.pk))
            passed = [c for c in ranked if threshold(c.votes)]
            # a tie at the last seat elects nobody at that seat: the run-off decides
            chosen = passed[:seats[post]]
            if len(passed) > seats[post] and chosen and passed[seats[post]].votes == chosen[-1].votes:
                chosen = [c for c in chosen if c.votes > chosen[-1].votes]
            for c in chosen:
                c.elected = True
            short += seats[post] - len(chosen)
        if short and e.round == 1:
            Candidate.objects.bulk_update(round_candidates, ["votes", "elected"])
            _open_runoff(e, round_candidates, by)
        else:
            e.state = State.DONE
            events.append(ElectionEvent(election=e, kind=EventKind.COUNTED, by=by, text=(
                f"第 {e.round} 轮计票:当选 {sum(1 for c in round_candidates if c.elected)} 名"
                + (f",仍缺 {short} 名" if short else ""))))
        e.version += 1
    # small batches: bulk_update is one CASE per column, whose cost grows with the batch squared
    Candidate.objects.bulk_update(changed, ["votes", "elected"], batch_size=100)
    Election.objects.bulk_update(list(locked.values()), ["voters", "turnout", "ballots", "state", "invalid_reason",
                                                         "round", "version"], batch_size=100)
    ElectionEvent.objects.bulk_create(events)
    return [locked[i] for i in ids]


def _passes(round_: int, votes: int, cast: int) -> bool:
    """Elected by votes: more than half the ballots cast in the first round, a third in a run-off."""
    return votes * 2 > cast if round_ == 1 else votes * 3 >= cast


def _refuse_undecided_write_ins(elections: dict[int, Election], ballots: dict[int, int]) -> None:
    """A written-in name whose votes alone would elect must be decided on (write_in_confirm or
    write_in_reject) before the round is counted: the votes are the voters', not to be dropped."""
    rows = (TallyLine.objects.filter(tally__station__election_id__in=list(elections), candidate__isnull=True)
            .values("tally__station__election_id", "tally__round", "post", "write_in").annotate(n=Sum("votes")))
    decided = set(WriteIn.objects.filter(election_id__in=list(elections))
                  .values_list("election_id", "round", "post", "name"))
    for r in rows:
        e = elections[r["tally__station__election_id"]]
        key = (e.pk, r["tally__round"], r["post"], r["write_in"])
        if r["tally__round"] == e.round and key not in decided and _passes(e.round, r["n"], ballots[e.pk]):
            raise ElectionError(f"{e.community.name}:" + ERR_WRITE_IN_PENDING.format(
                name=r["write_in"], post=Post(r["post"]).label, votes=r["n"]))


def _open_runoff(election: Election, first: list[Candidate], by) -> None:
    """另行选举: the unelected with most votes stand again for the seats left, by their own ballot."""
    election.round = 2
    seats = {p: s - sum(1 for c in first if c.post == p and c.elected) for p, s in
             {p: election.seats_for(p) for p in Post.values}.items()}
    made = []
    for post, left in seats.items():
        if left <= 0:
            continue
        pool = sorted((c for c in first if c.post == post and not c.elected), key=lambda c: (-c.votes, c.pk))
        for c in pool[:left + election.margin]:
            made.append(Candidate(election=election, resident_id=c.resident_id, voter_id=c.voter_id, name=c.name,
                                  post=post, round=2,
                                  nomination=c.nomination, nominators=c.nominators, nominated_on=_today(),
                                  local=c.local))
    Candidate.objects.bulk_create(made)
    today = _today()
    _freeze_candidates(election, 2, today, today, by)
    election.state = State.RUNOFF
    _event(election, EventKind.RUNOFF, by, "当选人数不足应选名额,对 " +
           "、".join(f"{Post(p).label} {n} 名" for p, n in seats.items() if n > 0) + " 另行选举")


LEDGER_SOURCE = "elections.election"
SEAT_SOURCE = "elections.seat"


@transaction.atomic
def result_publish(*, election: Election, by=None) -> Election:
    """Publish the counted result and write the community's ledger from it: the election row and,
    when valid, the new committee's posts (任职日期 the election day)."""
    from gongzhi.ledgers import services as ledgers
    from gongzhi.ledgers.models import Election as LedgerElection, Worker
    election = _lock(election)
    _in_state(election, (State.DONE, State.INVALID), "公布选举结果")
    if election.result_published_at:
        raise ElectionError("选举结果已于 {0:%Y-%m-%d} 公布".format(timezone.localtime(election.result_published_at)))
    election.result_published_at = timezone.now()
    election.version += 1
    election.save(update_fields=["result_published_at", "version"])
    if election.body == Body.PARTY and election.state == State.DONE:
        _start_probations(election, by)
    if election.body != Body.PARTY:
        row = ledgers.write_from(
            model=LedgerElection, source=LEDGER_SOURCE, source_pk=election.pk, community=election.community, by=by,
            held_on=election.election_day, method=election.method, voters=election.voters,
            turnout=election.turnout, **({"voided": "选举无效:" + election.invalid_reason[:90]}
                                         if election.state == State.INVALID else {}))
        Election.objects.filter(pk=election.pk).update(ledger_row_id=row.pk)
        if election.state == State.DONE:
            seats = [ledgers.write_from(model=Worker, source=SEAT_SOURCE, source_pk=c.pk, community=election.community,
                                        by=by, name=c.name, committee_post=c.post, since=election.election_day,
                                        full_time=True).pk
                     for c in election.candidates.filter(elected=True)]
            # the old committee's posts end as the new one takes office (a re-elected member starts a new term)
            ledgers.end_committee_posts(community=election.community, on=election.election_day, keep_ids=seats, by=by,
                                        reason=f"换届:{election.election_day:%Y-%m-%d} 选出新一届委员会")
    _event(election, EventKind.RESULT_PUBLISHED, by, election.get_state_display())
    return election


# -- 7. probation of new party-branch members (P-GOV-9) ----------------------------------------------
PROBATION_DAYS = 365
EXTENSION_MAX_DAYS = 365
ERR_PROBATION_RUNNING = "{name} 的试用期至 {ends} 届满,届满后才能考察"
ERR_PROBATION_DECIDED = "{name} 的试用期已于 {on} 考察:{outcome}"
ERR_PROBATION_NOTE = "请填写考察意见"
ERR_PROBATION_UNTIL = "延长后的试用期满日期须晚于 {ends},且不超过 {last}"


def _start_probations(election: Election, by) -> list[Probation]:
    """The elected of a village party branch who were not elected at the branch's previous (valid)
    election start a year's probation from election day."""
    previous = Election.objects.filter(community=election.community, body=Body.PARTY, term__lt=election.term,
                                       state=State.DONE).order_by("-term").first()
    before = set(previous.candidates.filter(elected=True).values_list("resident_id", flat=True)) if previous else set()
    made = [Probation(election=election, candidate=c, name=c.name, starts_on=election.election_day,
                      ends_on=election.election_day + dt.timedelta(days=PROBATION_DAYS), by=by)
            for c in election.candidates.filter(elected=True).order_by("id") if c.resident_id not in before]
    Probation.objects.bulk_create(made)
    if made:
        _event(election, EventKind.PROBATION, by, f"新任 {len(made)} 人试用一年:" + "、".join(p.name for p in made))
    return made


@transaction.atomic
def probation_decide(*, probation: Probation, outcome: str, note: str, until: dt.date | None = None,
                     version: int | None = None, on: dt.date | None = None, by=None) -> Probation:
    """The town's decision when a probation has run: confirmed, ended, or extended to `until`
    (outcome "extend"); refused before the probation ends, without a note, or on a stale form."""
    probation = Probation.objects.select_for_update().select_related("election").get(pk=probation.pk)
    if version is not None and probation.version != version:
        raise ConflictError(f"{probation.name} 的试用期考察已被他人修改,请刷新后重试")
    on = on or _today()
    if probation.outcome:
        raise ElectionError(ERR_PROBATION_DECIDED.format(name=probation.name, on=probation.decided_on,
                                                         outcome=probation.get_outcome_display()))
    if on < probation.ends_on:
        raise ElectionError(ERR_PROBATION_RUNNING.format(name=probation.name, ends=probation.ends_on))
    note = (note or "").strip()
    if not note:
        raise ElectionError(ERR_PROBATION_NOTE)
    if outcome == "extend":
        last = probation.ends_on + dt.timedelta(days=EXTENSION_MAX_DAYS)
        if until is None or not probation.ends_on < until <= last:
            raise ElectionError(ERR_PROBATION_UNTIL.format(ends=probation.ends_on, last=last))
        text = f"{probation.name} 试用期延长至 {until}:{note[:100]}"
        probation.ends_on, probation.extended = until, True
    elif outcome in ProbationOutcome.values:
        probation.outcome, probation.decided_on = outcome, on
        text = f"{probation.name}:{probation.get_outcome_display()}({note[:100]})"
    else:
        raise ElectionError("请选择考察结果")
    probation.note, probation.by = note[:300], by
    probation.version += 1
    probation.save()
    _event(probation.election, EventKind.PROBATION, by, text)
    return probation


def elected(election: Election) -> list[Candidate]:
    return list(election.candidates.filter(elected=True).order_by("post", "-votes", "id"))
