"""Every write of the projects: open, edit, milestones and their progress, costs, links to work
orders and helpers, the supervision committee's members, sign-offs and objections, completion.

Plain functions with keyword arguments, one transaction each. A broken rule raises `RuleError`
(Chinese, naming the field) and writes nothing; an edit from a stale form raises `ConflictError`
(`core.errors.lock_version` on the row's version). Every step writes one `ProjectEvent`.
The caller reads the objects it passes through its scope; the rules about *who* (the owner is a
committee member of the community, the signer a serving supervision member who is not the owner)
are checked here, so the page, a command and a test behave the same.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment
from gongzhi.digests import services as follows
from gongzhi.core.errors import ConflictError, RuleError, lock_version
from gongzhi.core.validators import has_control_characters
from gongzhi.governance.models import Outcome, SessionState, TopicState
from gongzhi.people.models import PersonStatus
from gongzhi.places.models import Level
from gongzhi.projects.models import (
    TEXT_MAX, TITLE_MAX, CostEntry, CostKind, Milestone, MilestoneState, Objection, Project, ProjectAction,
    ProjectEvent, ProjectState, SupervisionMember,
)
from gongzhi.workorders import notify

ERR_REQUIRED = "请填写{field}"
ERR_LONG = "{field}不能超过 {n} 个字(现有 {m} 个字)"
ERR_CONTROL = "{field}含有不可见的控制字符,请删除后重新输入"
ERR_COMMUNITY = "项目必须属于一个社区"
ERR_OWNER = "负责人必须是本社区的社区工作者(居委会成员)"
ERR_DATES = "计划完成日期不能早于计划开始日期"
ERR_DATE = "请填写有效的{field}(年-月-日)"
ERR_TOPIC_STATE = "只有已「转入协商」的议题可以立项落实"
ERR_TOPIC_COMMUNITY = "来源议题必须是本社区的议题"
ERR_TOPIC_TWICE = "该议题已立项(项目「{title}」),请在原项目中继续"
ERR_MEETING = "只有居民(村民)会议表决通过的决定可以立项落实"
ERR_SESSION = "只有已召开并记录了协商成果的协商会可以立项落实"
ERR_SOURCE_COMMUNITY = "来源{what}必须是本社区的"
ERR_SOURCE_TWICE = "该{what}已立项(项目「{title}」),请在原项目中继续"
ERR_PERCENT = "完成比例须是 0 到 100 之间的整数(现为 {value})"
ERR_PROJECT_CLOSED = "项目{state},不能再修改"
ERR_CONFLICT = "该项目刚被他人修改,请刷新页面后重试"
ERR_MS_CONFLICT = "该节点刚被他人修改,请刷新页面后重试"
ERR_MS_STATE = "节点当前为「{state}」,不能{action}"
ERR_AMOUNT = "请填写有效的金额(元,最多两位小数,不超过一百亿)"
ERR_AMOUNT_ZERO = "金额不能为 0"
ERR_COST_KIND = "请选择经费类别(预算或支出)"
ERR_NOT_MEMBER = "只有本社区监督委员会的在任成员可以验收或提出异议"
ERR_OWN_WORK = "不能验收自己负责的工作:您是该项目的负责人或报验收人,请由其他监督委员会成员验收"
ERR_REASON = "提出异议必须写明理由,负责人会看到"
ERR_ANSWER = "请填写对异议的答复(整改情况)"
ERR_OBJECTION_ANSWERED = "该异议已经答复"
ERR_INCOMPLETE = "还有 {n} 个节点未验收或有未答复的异议,项目不能完成"
ERR_NO_MILESTONES = "项目还没有节点,请先添加节点"
ERR_STOP_REASON = "终止项目必须写明原因"
ERR_MEMBER_RESIDENT = "监督委员会成员必须是本社区登记在册的居民"
ERR_MEMBER_TWICE = "该居民已是本社区监督委员会的在任成员"
ERR_MEMBER_ENDED = "该成员的任职已经结束"
ERR_MEMBER_END_DATE = "任职结束日期不能早于开始日期"
ERR_MEMBER_OWNER = "本社区的社区工作者不能兼任监督委员会成员"
ERR_LINK_KIND = "请选择关联的类别"
ERR_LINK_TARGET = "只能关联本社区的{what}"

AMOUNT_MAX = Decimal("10000000000")
NOTICE_KIND = "project"


# -- input -------------------------------------------------------------------------------
def clean_text(value, field: str, *, limit: int = TEXT_MAX, required: bool = True) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise RuleError(ERR_REQUIRED.format(field=field))
        return ""
    if len(value) > limit:
        raise RuleError(ERR_LONG.format(field=field, n=limit, m=len(value)))
    if has_control_characters(value):
        raise RuleError(ERR_CONTROL.format(field=field))
    return value


def clean_date(value, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise RuleError(ERR_DATE.format(field=field)) from None


def clean_percent(value) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise RuleError(ERR_PERCENT.format(value=str(value)[:20])) from None
    if not 0 <= number <= 100:
        raise RuleError(ERR_PERCENT.format(value=number))
    return number


def clean_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RuleError(ERR_AMOUNT) from None
    if not amount.is_finite() or abs(amount) >= AMOUNT_MAX or amount != amount.quantize(Decimal("0.01")):
        raise RuleError(ERR_AMOUNT)
    if amount == 0:
        raise RuleError(ERR_AMOUNT_ZERO)
    return amount


# -- who ---------------------------------------------------------------------------------
def is_committee_member(user, community) -> bool:
    return user is not None and RoleAssignment.objects.filter(
        user=user, role=Role.COMMUNITY, place=community, active=True, user__is_active=True).exists()


def committee_of(community):
    """The community's workers (the owners a project may have)."""
    from gongzhi.accounts.models import User
    return User.objects.filter(assignments__role=Role.COMMUNITY, assignments__place=community,
                               assignments__active=True, is_active=True).distinct().order_by("display_name", "pk")


