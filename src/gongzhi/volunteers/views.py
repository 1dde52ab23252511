"""Pages of the volunteers module (thin: reads through selectors, writes through services).
Residents: 我的志愿服务, an activity, the QR check-in, certificates, points. Staff: activities, the
organiser's check-in page with the QR code, confirming hours, the roster, the yearly report."""
from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import RuleError
from gongzhi.core.exports import xlsx_response
from gongzhi.core.forms import submit
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import public, requires
from gongzhi.core.templatetags.gongzhi_print import PLATFORM
from gongzhi.people.models import Resident
from gongzhi.volunteers import selectors as sel
from gongzhi.volunteers import services as svc
from gongzhi.volunteers import stars
from gongzhi.volunteers.forms import Posted
from gongzhi.volunteers.manifest import (
    KEEP_TIME_BANK, RUN_VOLUNTEERING, VIEW_VOLUNTEER_REPORT, VIEW_VOLUNTEERS, VOLUNTEER_SELF,
)
from gongzhi.volunteers.models import SKILLS, Availability, Grade, HonourLevel, Offer, SignUp, SignUpState

SKILL_FIELD = "skills"


def _community_posted(request, communities):
    """The community named by the form's `place_code`: one of the caller's, 404 for any other
    (out of scope looks like absent), a RuleError when none was chosen."""
    code = (request.POST.get("place_code") or "").strip()
    if not code:
        raise RuleError("请选择社区")
    community = next((c for c in communities if c.code == code), None)
    if community is None:
        raise Http404(sel.NOT_FOUND)
    return community


def _local_input(raw: str) -> dt.datetime | None:
    """`<input type=datetime-local>` value (2026-03-01T09:00) as an aware time, None when malformed."""
    try:
        value = dt.datetime.fromisoformat((raw or "").strip()[:16])
    except ValueError:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# -- the resident ------------------------------------------------------------------------------------
ERR_NO_RESIDENT = "此页面只对绑定了居民身份的账号开放"


def _resident(request):
    resident = getattr(request.user, "resident", None)
    if resident is None:
        raise PermissionDenied(ERR_NO_RESIDENT)
    return resident


@requires(VOLUNTEER_SELF)
def mine(request):
    resident = _resident(request)
    volunteer = sel.my_volunteer(request.user)
    ctx = {"resident": resident, "volunteer": volunteer, "skills": SKILLS, "availabilities": Availability.choices}
    if volunteer is not None:
        now = timezone.now()
        records = sel.my_records(volunteer)
        mine_ids = {r.activity_id for r in records if r.state == SignUpState.SIGNED}
        balance, entries = sel.points_of(volunteer)
        ctx.update({
            "current": volunteer.left_on is None,
            "star": stars.star_of(volunteer.hours), "star_label": stars.star_label(stars.star_of(volunteer.hours)),
            "next_star": stars.next_star(volunteer.hours), "by_year": sel.hours_by_year(volunteer),
            "records": records, "certificates": sel.my_certificates(volunteer), "balance": balance,
            "entries": entries, "offers": Offer.objects.filter(community=volunteer.community, active=True)[:30],
            "open": [a for a in sel.activities_in(request.scope).filter(
                community=volunteer.community, state="published", ends_at__gt=now).order_by("starts_at")[:20]
                if a.pk not in mine_ids],
            "request_key": svc.code_new(), **sel.growth_of(volunteer),
        })
        ctx["years"] = sorted({r["year"] for r in ctx["by_year"]} | {timezone.localdate().year}, reverse=True)
    return render(request, "volunteers/mine.html", ctx)


@requires(VOLUNTEER_SELF)
def enrol(request):
    if request.method != "POST":
        return redirect("volunteers:mine")
    resident = _resident(request)
    try:
        svc.volunteer_enrol(resident=resident, skills=request.POST.getlist(SKILL_FIELD),
                            availability=request.POST.get("availability", ""), by=request.user, self_signed=True)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已注册为志愿者,欢迎加入!")
    return redirect("volunteers:mine")


