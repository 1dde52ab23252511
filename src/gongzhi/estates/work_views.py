"""Pages of the work on estates: owners' committees, the four parties' meetings and their follow-up,
evaluations (the resident's rating page among them), credit scores and the blacklist, whose public
page names firms and shows managers by surname only."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.exports import xlsx_response
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import public, requires
from gongzhi.estates import committees as csvc
from gongzhi.estates import credit, evaluations
from gongzhi.estates import selectors as sel
from gongzhi.estates.manifest import (
    ENTER_PAPER_RATINGS, FILE_COMMITTEES, MANAGE_BLACKLIST, MANAGE_ESTATES, RATE_PROPERTY, RUN_ESTATE_MEETINGS,
    VIEW_ESTATES,
)
from gongzhi.estates.models import (
    BlacklistEntry, CommitteeMember, CreditRecord, MeetingIssue, MeetingKind, MemberPost, Party,
    ProjectManager, PropertyFirm,
)
from gongzhi.estates.views import _estate_for, may, parse_date, parse_int

ERR_ANSWER = "请回答全部 {n} 个问题(每题选 1—5)"


def _dt(value, field):
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RuleError(f"「{field}」应为日期和时间(yyyy-mm-ddThh:mm)") from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


# -- owners' committees ----------------------------------------------------------------------------------
@requires(MANAGE_ESTATES)
@require_POST
def committee_new(request, pk):
    estate = _estate_for(request, MANAGE_ESTATES, pk)
    try:
        committee = csvc.committee_create(estate=estate, elected_on=parse_date(request.POST.get("elected_on"), "选举日期"),
                                          term_ends=parse_date(request.POST.get("term_ends"), "任期届满日期"),
                                          by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
        return redirect("estates:estate", estate.pk)
    messages.success(request, "已登记业主委员会,请添加成员后报街道备案")
    return redirect("estates:committee", committee.pk)


@requires(VIEW_ESTATES)
def committee_detail(request, pk):
    return _committee_page(request, sel.access_committee(request.scope, pk))


def _committee_page(request, committee, *, error="", status=200):
    members = list(CommitteeMember.objects.filter(committee=committee).select_related("resident")
                   .order_by("until", "post", "pk"))
    can_manage = may(request, MANAGE_ESTATES, committee.estate)
    candidates = list(csvc.residents_of_estate(committee.estate).exclude(
        pk__in=[m.resident_id for m in members if m.until is None]).order_by("name")[:300]) if can_manage else []
    return render(request, "estates/committee.html", {
        "committee": committee, "members": members, "candidates": candidates, "posts": MemberPost.choices,
        "can_manage": can_manage, "can_file": may(request, FILE_COMMITTEES, committee.estate), "error": error,
        "min_members": csvc.MIN_MEMBERS}, status=status)


@requires(MANAGE_ESTATES)
@require_POST
def committee_member(request, pk):
    committee = sel.access_committee(request.scope, pk)
    _estate_for(request, MANAGE_ESTATES, committee.estate_id)
    try:
        resident_id = parse_int(request.POST.get("resident"), "成员")
        resident = csvc.residents_of_estate(committee.estate).filter(pk=resident_id).first() if resident_id else None
        csvc.member_add(committee=committee, resident=resident, post=request.POST.get("post", ""),
                        since=parse_date(request.POST.get("since"), "任职日期", required=False))
    except RuleError as exc:
        return _committee_page(request, committee, error=str(exc), status=422)
    messages.success(request, "已添加业主委员会成员")
    return redirect("estates:committee", committee.pk)


@requires(FILE_COMMITTEES)
@require_POST
def committee_file(request, pk):
    committee = sel.access_committee(request.scope, pk)
    try:
        csvc.committee_file(committee_id=committee.pk, version=parse_int(request.POST.get("version"), "版本") or 0,
                            filing_no=request.POST.get("filing_no", ""),
                            filed_on=parse_date(request.POST.get("filed_on"), "备案日期", required=False),
                            by=request.user)
    except (RuleError, ConflictError) as exc:
        return _committee_page(request, committee, error=str(exc), status=422)
    messages.success(request, "业主委员会已备案")
    return redirect("estates:committee", committee.pk)


# -- meetings -------------------------------------------------------------------------------------------
@requires(VIEW_ESTATES)
def meeting_list(request):
    qs = sel.meetings_in(request.scope).order_by("-starts_at", "-pk")
    page = paginate_by_ids(qs, request.GET.get("page"), 20, related=("estate", "community"))
    return render(request, "estates/meetings.html", {"page": page, "querystring_prefix": ""})


@requires(RUN_ESTATE_MEETINGS)
def meeting_new(request, pk):
    estate = _estate_for(request, RUN_ESTATE_MEETINGS, pk)
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            meeting = csvc.meeting_call(
                estate=estate, kind=p.get("kind", ""), title=p.get("title", ""),
                starts_at=_dt(p.get("starts_at"), "召开时间"), issues=p.get("issues", ""), venue=p.get("venue", ""),
                party_rep=p.get("party_rep", ""), committee_rep=p.get("committee_rep", ""),
                owners_rep=p.get("owners_rep", ""), firm_rep=p.get("firm_rep", ""), by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "会议已通知")
            return redirect("estates:meeting", meeting.pk)
    return render(request, "estates/meeting_new.html", {
        "estate": estate, "kinds": MeetingKind.choices, "error": error, "values": request.POST},
        status=422 if error else 200)


@requires(VIEW_ESTATES)
def meeting_detail(request, pk):
    return _meeting_page(request, sel.access_meeting(request.scope, pk))


def _meeting_page(request, meeting, *, error="", status=200):
    return render(request, "estates/meeting.html", {
        "meeting": meeting, "issues": list(MeetingIssue.objects.filter(meeting=meeting).order_by("pk")),
        "parties": Party.choices, "may_run": may(request, RUN_ESTATE_MEETINGS, meeting.estate), "error": error,
        "today": timezone.localdate()}, status=status)


@requires(RUN_ESTATE_MEETINGS)
@require_POST
def meeting_record(request, pk):
    meeting = sel.access_meeting(request.scope, pk)
    p = request.POST
    try:
        decisions = {}
        for issue in MeetingIssue.objects.filter(meeting=meeting):
            decisions[issue.pk] = (p.get(f"decision_{issue.pk}", ""), p.get(f"responsible_{issue.pk}", ""),
                                   parse_date(p.get(f"due_{issue.pk}"), "落实期限", required=False))
        csvc.meeting_record(meeting_id=meeting.pk, version=parse_int(p.get("version"), "版本") or 0, by=request.user,
                            held_on=parse_date(p.get("held_on"), "召开日期"), attendance=p.get("attendance"),
                            minutes=p.get("minutes", ""), decisions=decisions)
    except (RuleError, ConflictError) as exc:
        return _meeting_page(request, meeting, error=str(exc), status=422)
    messages.success(request, "会议结果已记录,并写入会议台账")
    return redirect("estates:meeting", meeting.pk)


@requires(RUN_ESTATE_MEETINGS)
@require_POST
def issue_follow(request, pk):
    issue = sel.access_issue(request.scope, pk)
    try:
        csvc.issue_follow_up(issue=issue, follow_up=request.POST.get("follow_up", ""),
                             done_on=parse_date(request.POST.get("done_on"), "落实日期", required=False),
                             by=request.user)
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已登记落实情况")
    return redirect("estates:meeting", issue.meeting_id)


# -- evaluations -------------------------------------------------------------------------------------------
@requires(MANAGE_ESTATES)
@require_POST
def evaluation_open(request, pk):
    estate = _estate_for(request, MANAGE_ESTATES, pk)
    try:
        evaluations.evaluation_open(estate=estate, year=parse_int(request.POST.get("year"), "年度", required=True),
                                    by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "评价已发起,本小区住户会在消息中收到邀请")
    return redirect("estates:estate", estate.pk)


@requires(VIEW_ESTATES)
def evaluation_detail(request, pk):
    evaluation = sel.evaluations_in(request.scope).filter(pk=sel._pk(pk)).select_related(
        "estate", "survey", "firm", "manager").first()
    if evaluation is None:
        raise Http404(sel.NOT_FOUND)
    return render(request, "estates/evaluation.html", {
        "evaluation": evaluation, "results": evaluations.results(evaluation),
        "can_enter": request.scope.can(ENTER_PAPER_RATINGS)})  # the page itself keeps to the posts granting it


PAPER_SCALE = (("5", "非常满意"), ("4", "满意"), ("3", "基本满意"), ("2", "不满意"), ("1", "非常不满意"))


@requires(ENTER_PAPER_RATINGS)
def evaluation_paper(request, pk):
    """录入纸质问卷: a household's paper answers, typed in by a worker of its community or grid."""
    evaluation = sel.evaluations_in(request.scope).filter(pk=sel._pk(pk)).select_related(
        "estate", "survey", "firm").first()
    if evaluation is None:
        raise Http404(sel.NOT_FOUND)
    questions = evaluation.survey.questions
    error, status, values = "", 200, {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("household", "name", *(f"q{i}" for i in range(len(questions))))}
        try:
            rating = evaluations.paper_answer(evaluation=evaluation, scope=request.scope,
                                              household_number=values["household"], name=values["name"],
                                              answers=_answers(request, len(questions)), by=request.user)
        except RuleError as exc:
            error, status = str(exc), 422
        else:
            messages.success(request, f"已录入户号 {rating.household.number} 的纸质问卷")
            return redirect("estates:evaluation_paper", pk=evaluation.pk)
    return render(request, "estates/evaluation_paper.html", {
        "evaluation": evaluation, "values": values, "error": error, "scale": PAPER_SCALE,
        "questions": [(i, q, values.get(f"q{i}", "")) for i, q in enumerate(questions)],
        "results": evaluations.results(evaluation)}, status=status)