def serving_member(user, community, *, on: dt.date | None = None) -> SupervisionMember | None:
    """The supervision membership `user` (a resident account) holds in `community` now, or None."""
    resident_id = getattr(user, "resident_id", None)
    if resident_id is None:
        return None
    on = on or timezone.localdate()
    return (SupervisionMember.objects.filter(community=community, resident_id=resident_id, started_on__lte=on)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)).first())


def _actor_role(by) -> str:
    return "监督委员会" if getattr(by, "resident_id", None) and not RoleAssignment.objects.filter(
        user=by, active=True).exclude(role=Role.RESIDENT).exists() else "居委会"


def _event(project, action, *, by, now, milestone=None, note="", role=None) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, milestone=milestone, action=action, actor=by,
                                       actor_name=str(by) if by is not None else "系统",
                                       actor_role=role or ("系统" if by is None else _actor_role(by)),
                                       at=now, note=note)


def source_topic_of(project: Project):
    """The topic the project carries out: its own, or the one its decision or deliberation came from."""
    for topic in (project.source_topic,
                  project.source_meeting.topic if project.source_meeting_id else None,
                  project.source_session.topic if project.source_session_id else None):
        if topic is not None:
            return topic
    return None


def people_to_tell(project: Project) -> list[int]:
    """The source topic's proposer and supporters with an account (nobody for a project opened directly)."""
    topic = source_topic_of(project)
    if topic is None:
        return []
    from gongzhi.governance.services import people_to_tell as topic_people
    return topic_people(topic)


def _tell(project, text, *, now) -> None:
    told = people_to_tell(project)
    notify.notify(told, order=None, kind=NOTICE_KIND, text=text, now=now, subject=project)
    follows.tell_followers(project, text=text, now=now, exclude=told)  # residents following it (digests)