@requires(VOLUNTEER_SELF)
def open_activity(request, pk):
    resident = _resident(request)
    activity = sel.access_activity(request.scope, pk)
    volunteer = sel.my_volunteer(request.user)
    record = (SignUp.objects.filter(activity=activity, volunteer=volunteer).first() if volunteer else None)
    return render(request, "volunteers/activity_resident.html", {
        "a": activity, "record": record, "resident": resident, "volunteer": volunteer,
        "ended": activity.ends_at <= timezone.now()})


@requires(VOLUNTEER_SELF)
def signup(request, pk):
    activity = sel.access_activity(request.scope, pk)
    if request.method == "POST":
        try:
            if request.POST.get("withdraw"):
                svc.signup_withdraw(activity=activity, resident=_resident(request))
                messages.success(request, f"已取消报名「{activity.title}」")
            else:
                svc.signup(activity=activity, resident=_resident(request))
                messages.success(request, f"报名成功:「{activity.title}」")
        except RuleError as exc:
            messages.error(request, str(exc))
    return redirect("volunteers:open_activity", activity.pk)


@requires(VOLUNTEER_SELF)
def scan(request, token):
    """What the QR code opens on the volunteer's phone: the activity and 签到 / 签退. Hundreds of phones
    press 签到 within a minute at a large event, so a check-in reads little: the activity in one query
    (the resident's own community only), and the resident by its key alone (check_in needs no more)."""
    if getattr(request.user, "resident_id", None) is None:
        raise PermissionDenied(ERR_NO_RESIDENT)
    activity = sel.access_activity_by_token(request.scope, token)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "out":
                r = svc.check_out(token=token, resident=_resident(request))
                messages.success(request, f"签退成功:{timezone.localtime(r.checked_out_at):%H:%M}")
            else:
                r = svc.check_in(token=token, resident=Resident(pk=request.user.resident_id))
                messages.success(request, f"签到成功:{timezone.localtime(r.checked_in_at):%H:%M}")
        except RuleError as exc:
            messages.error(request, str(exc))
        return redirect("volunteers:scan", token)
    volunteer = sel.my_volunteer(request.user)
    record = (SignUp.objects.filter(activity=activity, volunteer=volunteer, state=SignUpState.SIGNED).first()
              if volunteer else None)
    return render(request, "volunteers/scan.html", {"a": activity, "record": record, "token": token})


@requires(VOLUNTEER_SELF)
def my_certificate_new(request):
    volunteer = sel.my_volunteer(request.user)
    if request.method == "POST" and volunteer is not None:
        year = request.POST.get("year") or ""
        try:
            cert = svc.certificate_issue(volunteer=volunteer, by=request.user,
                                         year=int(year) if year.isdigit() else None)
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已出具志愿服务证明 {cert.number},共 {cert.hours} 小时")
    return redirect("volunteers:mine")


@requires(VOLUNTEER_SELF)
def redeem(request, pk):
    volunteer = sel.my_volunteer(request.user)
    offer = Offer.objects.filter(pk=sel._pk(pk), active=True).first()
    if volunteer is None or offer is None or offer.community_id != volunteer.community_id:
        raise Http404(sel.NOT_FOUND)
    if request.method == "POST":
        try:
            svc.points_spend(volunteer=volunteer, offer=offer, by=request.user,
                             request_key=(request.POST.get("key") or "")[:40] or None)
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已兑换「{offer.title}」,扣除 {offer.points} 分")
    return redirect("volunteers:mine")


