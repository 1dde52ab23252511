"""Owners' committees (业主委员会: members from the registry, term, filing with the street) and the
meetings about an estate: the four parties' coordination meeting (社区党组织、居委会、业委会、物业企业)
and the owners' committee's own, with issues, decisions and follow-up.

A meeting is called (已通知, a notice to the community's staff and the committee members' accounts),
then held (已召开: attendance, minutes, each issue's decision, who follows it up by when); held, it
writes its ledgers.Meeting row through ledgers.services.write_from, as governance's deliberation
sessions do (governance.meetings.session_record). governance's Session itself is not reused: its
participants are residents, committee members, co-resident units and deputies, and its forms are
governance's; the four parties and the owners' committee are neither.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.core.errors import ConflictError, RuleError, lock_version
from gongzhi.estates.models import (
    TEXT_MAX, CommitteeMember, CommitteeState, EstateMeeting, IssueState, MeetingIssue, MeetingKind, MeetingState,
    MemberPost, OwnersCommittee, Party, PropertyFirm,
)
from gongzhi.estates.services import ERR_REQUIRED, current_contract, text
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.places.models import Estate
from gongzhi.workorders import notify

MEETING_SOURCE = "estates.meeting"

ERR_TERM = "任期届满日期须晚于选举日期,且任期不超过 5 年"
ERR_ELECTED_FUTURE = "选举日期不能晚于今天"
ERR_COMMITTEE_OPEN = "「{estate}」已有任期内的业主委员会({start} 至 {end}),任期不能重叠"
ERR_MEMBER_ESTATE = "{name} 不是「{estate}」登记在册的住户,不能担任业主委员会成员"
ERR_MEMBER_TWICE = "{name} 已是该业主委员会的成员"
ERR_MEMBER_POST = "请选择职务(主任、副主任或委员)"
ERR_ONE_DIRECTOR = "业主委员会已有主任,请先办理原主任离任"
ERR_MEMBER_UNKNOWN = "请从本小区住户中选择业主委员会成员"
ERR_FILE_STATE = "该业主委员会当前为「{state}」,不能备案"
ERR_FILE_MEMBERS = "业主委员会至少要有 {n} 名成员(现有 {m} 名)才能备案"
ERR_FILE_NO = "请填写备案编号(不超过 40 个字)"
ERR_COMMITTEE_CONFLICT = "该业主委员会刚被他人修改,请刷新页面后重试"
ERR_KIND = "请选择会议类型"
ERR_STARTS = "请填写召开时间"
ERR_NO_ISSUES = "请至少填写一项议题(每行一项)"
ERR_ISSUE_LONG = "每项议题不超过 200 个字,最多 30 项"
ERR_FOUR_PARTIES = "四方协调会议须填写社区党组织、居委会、业委会和物业企业四方的参会人({missing}未填)"
ERR_MEETING_DONE = "该会议已{state},不能再修改"
ERR_MEETING_CONFLICT = "该会议刚被他人修改,请刷新页面后重试"
ERR_HELD_FUTURE = "召开日期不能晚于今天"
ERR_HELD_BEFORE = "召开日期不能早于会议通知日期"
ERR_ATTENDANCE = "到会人数须在 1 至 10000 之间"
ERR_DECISION = "请填写第 {n} 项议题「{text}」的决定"
ERR_RESPONSIBLE = "请为第 {n} 项议题选择落实责任方"
ERR_DUE = "第 {n} 项议题的落实期限不能早于召开日期"
ERR_ISSUE_DONE = "该议题已于 {date} 落实"
ERR_FOLLOW_UP = "请填写落实情况"
ERR_ISSUE_HELD = "会议召开并形成决定后才能登记落实情况"
ERR_DONE_DATE = "落实日期须在会议召开日期和今天之间"
MIN_MEMBERS = 5


# -- owners' committees ------------------------------------------------------------------------------
def committee_create(*, estate: Estate, elected_on: dt.date, term_ends: dt.date, by) -> OwnersCommittee:
    if elected_on is None:
        raise RuleError(ERR_REQUIRED.format(field="选举日期"))
    if term_ends is None:
        raise RuleError(ERR_REQUIRED.format(field="任期届满日期"))
    if elected_on > timezone.localdate():
        raise RuleError(ERR_ELECTED_FUTURE)
    if term_ends <= elected_on or (term_ends - elected_on).days > 5 * 366:
        raise RuleError(ERR_TERM)
    with transaction.atomic():
        Estate.objects.select_for_update().get(pk=estate.pk)
        for other in OwnersCommittee.objects.filter(estate=estate, elected_on__lte=term_ends,
                                                    term_ends__gte=elected_on):
            raise RuleError(ERR_COMMITTEE_OPEN.format(estate=estate.name, start=other.elected_on, end=other.term_ends))
        return OwnersCommittee.objects.create(estate=estate, community_id=estate.community_id, elected_on=elected_on,
                                              term_ends=term_ends, created_by=by)


def residents_of_estate(estate: Estate):
    """The registered, living residents whose household's dwelling is in the estate."""
    return Resident.objects.filter(status=PersonStatus.ACTIVE, household__dwelling__building__estate=estate)