def _recount(project_id: int) -> int:
    """The project's progress: the mean of its milestones' percentages (0 without milestones)."""
    percents = list(Milestone.objects.filter(project_id=project_id).values_list("percent", flat=True))
    progress = round(sum(percents) / len(percents)) if percents else 0
    Project.objects.filter(pk=project_id).update(progress=progress)
    return progress


def _open_project(project_id, version, *, message=ERR_CONFLICT) -> Project:
    project = lock_version(Project.objects.all(), project_id, version, message) if version is not None \
        else Project.objects.select_for_update().get(pk=project_id)
    if project.state != ProjectState.ACTIVE:
        raise RuleError(ERR_PROJECT_CLOSED.format(state=project.get_state_display()))
    return project


# -- projects ----------------------------------------------------------------------------
def _check_source(community, source, *, what: str, field: str) -> None:
    if source is None:
        return
    if source.community_id != community.pk:
        raise RuleError(ERR_SOURCE_COMMUNITY.format(what=what))
    existing = Project.objects.filter(**{field: source}).exclude(state=ProjectState.STOPPED).first()
    if existing is not None:
        raise RuleError(ERR_SOURCE_TWICE.format(what=what, title=existing.title))


def project_open(*, community, title: str, basis: str, owner, starts_on, ends_on, by, source_topic=None,
                 source_meeting=None, source_session=None, now: dt.datetime | None = None) -> Project:
    """A new project of `community`: from a topic answered 转入协商, a decision a residents' meeting
    adopted, a deliberation's recorded result, or on the committee's own stated basis."""
    now = now or timezone.now()
    if community is None or community.level != Level.COMMUNITY:
        raise RuleError(ERR_COMMUNITY)
    title = clean_text(title, "项目名称", limit=TITLE_MAX)
    basis = clean_text(basis, "立项依据")
    starts_on, ends_on = clean_date(starts_on, "计划开始日期"), clean_date(ends_on, "计划完成日期")
    if ends_on < starts_on:
        raise RuleError(ERR_DATES)
    if not is_committee_member(owner, community):
        raise RuleError(ERR_OWNER)
    with transaction.atomic():
        if source_topic is not None:
            if source_topic.community_id != community.pk:
                raise RuleError(ERR_TOPIC_COMMUNITY)
            if source_topic.state != TopicState.DELIBERATION:
                raise RuleError(ERR_TOPIC_STATE)
            existing = Project.objects.filter(source_topic=source_topic).exclude(state=ProjectState.STOPPED).first()
            if existing is not None:
                raise RuleError(ERR_TOPIC_TWICE.format(title=existing.title))
        if source_meeting is not None and source_meeting.outcome != Outcome.ADOPTED:
            raise RuleError(ERR_MEETING)
        if source_session is not None and (source_session.state != SessionState.HELD
                                           or not source_session.outcome.strip()):
            raise RuleError(ERR_SESSION)
        _check_source(community, source_meeting, what="决定", field="source_meeting")
        _check_source(community, source_session, what="协商会", field="source_session")
        project = Project.objects.create(community=community, title=title, basis=basis, source_topic=source_topic,
                                         source_meeting=source_meeting, source_session=source_session,
                                         owner=owner, starts_on=starts_on, ends_on=ends_on, created_by=by,
                                         created_at=now)
        _event(project, ProjectAction.OPEN, by=by, now=now,
               note=f"计划 {starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}")
        topic = source_topic_of(project)
        if topic is not None:
            _tell(project, f"您提出或附议的议题「{topic.title}」已立项落实:「{title}」,"
                           f"计划 {ends_on:%Y-%m-%d} 前完成。", now=now)
    return project