def _certificate_pdf(request, pk):
    from weasyprint import HTML
    cert = sel.access_certificate(request.scope, request.user, pk)
    records = list(cert.signups.select_related("activity").order_by("served_on"))
    verify_url = request.build_absolute_uri(reverse("volunteers:verify")) + f"?code={cert.code}"
    html = render_to_string("volunteers/certificate_print.html", {
        "c": cert, "records": records, "platform": PLATFORM, "verify_url": verify_url,
        "qr": segno.make(verify_url, error="m").svg_inline(scale=3, border=1, title="核验二维码"),
        "star": stars.star_label(stars.star_of(cert.volunteer.hours))})
    access_log_write(user=request.user, action=AccessAction.EXPORT, target=f"志愿服务证明 {cert.number}",
                     detail="志愿服务证明 PDF", request=request)
    return HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf", headers={
        "Content-Disposition": content_disposition_header(True, f"志愿服务证明-{cert.number}.pdf")})


my_certificate_pdf = requires(VOLUNTEER_SELF)(_certificate_pdf)
certificate_pdf = requires(VIEW_VOLUNTEERS)(_certificate_pdf)


@public
def verify(request):
    code = svc.normalise_code(request.GET.get("code", ""))
    result = svc.certificate_verify(code) if code else None
    return render(request, "volunteers/verify.html", {"code": code, "result": result, "asked": bool(code)})


# -- staff: activities ---------------------------------------------------------------------------------
@requires(VIEW_VOLUNTEERS)
def activities(request):
    qs = sel.activities_in(request.scope).select_related("community", "team")
    when = request.GET.get("when", "coming")
    now = timezone.now()
    if when == "coming":
        qs = qs.filter(ends_at__gt=now).order_by("starts_at")
    elif when == "past":
        qs = qs.filter(ends_at__lte=now).order_by("-starts_at")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "volunteers/activities.html", {
        "page": page, "when": when, "can_run": request.scope.can(RUN_VOLUNTEERING),
        "can_report": request.scope.can(VIEW_VOLUNTEER_REPORT), "can_bank": request.scope.can(KEEP_TIME_BANK)})


@requires(RUN_VOLUNTEERING)
def activity_new(request):
    communities = list(sel.communities_in(request.scope))
    teams = list(sel.teams_in(request.scope))
    error, data = "", request.POST if request.method == "POST" else {}
    if request.method == "POST":
        team = next((t for t in teams if str(t.pk) == data.get("team")), None)
        try:
            community = _community_posted(request, communities)
            starts, ends = _local_input(data.get("starts_at")), _local_input(data.get("ends_at"))
            if starts is None or ends is None:
                raise RuleError("请填写开始和结束时间(年-月-日 时:分)")
            places = data.get("places", "")
            activity = svc.activity_publish(
                community=community, title=data.get("title", ""), location=data.get("location", ""), starts_at=starts,
                ends_at=ends, places=int(places) if places.isdigit() and len(places) < 6 else -1,
                organiser=request.user, skills=data.getlist(SKILL_FIELD), description=data.get("description", ""),
                team=team)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "活动已发布")
            return redirect("volunteers:activity", activity.pk)
    return render(request, "volunteers/activity_new.html", {
        "communities": communities, "teams": teams, "skills": SKILLS, "error": error, "d": data},
        status=400 if error else 200)


@requires(VIEW_VOLUNTEERS)
def activity(request, pk):
    a = sel.access_activity(request.scope, pk)
    records = list(SignUp.objects.filter(activity=a).select_related("volunteer__resident").order_by("pk"))
    for r in records:
        r.activity = a
        r.suggested = svc.suggested_hours(r)
    organiser = a.organiser_id == request.user.pk
    return render(request, "volunteers/activity.html", {
        "a": a, "records": records, "organiser": organiser, "started": a.starts_at <= timezone.now(),
        "can_confirm": organiser and request.scope.can(RUN_VOLUNTEERING, a.community)})


def _organised(request, pk):
    a = sel.access_activity(request.scope, pk)
    if a.organiser_id != request.user.pk:
        raise PermissionDenied(svc.ERR_NOT_ORGANISER.replace("确认时长", "打开签到二维码"))
    return a


