"""Election pages: the coverage table (and its xlsx), opening a term's elections, one election with
every step, its roll, one POST endpoint per step, the board PDFs, and a resident's own page.
Thin: reads through selectors, writes through services; a broken rule is shown in Chinese and
changes nothing."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core import job_files, jobs
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.forms import refusal_status
from gongzhi.core.exports import KEEP_HOURS, query_without_page, xlsx_response
from gongzhi.core.models import AccessAction, Job, JobStatus
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import requires
from gongzhi.core.validators import ERR_CONTROL, has_control_characters
from gongzhi.elections import pdf, selectors, services, tally_sheet
from gongzhi.elections.manifest import (
    PLAN_ELECTIONS,
    RUN_ELECTIONS,
    SEE_MY_ELECTION,
    VIEW_ELECTIONS,
)
from gongzhi.elections.models import (
    Body,
    CommitteeRole,
    ExclusionKind,
    Method,
    Nomination,
    Post,
    ProbationOutcome,
    State,
    StationKind,
    Tally,
    TallyLine,
    Voter,
)
from gongzhi.people import selectors as people_selectors
from gongzhi.places.models import Level, Place

NOT_FOUND = "未找到或无权访问"


# -- the coverage table ---------------------------------------------------------------------------
def _coverage_context(request):
    qs, f = selectors.coverage_from_query(request.scope, request.GET)
    return qs, f


@requires(VIEW_ELECTIONS)
def election_list(request):
    qs, f = _coverage_context(request)
    page = paginate_by_ids(qs, request.GET.get("page"), 50, related=("community", "street"))
    for e in page.object_list:
        e.local_share = selectors.local_share(e)
        e.turnout_share = selectors.turnout_share(e)
    query = query_without_page(request.GET)
    return render(request, "elections/list.html", {
        "page": page, "f": f, "states": State.choices, "bodies": Body.choices,
        "summary": selectors.coverage_summary(qs), "query": query,
        "querystring_prefix": query + ("&" if query else ""),
        "can_plan": bool(request.scope.for_capability(PLAN_ELECTIONS).assignments),
        "can_run": bool(request.scope.for_capability(RUN_ELECTIONS).assignments),
        "probations_due": selectors.probations_in(request.scope, "due").count(),
    })


COVERAGE_HEADER = ("社区(村)", "街道(镇)", "届次", "选举对象", "选举方式", "状态", "推选选举委员会", "公布选民名单",
                   "公布候选人", "选举日", "登记选民", "参加投票", "投票率%", "当选人数", "本社区居民占比%")


@requires(VIEW_ELECTIONS)
def coverage_xlsx(request):
    qs, f = _coverage_context(request)

    def rows():
        for e in qs.iterator(chunk_size=500):
            yield (e.community.name, e.street.name, e.term, e.get_body_display(), e.get_method_display(),
                   e.get_state_display(), e.committee_on, e.roll_on, e.candidates_on, e.election_day, e.voters,
                   e.turnout, selectors.turnout_share(e), e.n_elected, selectors.local_share(e))

    return xlsx_response(filename="换届选举情况.xlsx", sheets=[("换届选举", COVERAGE_HEADER, rows())],
                         prefix="elections")


# -- opening a term's elections ---------------------------------------------------------------------
def _date(value, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise RuleError(f"「{label}」请填写日期(年-月-日)") from None


@requires(PLAN_ELECTIONS)
def election_plan(request):
    streets = selectors.streets_for(request.scope)
    if not streets:
        raise PermissionDenied("只有街道(镇)可以部署换届选举")
    by_code = {s.code: s for s in streets}
    code = request.POST.get("street_code") or request.GET.get("street_code") or streets[0].code
    street = by_code.get(code)
    if street is None:
        raise Http404(NOT_FOUND)
    communities = list(Place.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code"))
    error, values = "", request.POST
    if request.method == "POST":
        chosen_codes = set(request.POST.getlist("community_codes"))
        chosen = [c for c in communities if c.code in chosen_codes]
        if chosen_codes - {c.code for c in communities}:
            raise Http404(NOT_FOUND)
        try:
            if not chosen:
                raise RuleError("请至少选择一个社区(村)")
            term = int(request.POST.get("term") or 0)
            if not 2000 <= term <= 2100:
                raise RuleError("「届次年份」请填写四位年份")
            body = request.POST.get("body") or Body.RESIDENTS
            method = request.POST.get("method") or Method.DIRECT
            if body not in Body.values or method not in Method.values:
                raise RuleError("请选择选举对象和选举方式")
            made = services.election_open(
                street=street, communities=chosen, term=term, body=body, method=method,
                committee_on=_date(request.POST.get("committee_on"), "推选选举委员会日期"),
                roll_on=_date(request.POST.get("roll_on"), "选民名单公布日期"),
                candidates_on=_date(request.POST.get("candidates_on"), "候选人名单公布日期"),
                election_day=_date(request.POST.get("election_day"), "选举日"), by=request.user)
        except (RuleError, ValueError) as exc:
            error = str(exc) if isinstance(exc, RuleError) else "「届次年份」请填写四位年份"
        else:
            messages.success(request, f"已为 {len(made)} 个社区(村)开启换届选举")
            return redirect(f"/elections/?term={term}")
    today = timezone.localdate()
    return render(request, "elections/plan.html", {
        "street": street, "streets": streets, "communities": communities, "error": error, "values": values,
        "bodies": Body.choices, "methods": Method.choices, "year": today.year,
    }, status=422 if error else 200)


# -- one election ---------------------------------------------------------------------------------
@requires(VIEW_ELECTIONS)
def election_detail(request, pk):
    election = selectors.access_election(request.scope, pk)
    can_run = request.scope.can(RUN_ELECTIONS, election.community)
    stations = list(election.stations.all())
    tallies = {t.station_id: t for t in Tally.objects.filter(station__in=stations, round=election.round)}
    round_candidates = selectors.candidates_by_post(election, election.round)
    entered, written = {}, {}
    for ln in TallyLine.objects.filter(tally__in=tallies.values()).select_related("tally"):
        if ln.candidate_id:
            key = (ln.tally.station_id, ln.candidate_id)
            entered[key] = entered.get(key, 0) + ln.votes
        else:
            written.setdefault(ln.tally.station_id, []).append((ln.write_in, ln.post, ln.votes))
    # one grouped count over the partial index on station, not one query per station
    signed = dict(Voter.objects.filter(station__in=stations, voted=True).values("station_id")
                  .annotate(n=Count("pk")).order_by().values_list("station_id", "n"))
    for s in stations:
        s.tally = tallies.get(s.pk)
        s.signed_count = signed.get(s.pk, 0)
        # an edit shows what was entered: a form of zeros would wipe the station's count on save
        s.vote_inputs = [(c, entered.get((s.pk, c.pk), 0)) for c in round_candidates]
        names = written.get(s.pk, [])
        s.write_in_inputs = list(enumerate(names + [("", "", 0)] * max(2 - len(names), 1), start=1))
    return render(request, "elections/detail.html", {
        "e": election, "can_run": can_run, "committee": list(election.committee.all()),
        "roll": selectors.latest_roll(election), "roll_versions": list(election.roll_versions.all()),
        "changes": list(election.roll_changes.select_related("voter__resident").order_by("-at")[:50]),
        "objections": list(election.objections.all()),
        "applications": list(election.applications.select_related("resident")),
        "exclusions": list(election.exclusions.select_related("resident")),
        "candidates": selectors.candidates_by_post(election), "round_candidates": round_candidates,
        "lists": list(election.candidate_lists.order_by("round")), "stations": stations,
        "events": list(election.events.select_related("by").order_by("-at", "-id")[:30]),
        "elected": services.elected(election), "write_ins": _write_in_totals(election),
        "round_write_ins": services.write_ins(election) if election.state in (State.VOTING, State.RUNOFF) else [],
        "posts": Post.choices, "nominations": Nomination.choices, "committee_roles": CommitteeRole.choices,
        "exclusion_kinds": ExclusionKind.choices, "station_kinds": StationKind.choices, "State": State,
        "turnout_share": selectors.turnout_share(election),
    })


def _write_in_totals(election):
    from django.db.models import Sum

    from gongzhi.elections.models import TallyLine
    return list(TallyLine.objects.filter(tally__station__election=election, candidate__isnull=True)
                .values("tally__round", "post", "write_in").annotate(n=Sum("votes")).order_by("tally__round", "-n"))


@requires(VIEW_ELECTIONS)
def roll(request, pk):
    election = selectors.access_election(request.scope, pk)
    q = (request.GET.get("q") or "").strip()[:20]
    away = request.GET.get("away") == "1"
    page = paginate_by_ids(selectors.roll_rows(election, q, away), request.GET.get("page"), 100,
                           related=("resident", "resident__household"))
    absences = selectors.away_of(page.object_list)
    for v in page.object_list:
        v.absence = absences.get(v.resident_id)
    prefix = "&".join(x for x in (f"q={q}" if q else "", "away=1" if away else "") if x)
    return render(request, "elections/roll.html", {"e": election, "page": page, "q": q, "away": away,
                                                   "away_count": selectors.away_count(election),
                                                   "querystring_prefix": f"{prefix}&" if prefix else ""})


# -- the steps (POST) -----------------------------------------------------------------------------
def _resident(election, request, field="id_number"):
    raw = (request.POST.get(field) or "").strip()
    if not raw:
        raise RuleError("请填写公民身份号码")
    try:
        _, resident = people_selectors.active_resident_by_id_number(
            raw, election.community.residents.all())
    except ValueError as exc:
        raise RuleError(f"公民身份号码:{exc}") from None
    if resident is None:
        raise RuleError(f"{election.community.name}没有在册居民的公民身份号码为 {raw[:6]}…")
    return resident


def _voter(election, value):
    try:
        return election.roll.select_related("resident").get(pk=int(value), active=True)
    except (TypeError, ValueError, election.roll.model.DoesNotExist):
        raise RuleError(services.ERR_NOT_VOTER) from None


def _station(election, value):
    try:
        return election.stations.get(pk=int(value))
    except (TypeError, ValueError, election.stations.model.DoesNotExist):
        raise RuleError("请选择投票点") from None


def _no_control_characters(post) -> None:
    """Every step's form is plain text: a control character (a NUL, which PostgreSQL cannot store, or
    an escape sequence) in any field is refused by name before anything is written."""
    for name, values in post.lists():
        if name != "csrfmiddlewaretoken" and any(has_control_characters(v) for v in values):
            raise RuleError(f"「{FIELD_LABELS.get(name, name)}」{ERR_CONTROL}")


FIELD_LABELS = {"raised_by": "异议人", "text": "内容", "name": "姓名或名称", "reason": "理由", "answer": "答复",
                "chosen_by": "推选方式", "basis_text": "依据", "nomination": "提名方式", "post": "职务",
                "note": "考察意见", "id_number": "公民身份号码", "until": "延长至", "outcome": "考察结果"}


WRITE_IN_INPUTS = 12  # written-in names one station's form may carry


def _act(election, action: str, request) -> str:
    by, p = request.user, request.POST
    if action == "committee":
        resident = _resident(election, request) if p.get("id_number") else None
        role = p.get("role") if p.get("role") in CommitteeRole.values else CommitteeRole.MEMBER
        m = services.committee_add(election=election, name=p.get("name", ""), role=role, resident=resident,
                                   chosen_by=p.get("chosen_by", ""), by=by)
        return f"已记录选举委员会{m.get_role_display()} {m.name}"
    if action == "roll_build":
        n = services.roll_build(election=election, by=by)
        return f"已按今天的人员登记生成选民名单:{n} 人"
    if action == "roll_publish":
        v = services.roll_publish(election=election, by=by)
        return f"选民名单第 {v.number} 版已公布,共 {v.count} 人"
    if action == "voter_add":
        resident = _resident(election, request)
        services.voter_add(election=election, resident=resident, reason=p.get("reason", ""), by=by)
        return f"已将 {resident.name} 登记为选民"
    if action == "voter_remove":
        voter = _voter(election, p.get("voter"))
        services.voter_remove(election=election, voter=voter, reason=p.get("reason", ""), by=by)
        return f"已将 {voter.resident.name} 移出选民名单"
    if action == "application":
        resident = _resident(election, request)
        a = services.application_decide(election=election, resident=resident,
                                        approved=p.get("decision") == "approved", by=by)
        return f"{resident.name} 的登记申请:{a.get_decision_display()}"
    if action == "exclusion":
        resident = _resident(election, request)
        kind = p.get("kind") if p.get("kind") in ExclusionKind.values else ExclusionKind.DEPRIVED
        services.exclusion_add(election=election, resident=resident, kind=kind, basis_text=p.get("basis_text", ""),
                               by=by)
        return f"已记录 {resident.name} 不列入选民名单的决定"
    if action == "objection":
        services.objection_add(election=election, raised_by=p.get("raised_by", ""), text=p.get("text", ""), by=by)
        return "异议已登记,请在三日内答复"
    if action == "answer":
        try:
            objection = election.objections.get(pk=int(p.get("objection") or 0))
        except (ValueError, election.objections.model.DoesNotExist):
            raise Http404(NOT_FOUND) from None
        services.objection_answer(election=election, objection=objection, answer=p.get("answer", ""), by=by)
        return "异议已答复"
    if action == "nominate":
        resident = _resident(election, request)
        nominators = services._int(p.get("nominators") or 0, "提名人数")
        c = services.candidate_nominate(election=election, resident=resident, post=p.get("post", ""),
                                        nomination=p.get("nomination", ""), nominators=nominators,
                                        leave_committee=bool(p.get("leave_committee")), by=by)
        return f"{c.name} 已提名为{c.get_post_display()}候选人"
    if action == "candidates_publish":
        listing = services.candidates_publish(election=election, by=by)
        return f"候选人名单已公布,公示期至 {listing.notice_ends}"
    if action == "station":
        kind = p.get("kind") if p.get("kind") in StationKind.values else StationKind.STATION
        s = services.station_add(election=election, kind=kind, name=p.get("name", ""), by=by)
        return f"已设立{s.get_kind_display()} {s.name}"
    if action == "voting_open":
        services.voting_open(election=election, by=by)
        return "投票已开始"
    if action == "turnout":
        station = _station(election, p.get("station"))
        resident = _resident(election, request)
        voter = election.roll.filter(resident=resident, active=True).first()
        if voter is None:
            raise RuleError(services.ERR_NOT_VOTER)
        proxies = []
        for field in ("proxy_1", "proxy_2", "proxy_3", "proxy_4"):
            if p.get(field):
                r = _resident(election, request, field)
                pv = election.roll.filter(resident=r, active=True).first()
                if pv is None:
                    raise RuleError(f"委托人 {r.name} 不在选民名单上")
                if pv.pk == voter.pk:
                    raise RuleError(services.ERR_PROXY_SELF)
                proxies.append(pv)
        services.turnout_record(election=election, voter=voter, station=station, proxy_for=proxies, by=by)
        return f"已登记 {resident.name} 投票" + (f",代 {len(proxies)} 人投票" if proxies else "")
    if action == "tally":
        station = _station(election, p.get("station"))
        votes = {c.pk: p.get(f"c{c.pk}", "0") for c in election.candidates.filter(round=election.round)}
        write_ins = [(p.get(f"w{i}_name", ""), p.get(f"w{i}_post", ""), p.get(f"w{i}_votes", "0"))
                     for i in range(1, WRITE_IN_INPUTS + 1)]
        version = p.get("version")
        services.tally_enter(election=election, station=station, ballots=p.get("ballots", ""),
                             invalid=p.get("invalid", ""), votes=votes, write_ins=write_ins,
                             version=int(version) if (version or "").isdigit() else None, by=by)
        return f"{station.name}的计票结果已录入"
    if action in ("write_in_confirm", "write_in_reject"):
        name, post = (p.get("name") or "").strip()[:50], p.get("post", "")
        if action == "write_in_confirm":
            resident = _resident(election, request)
            services.write_in_confirm(election=election, name=name, post=post, resident=resident, by=by)
            return f"「{name}」已核实为选民 {resident.name},其得票计入"
        services.write_in_reject(election=election, name=name, post=post, reason=p.get("reason", ""), by=by)
        return f"「{name}」的得票不计入任何人"
    if action == "count":
        e = services.count(election=election, by=by)
        return {State.DONE: "计票完成,选举有效", State.INVALID: "计票完成:参加投票人数未过半数,选举无效",
                State.RUNOFF: "当选人数不足,已生成另行选举的候选人和选票"}.get(e.state, "计票完成")
    if action == "result_publish":
        services.result_publish(election=election, by=by)
        return "选举结果已公布,已写入社区台账"
    raise Http404(NOT_FOUND)


@require_POST
@requires(RUN_ELECTIONS)
def election_act(request, pk, action):
    election = selectors.access_election(request.scope, pk)
    try:
        _no_control_characters(request.POST)
        text = _act(election, action, request)
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, text)
    return redirect("elections:detail", election.pk)


# -- counting night: every station's count from one sheet ------------------------------------------
TALLY_SHEET_BYTES = 5 * 1024 * 1024  # a district's 2,000 stations fill under 1 MB


def _tallies_context(request, **extra):
    running = tally_sheet.counting(selectors.elections_in(request.scope))
    return {"running": running, "pending": sum(e.n_stations - e.n_tallied for e in running),
            "ready": [e for e in running if e.n_stations and e.n_tallied == e.n_stations], **extra}


@requires(RUN_ELECTIONS)
def tallies(request):
    """The counting page: the running elections and their stations counted; the sheet's download and
    upload; counting every election whose stations are all in, at once."""
    if request.method != "POST":
        return render(request, "elections/tallies.html", _tallies_context(request))
    from gongzhi.people.import_sources import ImportFileError

    upload = request.FILES.get("file")
    error_lines, status = [], 422
    if upload is None:
        error_lines = ["请选择填好的计票汇总表(.xlsx)"]
    elif upload.size > TALLY_SHEET_BYTES:
        error_lines = [f"文件「{upload.name[:60]}」超过 {TALLY_SHEET_BYTES // (1024 * 1024)} MB,不是本页的计票汇总表"]
    else:
        # the reader's refusals name the file: keep the user's own name, made safe for a path
        name = re.sub(r"[^\w.()()-]", "_", Path(upload.name).name).lstrip(".")[-80:] or "tallies.xlsx"
        with job_files.scratch(name) as path:
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                entries = tally_sheet.read(path, elections=selectors.elections_in(request.scope),
                                           display_name=upload.name[:60])
                n = services.tallies_enter(entries=entries, by=request.user)
            except tally_sheet.TallySheetError as exc:
                error_lines = exc.lines + ([f"另有 {exc.more} 处错误"] if exc.more else [])
            except ImportFileError as exc:
                error_lines = [str(exc)]
            except (RuleError, ConflictError) as exc:
                error_lines, status = [str(exc)], refusal_status(exc)
            else:
                messages.success(request, f"已录入 {n} 个投票点的计票结果")
                return redirect("elections:tallies")
    return render(request, "elections/tallies.html", _tallies_context(request, error_lines=error_lines),
                  status=status)


@requires(RUN_ELECTIONS)
def tallies_template(request):
    stations = tally_sheet.pending_stations(selectors.elections_in(request.scope))
    return xlsx_response(filename="计票汇总表.xlsx", sheets=[("计票", tally_sheet.HEADER,
                                                        tally_sheet.template_rows(stations))],
                         prefix="elections")


@require_POST
@requires(RUN_ELECTIONS)
def tallies_count(request):
    """Count every running election of the caller whose stations are all in (one transaction)."""
    ready = _tallies_context(request)["ready"]
    if not ready:
        messages.error(request, "没有所有投票点都已录入计票结果的选举")
        return redirect("elections:tallies")
    try:
        counted = services.counts(elections=ready, by=request.user)
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        states = Counter(e.state for e in counted)
        messages.success(request, f"已计票 {len(counted)} 个选举:选举有效 {states[State.DONE]} 个,"
                                  f"另行选举 {states[State.RUNOFF]} 个,选举无效 {states[State.INVALID]} 个")
    return redirect("elections:tallies")


# -- probation of new party-branch members (P-GOV-9) -----------------------------------------------
@requires(VIEW_ELECTIONS)
def probations(request):
    status = request.GET.get("status", "")
    status = status if status in dict(selectors.PROBATION_STATUSES) else ""
    qs = selectors.probations_in(request.scope, status)
    page = paginate_by_ids(qs, request.GET.get("page"), 50, related=("election__community", "candidate"))
    today = timezone.localdate()
    for p in page.object_list:
        p.due = not p.outcome and p.ends_on <= today
        p.can_decide = p.due and request.scope.can(PLAN_ELECTIONS, p.election.community)
    return render(request, "elections/probations.html", {
        "page": page, "status": status, "statuses": selectors.PROBATION_STATUSES, "outcomes": ProbationOutcome.choices,
        "due": selectors.probations_in(request.scope, "due").count(),
        "querystring_prefix": f"status={status}&" if status else "",
    })


@require_POST
@requires(PLAN_ELECTIONS)
def probation_decide(request, pk):
    probation = selectors.probations_in(request.scope).filter(pk=pk).first()
    if probation is None:
        raise Http404(NOT_FOUND)
    p = request.POST
    try:
        _no_control_characters(p)
        until = _date(p.get("until"), "延长至") if p.get("outcome") == "extend" else None
        version = p.get("version")
        done = services.probation_decide(probation=probation, outcome=p.get("outcome", ""), note=p.get("note", ""),
                                         until=until, version=int(version) if (version or "").isdigit() else None,
                                         by=request.user)
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{done.name}:" + (done.get_outcome_display() if done.outcome
                                                       else f"试用期延长至 {done.ends_on:%Y-%m-%d}"))
    return redirect(reverse("elections:probations") + "?status=due")


# -- the board PDFs (A3) --------------------------------------------------------------------------
def _pdf(request, election, template, title, context, logged: bool):
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from gongzhi.core.templatetags.gongzhi_print import printing_unit
    body = pdf.board(election=election, template=template, title=title, unit=printing_unit(request.scope),
                     context=context)
    if logged:
        access_log_write(user=request.user, action=AccessAction.EXPORT, target=f"{election}",
                         detail=f"{title} PDF", request=request)
    return HttpResponse(body, content_type="application/pdf", headers={
        "Content-Disposition": content_disposition_header(True, pdf.filename(election, title))})


@requires(VIEW_ELECTIONS)
def roll_pdf(request, pk):
    """The roll's board; a long one is typeset on the queue while a page shows its state."""
    from gongzhi.core.templatetags.gongzhi_print import printing_unit
    election = selectors.access_election(request.scope, pk)
    version = selectors.latest_roll(election)
    if version is None:
        raise Http404("选民名单尚未公布")
    if version.count > pdf.ROLL_PDF_BACKGROUND:
        from gongzhi.elections.tasks import start_roll_job
        job = start_roll_job(user=request.user, election=election, version=version, unit=printing_unit(request.scope))
        return redirect("elections:pdf_job", pk=job.pk)
    return _pdf(request, election, "elections/roll_print.html", "选民名单", {"version": version}, logged=True)


