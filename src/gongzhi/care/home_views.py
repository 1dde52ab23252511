"""残疾人之家 pages: the homes a community or street keeps (set up, edit with an optimistic version, close with a
date and a reason), and a home's own page for the caring community: who is enrolled and the job help given
there, dated per person (access-logged), with the form to record one. Thin: input through care.home_forms,
writes through care.homes and care.disabled; a refused write re-renders its page (422, a stale form 409)."""
from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.care import disabled, homes, selectors, staff
from gongzhi.care.home_forms import CloseForm, HomeForm, JobHelpForm
from gongzhi.care.manifest import KEEP_CARE, MANAGE_HOMES, VIEW_CARE
from gongzhi.care.models import (
    DisabilityHome, Group, HomeEnrolment, HomeOffer, HomeStaff, JobHelp, JobHelpKind, JobOutcome,
)
from gongzhi.care.views_common import in_range
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import RuleError
from gongzhi.core.forms import posted_version, submit
from gongzhi.core.models import AccessAction
from gongzhi.core.validators import has_control_characters
from gongzhi.core.permissions import requires
from gongzhi.places.models import Level

SHOWN = 200


def access_managed(scope, pk) -> DisabilityHome:
    """A home at a place the caller keeps homes for (scope narrowed to `manage_disability_homes`), or 404."""
    home = homes.homes_managed(scope).select_related("place").filter(pk=in_range(pk)).first()
    if home is None:
        raise Http404("未找到或无权访问")
    return home


def access_serving(scope, pk) -> DisabilityHome:
    """A home serving a community the caller cares for (scope narrowed to `view_care`/`keep_care`), or 404."""
    communities = selectors.communities_in(scope)
    ids = {c.pk for c in communities} | {c.parent_id for c in communities}
    home = DisabilityHome.objects.select_related("place").filter(place_id__in=ids, pk=in_range(pk)).first()
    if home is None:
        raise Http404("未找到或无权访问")
    return home


# -- the homes a community or street keeps ------------------------------------------------------------
@requires(MANAGE_HOMES)
def home_list(request):
    """残疾人之家 (street and community): the homes at the caller's places, open and closed; no person named."""
    rows = list(homes.homes_managed(request.scope).select_related("place").annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__ended_on__isnull=True))).order_by("closed_on", "name"))
    return render(request, "care/homes.html", {"homes": rows, "can_view": request.scope.can(VIEW_CARE)})


def _initial(home) -> HomeForm:
    return HomeForm(initial={k: getattr(home, k) for k in HomeForm.FIELDS})


def _form_page(request, *, form, home=None, error="", status=200):
    places = homes.home_places(request.scope)
    return render(request, "care/home_form.html", {
        "form": form, "home": home, "places": places, "offers": HomeOffer.choices, "error": error,
        "chosen": form.data.getlist("services") if form.is_bound else form.initial.get("services", []),
        "version": request.POST.get("version", "") if form.is_bound and home else (home.version if home else ""),
        "today": timezone.localdate()}, status=status)


@requires(MANAGE_HOMES)
def home_new(request):
    """新建残疾人之家: name, place, services, places, hours, contact."""
    if request.method != "POST":
        return _form_page(request, form=HomeForm(initial={"services": [HomeOffer.DAY_CARE, HomeOffer.REHAB]}))
    form = HomeForm(request.POST)
    code = request.POST.get("place_code", "").strip()
    place = next((p for p in homes.home_places(request.scope) if p.code == code), None)
    if code and place is None and not has_control_characters(code):
        # the list offers only the caller's places: another one is not theirs to name (a broken one: the form says)
        raise Http404("未找到或无权访问")

    def write(d):
        return homes.home_create(place=place, by=request.user, **form.home_fields())
    return submit(request, form, write,
                  refused=lambda error, status: _form_page(request, form=form, error=error, status=status),
                  done=lambda h: f"已设置{h.name}", then=lambda h: ("care:home_edit", h.pk))


@requires(MANAGE_HOMES)
def home_edit(request, pk):
    """修改残疾人之家 (a stale form: 409, nothing overwritten), and the form to close it."""
    home = access_managed(request.scope, pk)
    if request.method != "POST":
        return _form_page(request, form=_initial(home), home=home)
    form = HomeForm(request.POST)

    def write(d):
        return homes.home_update(home=home, version=posted_version(request.POST.get("version")), by=request.user,
                                 **form.home_fields())
    return submit(request, form, write,
                  refused=lambda error, status: _form_page(request, form=form, home=home, error=error, status=status),
                  done=lambda h: f"已保存{h.name}", then=("care:home_edit", home.pk))