@requires(RUN_VOLUNTEERING)
def checkin(request, pk):
    """The organiser's phone page: the QR code volunteers scan, and who has checked in."""
    a = _organised(request, pk)
    url = request.build_absolute_uri(reverse("volunteers:scan", args=[a.token]))
    records = list(SignUp.objects.filter(activity=a, state=SignUpState.SIGNED).select_related("volunteer__resident")
                   .order_by("checked_in_at", "pk"))
    return render(request, "volunteers/checkin.html", {
        "a": a, "records": records, "url": url, "checked_in": sum(1 for r in records if r.checked_in_at),
        "qr": segno.make(url, error="m").svg_inline(scale=6, border=2, title="签到二维码")})


@requires(RUN_VOLUNTEERING)
def confirm(request, pk):
    a = _organised(request, pk)
    if request.method == "POST":
        hours = {}
        for key, value in request.POST.items():
            if key.startswith("h_") and key[2:].isdigit() and (value or "").strip():
                hours[int(key[2:])] = value
        if not hours:
            messages.error(request, "请至少填写一人的服务时长")
        else:
            try:
                done = svc.hours_confirm(activity=a, hours=hours, by=request.user)
            except RuleError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已确认 {len(done)} 人的服务时长")
    return redirect("volunteers:activity", a.pk)


@requires(RUN_VOLUNTEERING)
def activity_cancel(request, pk):
    a = _organised(request, pk)
    if request.method == "POST":
        svc.activity_cancel(activity=a, by=request.user)
        messages.success(request, "活动已取消")
    return redirect("volunteers:activity", a.pk)


# -- staff: roster, teams, report ----------------------------------------------------------------------
@requires(VIEW_VOLUNTEERS)
def roster(request):
    q, team = request.GET.get("q", ""), request.GET.get("team", "")
    page = Paginator(sel.roster(request.scope, q=q, team=team if team.isdigit() else ""), 30).get_page(
        request.GET.get("page"))
    for v in page.object_list:
        v.star_label = stars.star_label(stars.star_of(v.hours)) if stars.star_of(v.hours) else ""
    can_run = request.scope.can(RUN_VOLUNTEERING)
    return render(request, "volunteers/roster.html", {
        "page": page, "q": q[:20], "team": team, "teams": list(sel.teams_in(request.scope)),
        "team_hours": sel.team_hours(request.scope), "can_run": can_run, "skills": SKILLS,
        "availabilities": Availability.choices,
        "communities": list(sel.communities_in(request.scope.for_capability(RUN_VOLUNTEERING))) if can_run else []})


@requires(RUN_VOLUNTEERING)
def register(request):
    if request.method == "POST":
        communities = list(sel.communities_in(request.scope))
        team = sel.teams_in(request.scope).filter(pk=sel._pk(request.POST["team"])).first() \
            if (request.POST.get("team") or "").isdigit() else None
        try:
            community = _community_posted(request, communities)
            v = svc.volunteer_register_by_id(community=community, id_number=request.POST.get("id_number", ""),
                                             skills=request.POST.getlist(SKILL_FIELD),
                                             availability=request.POST.get("availability", ""), team=team,
                                             by=request.user)
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记志愿者 {v.resident.name}")
    return redirect("volunteers:roster")


@requires(RUN_VOLUNTEERING)
def team_new(request):
    if request.method == "POST":
        try:
            community = _community_posted(request, list(sel.communities_in(request.scope)))
            t = svc.team_create(community=community, name=request.POST.get("name", ""),
                                field=request.POST.get("field", ""))
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已成立队伍「{t.name}」")
    return redirect("volunteers:roster")


@requires(VIEW_VOLUNTEERS)
def volunteer(request, pk):
    v = sel.access_volunteer(request.scope, pk)
    star = stars.star_of(v.hours)
    return render(request, "volunteers/volunteer.html", {
        "v": v, "star_label": stars.star_label(star), "next_star": stars.next_star(v.hours),
        "by_year": sel.hours_by_year(v), "records": sel.my_records(v), "certificates": sel.my_certificates(v),
        "can_issue": request.scope.can(RUN_VOLUNTEERING, v.community), **sel.growth_of(v),
        "grades": Grade.choices, "levels": HonourLevel.choices, "this_year": timezone.localdate().year,
        "today": timezone.localdate()})