def _answers(request, n: int) -> list[int]:
    values = [request.POST.get(f"q{i}", "") for i in range(n)]
    if any(v not in ("1", "2", "3", "4", "5") for v in values):
        raise RuleError(ERR_ANSWER.format(n=n))
    return [int(v) for v in values]


@requires(RATE_PROPERTY)
def rate(request):
    """The resident's page: their estate's open evaluations their household has not rated."""
    resident = getattr(request.user, "resident", None)
    pending = evaluations.open_for(resident) if resident is not None else []
    error, status = "", 200
    if request.method == "POST":
        chosen = next((e for e in pending if str(e.pk) == request.POST.get("evaluation")), None)
        try:
            if chosen is None:
                raise RuleError("该评价已结束、您家已评价过,或不是您所在小区的评价")
            evaluations.evaluation_answer(evaluation=chosen, resident=resident,
                                          answers=_answers(request, len(chosen.survey.questions)))
        except RuleError as exc:
            error, status = str(exc), 422
        else:
            messages.success(request, "感谢您的评价,已记入本年度物业服务评价")
            return redirect("estates:rate")
    return render(request, "estates/rate.html", {"pending": pending, "error": error,
                                                 "has_estate": resident is not None
                                                 and evaluations.estate_of(resident) is not None},
                  status=status)


