"""Pages of cadre supervision. Thin: input through cadres.forms, reads through cadres.selectors (scoped by
the declared capability), writes through cadres.services. A refused write re-renders its page with the
message (422; a stale form 409) and changes nothing."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.cadres import rules, selectors, services
from gongzhi.cadres.forms import (
    ActivistForm, CheckNewForm, CheckRecordForm, FollowUpForm, LinkForm, PlanForm, PledgeFollowUpForm, PledgeForm,
    RateForm, RoundForm, VersionForm, VoidForm,
)
from gongzhi.cadres.manifest import (
    KEEP_PLEDGES, PROPOSE_ACTIVISTS, RATE_CADRES, RUN_CADRE_SUPERVISION, VIEW_CADRES,
)
from gongzhi.cadres.models import (
    AUDIT_FORMS, TALK_FORMS, ActivistOutcome, CheckKind, FollowUp, PledgeState, Recommendation, RoundState, Verdict,
)
from gongzhi.core.errors import RuleError
from gongzhi.core.exports import xlsx_response
from gongzhi.core.forms import first_error, submit
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import requires

PER_PAGE = 30
SHOWN = 500  # rows of who-rated-whom and of the roll on the round page (the rest: the xlsx)


def _may(request, capability, place) -> bool:
    return request.scope.can(capability, place)


def _run_villages(request):
    scope = request.scope.for_capability(RUN_CADRE_SUPERVISION)
    return list(selectors.villages_in(scope)) if scope else []


# -- the overview and the rounds ---------------------------------------------------------------------
@requires(VIEW_CADRES)
def home(request, *, error: str = "", status: int = 200, values=None):
    scope = request.scope
    today = timezone.localdate()
    villages = list(selectors.villages_in(scope).select_related("parent")[:500])
    rounds = list(selectors.rounds_in(scope).exclude(state=RoundState.VOIDED).order_by("-year", "-half", "pk")[:60])
    flagged = list(selectors.flagged_in(scope).order_by("round__community__path", "pk")[:50])
    counts = selectors.check_counts(selectors.checks_in(scope), today)
    run_villages = _run_villages(request)
    return render(request, "cadres/home.html", {
        "villages": villages, "rounds": rounds, "flagged": flagged, "counts": counts, "today": today,
        "run_villages": run_villages, "error": error, "values": values or {"year": today.year,
                                                                         "half": 1 if today.month <= 6 else 2},
        "lines": rules.lines_for(villages[0]) if villages else rules.DEFAULT}, status=status)


@require_POST
@requires(RUN_CADRE_SUPERVISION)
def round_new(request):
    village = selectors.access_village(request.scope, request.POST.get("village", ""))  # 404 outside the scope
    return submit(request, RoundForm(request.POST),
                  lambda d: services.round_open(village=village, year=d["year"], half=d["half"],
                                                opens_on=d["opens_on"], closes_on=d["closes_on"], note=d["note"],
                                                by=request.user),
                  refused=lambda error, status: _as_view(home, request, error=error, status=status,
                                                         values=request.POST),
                  done=lambda rnd: f"已开始 {village.name} {rnd.label}民主评议,参评 {rnd.raters} 人",
                  then=lambda rnd: ("cadres:round", rnd.pk))


def _as_view(page, request, **kwargs):
    """Render another page of this module after a refused write: the page's own `requires` narrows the
    scope again to the capability it reads with (every role that writes here also holds VIEW_CADRES)."""
    return page(request, **kwargs)


def _round_page(request, rnd, *, error: str = "", status: int = 200):
    runs = _may(request, RUN_CADRE_SUPERVISION, rnd.community)
    subjects = list(rnd.subjects.order_by("pk"))
    if rnd.state == RoundState.OPEN:  # the running counts, not yet fixed
        counts = services.tallies(rnd)
        for s in subjects:
            c = counts.get(s.pk, {"satisfied": 0, "basic": 0, "unsatisfied": 0})
            s.satisfied, s.basic, s.unsatisfied = c["satisfied"], c["basic"], c["unsatisfied"]
            s.approval, s.flagged = services.result_of(rnd, s.satisfied, s.basic, s.unsatisfied)
    rated = sum(s.total for s in subjects)
    chart = {"names": [s.name for s in subjects], "satisfied": [s.satisfied for s in subjects],
             "basic": [s.basic for s in subjects], "unsatisfied": [s.unsatisfied for s in subjects],
             "approval": [float(s.approval) if s.approval is not None else None for s in subjects],
             "line": float(rnd.approval_line)}
    return render(request, "cadres/round.html", {
        "rnd": rnd, "subjects": subjects, "runs": runs, "rated": rated, "chart": chart,
        "roll": rnd.roll.select_related("resident").order_by("pk")[:SHOWN] if runs else None,
        "ratings": list(selectors.ratings_with_raters(rnd)[:SHOWN]) if runs else None, "shown": SHOWN,
        "comments": list(selectors.comments(rnd)) if not runs else None,
        "today": timezone.localdate(), "error": error}, status=status)


@requires(VIEW_CADRES)
def round_detail(request, pk):
    return _round_page(request, selectors.access_round(request.scope, pk))


@require_POST
@requires(RUN_CADRE_SUPERVISION)
def round_close(request, pk):
    rnd = selectors.access_round(request.scope, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():  # a broken version is a stale form, not a field to correct
        return _round_page(request, rnd, error=services.ERR_STALE, status=409)

    def closed(rnd):
        flagged = rnd.subjects.filter(flagged=True).count()
        return (f"评议已结束,{flagged} 名干部满意率不超过 {rnd.approval_line}%,已标记" if flagged
                else "评议已结束,结果已固定")
    return submit(request, form, lambda d: services.round_close(rnd=rnd, version=d["version"], by=request.user),
                  refused=lambda error, status: _round_page(request, rnd, error=error, status=status),
                  done=closed, then=("cadres:round", rnd.pk))


@require_POST
@requires(RUN_CADRE_SUPERVISION)
def round_void(request, pk):
    rnd = selectors.access_round(request.scope, pk)
    return submit(request, VoidForm(request.POST),
                  lambda d: services.round_void(rnd=rnd, reason=d["reason"], version=d["version"], by=request.user),
                  refused=lambda error, status: _round_page(request, rnd, error=error, status=status),
                  done="本次评议已作废", then=("cadres:round", rnd.pk))


@requires(VIEW_CADRES)
def round_xlsx(request, pk):
    rnd = selectors.access_round(request.scope, pk)
    header = ["村", "评议", "姓名", "职务", "满意", "基本满意", "不满意", "满意率(%)", f"不超过 {rnd.approval_line}%"]
    rows = [[rnd.community.name, rnd.label, s.name, s.posts, s.satisfied, s.basic, s.unsatisfied,
             "" if s.approval is None else float(s.approval), "是" if s.flagged else ""]
            for s in rnd.subjects.order_by("pk")] if rnd.state == RoundState.CLOSED else []
    sheets = [("评议结果", header, rows)]
    if _may(request, RUN_CADRE_SUPERVISION, rnd.community):  # who rated whom: the town only
        sheets.append(("评议明细", ["干部", "评议人", "参评身份", "评议意见", "意见建议", "修改次数", "时间"],
                       ([r.subject.name, r.rater.resident.name, r.rater.basis_labels(), r.get_verdict_display(),
                         r.comment, r.version - 1, timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M")]
                        for r in selectors.ratings_with_raters(rnd).iterator())))
    return xlsx_response(filename=f"民主评议-{rnd.community.name}-{rnd.year}-{rnd.half}.xlsx", sheets=sheets)


# -- one cadre ---------------------------------------------------------------------------------------
def _cadre_page(request, worker, *, error: str = "", status: int = 200):
    runs = _may(request, RUN_CADRE_SUPERVISION, worker.community)
    from gongzhi.cadres.models import CadreLink, Oversight, Pledge
    from gongzhi.people.models import PersonStatus, Resident
    link = CadreLink.objects.filter(worker=worker).select_related("resident").first()
    same = list(Resident.objects.filter(community_id=worker.community_id, status=PersonStatus.ACTIVE,
                                        name=worker.name).order_by("pk")[:10]) if runs else []
    history = list(selectors.history_of(worker))
    return render(request, "cadres/cadre.html", {
        "worker": worker, "history": history, "runs": runs, "link": link, "same": same,
        "pledges": Pledge.objects.filter(worker=worker).order_by("-year", "-pk"),
        "checks": Oversight.objects.filter(cadres=worker).order_by("-due_on", "-pk"),
        "chart": {"rounds": [s.round.label for s in reversed(history)],
                  "approval": [float(s.approval) if s.approval is not None else None for s in reversed(history)],
                  "line": float(history[0].round.approval_line) if history else None},
        "error": error}, status=status)


@requires(VIEW_CADRES)
def cadre(request, pk):
    return _cadre_page(request, selectors.access_cadre(request.scope, pk))


@require_POST
@requires(RUN_CADRE_SUPERVISION)
def cadre_link(request, pk):
    worker = selectors.access_cadre(request.scope, pk)
    from gongzhi.people.models import PersonStatus, Resident
    choices = Resident.objects.filter(community_id=worker.community_id, status=PersonStatus.ACTIVE,
                                      name=worker.name).order_by("pk")[:10]
    form = LinkForm(request.POST)
    form.fields["resident"].choices = [(str(r.pk), r.name) for r in choices]
    if not form.is_valid():
        return _cadre_page(request, worker, error=first_error(form), status=422)
    try:
        services.cadre_link(worker=worker, resident=choices.get(pk=int(form.cleaned_data["resident"])),
                            by=request.user)
    except RuleError as exc:
        return _cadre_page(request, worker, error=str(exc), status=422)
    messages.success(request, "已指定该干部的居民档案")
    return redirect("cadres:cadre", pk=worker.pk)


# -- audits and talks --------------------------------------------------------------------------------
def _filtered_checks(request):
    qs = selectors.checks_in(request.scope)
    kind = request.GET.get("kind", "")
    if kind in CheckKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    state = request.GET.get("state", "")
    today = timezone.localdate()
    if state == "overdue":
        qs = selectors.overdue(qs, today)
    elif state == "waiting":
        qs = qs.filter(void_reason="", held_on__isnull=True)
    elif state == "held":
        qs = qs.filter(void_reason="", held_on__isnull=False)
    elif state == "follow_up":
        qs = qs.filter(void_reason="", follow_up=FollowUp.PENDING)
    else:
        state = ""
    return qs, kind, state


@requires(VIEW_CADRES)
def checks(request, *, error: str = "", status: int = 200):
    qs, kind, state = _filtered_checks(request)
    today = timezone.localdate()
    page = paginate_by_ids(qs.order_by("held_on", "due_on", "pk") if state != "held" else qs.order_by("-held_on", "-pk"),
                           request.GET.get("page"), PER_PAGE, related=("community",))
    for c in page.object_list:
        c.is_overdue = c.overdue(today)
    prefix = "&".join(p for p in (f"kind={kind}" if kind else "", f"state={state}" if state else "") if p)
    return render(request, "cadres/checks.html", {
        "page": page, "kind": kind, "state": state, "kinds": CheckKind.choices, "today": today,
        "counts": selectors.check_counts(selectors.checks_in(request.scope), today),
        "run_villages": _run_villages(request), "audit_forms": AUDIT_FORMS, "talk_forms": TALK_FORMS,
        "querystring_prefix": prefix + "&" if prefix else "", "error": error}, status=status)


@requires(VIEW_CADRES)
def checks_xlsx(request):
    qs, _, _ = _filtered_checks(request)
    today = timezone.localdate()
    header = ["村", "类别", "形式", "应于", "实际日期", "审计单位/谈话人", "发现的问题", "结论", "整改", "整改要求与情况", "状态"]
    rows = ([c.community.name, c.get_kind_display(), c.get_form_display(), c.due_on, c.held_on, c.by_whom, c.findings,
             c.conclusion, c.get_follow_up_display() if c.follow_up else "", c.follow_up_note,
             "已作废:" + c.void_reason if c.void_reason else ("已开展" if c.held_on else ("逾期未开展" if c.overdue(today)
                                                                                   else "待开展"))]
            for c in qs.order_by("community__path", "due_on", "pk").iterator())
    return xlsx_response(filename="村干部审计与谈话.xlsx", sheets=[("审计与谈话", header, rows)])


@require_POST
@requires(RUN_CADRE_SUPERVISION)
def check_new(request):
    village = selectors.access_village(request.scope, request.POST.get("village", ""))
    return submit(request, CheckNewForm(request.POST),
                  lambda d: services.check_schedule(village=village, kind=d["kind"], form=d["form"],
                                                    due_on=d["due_on"], by_whom=d["by_whom"], by=request.user),
                  refused=lambda error, status: _as_view(checks, request, error=error, status=status),
                  done=lambda check: f"已安排 {village.name} {check.get_kind_display()},应于 {check.due_on:%Y-%m-%d} 前开展",
                  then=lambda check: ("cadres:check", check.pk))


@require_POST
@requires(RUN_CADRE_SUPERVISION)
def checks_plan(request):
    village = selectors.access_village(request.scope, request.POST.get("village", ""))
    return submit(request, PlanForm(request.POST),
                  lambda d: services.checks_plan_year(village=village, year=d["year"], by=request.user),
                  refused=lambda error, status: _as_view(checks, request, error=error, status=status),
                  done=lambda made: f"已为 {village.name} 安排 {len(made)} 项审计和谈话", then=("cadres:checks",))


def _check_page(request, check, *, error: str = "", status: int = 200, posted=None):
    runs = _may(request, RUN_CADRE_SUPERVISION, check.community)
    cadres = list(services.cadres_of(check.community, check.held_on or timezone.localdate())) if runs else []
    record = CheckRecordForm(posted, cadres=cadres) if posted is not None else CheckRecordForm(
        cadres=cadres, initial={"held_on": timezone.localdate(), "by_whom": check.by_whom, "version": check.version,
                                "cadres": [str(w.pk) for w in cadres if w.is_leader]})
    return render(request, "cadres/check.html", {
        "check": check, "runs": runs, "record": record, "today": timezone.localdate(),
        "follow_ups": FollowUp.choices, "talked": list(check.cadres.order_by("pk")),
        "history": check.history.select_related("history_user").order_by("-history_date")[:20],
        "error": error}, status=status)


@requires(VIEW_CADRES)
def check_detail(request, pk):
    return _check_page(request, selectors.access_check(request.scope, pk))


@require_POST
@requires(RUN_CADRE_SUPERVISION)
def check_record(request, pk):
    check = selectors.access_check(request.scope, pk)
    cadres = list(services.cadres_of(check.community, timezone.localdate()))
    return submit(
        request, CheckRecordForm(request.POST, cadres=cadres),
        lambda d: services.check_record(
            check=check, version=d["version"], held_on=d["held_on"], by_whom=d["by_whom"], cadre_ids=d["cadres"],
            findings=d["findings"], conclusion=d["conclusion"], follow_up=d["follow_up"],
            follow_up_note=d["follow_up_note"], follow_up_due=d["follow_up_due"], by=request.user),
        refused=lambda error, status: _check_page(request, check, error=error, status=status, posted=request.POST),
        done=f"已登记{check.get_kind_display()}", then=("cadres:check", check.pk))


@require_POST
@requires(RUN_CADRE_SUPERVISION)
def check_follow_up(request, pk):
    check = selectors.access_check(request.scope, pk)
    return submit(request, FollowUpForm(request.POST),
                  lambda d: services.check_follow_up(check=check, version=d["version"], follow_up=d["follow_up"],
                                                     follow_up_note=d["follow_up_note"], by=request.user),
                  refused=lambda error, status: _check_page(request, check, error=error, status=status),
                  done="整改情况已更新", then=("cadres:check", check.pk))


@require_POST
@requires(RUN_CADRE_SUPERVISION)
def check_void(request, pk):
    check = selectors.access_check(request.scope, pk)
    return submit(request, VoidForm(request.POST),
                  lambda d: services.check_void(check=check, reason=d["reason"], version=d["version"], by=request.user),
                  refused=lambda error, status: _check_page(request, check, error=error, status=status),
                  done="已作废", then=("cadres:check", check.pk))


# -- pledges -----------------------------------------------------------------------------------------
@requires(VIEW_CADRES)
def pledges(request, *, error: str = "", status: int = 200, posted=None):
    qs = selectors.pledges_in(request.scope)
    year = request.GET.get("year", "")
    if year.isascii() and year.isdigit() and len(year) == 4:
        qs = qs.filter(year=int(year))
    else:
        year = ""
    keep = request.scope.for_capability(KEEP_PLEDGES)
    cadres = []
    if keep:
        cadres = list(services.cadres_serving_in(selectors.villages_in(keep))[:2000])
    keepable = {w.community_id for w in cadres}
    rows = list(qs.order_by("-year", "community__path", "pk")[:300])
    for p in rows:
        p.keepable = p.community_id in keepable or (keep and keep.contains(p.community))
    return render(request, "cadres/pledges.html", {
        "rows": rows, "year": year, "may_keep": bool(keep),
        "form": PledgeForm(posted, cadres=cadres) if posted is not None else PledgeForm(
            cadres=cadres, initial={"year": timezone.localdate().year, "made_on": timezone.localdate()}),
        "states": PledgeState.choices, "today": timezone.localdate(), "error": error}, status=status)


@require_POST
@requires(KEEP_PLEDGES)
def pledge_new(request):
    worker = selectors.access_cadre(request.scope, request.POST.get("worker"))  # 404 outside the scope
    return submit(request, PledgeForm(request.POST, cadres=[worker]),
                  lambda d: services.pledge_add(worker=worker, year=d["year"], made_on=d["made_on"], text=d["text"],
                                                by=request.user),
                  refused=lambda error, status: _as_view(pledges, request, error=error, status=status,
                                                         posted=request.POST),
                  done="公开承诺已登记,将在村务公开栏公布", then=("cadres:pledges",))


@require_POST
@requires(KEEP_PLEDGES)
def pledge_follow_up(request, pk):
    pledge = selectors.access_pledge(request.scope, pk)
    return submit(request, PledgeFollowUpForm(request.POST),
                  lambda d: services.pledge_follow_up(pledge=pledge, version=d["version"], state=d["state"],
                                                      note=d["note"], checked_on=d["checked_on"], by=request.user),
                  refused=lambda error, status: _as_view(pledges, request, error=f"{pledge.name}:{error}",
                                                         status=status),
                  done=f"已更新 {pledge.name} 的承诺兑现情况", then=("cadres:pledges",))


@require_POST
@requires(KEEP_PLEDGES)
def pledge_void(request, pk):
    pledge = selectors.access_pledge(request.scope, pk)
    return submit(request, VoidForm(request.POST),
                  lambda d: services.pledge_void(pledge=pledge, reason=d["reason"], version=d["version"],
                                                 by=request.user),
                  refused=lambda error, status: _as_view(pledges, request, error=f"{pledge.name}:{error}",
                                                         status=status),
                  done="承诺已作废", then=("cadres:pledges",))


# -- party activists ---------------------------------------------------------------------------------
@requires(VIEW_CADRES)
def activists(request, *, error: str = "", status: int = 200, values=None):
    propose = request.scope.for_capability(PROPOSE_ACTIVISTS)
    villages = list(selectors.villages_in(propose)) if propose else []
    rows = list(selectors.activists_in(request.scope).order_by("-held_on", "-pk")[:200])
    sample = villages[0] if villages else selectors.villages_in(request.scope).first()
    return render(request, "cadres/activists.html", {
        "rows": rows, "villages": villages, "recommendations": Recommendation.choices, "error": error,
        "values": values or {}, "lines": rules.lines_for(sample) if sample else rules.DEFAULT,
        "refused": ActivistOutcome.REFUSED}, status=status)


@require_POST
@requires(PROPOSE_ACTIVISTS)
def activist_new(request):
    village = selectors.access_village(request.scope, request.POST.get("village", ""))
    form = ActivistForm(request.POST)
    try:
        if not form.is_valid():
            raise RuleError(first_error(form))
        d = form.cleaned_data
        resident = selectors.find_villager(village, d["name"], d["id_tail"])
        review = services.activist_review(
            village=village, resident=resident, recommended_by=d["recommended_by"], held_on=d["held_on"],
            attendees=d["attendees"], votes_for=d["votes_for"], votes_against=d["votes_against"],
            abstentions=d["abstentions"], by=request.user)
    except RuleError as exc:
        return _as_view(activists, request, error=str(exc), status=422, values=request.POST)
    if review.outcome == ActivistOutcome.REFUSED:
        messages.warning(request, f"{review.name} 赞成票 {review.approval}%,不超过 {review.line}%,不能确定为入党积极分子(已登记)")
    else:
        messages.success(request, f"{review.name} 赞成票 {review.approval}%,确定为入党积极分子")
    return redirect("cadres:activists")


# -- the villager rates ------------------------------------------------------------------------------
def _mine_page(request, *, error: str = "", status: int = 200):
    entries = list(selectors.rounds_for(request.user))
    today = timezone.localdate()
    resident = getattr(request.user, "resident", None)
    blocks = []
    for entry in entries:
        rnd = entry.round
        mine = {r.subject_id: r for r in entry.ratings.all()}
        subjects = list(rnd.subjects.order_by("pk"))
        for s in subjects:
            s.mine = mine.get(s.pk)
            s.is_me = resident is not None and s.resident_id == resident.pk
        blocks.append({"rnd": rnd, "entry": entry, "subjects": subjects, "open": rnd.window_open(today),
                       "done": sum(1 for s in subjects if s.mine), "due": sum(1 for s in subjects if not s.is_me)})
    return render(request, "cadres/mine.html", {"blocks": blocks, "verdicts": Verdict.choices, "error": error,
                                                "resident": resident, "today": today}, status=status)


@requires(RATE_CADRES)
def mine(request):
    return _mine_page(request)


@require_POST
@requires(RATE_CADRES)
def rate(request, pk):
    subject, _ = selectors.access_my_subject(request.user, pk)
    return submit(request, RateForm(request.POST),
                  lambda d: services.rate(subject=subject, resident=request.user.resident, by=request.user,
                                          verdict=d["verdict"], comment=d["comment"], version=d["version"] or 0),
                  refused=lambda error, status: _mine_page(request, error=error, status=status),
                  done=f"已评议 {subject.name}", then=("cadres:mine",))