def member_add(*, committee: OwnersCommittee, resident: Resident | None, post: str,
               since: dt.date | None = None) -> CommitteeMember:
    if resident is None:
        raise RuleError(ERR_MEMBER_UNKNOWN)
    if post not in MemberPost.values:
        raise RuleError(ERR_MEMBER_POST)
    if not residents_of_estate(committee.estate).filter(pk=resident.pk).exists():
        raise RuleError(ERR_MEMBER_ESTATE.format(name=resident.name, estate=committee.estate.name))
    try:
        with transaction.atomic():
            OwnersCommittee.objects.select_for_update().get(pk=committee.pk)
            current = CommitteeMember.objects.filter(committee=committee, until__isnull=True)
            if post == MemberPost.DIRECTOR and current.filter(post=MemberPost.DIRECTOR).exists():
                raise RuleError(ERR_ONE_DIRECTOR)
            return CommitteeMember.objects.create(committee=committee, resident=resident, post=post,
                                                  since=since or committee.elected_on)
    except IntegrityError:
        raise RuleError(ERR_MEMBER_TWICE.format(name=resident.name)) from None


def member_leave(*, member: CommitteeMember, until: dt.date) -> CommitteeMember:
    if until is None or until < member.since:
        raise RuleError("离任日期不能早于任职日期")
    CommitteeMember.objects.filter(pk=member.pk, until__isnull=True).update(until=until)
    member.refresh_from_db()
    return member


def committee_file(*, committee_id: int, version: int, filing_no: str, filed_on: dt.date | None, by
                   ) -> OwnersCommittee:
    """The street files the committee (备案) once it has its members."""
    filing_no = (filing_no or "").strip()
    if not filing_no or len(filing_no) > 40:
        raise RuleError(ERR_FILE_NO)
    filing_no = text(filing_no, "备案编号", limit=40)
    filed_on = filed_on or timezone.localdate()
    with transaction.atomic():
        committee = lock_version(OwnersCommittee.objects.all(), committee_id, version, ERR_COMMITTEE_CONFLICT)
        if committee.state != CommitteeState.PREPARING:
            raise ConflictError(ERR_FILE_STATE.format(state=committee.get_state_display()))
        members = CommitteeMember.objects.filter(committee=committee, until__isnull=True).count()
        if members < MIN_MEMBERS:
            raise RuleError(ERR_FILE_MEMBERS.format(n=MIN_MEMBERS, m=members))
        if not committee.elected_on <= filed_on <= timezone.localdate():
            raise RuleError("备案日期须在选举日期和今天之间")
        committee.state, committee.filing_no, committee.filed_on, committee.filed_by = (
            CommitteeState.FILED, filing_no, filed_on, by)
        committee.version += 1
        committee.save()
        return committee


def committee_current(estate: Estate, day: dt.date | None = None) -> OwnersCommittee | None:
    day = day or timezone.localdate()
    return (OwnersCommittee.objects.filter(estate=estate, elected_on__lte=day, term_ends__gte=day)
            .order_by("-elected_on").first())


# -- meetings ------------------------------------------------------------------------------------------
def _issues(lines: str) -> list[str]:
    items = [line.strip() for line in (lines or "").splitlines() if line.strip()]
    if not items:
        raise RuleError(ERR_NO_ISSUES)
    if len(items) > 30 or any(len(i) > 200 for i in items):
        raise RuleError(ERR_ISSUE_LONG)
    return [text(i, "议题", limit=200) for i in items]


def meeting_call(*, estate: Estate, kind: str, title: str, starts_at: dt.datetime | None, issues: str, by,
                 venue: str = "", party_rep: str = "", committee_rep: str = "", owners_rep: str = "",
                 firm_rep: str = "", firm: PropertyFirm | None = None) -> EstateMeeting:
    if kind not in MeetingKind.values:
        raise RuleError(ERR_KIND)
    title = text(title, "会议主题", limit=60, required=True)
    venue = text(venue, "地点", limit=60)
    reps = {"社区党组织": text(party_rep, "社区党组织参会人", limit=60),
            "居委会": text(committee_rep, "居委会参会人", limit=60),
            "业委会": text(owners_rep, "业委会参会人", limit=60),
            "物业企业": text(firm_rep, "物业企业参会人", limit=60)}
    if starts_at is None:
        raise RuleError(ERR_STARTS)
    items = _issues(issues)
    if firm is None:
        contract = current_contract(estate)
        firm = contract.firm if contract else None
    if kind == MeetingKind.FOUR_PARTY:
        missing = [k for k, v in reps.items() if not v]
        if missing:
            raise RuleError(ERR_FOUR_PARTIES.format(missing="、".join(missing)))
    with transaction.atomic():
        meeting = EstateMeeting.objects.create(
            estate=estate, community_id=estate.community_id, kind=kind, title=title, starts_at=starts_at,
            venue=venue, party_rep=reps["社区党组织"], committee_rep=reps["居委会"], owners_rep=reps["业委会"],
            firm=firm, firm_rep=reps["物业企业"], created_by=by)
        MeetingIssue.objects.bulk_create([MeetingIssue(meeting=meeting, text=i) for i in items])
        from gongzhi.accounts.models import Role, User
        users = notify.users_at(estate.community, [Role.COMMUNITY])
        committee = committee_current(estate)
        if committee is not None:
            members = CommitteeMember.objects.filter(committee=committee, until__isnull=True).values("resident_id")
            users += list(User.objects.filter(resident_id__in=members, is_active=True).values_list("pk", flat=True))
        when = timezone.localtime(starts_at)
        notify.notify(users, order=None, kind="session",
                      text=f"{estate.name}将于 {when:%Y-%m-%d %H:%M} 召开{meeting.get_kind_display()}「{title}」"
                           f"{'(' + venue + ')' if venue else ''}。")
    return meeting