# -- credit and the blacklist ------------------------------------------------------------------------------
@requires(VIEW_ESTATES)
def credit_page(request):
    year = parse_int(request.GET.get("year"), "年度") if (request.GET.get("year") or "").isdigit() else None
    years = sorted(set(CreditRecord.objects.values_list("year", flat=True)), reverse=True)
    year = year if year in years else (years[0] if years else timezone.localdate().year)
    rows = list(CreditRecord.objects.filter(year=year).select_related("firm", "manager__firm").order_by("score"))
    if request.GET.get("format") == "xlsx":
        return xlsx_response(filename=f"物业信用评分-{year}.xlsx", prefix="credit",
                             sheets=[("信用评分", CREDIT_HEADER, (_credit_row(r) for r in rows))])
    try:
        rule = credit.formula()
        rule_error = ""
    except Exception as exc:  # a wrong pack block is shown, not a 500
        rule, rule_error = None, str(exc)
    return render(request, "estates/credit.html", {
        "rows": rows, "year": year, "years": years, "rule": rule, "rule_error": rule_error,
        "can_compute": request.scope.can(MANAGE_BLACKLIST)})


CREDIT_HEADER = ("年度", "对象", "名称", "所属企业", "信用分", "居民评价得分", "评价户数", "投诉得分", "投诉件数",
                 "整改得分", "建议列入黑名单", "政策包", "计算时间")


