"""Every write of the social organisations, their filing and incubation, the provider binding and the
co-resident units: plain functions, one transaction each, refusing bad input with a Chinese RuleError
and changing nothing then. Nothing is deleted: members leave, filings are refused, bindings end."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Role, User
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.validators import has_control_characters
from gongzhi.network.models import (
    Commitment, CommitmentKind, Field, Filing, FilingState, Incubation, IncubationSupport, JointMeeting,
    MemberRole, OrgMember, ProviderStaff, SocialOrg, SupportKind, UnitEvaluation,
)
from gongzhi.people.models import Organisation, OrgKind, OrgRegistration
from gongzhi.places.models import Level, Place

ERR_STALE = "页面已过期:该记录已被他人修改,请刷新后重试"
ERR_FIELD = "请选择服务领域(法治宣传、纠纷调解等十类之一)"
ERR_REQUIRED = "请填写{what}"
ERR_TOO_LONG = "{what}不能超过 {n} 个字"
ERR_DATE = "{what}不是有效日期,请按 2026-03-01 的格式填写"
ERR_FUTURE = "{what}不能晚于今天"
ERR_NUMBER = "{what}须为不小于 0 的数字"
ERR_NOT_SOCIAL = "只有社会组织可以建立三社联动档案"
ERR_FILING_REGISTERED = "该组织已在民政部门登记或已备案,无需再申请备案"
ERR_FILING_OPEN = "该组织已有一份未办结的备案申请"
ERR_FILING_STEP = "备案申请当前为“{state}”,不能{step}"
ERR_OPINION_ROLE = "社区意见须由该组织所在社区的社区工作者出具"
ERR_FILE_ROLE = "备案须由组织所在街道的街道干部办理"
ERR_INCUBATING = "该组织正在孵化中,不能重复入驻"
ERR_NOT_INCUBATING = "该组织没有正在进行的孵化"
ERR_GRADUATE_DATE = "出壳日期不能早于入驻日期({entered})"
ERR_MEMBER_LEFT = "该成员已于 {on} 退出"
ERR_USER = "没有名为“{name}”的服务机构人员账号"
ERR_USER_ROLE = "账号“{name}”不是服务机构人员,不能绑定到组织"
ERR_USER_PLACE = "账号“{name}”的岗位不在该组织所在的街道或社区"
ERR_BOUND = "账号“{name}”已绑定该组织"
ERR_NOT_UNIT = "只有驻区单位可以登记承诺"
ERR_KIND = "请选择承诺类型"
ERR_YEAR = "年度须在 2000 至 2100 之间"
ERR_UNITS_NONE = "请至少选择一个参会的驻区单位"
ERR_UNIT_OTHER = "所选单位不是本社区的驻区单位"
ERR_EVALUATED = "{unit}{year} 年度已评价,不能重复评价"
ERR_NO_COMMITMENTS = "{unit}{year} 年度没有登记承诺,无法评价"
ERR_SCORE = "评分须在 0 至 100 之间"


# -- small checks shared with projects.py -----------------------------------------------------
def text(value, what: str, *, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleError(ERR_REQUIRED.format(what=what))
    if len(value) > max_len:
        raise RuleError(ERR_TOO_LONG.format(what=what, n=max_len))
    if has_control_characters(value):
        raise RuleError(f"{what}含有不可见的控制字符,请删除后重新输入")
    return value


def date(value, what: str, *, required: bool = True, not_future: bool = False) -> dt.date | None:
    if isinstance(value, dt.date):
        day = value
    else:
        value = (value or "").strip()
        if not value:
            if required:
                raise RuleError(ERR_REQUIRED.format(what=what))
            return None
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            raise RuleError(ERR_DATE.format(what=what)) from None
        if not 2000 <= day.year <= 2100:
            raise RuleError(ERR_DATE.format(what=what))
    if not_future and day > timezone.localdate():
        raise RuleError(ERR_FUTURE.format(what=what))
    return day


def number(value, what: str, *, max_digits: int = 10, places: int = 2, required: bool = True) -> Decimal:
    if isinstance(value, (int, Decimal)):
        d = Decimal(value)
    else:
        value = (str(value) if value is not None else "").strip().replace(",", "")
        if not value:
            if required:
                raise RuleError(ERR_REQUIRED.format(what=what))
            return Decimal(0)
        try:
            d = Decimal(value)
        except InvalidOperation:
            raise RuleError(ERR_NUMBER.format(what=what)) from None
    if not d.is_finite() or d < 0 or d >= Decimal(10) ** (max_digits - places):
        raise RuleError(ERR_NUMBER.format(what=what))
    return d.quantize(Decimal(1).scaleb(-places))


def field(value) -> str:
    if value not in Field.values:
        raise RuleError(ERR_FIELD)
    return value


def _bump(model, pk: int, version) -> object:
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ConflictError(ERR_STALE) from None
    row = model.objects.select_for_update().get(pk=pk)
    if row.version != version:
        raise ConflictError(ERR_STALE)
    row.version += 1
    return row


def _posts_over(user, community: Place, role: str, level: str) -> bool:
    """Does `user` hold an active `role` post at the `level` place (community or its street) of `community`?"""
    target = community if level == Level.COMMUNITY else community.parent
    return user.assignments.filter(active=True, role=role, place=target).exists() or (
        role == Role.STREET and user.assignments.filter(active=True, role=Role.ADMIN).exists()
        and level == Level.STREET)


# -- social organisations -------------------------------------------------------------------------
@transaction.atomic
def org_register(*, community: Place, name: str, field_code: str, registration: str, founded_on=None,
                 purpose: str = "", contact_name: str = "", by) -> SocialOrg:
    """A community social organisation new to the list: people's organisation row and its profile."""
    name = text(name, "组织名称", max_len=100)
    field_code = field(field_code)
    if registration not in OrgRegistration.values:
        raise RuleError("请选择登记状态(已登记、已备案或未登记)")
    if community.level != Level.COMMUNITY:
        raise RuleError("请选择组织服务的社区")
    if Organisation.objects.filter(community=community, kind=OrgKind.SOCIAL_ORG, name=name).exists():
        raise RuleError(f"{community.name}已有名为“{name}”的社会组织")
    org = Organisation(community=community, kind=OrgKind.SOCIAL_ORG, name=name, registration=registration,
                       contact_name=text(contact_name, "联系人", max_len=50, required=False))
    org._history_user = by
    org.save()
    return SocialOrg.objects.create(organisation=org, field=field_code,
                                    founded_on=date(founded_on, "成立日期", required=False, not_future=True),
                                    purpose=text(purpose, "宗旨与服务内容", max_len=300, required=False))