def meeting_record(*, meeting_id: int, version: int, by, held_on: dt.date | None, attendance, minutes: str,
                   decisions: dict) -> EstateMeeting:
    """The day's record: attendance, minutes and, for every issue, the decision, the party that
    follows it up and by when (`decisions`: {issue pk: (decision, responsible, due_on)}). Writes the
    meeting's ledgers.Meeting row."""
    minutes = text(minutes, "会议纪要", limit=TEXT_MAX, required=True)
    try:
        attendance = int(str(attendance or "").strip())
    except ValueError:
        raise RuleError(ERR_ATTENDANCE) from None
    if not 1 <= attendance <= 10000:
        raise RuleError(ERR_ATTENDANCE)
    if held_on is None:
        raise RuleError(ERR_REQUIRED.format(field="召开日期"))
    if held_on > timezone.localdate():
        raise RuleError(ERR_HELD_FUTURE)
    with transaction.atomic():
        meeting = lock_version(EstateMeeting.objects.all(), meeting_id, version, ERR_MEETING_CONFLICT)
        if meeting.state != MeetingState.CALLED:
            raise ConflictError(ERR_MEETING_DONE.format(state=meeting.get_state_display()))
        if held_on < timezone.localtime(meeting.created_at).date():
            raise RuleError(ERR_HELD_BEFORE)
        issues = list(MeetingIssue.objects.filter(meeting=meeting).order_by("pk"))
        for n, issue in enumerate(issues, 1):
            decision, responsible, due_on = decisions.get(issue.pk, ("", "", None))
            decision = text(decision, f"第 {n} 项议题的决定", limit=500)
            if not decision:
                raise RuleError(ERR_DECISION.format(n=n, text=issue.text[:20]))
            if responsible not in Party.values:
                raise RuleError(ERR_RESPONSIBLE.format(n=n))
            if due_on is not None and due_on < held_on:
                raise RuleError(ERR_DUE.format(n=n))
            issue.decision, issue.responsible, issue.due_on = decision, responsible, due_on
        MeetingIssue.objects.bulk_update(issues, ["decision", "responsible", "due_on"])
        meeting.state, meeting.held_on, meeting.attendance, meeting.minutes = (
            MeetingState.HELD, held_on, attendance, minutes)
        meeting.version += 1
        parties = "、".join(f"{label}:{name}" for label, name in (
            ("社区党组织", meeting.party_rep), ("居委会", meeting.committee_rep), ("业委会", meeting.owners_rep),
            ("物业企业", meeting.firm_rep)) if name)
        decided = "\n".join(f"{n}. {i.text}:{i.decision}(落实:{i.get_responsible_display()}"
                            f"{',期限 ' + i.due_on.isoformat() if i.due_on else ''})" for n, i in enumerate(issues, 1))
        from gongzhi.ledgers import services as ledgers
        from gongzhi.ledgers.models import Meeting
        meeting.ledger_row = ledgers.write_from(
            model=Meeting, source=MEETING_SOURCE, source_pk=meeting.pk, community=meeting.community, by=by,
            kind="deliberation", held_on=held_on, title=f"{meeting.get_kind_display()}:{meeting.estate.name}"
            f" {meeting.title}"[:200], attendees=attendance,
            minutes=(f"参会:{parties}\n" if parties else "") + f"{minutes}\n议定事项:\n{decided}")
        meeting.save()
    return meeting


def issue_follow_up(*, issue: MeetingIssue, follow_up: str, done_on: dt.date | None, by=None) -> MeetingIssue:
    follow_up = text(follow_up, "落实情况", limit=500)
    if not follow_up:
        raise RuleError(ERR_FOLLOW_UP)
    with transaction.atomic():
        current = MeetingIssue.objects.select_for_update().select_related("meeting").get(pk=issue.pk)
        if current.meeting.state != MeetingState.HELD:
            raise RuleError(ERR_ISSUE_HELD)
        if current.state == IssueState.DONE:
            raise ConflictError(ERR_ISSUE_DONE.format(date=current.done_on))
        if done_on is not None and not current.meeting.held_on <= done_on <= timezone.localdate():
            raise RuleError(ERR_DONE_DATE)
        current.follow_up = follow_up
        if done_on is not None:
            current.state, current.done_on = IssueState.DONE, done_on
        current.save(update_fields=["follow_up", "state", "done_on"])
        return current