def project_edit(*, project_id: int, version: int, title: str, basis: str, owner, starts_on, ends_on, by,
                 now: dt.datetime | None = None) -> Project:
    now = now or timezone.now()
    title = clean_text(title, "项目名称", limit=TITLE_MAX)
    basis = clean_text(basis, "立项依据")
    starts_on, ends_on = clean_date(starts_on, "计划开始日期"), clean_date(ends_on, "计划完成日期")
    if ends_on < starts_on:
        raise RuleError(ERR_DATES)
    with transaction.atomic():
        project = _open_project(project_id, version)
        if not is_committee_member(owner, project.community):
            raise RuleError(ERR_OWNER)
        changes = []
        for field, value, label in (("title", title, "名称"), ("basis", basis, "依据"), ("owner", owner, "负责人"),
                                    ("starts_on", starts_on, "计划开始"), ("ends_on", ends_on, "计划完成")):
            if getattr(project, field) != value:
                changes.append(f"{label}:{value:%Y-%m-%d}" if isinstance(value, dt.date) else
                               f"{label}:{value}" if field == "title" else f"{label}已修改")
                setattr(project, field, value)
        project.version += 1
        project.save()
        _event(project, ProjectAction.EDIT, by=by, now=now, note=";".join(changes) or "未改动")
    return project


def milestone_add(*, project_id: int, version: int, title: str, due_on, by,
                  now: dt.datetime | None = None) -> Milestone:
    now = now or timezone.now()
    title = clean_text(title, "节点名称", limit=TITLE_MAX)
    due_on = clean_date(due_on, "节点计划完成日期")
    with transaction.atomic():
        project = _open_project(project_id, version)
        project.version += 1
        project.save(update_fields=["version"])
        milestone = Milestone.objects.create(project=project, title=title, due_on=due_on,
                                             sort=project.milestones.count())
        _event(project, ProjectAction.MILESTONE_ADD, by=by, now=now, milestone=milestone,
               note=f"{title},计划 {due_on:%Y-%m-%d}")
        _recount(project.pk)
    return milestone


def milestone_progress(*, milestone_id: int, version: int, percent, by, done: bool = False, note: str = "",
                       now: dt.datetime | None = None) -> Milestone:
    """The committee moves a milestone on: its percentage, and with `done` it asks the supervision
    committee to sign it off (the percentage becomes 100)."""
    now = now or timezone.now()
    percent = 100 if done else clean_percent(percent)
    note = clean_text(note, "进度说明", required=False)
    with transaction.atomic():
        milestone = lock_version(Milestone.objects.all(), milestone_id, version, ERR_MS_CONFLICT)
        project = _open_project(milestone.project_id, None)
        allowed = (MilestoneState.PENDING, MilestoneState.IN_PROGRESS)
        if milestone.state not in allowed:
            raise RuleError(ERR_MS_STATE.format(state=milestone.get_state_display(),
                                                action="报验收" if done else "更新进度"))
        milestone.percent = percent
        milestone.state = MilestoneState.DONE if done else (
            MilestoneState.IN_PROGRESS if percent > 0 else MilestoneState.PENDING)
        if done:
            milestone.done_at = now
        milestone.version += 1
        milestone.save()
        action = ProjectAction.DONE if done else ProjectAction.PROGRESS
        _event(project, action, by=by, now=now, milestone=milestone,
               note=f"{milestone.title}:{percent}%" + (f"。{note}" if note else ""))
        _recount(project.pk)
        if done:
            _tell_members(project, milestone, now=now)
    return milestone


def _tell_members(project, milestone, *, now) -> None:
    """The serving supervision members with an account hear that a milestone waits for them."""
    from gongzhi.accounts.models import User
    residents = serving_members(project.community).values("resident_id")
    ids = list(User.objects.filter(resident_id__in=residents, is_active=True).values_list("pk", flat=True))
    notify.notify(ids, order=None, kind=NOTICE_KIND, now=now,
                  text=f"项目「{project.title}」的节点「{milestone.title}」已报验收,请监督委员会成员验收或提出异议。")


