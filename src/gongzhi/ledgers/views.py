"""A community's ledgers (台账): one page with a tab per ledger, add forms,
voiding with a reason. Street officers and grid workers read (VIEW_LEDGERS);
community workers and admins write (EDIT_LEDGERS); departments get none."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core import idcard
from gongzhi.core.permissions import requires
from gongzhi.ledgers import forms, selectors, services
from gongzhi.ledgers.manifest import EDIT_LEDGERS, VIEW_LEDGERS
from gongzhi.ledgers.models import Activity, Disclosure, Election, Meeting, Training

# slug → (model, form, title, date field, date label)
KINDS = {
    "meetings": (Meeting, forms.MeetingForm, "会议", "held_on", "召开日期"),
    "disclosures": (Disclosure, forms.DisclosureForm, "居务公开", "published_on", "公开日期"),
    "activities": (Activity, forms.ActivityForm, "志愿/互助活动", "held_on", "活动日期"),
    "trainings": (Training, forms.TrainingForm, "培训", "held_on", "培训日期"),
    "elections": (Election, forms.ElectionForm, "换届选举", "held_on", "选举日期"),
}
TABS = [("workers", "班子与工作者"), ("trainings", "培训"), ("meetings", "会议"), ("disclosures", "居务公开"),
        ("volunteers", "志愿者"), ("activities", "志愿/互助活动"), ("elections", "换届选举")]


def _year(request) -> int:
    """The year asked for, kept between 2000 and this year."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        return this_year
    return min(max(year, 2000), this_year)


@requires(VIEW_LEDGERS)
def ledger(request, code):
    community = selectors.access_community(request.scope, code)
    tab = request.GET.get("tab", "workers")
    if tab not in dict(TABS):
        raise Http404("没有这个台账")
    year = _year(request)
    ctx = {"community": community, "tab": tab, "tabs": TABS, "year": year,
           "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
           "can_edit": selectors.may_edit(request.scope, community),
           "summary": selectors.year_summary(community, year)}
    if tab == "workers":
        ctx["rows"] = selectors.workers(community, include_left=request.GET.get("left") == "1")
    elif tab == "volunteers":
        ctx["rows"] = selectors.volunteers(community)
    else:
        ctx["rows"] = selectors.dated(KINDS[tab][0], community, year)
    return render(request, "ledgers/ledger.html", ctx)


def _back(community, tab):
    return f"/ledgers/{community.code}/?tab={tab}"


@requires(EDIT_LEDGERS)
def worker_edit(request, code, worker_id=None):
    community = selectors.access_community(request.scope, code, edit=True)
    worker = get_object_or_404(selectors.workers(community, include_left=True), pk=worker_id) if worker_id else None
    initial = {"version": worker.version} if worker else None
    form = forms.WorkerForm(request.POST or None, instance=worker, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            if worker:
                services.worker_update(worker=worker, version=form.cleaned_data["version"] or 0, data=data,
                                       by=request.user)
            else:
                services.worker_add(community=community, data=data, by=request.user)
        except services.ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except services.LedgerError as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            messages.success(request, f"已保存 {data['name']}")
            return redirect(_back(community, "workers"))
    elif request.method == "POST":
        status = 400
    title = f"{community.name}:{'修改' if worker else '登记'}社区工作者"
    return render(request, "core/form_page.html", {"form": form, "title": title,
                                                      "back": _back(community, "workers")}, status=status)


@requires(EDIT_LEDGERS)
def record_new(request, code, kind):
    if kind not in KINDS:
        raise Http404("没有这个台账")
    community = selectors.access_community(request.scope, code, edit=True)
    model, form_class, title, date_field, date_label = KINDS[kind]
    extra = {"community": community} if form_class is forms.TrainingForm else {}
    form = form_class(request.POST or None, **extra)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.record_add(community=community, model=model, data=form.cleaned_data, by=request.user,
                                    date_field=date_field, date_label=date_label)
            except services.LedgerError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已登记{title}")
                return redirect(_back(community, kind))
    return render(request, "core/form_page.html", {"form": form, "title": f"{community.name}:登记{title}",
                                                      "back": _back(community, kind)}, status=status)


@requires(EDIT_LEDGERS)
@require_POST
def record_void(request, code, kind, row_id):
    if kind not in KINDS:
        raise Http404("没有这个台账")
    community = selectors.access_community(request.scope, code, edit=True)
    row = get_object_or_404(KINDS[kind][0].objects.filter(community=community), pk=row_id)
    try:
        services.record_void(row=row, reason=request.POST.get("reason", ""), by=request.user)
        messages.success(request, "已作废")
    except services.LedgerError as exc:
        messages.error(request, str(exc))
    return redirect(_back(community, kind))


@requires(EDIT_LEDGERS)
def volunteer_new(request, code):
    community = selectors.access_community(request.scope, code, edit=True)
    form = forms.VolunteerForm(request.POST or None, community=community)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                v = services.volunteer_register(community=community, by=request.user, **form.cleaned_data)
            except (services.LedgerError, idcard.IdNumberError) as exc:
                form.add_error("id_number" if isinstance(exc, idcard.IdNumberError) else None, str(exc))
            else:
                messages.success(request, f"{v.resident.name} 已注册为志愿者")
                return redirect(_back(community, "volunteers"))
    return render(request, "core/form_page.html", {"form": form, "title": f"{community.name}:注册志愿者",
                                                      "back": _back(community, "volunteers")}, status=status)


@requires(EDIT_LEDGERS)
@require_POST
def volunteer_leave(request, code, volunteer_id):
    community = selectors.access_community(request.scope, code, edit=True)
    volunteer = get_object_or_404(selectors.volunteers(community), pk=volunteer_id)
    services.volunteer_leave(volunteer=volunteer, left_on=timezone.localdate(), by=request.user)
    messages.success(request, f"{volunteer.resident.name} 已退出志愿者队伍")
    return redirect(_back(community, "volunteers"))