@transaction.atomic
def org_profile(*, organisation: Organisation, field_code: str, founded_on=None, purpose: str = "",
                version=None, by) -> SocialOrg:
    """Create or change the network's profile of one of people's social organisations."""
    if organisation.kind != OrgKind.SOCIAL_ORG:
        raise RuleError(ERR_NOT_SOCIAL)
    field_code = field(field_code)
    founded = date(founded_on, "成立日期", required=False, not_future=True)
    purpose = text(purpose, "宗旨与服务内容", max_len=300, required=False)
    profile = SocialOrg.objects.filter(organisation=organisation).first()
    if profile is None:
        return SocialOrg.objects.create(organisation=organisation, field=field_code, founded_on=founded,
                                        purpose=purpose)
    profile = _bump(SocialOrg, profile.pk, version)
    profile.field, profile.founded_on, profile.purpose = field_code, founded, purpose
    profile.save()
    return profile


def _profile(organisation: Organisation) -> SocialOrg:
    profile = SocialOrg.objects.filter(organisation=organisation).first()
    if profile is None:
        raise RuleError("请先为该组织建立档案(选择服务领域)")
    return profile


@transaction.atomic
def member_add(*, organisation: Organisation, name: str, role: str, joined_on, resident=None, by) -> OrgMember:
    profile = _profile(organisation)
    if role not in MemberRole.values:
        raise RuleError("请选择成员身份(负责人或成员)")
    return OrgMember.objects.create(org=profile, name=text(name, "成员姓名", max_len=50), role=role,
                                    resident=resident, joined_on=date(joined_on, "加入日期", not_future=True))


@transaction.atomic
def member_leave(*, member: OrgMember, left_on, by) -> OrgMember:
    member = OrgMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on:
        raise RuleError(ERR_MEMBER_LEFT.format(on=member.left_on.isoformat()))
    left = date(left_on, "退出日期", not_future=True)
    if left < member.joined_on:
        raise RuleError(f"退出日期不能早于加入日期({member.joined_on.isoformat()})")
    member.left_on = left
    member.save(update_fields=["left_on"])
    return member