@requires(RUN_VOLUNTEERING)
def volunteer_certificate(request, pk):
    v = sel.access_volunteer(request.scope, pk)
    if request.method == "POST":
        year = request.POST.get("year") or ""
        try:
            cert = svc.certificate_issue(volunteer=v, by=request.user, year=int(year) if year.isdigit() else None)
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已出具志愿服务证明 {cert.number}")
    return redirect("volunteers:volunteer", v.pk)


def _year(request) -> int:
    raw = request.GET.get("year", "")
    this = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this else this


@requires(VIEW_VOLUNTEER_REPORT)
def report(request):
    year = _year(request)
    rows = sel.yearly_report(request.scope, year)
    if request.GET.get("format") == "xlsx":
        headers = ["街道", "社区", "注册志愿者", "志愿活动", "服务人次", "服务人数", "确认时长(小时)"]
        data = [(r["street"], r["community"], r["volunteers"], r["activities"], r["records"], r["people"],
                 float(r["hours"])) for r in rows]
        return xlsx_response(filename=f"志愿服务时长-{year}.xlsx", sheets=[(f"{year}年", headers, data)],
                             prefix="volunteers")
    totals = {k: sum(r[k] for r in rows) for k in ("volunteers", "activities", "records", "people", "hours", "trained",
                                                   "commendations")}
    this = timezone.localdate().year
    return render(request, "volunteers/report.html", {"rows": rows, "year": year, "totals": totals,
                                                      "years": list(range(this, this - 5, -1))})


@requires(KEEP_TIME_BANK)
def bank(request):
    communities = list(sel.communities_in(request.scope))
    if request.method == "POST":
        try:
            community = _community_posted(request, communities)
            offer = svc.offer_add(community=community, title=request.POST.get("title", ""),
                                  points=request.POST.get("points", ""))
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已上架「{offer.title}」")
        return redirect("volunteers:bank")
    offers = Offer.objects.filter(community__in=communities, active=True).select_related("community")
    return render(request, "volunteers/bank.html", {"offers": offers, "communities": communities})


@requires(KEEP_TIME_BANK)
def offer_withdraw(request, pk):
    offer = Offer.objects.filter(pk=sel._pk(pk), community__in=sel.communities_in(request.scope)).first()
    if offer is None:
        raise Http404(sel.NOT_FOUND)
    if request.method == "POST":
        svc.offer_withdraw(offer=offer)
        messages.success(request, f"已下架「{offer.title}」")
    return redirect("volunteers:bank")


# -- staff: training, evaluations, commendations (P-VOL-2) ------------------------------------------------
def _back(request, *to):
    """A refusal on these pages: its reason as the page's message, and back to `to` (a URL name and its
    arguments); the pages show messages, not a form with errors, so the status is the redirect's."""
    def refused(error: str, status: int):
        messages.error(request, error)
        return redirect(*to)
    return refused


@requires(RUN_VOLUNTEERING)
def volunteer_evaluate(request, pk):
    v = sel.access_volunteer(request.scope, pk)
    to = ("volunteers:volunteer", v.pk)
    if request.method != "POST":
        return redirect(*to)
    return submit(request, Posted(request.POST, "year", "grade", "reason"),
                  lambda d: svc.evaluation_record(volunteer=v, by=request.user, **d), refused=_back(request, *to),
                  done=lambda e: f"已记录 {e.year} 年度评价:{e.get_grade_display()}", then=to)