def serving_members(community, *, on: dt.date | None = None):
    on = on or timezone.localdate()
    return SupervisionMember.objects.filter(community=community, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def _signer(milestone: Milestone, project: Project, by) -> SupervisionMember:
    member = serving_member(by, project.community)
    if member is None:
        raise RuleError(ERR_NOT_MEMBER)
    done_by = milestone.events.filter(action=ProjectAction.DONE).order_by("-at", "-pk").values_list(
        "actor_id", flat=True).first()
    owner_resident = project.owner.resident_id
    if by.pk in (project.owner_id, done_by) or (owner_resident is not None and owner_resident == member.resident_id):
        raise RuleError(ERR_OWN_WORK)
    return member


def milestone_sign_off(*, milestone_id: int, version: int, by, note: str = "",
                       now: dt.datetime | None = None) -> Milestone:
    """A serving supervision member, not the owner, accepts a milestone marked done."""
    now = now or timezone.now()
    note = clean_text(note, "验收意见", required=False)
    with transaction.atomic():
        milestone = lock_version(Milestone.objects.all(), milestone_id, version, ERR_MS_CONFLICT)
        project = _open_project(milestone.project_id, None)
        member = _signer(milestone, project, by)
        if milestone.state != MilestoneState.DONE:
            raise RuleError(ERR_MS_STATE.format(state=milestone.get_state_display(), action="验收"))
        milestone.state, milestone.percent = MilestoneState.SIGNED_OFF, 100
        milestone.signed_off_at, milestone.signed_off_by = now, member
        milestone.version += 1
        milestone.save()
        _event(project, ProjectAction.SIGN_OFF, by=by, now=now, milestone=milestone, role="监督委员会",
               note=f"{milestone.title}" + (f":{note}" if note else ""))
        _recount(project.pk)
        _tell(project, f"项目「{project.title}」的节点「{milestone.title}」已经监督委员会验收。", now=now)
    return milestone


def milestone_object(*, milestone_id: int, version: int, by, reason: str,
                     now: dt.datetime | None = None) -> Objection:
    """A serving supervision member, not the owner, objects to a milestone marked done: it goes back
    to the owner and the project cannot complete until the objection is answered."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(ERR_REASON)
    reason = clean_text(reason, "异议理由")
    with transaction.atomic():
        milestone = lock_version(Milestone.objects.all(), milestone_id, version, ERR_MS_CONFLICT)
        project = _open_project(milestone.project_id, None)
        member = _signer(milestone, project, by)
        if milestone.state != MilestoneState.DONE:
            raise RuleError(ERR_MS_STATE.format(state=milestone.get_state_display(), action="提出异议"))
        milestone.state = MilestoneState.OBJECTED
        milestone.version += 1
        milestone.save()
        objection = Objection.objects.create(milestone=milestone, member=member, reason=reason, raised_at=now)
        _event(project, ProjectAction.OBJECT, by=by, now=now, milestone=milestone, role="监督委员会",
               note=f"{milestone.title}:{reason}")
        notify.notify([project.owner_id], order=None, kind=NOTICE_KIND, now=now,
                      text=f"监督委员会对项目「{project.title}」的节点「{milestone.title}」提出异议:{reason}")
    return objection


def objection_answer(*, objection_id: int, milestone_version: int, answer: str, by,
                     now: dt.datetime | None = None) -> Objection:
    """The committee answers an objection (what was put right); the milestone waits for sign-off again."""
    now = now or timezone.now()
    answer = (answer or "").strip()
    if not answer:
        raise RuleError(ERR_ANSWER)
    answer = clean_text(answer, "答复")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection_id)
        if objection.answered_at is not None:
            raise ConflictError(ERR_OBJECTION_ANSWERED)
        milestone = lock_version(Milestone.objects.all(), objection.milestone_id, milestone_version, ERR_MS_CONFLICT)
        project = _open_project(milestone.project_id, None)
        objection.answer, objection.answered_at, objection.answered_by = answer, now, by
        objection.save()
        milestone.state, milestone.done_at = MilestoneState.DONE, now
        milestone.version += 1
        milestone.save()
        _event(project, ProjectAction.ANSWER, by=by, now=now, milestone=milestone,
               note=f"{milestone.title}:{answer}")
        from gongzhi.accounts.models import User
        notify.notify(list(User.objects.filter(resident_id=objection.member.resident_id).values_list("pk", flat=True)),
                      order=None, kind=NOTICE_KIND, now=now,
                      text=f"您对项目「{project.title}」节点「{milestone.title}」的异议已答复:{answer}。请重新验收。")
    return objection


def cost_add(*, project_id: int, version: int, kind: str, amount, on, item: str, by, funded_by: str = "",
             now: dt.datetime | None = None) -> CostEntry:
    now = now or timezone.now()
    if kind not in CostKind.values:
        raise RuleError(ERR_COST_KIND)
    amount = clean_amount(amount)
    on = clean_date(on, "经费日期")
    item = clean_text(item, "经费事项", limit=TITLE_MAX)
    funded_by = clean_text(funded_by, "资金来源", limit=40, required=False)
    with transaction.atomic():
        project = _open_project(project_id, version)
        project.version += 1
        project.save(update_fields=["version"])
        entry = CostEntry.objects.create(project=project, kind=kind, amount=amount, on=on, item=item,
                                         funded_by=funded_by, created_by=by, created_at=now)
        _event(project, ProjectAction.COST, by=by, now=now,
               note=f"{CostKind(kind).label} {item} ¥{amount:,.2f}")
    return entry


LINKS = {"order": ("work_orders", "工单"), "organisation": ("organisations", "社会组织"),
         "volunteer": ("volunteers", "志愿者")}


def link(*, project_id: int, version: int, kind: str, target, by, remove: bool = False,
         now: dt.datetime | None = None) -> Project:
    """Link (or unlink) a work order, a social organisation or a volunteer of the project's community."""
    now = now or timezone.now()
    if kind not in LINKS:
        raise RuleError(ERR_LINK_KIND)
    field, what = LINKS[kind]
    with transaction.atomic():
        project = _open_project(project_id, version)
        if target is None or target.community_id != project.community_id:
            raise RuleError(ERR_LINK_TARGET.format(what=what))
        getattr(project, field).remove(target) if remove else getattr(project, field).add(target)
        project.version += 1
        project.save(update_fields=["version"])
        label = target.number if kind == "order" else (target.name if kind == "organisation" else "一名志愿者")
        _event(project, ProjectAction.UNLINK if remove else ProjectAction.LINK, by=by, now=now,
               note=f"{what} {label}")
    return project


def project_complete(*, project_id: int, version: int, by, now: dt.datetime | None = None) -> Project:
    now = now or timezone.now()
    with transaction.atomic():
        project = _open_project(project_id, version)
        counts = project.milestones.aggregate(
            n=Count("pk"), open=Count("pk", filter=~Q(state=MilestoneState.SIGNED_OFF)))
        if not counts["n"]:
            raise RuleError(ERR_NO_MILESTONES)
        unanswered = Objection.objects.filter(milestone__project=project, answered_at__isnull=True).count()
        if counts["open"] or unanswered:
            raise RuleError(ERR_INCOMPLETE.format(n=max(counts["open"], unanswered)))
        project.state, project.completed_at, project.progress = ProjectState.COMPLETED, now, 100
        project.version += 1
        project.save()
        _event(project, ProjectAction.COMPLETE, by=by, now=now, note="全部节点已经监督委员会验收")
        _tell(project, f"项目「{project.title}」已完成,全部节点已经监督委员会验收。", now=now)
    return project


def project_stop(*, project_id: int, version: int, reason: str, by, now: dt.datetime | None = None) -> Project:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(ERR_STOP_REASON)
    reason = clean_text(reason, "终止原因")
    with transaction.atomic():
        project = _open_project(project_id, version)
        project.state, project.stop_reason = ProjectState.STOPPED, reason
        project.version += 1
        project.save()
        _event(project, ProjectAction.STOP, by=by, now=now, note=reason)
        _tell(project, f"项目「{project.title}」已终止,原因:{reason}", now=now)
    return project


# -- the supervision committee -----------------------------------------------------------
def member_add(*, community, resident, started_on, by, post: str = "member") -> SupervisionMember:
    started_on = clean_date(started_on, "任职开始日期")
    if resident is None or resident.community_id != community.pk or resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_MEMBER_RESIDENT)
    if post not in ("chair", "member"):
        post = "member"
    from gongzhi.accounts.models import User
    account = User.objects.filter(resident=resident).first()
    if account is not None and is_committee_member(account, community):
        raise RuleError(ERR_MEMBER_OWNER)
    try:
        with transaction.atomic():
            return SupervisionMember.objects.create(community=community, resident=resident, post=post,
                                                    started_on=started_on, created_by=by)
    except IntegrityError:
        raise RuleError(ERR_MEMBER_TWICE) from None