def _own_pdf_job(request, pk) -> Job:
    """The caller's own board jobs only: anyone else's looks absent."""
    job = jobs.owned(request.user, pk, pdf.JOB_KIND)
    if job is None:
        raise Http404("未找到该任务")
    return job


@requires(VIEW_ELECTIONS)
def pdf_job(request, pk):
    """The queued board's state (the page refreshes itself); its download once ready."""
    job = _own_pdf_job(request, pk)
    running = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    template = "elections/pdf_progress.html" if request.htmx else "elections/pdf_job.html"
    return render(request, template, {
        "job": job, "running": running, "ready": job.status == JobStatus.DONE and job_files.exists(job.result_path),
        "estimate": max(1, round((job.total or 0) * pdf.SECONDS_PER_VOTER)), "keep_hours": KEEP_HOURS})


@requires(VIEW_ELECTIONS)
def pdf_download(request, pk):
    """The board, once (it lists names and masked ID numbers): the download is written to the access log."""
    from django.http import FileResponse
    job = _own_pdf_job(request, pk)
    if job.status != JobStatus.DONE or not job_files.exists(job.result_path):
        raise Http404("文件已下载,或已超过保留期限被删除,请重新打印")
    access_log_write(user=request.user, action=AccessAction.EXPORT, target=job.input_name[:-4],
                     detail="选民名单 PDF", request=request)
    return FileResponse(job_files.download_once(job.result_path), as_attachment=True, filename=job.input_name,
                        content_type="application/pdf")