@requires(RUN_VOLUNTEERING)
def volunteer_commend(request, pk):
    v = sel.access_volunteer(request.scope, pk)
    to = ("volunteers:volunteer", v.pk)
    if request.method != "POST":
        return redirect(*to)
    return submit(request, Posted(request.POST, "title", "level", "awarded_on", "issuer"),
                  lambda d: svc.commendation_add(volunteer=v, by=request.user, **d), refused=_back(request, *to),
                  done=lambda c: f"已记录表彰「{c.title}」", then=to)


@requires(VIEW_VOLUNTEERS)
def trainings(request):
    page = Paginator(sel.trainings_in(request.scope).order_by("-held_on", "-pk"), 30).get_page(request.GET.get("page"))
    can_run = request.scope.can(RUN_VOLUNTEERING)
    return render(request, "volunteers/trainings.html", {
        "page": page, "can_run": can_run, "today": timezone.localdate(),
        "communities": list(sel.communities_in(request.scope.for_capability(RUN_VOLUNTEERING))) if can_run else []})


@requires(RUN_VOLUNTEERING)
def training_new(request):
    if request.method != "POST":
        return redirect("volunteers:trainings")
    return submit(request, Posted(request.POST, "course", "held_on", "hours", "trainer"),
                  lambda d: svc.training_add(
                      community=_community_posted(request, list(sel.communities_in(request.scope))), by=request.user,
                      **d),
                  refused=_back(request, "volunteers:trainings"),
                  done=lambda t: f"已登记培训「{t.course}」,请勾选参加的志愿者",
                  then=lambda t: ("volunteers:training", t.pk))


@requires(VIEW_VOLUNTEERS)
def training(request, pk):
    t = sel.access_training(request.scope, pk)
    attendance = sel.attendance_of(t)
    can_run = request.scope.can(RUN_VOLUNTEERING, t.community)
    q = request.GET.get("q", "")[:20]
    candidates = []
    if can_run:
        done = {a.volunteer_id for a in attendance}
        candidates = [v for v in sel.roster(request.scope.for_capability(RUN_VOLUNTEERING), q=q)
                      .filter(community=t.community).order_by("resident__name", "pk")[:200] if v.pk not in done]
    return render(request, "volunteers/training.html", {"t": t, "attendance": attendance, "can_run": can_run,
                                                        "candidates": candidates, "q": q})


@requires(RUN_VOLUNTEERING)
def training_attend(request, pk):
    t = sel.access_training(request.scope, pk)
    to = ("volunteers:training", t.pk)
    if request.method != "POST":
        return redirect(*to)
    return submit(request, Posted(request.POST, lists=("volunteer",)),
                  lambda d: svc.training_attend(training=t, volunteer_ids=d["volunteer"], by=request.user),
                  refused=_back(request, *to), done=lambda n: f"已登记 {n} 人参加培训", then=to)


@requires(VIEW_VOLUNTEERS)
def honours(request):
    """The commendations of the scope's volunteers, by year; `format=xlsx` exports them (text cells
    through core.exports, so a title beginning with '=' stays text)."""
    raw = request.GET.get("year", "")
    this = timezone.localdate().year
    year = int(raw) if raw.isdigit() and 1990 <= int(raw) <= this else None
    qs = sel.honours_in(request.scope, year=year)
    if request.GET.get("format") == "xlsx":
        headers = ["社区", "姓名", "表彰名称", "级别", "表彰日期", "授予单位"]
        data = [(c.community.name, c.volunteer.resident.name, c.title, c.get_level_display(),
                 c.awarded_on.isoformat(), c.issuer) for c in qs.iterator(chunk_size=2000)]

        def logged(count):
            access_log_write(user=request.user, action=AccessAction.EXPORT, target="志愿者表彰",
                             detail=f"志愿者表彰 xlsx,{count} 行", request=request)
        return xlsx_response(filename=f"志愿者表彰-{year or '全部'}.xlsx", sheets=[("表彰", headers, data)],
                             prefix="volunteers", before_send=logged)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "volunteers/honours.html", {"page": page, "year": year,
                                                       "years": list(range(this, this - 5, -1))})