def member_end(*, member_id: int, version: int, ended_on, reason: str, by) -> SupervisionMember:
    ended_on = clean_date(ended_on, "任职结束日期")
    reason = clean_text(reason, "结束原因", limit=100, required=False)
    with transaction.atomic():
        member = lock_version(SupervisionMember.objects.all(), member_id, version, "该成员刚被他人修改,请刷新后重试")
        if member.ended_on is not None:
            raise RuleError(ERR_MEMBER_ENDED)
        if ended_on < member.started_on:
            raise RuleError(ERR_MEMBER_END_DATE)
        member.ended_on, member.end_reason = ended_on, reason
        member.version += 1
        member.save()
    return member


# -- the disclosure board ----------------------------------------------------------------
PUBLISH_CATEGORIES = {"results": "工作成果", "finance": "财务收支"}
ERR_PUBLISH_CATEGORY = "请选择公开类别(工作成果或财务收支)"


def publish_body(project: Project, category: str) -> str:
    """What the board shows: no names, the facts of the project (progress and milestones, or the money)."""
    lines = [f"{project.title}({project.get_state_display()},进度 {project.progress}%)",
             f"计划 {project.starts_on:%Y-%m-%d} 至 {project.ends_on:%Y-%m-%d}。立项依据:{project.basis}"]
    if category == "finance":
        budget = sum((c.amount for c in project.costs.filter(kind=CostKind.BUDGET)), start=Decimal(0))
        spent = sum((c.amount for c in project.costs.filter(kind=CostKind.SPENDING)), start=Decimal(0))
        lines.append(f"预算 ¥{budget:,.2f},已支出 ¥{spent:,.2f},结余 ¥{budget - spent:,.2f}。")
        lines += [f"{c.on:%Y-%m-%d} {c.get_kind_display()} {c.item} ¥{c.amount:,.2f}"
                  + (f"({c.funded_by})" if c.funded_by else "") for c in project.costs.order_by("on", "pk")[:60]]
    else:
        lines += [f"{m.title}:计划 {m.due_on:%Y-%m-%d},{m.get_state_display()},完成 {m.percent}%"
                  for m in project.milestones.all()]
    return "\n".join(lines)[:5000]


def project_publish(*, project_id: int, category: str, by, now: dt.datetime | None = None):
    """Put the project's progress (工作成果) or its money (财务收支) on the community's disclosure board,
    once per category while the item is up (withdrawn from the board, it may be published again)."""
    from gongzhi.disclosure import services as disclosure
    now = now or timezone.now()
    if category not in PUBLISH_CATEGORIES:
        raise RuleError(ERR_PUBLISH_CATEGORY)
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("community").get(pk=project_id)
        item = disclosure.publish(community=project.community, category=category,
                                  title=f"{project.title[:52]}({PUBLISH_CATEGORIES[category]})",
                                  body=publish_body(project, category), by=by,
                                  source=f"projects.{category}", source_pk=project.pk, now=now)
        if item.published_at == now:
            _event(project, ProjectAction.PUBLISH, by=by, now=now, note=f"居务公开:{PUBLISH_CATEGORIES[category]}")
    return item