# -- filing (备案): application → community opinion → street filing ---------------------------------
@transaction.atomic
def filing_apply(*, organisation: Organisation, applicant: str, by) -> Filing:
    profile = _profile(organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.registration != OrgRegistration.NONE:
        raise RuleError(ERR_FILING_REGISTERED)
    if profile.filings.filter(state__in=[FilingState.APPLIED, FilingState.OPINED]).exists():
        raise RuleError(ERR_FILING_OPEN)
    return Filing.objects.create(org=profile, applicant=text(applicant, "申请人", max_len=50),
                                 applied_on=timezone.localdate())


@transaction.atomic
def filing_opinion(*, filing: Filing, version, opinion: str, by) -> Filing:
    community = filing.org.organisation.community
    if not _posts_over(by, community, Role.COMMUNITY, Level.COMMUNITY):
        raise RuleError(ERR_OPINION_ROLE)
    opinion = text(opinion, "社区意见", max_len=300)
    filing = _bump(Filing, filing.pk, version)
    if filing.state != FilingState.APPLIED:
        raise RuleError(ERR_FILING_STEP.format(state=filing.get_state_display(), step="出具社区意见"))
    filing.community_opinion, filing.state = opinion, FilingState.OPINED
    filing.save()
    return filing


@transaction.atomic
def filing_decide(*, filing: Filing, version, accept: bool, note: str, by) -> Filing:
    organisation = filing.org.organisation
    if not _posts_over(by, organisation.community, Role.STREET, Level.STREET):
        raise RuleError(ERR_FILE_ROLE)
    note = text(note, "街道备案意见", max_len=300)
    filing = _bump(Filing, filing.pk, version)
    if filing.state != FilingState.OPINED:
        raise RuleError(ERR_FILING_STEP.format(state=filing.get_state_display(),
                                               step="备案" if accept else "不予备案"))
    filing.street_note = note
    if accept:
        filing.state = FilingState.FILED
        filing.filing_no = f"{organisation.community.parent.code}-备-{timezone.localdate():%Y}-{filing.pk:04d}"
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        org.registration = OrgRegistration.FILED
        org._history_user = by
        org.save()
    else:
        filing.state = FilingState.REFUSED
    filing.save()
    return filing


# -- incubation ----------------------------------------------------------------------------------
@transaction.atomic
def incubation_enter(*, organisation: Organisation, base: str, entered_on, by) -> Incubation:
    profile = _profile(organisation)
    if Incubation.objects.select_for_update().filter(org=profile, graduated_on__isnull=True).exists():
        raise RuleError(ERR_INCUBATING)
    return Incubation.objects.create(org=profile, base=text(base, "孵化基地", max_len=80),
                                     entered_on=date(entered_on, "入驻日期", not_future=True))


def _open_incubation(organisation) -> Incubation:
    inc = Incubation.objects.select_for_update().filter(org__organisation=organisation,
                                                        graduated_on__isnull=True).first()
    if inc is None:
        raise RuleError(ERR_NOT_INCUBATING)
    return inc


@transaction.atomic
def incubation_support(*, organisation: Organisation, kind: str, given_on, amount, note: str,
                       by) -> IncubationSupport:
    inc = _open_incubation(organisation)
    if kind not in SupportKind.values:
        raise RuleError("请选择支持类型(场地、资金、培训或督导陪伴)")
    given = date(given_on, "支持日期", not_future=True)
    if given < inc.entered_on:
        raise RuleError(f"支持日期不能早于入驻日期({inc.entered_on.isoformat()})")
    return IncubationSupport.objects.create(incubation=inc, kind=kind, given_on=given,
                                            amount=number(amount, "金额", required=False),
                                            note=text(note, "支持内容", max_len=200))


@transaction.atomic
def incubation_graduate(*, organisation: Organisation, graduated_on, outcome: str, by) -> Incubation:
    inc = _open_incubation(organisation)
    day = date(graduated_on, "出壳日期", not_future=True)
    if day < inc.entered_on:
        raise RuleError(ERR_GRADUATE_DATE.format(entered=inc.entered_on.isoformat()))
    inc.graduated_on, inc.outcome = day, text(outcome, "出壳评语", max_len=300)
    inc.save()
    return inc


# -- provider accounts ----------------------------------------------------------------------------
@transaction.atomic
def staff_bind(*, organisation: Organisation, username: str, by) -> ProviderStaff:
    name = text(username, "账号", max_len=150)
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise RuleError(ERR_USER.format(name=name))
    posts = list(user.assignments.filter(active=True, role=Role.PROVIDER).select_related("place"))
    if not posts:
        raise RuleError(ERR_USER_ROLE.format(name=name))
    if not any(organisation.community.is_within(p.place) for p in posts):
        raise RuleError(ERR_USER_PLACE.format(name=name))
    if ProviderStaff.objects.filter(user=user, organisation=organisation, ended_on__isnull=True).exists():
        raise RuleError(ERR_BOUND.format(name=name))
    return ProviderStaff.objects.create(user=user, organisation=organisation, started_on=timezone.localdate())


@transaction.atomic
def staff_end(*, staff: ProviderStaff, by) -> ProviderStaff:
    staff = ProviderStaff.objects.select_for_update().get(pk=staff.pk)
    if staff.ended_on is None:
        staff.ended_on = timezone.localdate()
        staff.save(update_fields=["ended_on"])
    return staff


# -- co-resident units ----------------------------------------------------------------------------
def year(value) -> int:
    try:
        y = int(str(value).strip())
    except (TypeError, ValueError):
        raise RuleError(ERR_YEAR) from None
    if not 2000 <= y <= 2100:
        raise RuleError(ERR_YEAR)
    return y


@transaction.atomic
def commitment_add(*, unit: Organisation, year_value, kind: str, content: str, target, unit_label: str,
                   by) -> Commitment:
    if unit.kind != OrgKind.RESIDENT_UNIT:
        raise RuleError(ERR_NOT_UNIT)
    if kind not in CommitmentKind.values:
        raise RuleError(ERR_KIND)
    t = number(target, "承诺量", places=1)
    if t <= 0:
        raise RuleError("承诺量须大于 0")
    return Commitment.objects.create(unit=unit, year=year(year_value), kind=kind,
                                     content=text(content, "承诺内容", max_len=200), target=t,
                                     unit_label=text(unit_label or "次", "计量单位", max_len=10))


@transaction.atomic
def commitment_progress(*, commitment: Commitment, version, done, by) -> Commitment:
    d = number(done, "完成量", places=1)
    c = _bump(Commitment, commitment.pk, version)
    if UnitEvaluation.objects.filter(unit_id=c.unit_id, year=c.year).exists():
        raise RuleError(f"{c.year} 年度已评价,完成量不能再改")
    c.done = d
    c.save()
    return c


@transaction.atomic
def meeting_hold(*, community: Place, held_on, title: str, minutes: str, unit_ids, by) -> JointMeeting:
    from gongzhi.ledgers import services as ledgers
    from gongzhi.ledgers.models import Meeting, MeetingKind
    day = date(held_on, "会议日期", not_future=True)
    title = text(title, "会议议题", max_len=100)
    minutes = text(minutes, "会议纪要", max_len=5000)
    try:
        ids = sorted({int(u) for u in unit_ids})
    except (TypeError, ValueError):
        raise RuleError(ERR_UNIT_OTHER) from None
    if not ids:
        raise RuleError(ERR_UNITS_NONE)
    units = list(Organisation.objects.filter(pk__in=ids, community=community, kind=OrgKind.RESIDENT_UNIT))
    if len(units) != len(ids):
        raise RuleError(ERR_UNIT_OTHER)
    meeting = JointMeeting.objects.create(community=community, held_on=day, title=title, minutes=minutes, by=by)
    meeting.units.set(units)
    ledgers.write_from(model=Meeting, source="network.joint_meeting", source_pk=meeting.pk, community=community,
                       by=by, kind=MeetingKind.DELIBERATION, held_on=day, title=f"驻区单位联席会议:{title}"[:200],
                       attendees=len(units), minutes=minutes)
    return meeting


GRADES = ((90, "优秀"), (75, "良好"), (60, "合格"), (0, "不合格"))


@transaction.atomic
def unit_evaluate(*, unit: Organisation, year_value, score, note: str, by) -> UnitEvaluation:
    y = year(year_value)
    if unit.kind != OrgKind.RESIDENT_UNIT:
        raise RuleError(ERR_NOT_UNIT)
    Organisation.objects.select_for_update().get(pk=unit.pk)
    if UnitEvaluation.objects.filter(unit=unit, year=y).exists():
        raise RuleError(ERR_EVALUATED.format(unit=unit.name, year=y))
    from gongzhi.network.selectors import fulfilment
    share = fulfilment(unit, y)
    if share is None:
        raise RuleError(ERR_NO_COMMITMENTS.format(unit=unit.name, year=y))
    s = number(score, "评分", places=1, max_digits=5)
    if s > 100:
        raise RuleError(ERR_SCORE)
    attended = JointMeeting.objects.filter(units=unit, held_on__year=y).count()
    grade = next(g for floor, g in GRADES if s >= floor)
    return UnitEvaluation.objects.create(unit=unit, year=y, fulfilment=Decimal(str(share)),
                                         meetings_attended=attended, score=s, grade=grade,
                                         note=text(note, "评语", max_len=300, required=False), by=by,
                                         evaluated_on=timezone.localdate())