@requires(MANAGE_HOMES)
@require_POST
def home_close(request, pk):
    home = access_managed(request.scope, pk)
    form = CloseForm(request.POST)
    return submit(request, form,
                  lambda d: homes.home_close(home=home, closed_on=d["closed_on"], reason=d["reason"],
                                             version=posted_version(request.POST.get("version")), by=request.user),
                  refused=lambda error, status: _form_page(
                      request, form=_initial(home), home=home, error=error, status=status),
                  done=lambda h: f"{h.name}已停办,入托、出勤和就业帮扶记录保留", then=("care:home_edit", home.pk))


# -- a home's page for the caring community ----------------------------------------------------------
def _home_page(request, home, *, form=None, error="", status=200):
    scope, today = request.scope, timezone.localdate()
    enrolled = list(selectors.scope_filter(scope, HomeEnrolment.objects.filter(home=home, ended_on__isnull=True))
                    .select_related("resident", "grid").order_by("service", "resident__name")[:SHOWN])
    jobs = list(selectors.scope_filter(scope, JobHelp.objects.filter(home=home)).select_related("resident")
                .order_by("-given_on", "-id")[:SHOWN])
    year = today.replace(month=1, day=1)
    this_year = selectors.scope_filter(scope, JobHelp.objects.filter(home=home, given_on__gte=year, given_on__lte=today))
    figures = this_year.aggregate(people=Count("resident_id", distinct=True), entries=Count("pk"),
                                  employed=Count("pk", filter=Q(outcome=JobOutcome.EMPLOYED)))
    keeps = scope.can(KEEP_CARE) and not home.closed_on
    people = []
    if keeps:  # whom a job help may be recorded for: the disabled residents the caller reaches that the home serves
        served = [home.place_id] if home.place.level == Level.COMMUNITY else \
            [c.pk for c in selectors.communities_in(scope) if c.parent_id == home.place_id]
        people = list(selectors.care_people(scope.for_capability(KEEP_CARE), today, group=Group.DISABLED)
                      .filter(community_id__in=served).order_by("name", "pk").values("pk", "name")[:SHOWN])
    if enrolled or jobs:
        access_log_write(user=request.user, action=AccessAction.UNMASK, request=request,
                         target=f"{home.name}(残疾人之家 #{home.pk})",
                         detail=f"查看在托 {len(enrolled)} 人和就业帮扶 {len(jobs)} 条")
    current, past = staff.bindings(HomeStaff.objects.filter(home=home))
    return render(request, "care/home.html", {
        "home": home, "current": current, "past": past, "enrolled": enrolled, "jobs": jobs, "figures": figures, "today": today, "year": today.year,
        "places": homes.open_places(home), "keeps": keeps, "people": people, "kinds": JobHelpKind.choices,
        "outcomes": JobOutcome.choices, "form": form, "error": error,
        "manages": request.scope.can(MANAGE_HOMES, home.place)}, status=status)


@requires(VIEW_CARE)
def home_detail(request, pk):
    return _home_page(request, access_serving(request.scope, pk))


@requires(KEEP_CARE)
@require_POST
def home_job_help(request, pk):
    """就业帮扶 recorded on the home's page: a dated entry for one disabled resident the caller keeps."""
    home = access_serving(request.scope, pk)
    form = JobHelpForm(request.POST)

    def write(d):
        if home.closed_on:
            raise RuleError(f"{home.name}已停办,不能再登记就业帮扶")
        person = selectors.access_person(request.scope, d["resident"])
        return disabled.job_help_record(resident=person, kind=d["kind"], given_on=d["given_on"], detail=d["detail"],
                                        outcome=d["outcome"] or JobOutcome.PENDING, home=home, by=request.user)

    def refused(error, status):
        request.scope = request.scope.for_capability(VIEW_CARE)
        return _home_page(request, home, form=form, error=error, status=status)
    return submit(request, form, write, refused=refused, done=lambda j: f"已登记{j.resident.name}的就业帮扶",
                  then=lambda j: f"/care/disabled/homes/{home.pk}/#jobs")
