from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gongzhi.core import idcard
from gongzhi.core.access_log import access_log_write
from gongzhi.core.exports import query_without_page
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import ERR_NO_PERMISSION, own_records, requires
from gongzhi.people import exporter, selectors, services
from gongzhi.people.forms import (
    DeathForm, HouseholdNewForm, MoveHouseholdForm, MoveOutForm, OrganisationForm, ResidentEditForm, ResidentNewForm,
)
from gongzhi.people.manifest import EDIT_PEOPLE, OPEN_RESIDENT_ACCOUNTS, UNMASK, VIEW_PEOPLE
from gongzhi.places.manifest import EDIT_PLACES
from gongzhi.places.models import Level
from gongzhi.places.selectors import access_place, dwellings_in
from gongzhi.places.views import editable_place
from gongzhi.people.models import CareTag, Household, PersonStatus, ResidenceStatus, Resident


@requires(VIEW_PEOPLE)
def residents(request):
    scope = request.scope
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", PersonStatus.ACTIVE)
    tag = request.GET.get("tag", "")
    residence = request.GET.get("residence", "")
    if selectors.is_exact_lookup(q):  # a whole ID or phone number answers "is this person here?": logged
        access_log_write(user=request.user, action=AccessAction.LOOKUP, target="居民查找",
                         detail=f"按完整号码查找({len(idcard.normalise(q))} 位)", request=request)
    qs = selectors.residents_from_query(scope=scope, params=request.GET)  # the export reads the same
    page = selectors.resident_page(qs, request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {"page": page, "q": q, "status": status, "tag": tag, "residence": residence,
           "statuses": PersonStatus.choices, "residences": ResidenceStatus.choices, "tags": CareTag.objects.all(),
           "querystring_prefix": (params.urlencode() + "&") if params else "",
           "export_query": query_without_page(request.GET), "export_background_rows": exporter.BACKGROUND_ROWS}
    template = "people/resident_results.html" if request.htmx else "people/residents.html"
    return render(request, template, ctx)


def _field_label(name: str) -> str:
    try:
        return str(Resident._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _readable(field: str, value, tag_names: dict[int, str]):
    """History values as people read them: tag names, not through-table rows."""
    if field == "care_tags" and isinstance(value, list):
        return "、".join(tag_names.get(row.get("caretag"), "?") for row in value)
    return value


def _resident_ctx(request, resident, **extra):
    # One extra record so the oldest shown has its predecessor; pairing
    # neighbours avoids a prev_record query per row.
    history = list(resident.history.select_related("history_user").order_by("-history_date", "-history_id")[:51])
    tag_names = dict(CareTag.objects.values_list("pk", "name"))  # once, not per history row
    rows = []
    for i, h in enumerate(history[:50]):
        prev = history[i + 1] if i + 1 < len(history) else None
        changes = []
        if prev is not None:
            delta = h.diff_against(prev, excluded_fields=["version", "updated_at", "id_number_enc", "phone_enc",
                                                          "id_number_hash", "phone_hash"])
            changes = [(_field_label(c.field), _readable(c.field, c.old, tag_names),
                        _readable(c.field, c.new, tag_names))
                       for c in delta.changes]
        rows.append({"h": h, "changes": changes})
    return {"resident": resident, "history": rows, "events": resident.events.select_related("recorded_by")[:50],
            "members": selectors.household_members(resident.household), **extra}


@requires(VIEW_PEOPLE)
def resident_detail(request, pk):
    resident = selectors.access_resident(request.scope, pk)
    return render(request, "people/resident_detail.html", _resident_ctx(
        request, resident, may_unmask=request.scope.can(UNMASK, resident.community),
        may_edit=request.scope.can(EDIT_PEOPLE, resident.grid),
        may_open_account=request.scope.can(OPEN_RESIDENT_ACCOUNTS, resident.community),
        has_account=hasattr(resident, "account")))


@requires(UNMASK)
@require_POST
def resident_reveal(request, pk):
    resident = selectors.access_resident(request.scope, pk)
    if not request.scope.can(UNMASK, resident.community):
        raise PermissionDenied(ERR_NO_PERMISSION)
    access_log_write(user=request.user, action=AccessAction.UNMASK, target=f"居民 {resident.pk} {resident.name}",
                     detail="查看完整身份证号和电话", request=request)
    plain = services.resident_reveal(resident=resident)
    return render(request, "people/reveal.html", {"resident": resident, "plain": plain})


def _can_edit(request, resident):
    if not request.scope.can(EDIT_PEOPLE, resident.grid):
        raise PermissionDenied(ERR_NO_PERMISSION)


@requires(EDIT_PEOPLE)
def resident_edit(request, pk):
    resident = selectors.access_resident(request.scope, pk)
    _can_edit(request, resident)
    # the full phone is only put in the form where the caller may see it unmasked
    may_unmask = request.scope.can(UNMASK, resident.community)
    if request.method == "POST":
        form = ResidentEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if not data["phone"] and not may_unmask:
                data["phone"] = None  # the masked number was not shown, so blank means "unchanged"
            try:
                services.resident_update(resident=resident, by=request.user, **data)
            except services.ConflictError as e:
                form.add_error(None, str(e))
            except services.RegistryError as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, "已保存")
                return redirect("people:resident", pk=resident.pk)
    else:
        phone = services.resident_reveal(resident=resident)["phone"] if may_unmask else ""
        if phone:  # an unmasked render, like 查看完整信息: logged
            access_log_write(user=request.user, action=AccessAction.UNMASK,
                             target=f"居民 {resident.pk} {resident.name}", detail="修改表单中显示完整电话",
                             request=request)
        form = ResidentEditForm(initial={
            "version": resident.version, "name": resident.name, "phone": phone, "ethnicity": resident.ethnicity,
            "residence_status": resident.residence_status, "relation": resident.relation,
            "party_member": resident.party_member, "moved_in_on": resident.moved_in_on,
            "care_tags": list(resident.care_tags.all())})
        if not may_unmask:
            form.fields["phone"].help_text = "出于隐私保护不显示原号码;留空表示不修改"
    return render(request, "people/resident_edit.html", {"resident": resident, "form": form})


def _life_event(request, pk, form_class, action, title):
    resident = selectors.access_resident(request.scope, pk)
    _can_edit(request, resident)
    form = form_class(request.POST or None, initial={"version": resident.version})
    if request.method == "POST" and form.is_valid():
        try:
            action(resident, form.cleaned_data)
        except (services.ConflictError, services.RegistryError) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"{title}已登记")
            return redirect("people:resident", pk=resident.pk)
    return render(request, "people/resident_action.html", {"resident": resident, "form": form, "title": title})