@requires(VIEW_ELECTIONS)
def candidates_pdf(request, pk):
    election = selectors.access_election(request.scope, pk)
    lists = list(election.candidate_lists.order_by("round"))
    if not lists:
        raise Http404("候选人名单尚未公布")
    return _pdf(request, election, "elections/candidates_print.html", "候选人名单", {"lists": lists}, logged=False)


@requires(VIEW_ELECTIONS)
def result_pdf(request, pk):
    election = selectors.access_election(request.scope, pk)
    if election.state not in (State.DONE, State.INVALID):
        raise Http404("选举尚未计票完成")
    return _pdf(request, election, "elections/result_print.html", "选举结果公告",
                {"elected": services.elected(election), "candidates": selectors.candidates_by_post(election),
                 "write_ins": _write_in_totals(election)}, logged=False)


# -- a resident's own page ------------------------------------------------------------------------
@requires(SEE_MY_ELECTION)
def mine(request):
    items = []
    for e in selectors.my_elections(request.scope).order_by("-term", "body"):
        items.append({"e": e, "roll": selectors.latest_roll(e), "entry": selectors.my_entry(request.user, e),
                      "lists": list(e.candidate_lists.order_by("round")),
                      "elected": services.elected(e) if e.result_published_at else []})
    return render(request, "elections/mine.html", {"items": items})


@requires(SEE_MY_ELECTION)
def mine_roll(request, pk):
    """The published roll of the resident's own community (names, as on the board)."""
    election = selectors.access_election(request.scope, pk)
    version = selectors.latest_roll(election)
    if version is None:
        raise Http404("选民名单尚未公布")
    rows = [r[0] for r in version.rows]
    return render(request, "elections/mine_roll.html", {"e": election, "version": version, "names": rows})

