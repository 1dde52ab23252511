"""残疾人之家 pages: the community's homes and disabled residents (workers), the person's enrolment and job help
(on their care page), and the home staff's phone page of the day's attendance (only their homes)."""
from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.care import disabled, selectors, staff
from gongzhi.care.manifest import KEEP_CARE, STAFF_HOME, VIEW_CARE
from gongzhi.care.models import DisabilityHome, HomeAttendance, HomeEnrolment, HomeService, JobHelp
from gongzhi.care.views_common import flash, in_range, parse_date as _date, scoped_or_404
from gongzhi.core.permissions import requires


def _pk(value) -> int:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else 0


def _homes_in(scope):
    communities = selectors.communities_in(scope)
    ids = {c.pk for c in communities} | {c.parent_id for c in communities}
    return DisabilityHome.objects.filter(place_id__in=ids, active=True)


@requires(VIEW_CARE)
def disabled_home(request):
    """残疾人之家: the homes serving the caller's communities (places, enrolled, today's attendance) and the
    disabled residents the caller reaches with their enrolment and latest job help."""
    scope, today = request.scope, timezone.localdate()
    open_q = Q(enrolments__ended_on__isnull=True)
    homes = list(_homes_in(scope).annotate(
        day_care=Count("enrolments", filter=open_q & Q(enrolments__service=HomeService.DAY_CARE)),
        rehab=Count("enrolments", filter=open_q & Q(enrolments__service=HomeService.REHAB))).order_by("name"))
    people = list(selectors.care_people(scope, today, group="disabled").select_related("grid")
                  .order_by("grid_id", "pk")[:200])
    ids = [p.pk for p in people]
    enrolled = {}
    for e in selectors.scope_filter(scope, HomeEnrolment.objects.filter(resident_id__in=ids, ended_on__isnull=True)
                                    ).select_related("home"):
        enrolled.setdefault(e.resident_id, []).append(e)
    latest_job = {}
    for j in selectors.scope_filter(scope, JobHelp.objects.filter(resident_id__in=ids)).order_by("-given_on", "-id"):
        latest_job.setdefault(j.resident_id, j)
    for p in people:
        p.enrolments, p.job = enrolled.get(p.pk, []), latest_job.get(p.pk)
    attended = dict(selectors.scope_filter(scope, HomeAttendance.objects.filter(day=today)).order_by()
                    .values("home_id").annotate(n=Count("pk")).values_list("home_id", "n"))
    for h in homes:
        h.today = attended.get(h.pk, 0)
    return render(request, "care/disabled.html", {"homes": homes, "people": people, "today": today})


@requires(KEEP_CARE)
@require_POST
def enrol(request, pk):
    person = selectors.access_person(request.scope, pk)
    home = disabled.homes_for(person).filter(pk=_pk(request.POST.get("home"))).first()
    return flash(request, lambda: disabled.enrol(resident=person, home=home, service=request.POST.get("service", ""),
                                                 starts_on=_date(request.POST.get("starts_on"), "入托日期"),
                                                 by=request.user),
                 lambda e: f"{person.name}已入托{e.home.name}", f"/care/people/{person.pk}/#disabled")


@requires(KEEP_CARE)
@require_POST
def enrolment_end(request, pk):
    enrolment = scoped_or_404(request.scope, HomeEnrolment.objects.all(), pk)
    return flash(request, lambda: disabled.enrolment_end(enrolment=enrolment, reason=request.POST.get("reason", ""),
                                                         by=request.user),
                 "已结束入托,出勤记录保留", f"/care/people/{enrolment.resident_id}/#disabled")


@requires(KEEP_CARE)
@require_POST
def job_help_new(request, pk):
    person = selectors.access_person(request.scope, pk)
    return flash(request, lambda: disabled.job_help_record(
        resident=person, kind=request.POST.get("kind", ""), by=request.user,
        given_on=_date(request.POST.get("given_on"), "帮扶日期"), detail=request.POST.get("detail", ""),
        outcome=request.POST.get("outcome", "") or "pending"), "已登记就业帮扶", f"/care/people/{person.pk}/#disabled")


@requires(KEEP_CARE)
@require_POST
def job_help_outcome(request, pk):
    job = scoped_or_404(request.scope, JobHelp.objects.all(), pk)
    return flash(request, lambda: disabled.job_help_outcome(
        job=job, outcome=request.POST.get("outcome", ""), note=request.POST.get("note", ""),
        version=_pk(request.POST.get("version")), by=request.user), "已更新帮扶结果",
        f"/care/people/{job.resident_id}/#disabled")


# -- the home's staff (phone) ----------------------------------------------------------------------
def _staff_enrolments(request):
    return HomeEnrolment.objects.filter(home__in=staff.homes_of(request.user), home__active=True,
                                        ended_on__isnull=True,
                                        resident__status="active")


@requires(STAFF_HOME)
def home_staff(request):
    """出勤登记 (phone): the people enrolled at the caller's homes, marked once a day."""
    today = timezone.localdate()
    rows = list(_staff_enrolments(request).select_related("home", "resident").order_by("home__name", "resident__name"))
    came = set(HomeAttendance.objects.filter(day=today, resident_id__in=[r.resident_id for r in rows])
               .values_list("resident_id", flat=True))
    for r in rows:
        r.came = r.resident_id in came
    return render(request, "care/home_staff.html", {"rows": rows, "today": today})


@requires(STAFF_HOME)
@require_POST
def home_attend(request, pk):
    enrolment = _staff_enrolments(request).filter(pk=in_range(pk)).select_related("home", "resident").first()
    if enrolment is None:
        raise Http404("未找到或无权访问")
    return flash(request, lambda: disabled.attendance_record(
        home=enrolment.home, resident=enrolment.resident, by=request.user,
        day=_date(request.POST.get("day") or timezone.localdate().isoformat(), "出勤日期")),
        f"已登记{enrolment.resident.name}出勤", reverse("care:home_staff"))