@requires(EDIT_PEOPLE)
def resident_move_out(request, pk):
    return _life_event(request, pk, MoveOutForm, lambda r, d: services.resident_move_out(
        resident=r, version=d["version"], moved_on=d["moved_on"], destination=d["destination"], by=request.user),
        "迁出")


@requires(EDIT_PEOPLE)
def resident_death(request, pk):
    return _life_event(request, pk, DeathForm, lambda r, d: services.resident_record_death(
        resident=r, version=d["version"], died_on=d["died_on"], by=request.user), "死亡")


@requires(EDIT_PEOPLE)
def resident_move_household(request, pk):
    def move(r, d):
        target = selectors.households_in(request.scope).filter(number=d["household_number"].strip()).first()
        if target is None:
            raise services.RegistryError(services.ERR_HOUSEHOLD_SCOPE.format(number=d["household_number"]))
        services.resident_move_household(resident=r, version=d["version"], household=target,
                                         relation=d["relation"], moved_on=d["moved_on"], by=request.user)
    return _life_event(request, pk, MoveHouseholdForm, move, "户间迁移")


@requires(VIEW_PEOPLE)
def household_detail(request, pk):
    household = selectors.access_household(request.scope, pk)
    return render(request, "people/household_detail.html", {
        "household": household, "members": selectors.household_members(household),
        "may_edit": request.scope.can(EDIT_PEOPLE, household.grid),
        "history": household.history.select_related("history_user").order_by("-history_date")[:50]})


@own_records
def my_household(request):
    """A resident sees their own household and nothing else."""
    resident = request.user.resident
    if resident is None:
        raise Http404("您的账号未关联居民信息")
    household = Household.objects.select_related("dwelling", "grid", "community").get(pk=resident.household_id)
    return render(request, "people/my_household.html", {
        "me": resident, "household": household, "members": selectors.household_members(household)})


@requires(EDIT_PEOPLE)
def resident_new(request, household_pk):
    household = selectors.access_household(request.scope, household_pk)
    if not request.scope.can(EDIT_PEOPLE, household.grid):
        raise PermissionDenied(ERR_NO_PERMISSION)
    form = ResidentNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_register(household=household, by=request.user, **form.cleaned_data)
        except services.RegistryError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已登记居民 {resident.name}")
            return redirect("people:resident", pk=resident.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"户号 {household.number}:登记居民",
                                                      "back": household.get_absolute_url()})


@requires(EDIT_PEOPLE)
def household_new(request, grid_code):
    grid = access_place(request.scope, grid_code)
    if grid.level != Level.GRID or not request.scope.can(EDIT_PEOPLE, grid):
        raise PermissionDenied(ERR_NO_PERMISSION)
    form = HouseholdNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dwelling = None
        code = form.cleaned_data["dwelling_code"].strip()
        if code:
            dwelling = dwellings_in(request.scope).filter(code=code).first()
            if dwelling is None:
                form.add_error("dwelling_code", f"房屋编号 {code} 不存在或不在您的管辖范围内")
        if not form.errors:
            try:
                household = services.household_create(number=form.cleaned_data["number"], community=grid.parent,
                                                      grid=grid, dwelling=dwelling, by=request.user)
            except services.RegistryError as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, f"已建立户 {household.number}")
                return redirect(household.get_absolute_url())
    return render(request, "core/form_page.html", {"form": form, "title": f"{grid.name}:新建户",
                                                      "back": f"/places/{grid.code}/"})


@requires(EDIT_PLACES)
def organisation_edit(request, code, org_id=None):
    """A community's social organisations, resident units and volunteer teams (kept by whoever keeps the place)."""
    community = editable_place(request, code, Level.COMMUNITY)
    instance = get_object_or_404(community.organisations, pk=org_id) if org_id else None
    form = OrganisationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        org = form.save(commit=False)
        org.community = community
        org._history_user = request.user
        org.save()
        messages.success(request, f"已保存 {org.name}")
        return redirect("places:detail", code=community.code)
    title = f"{community.name}:{'修改' if instance else '登记'}组织"
    return render(request, "core/form_page.html", {"form": form, "title": title,
                                                    "back": f"/places/{community.code}/"})