def _credit_row(r: CreditRecord) -> list:
    """One credit record as the page shows it, its parts in columns (样本不足 where too few households rated)."""
    parts = r.parts or {}
    evaluation = parts.get("evaluation_points")
    return [r.year, "物业企业" if r.firm_id else "项目经理", r.firm.name if r.firm_id else r.manager.name,
            r.firm.name if r.firm_id else r.manager.firm.name, float(r.score),
            "样本不足" if evaluation is None else evaluation, parts.get("ratings", 0), parts.get("complaints_points"),
            parts.get("complaints", 0), parts.get("rectification_points"), "是" if parts.get("warn") else "",
            r.pack_id, timezone.localtime(r.computed_at).strftime("%Y-%m-%d %H:%M")]


@requires(MANAGE_BLACKLIST)
@require_POST
def credit_compute(request):
    try:
        year = parse_int(request.POST.get("year"), "年度", required=True)
        if not 2000 <= year <= timezone.localdate().year:
            raise RuleError("年度须在 2000 年至今年之间")
        n = credit.compute(year=year)
    except RuleError as exc:
        messages.error(request, str(exc))
        return redirect("estates:credit")
    messages.success(request, f"已计算 {year} 年度 {n} 条信用记录")
    return redirect(reverse("estates:credit") + f"?year={year}")


@requires(MANAGE_BLACKLIST)
def blacklist_new(request):
    firms = list(PropertyFirm.objects.order_by("name")[:500])
    managers = list(ProjectManager.objects.select_related("firm").order_by("firm__name", "name")[:2000])
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            subject = p.get("subject", "")
            firm = manager = None
            kind, _, number = subject.partition(":")
            pk = parse_int(number, "列入对象") if number.isdigit() else None
            if kind == "firm" and pk:
                firm = PropertyFirm.objects.filter(pk=pk).first()
            elif kind == "manager" and pk:
                manager = ProjectManager.objects.filter(pk=pk).first()
            entry = credit.blacklist_add(firm=firm, manager=manager, reason=p.get("reason", ""),
                                         listed_on=parse_date(p.get("listed_on"), "列入日期", required=False),
                                         until=parse_date(p.get("until"), "期满日期", required=False), by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, f"已将「{entry.firm.name if entry.firm_id else entry.manager.name}」列入黑名单")
            return redirect("estates:blacklist")
    return render(request, "estates/blacklist_new.html", {"firms": firms, "managers": managers, "error": error,
                                                          "values": request.POST}, status=422 if error else 200)


@requires(VIEW_ESTATES)
def blacklist(request):
    entries = list(BlacklistEntry.objects.select_related("firm", "manager__firm").order_by("-listed_on", "-pk")[:500])
    today = timezone.localdate()
    for e in entries:
        e.in_force = e.active_on(today)
    return render(request, "estates/blacklist.html", {"entries": entries,
                                                      "can_manage": request.scope.can(MANAGE_BLACKLIST)})


@requires(MANAGE_BLACKLIST)
@require_POST
def blacklist_appeal(request, pk):
    try:
        credit.appeal(entry_id=sel._pk(pk), version=parse_int(request.POST.get("version"), "版本") or 0,
                      appeal_text=request.POST.get("appeal_text", ""),
                      on=parse_date(request.POST.get("appealed_on"), "申诉日期", required=False))
    except BlacklistEntry.DoesNotExist:
        raise Http404(sel.NOT_FOUND) from None
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已登记申诉")
    return redirect("estates:blacklist")


@requires(MANAGE_BLACKLIST)
@require_POST
def blacklist_decide(request, pk):
    decision = request.POST.get("decision")
    try:
        credit.appeal_decide(entry_id=sel._pk(pk), version=parse_int(request.POST.get("version"), "版本") or 0,
                             revoke={"revoke": True, "uphold": False}.get(decision),
                             answer=request.POST.get("answer", ""), by=request.user)
    except BlacklistEntry.DoesNotExist:
        raise Http404(sel.NOT_FOUND) from None
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "申诉已处理")
    return redirect("estates:blacklist")


@public
def public_blacklist(request):
    """Firms by name, managers by surname only (张*), with the firm; reasons, dates and appeals."""
    today = timezone.localdate()
    entries = list(BlacklistEntry.objects.select_related("firm", "manager__firm").order_by("-listed_on", "-pk")[:500])
    for e in entries:
        e.in_force = e.active_on(today)
    return render(request, "estates/public_blacklist.html", {"entries": entries})
