"""Pages of admission: the two lists (staff and public), admission requests, category bases and
data requests. Thin: reads through selectors, writes through services; a broken rule is shown on
the form (422) and changes nothing."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import Role
from gongzhi.admission import demands, registry, selectors, services
from gongzhi.admission import rules as rules_mod
from gongzhi.admission.forms import DataRequestForm, DecideForm, ItemForm, RequestForm
from gongzhi.admission.manifest import (
    ANSWER_DATA,
    APPLY_ADMISSION,
    ISSUE_CERTIFICATES,
    KEEP_DUTIES,
    REQUEST_DATA,
    VIEW_ADMISSION,
    VIEW_DUTIES,
)
from gongzhi.admission.models import (
    AdmissionDocument,
    CategoryBasis,
    DataRequestState,
    ListItem,
    ListKind,
    RefusalWhat,
    RequestState,
    Takeup,
)
from gongzhi.core.forms import first_error, refusal_status
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.permissions import public, requires
from gongzhi.places.models import Level, Place

NOT_FOUND = selectors.NOT_FOUND
DATA_FIELDS = 6


def _posted_version(request) -> int:
    """The version a form was loaded with; anything that is not a plain number counts as stale (409)."""
    raw = (request.POST.get("version") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0


def _locality(request, scope=None) -> Place:
    scope = scope or request.scope
    found = selectors.localities(scope)
    code = request.GET.get("locality") or request.POST.get("locality") or ""
    for place in found:
        if place.code == code:
            return place
    if code:
        raise Http404(NOT_FOUND)
    return found[0]


def _lists_context(locality, *, with_void=False) -> dict:
    rules = services.rules_for(locality)
    all_items = list(selectors.items(locality, with_void=with_void))
    lists = [(kind, label, [i for i in all_items if i.kind == kind]) for kind, label in ListKind.choices]
    return {"locality": locality, "rules": rules, "lists": lists, "item_count": sum(not i.voided for i in all_items)}


# -- the lists (staff) -------------------------------------------------------------------
@requires(VIEW_DUTIES)
def home(request):
    locality = _locality(request)
    ctx = _lists_context(locality, with_void=request.GET.get("void") == "1")
    scope = request.scope
    ctx.update({
        "localities": selectors.localities(scope), "show_void": request.GET.get("void") == "1",
        "can_keep": scope.can(KEEP_DUTIES), "can_apply": scope.can(APPLY_ADMISSION),
        "can_view_requests": scope.can(VIEW_ADMISSION), "can_request_data": scope.can(REQUEST_DATA),
        "can_answer": scope.can(ANSWER_DATA), "can_issue": scope.can(ISSUE_CERTIFICATES), "available_rules": rules_mod.available(),
    })
    return render(request, "admission/home.html", ctx)


@requires(KEEP_DUTIES)
@require_POST
def rules_choose(request):
    locality = _locality(request)
    try:
        services.rules_choose(locality=locality, rules_id=request.POST.get("rules_id", ""), by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已选定本地区的准入规则")
    return redirect("admission:home")


def _item_fields(cd) -> dict:
    return {k: cd.get(k) or "" for k in ("takeup", "title", "legal_basis", "department", "community_does",
                                         "funding_yuan", "funding_note", "hours_per_year")}


@requires(KEEP_DUTIES)
def item_new(request):
    locality = _locality(request)
    form = ItemForm(request.POST or None, initial={"kind": request.GET.get("kind") or ListKind.DUTY})
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                item = services.item_add(locality=locality, by=request.user, kind=form.cleaned_data["kind"],
                                         **_item_fields(form.cleaned_data))
            except RuleError as exc:
                error = str(exc)
            else:
                messages.success(request, f"已列入:{item.label}")
                return redirect("admission:item", item.pk)
        else:
            error = first_error(form)
    return render(request, "admission/item_form.html", {"form": form, "error": error, "locality": locality,
                                                        "rules": services.rules_for(locality)},
                  status=422 if error else 200)


def _access_item(scope, pk) -> ListItem:
    item = ListItem.objects.filter(pk=pk, locality__in=selectors.localities(scope)).first()
    if item is None:
        raise Http404(NOT_FOUND)
    return item


@requires(VIEW_DUTIES)
def item_detail(request, pk):
    item = _access_item(request.scope, pk)
    history = list(item.history.select_related("history_user").order_by("-history_date")[:50])
    may_keep = request.scope.can(KEEP_DUTIES, item.locality)
    return render(request, "admission/item.html", {
        "item": item, "history": history, "may_keep": may_keep,
        "bases": item.categories.filter(voided=False), "data_requests": item.data_requests.count()})


@requires(KEEP_DUTIES)
def item_edit(request, pk):
    item = _access_item(request.scope, pk)
    initial = {f: getattr(item, f) for f in ("kind", "takeup", "title", "legal_basis", "department",
                                             "community_does", "funding_note", "version")}
    initial["funding_yuan"] = "" if item.funding_yuan is None else item.funding_yuan
    initial["hours_per_year"] = "" if item.hours_per_year is None else item.hours_per_year
    form = ItemForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.item_edit(item=item, version=form.cleaned_data.get("version") or 0, by=request.user,
                                   change_reason=form.cleaned_data.get("change_reason", ""),
                                   **_item_fields(form.cleaned_data))
            except ConflictError as exc:
                error, status = str(exc), 409
            except RuleError as exc:
                error, status = str(exc), 422
            else:
                messages.success(request, "已保存,修改前的内容留在版本记录中")
                return redirect("admission:item", item.pk)
        else:
            error, status = first_error(form), 422
    return render(request, "admission/item_form.html", {"form": form, "error": error, "item": item,
                                                        "locality": item.locality,
                                                        "rules": services.rules_for(item.locality)}, status=status)


@requires(KEEP_DUTIES)
@require_POST
def item_void(request, pk):
    item = _access_item(request.scope, pk)
    try:
        services.item_void(item=item, version=_posted_version(request),
                           reason=request.POST.get("reason", ""), by=request.user)
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已作废,该事项仍保留在版本记录中")
    return redirect("admission:item", item.pk)


# -- the public lists --------------------------------------------------------------------
@public
def public_lists(request):
    places = Place.objects.filter(level=Level.DISTRICT, admission_rules__isnull=False).order_by("code")
    return render(request, "admission/public_lists.html", {"places": places})


@public
def public_list(request, code):
    locality = Place.objects.filter(level=Level.DISTRICT, code=code).first()
    if locality is None:
        raise Http404("未找到该地区")
    ctx = _lists_context(locality)
    ctx["public"] = True
    return render(request, "admission/public_list.html", ctx)


# -- admission requests ------------------------------------------------------------------
@requires(VIEW_ADMISSION)
def requests(request):
    qs = selectors.requests_in(request.scope)
    state = request.GET.get("state", "")
    if state in RequestState.values:
        qs = qs.filter(state=state)
    return render(request, "admission/requests.html", {
        "items": qs[:200], "states": RequestState.choices, "state": state,
        "can_apply": request.scope.can(APPLY_ADMISSION), "can_decide": request.scope.can(KEEP_DUTIES)})


def _communities_of(locality):
    return list(Place.objects.filter(level=Level.COMMUNITY, path__startswith=locality.path).order_by("code"))


@requires(APPLY_ADMISSION)
def request_new(request):
    posts = selectors.department_posts(request.scope)
    post = posts[0]
    locality = selectors.district_of(post.place)
    rules = services.rules_for(locality)
    communities = [c for c in _communities_of(locality) if c.is_within(post.place)]
    form = RequestForm(request.POST or None, request.FILES or None,
                       initial={"kind": ListKind.ASSIST, "plan_year": timezone.localdate().year})
    form.fields["communities"].choices = [(c.code, c.name) for c in communities]
    if rules is None or not rules.split:
        form.fields["takeup"].choices = [("", "不分类")]
    else:
        form.fields["takeup"].choices = [("", "请选择")] + [c for c in Takeup.choices if c[0]]
    error = ""
    if request.method == "POST":
        if form.is_valid():
            cd = form.cleaned_data
            chosen = [c for c in communities if c.code in set(cd["communities"])]
            try:
                req = services.request_file(
                    by=request.user, post=post, kind=cd["kind"], takeup=cd.get("takeup", ""), title=cd["title"],
                    reason=cd["reason"], legal_basis=cd["legal_basis"], community_does=cd["community_does"],
                    frequency=cd["frequency"], hours_per_community_year=cd["hours_per_community_year"],
                    funding_yuan=cd.get("funding_yuan"), conditions=cd.get("conditions", ""),
                    all_communities=cd.get("all_communities"), communities=chosen, plan_year=cd.get("plan_year"),
                    files=request.FILES.getlist("documents"))
            except RuleError as exc:
                error = str(exc)
            else:
                messages.success(request, f"准入申请已提交,下一环节:{req.stage_label}({req.stage_office})")
                return redirect("admission:request", req.pk)
        else:
            error = first_error(form)
    return render(request, "admission/request_new.html", {"form": form, "error": error, "rules": rules,
                                                          "post": post, "locality": locality},
                  status=422 if error else 200)


@requires(VIEW_ADMISSION)
def request_detail(request, pk, *, form=None, error="", status=200):
    req = selectors.access_request(request.scope, pk)
    may_decide = req.state == RequestState.REVIEW and request.scope.can(KEEP_DUTIES, req.locality)
    last = req.stage >= len(req.procedure) - 1
    if may_decide and form is None:
        form = DecideForm(initial={"version": req.version, "decision": "approve" if last else "pass"})
    if form is not None:
        form.fields["decision"].choices = [c for c in form.fields["decision"].choices
                                           if c[0] != ("pass" if last else "approve")]
    may_withdraw = req.state == RequestState.REVIEW and req.applicant_id == request.user.pk
    stages = [{"label": s["label"], "office": s.get("office", ""), "days": s["days"],
               "state": "done" if i < req.stage or req.state == RequestState.APPROVED else
               ("current" if i == req.stage and req.state == RequestState.REVIEW else "")}
              for i, s in enumerate(req.procedure)]
    return render(request, "admission/request.html", {
        "req": req, "steps": req.steps.all(), "documents": req.documents.all(), "stages": stages,
        "communities": [] if req.all_communities else list(req.communities.order_by("code")),
        "may_decide": may_decide, "form": form, "error": error, "may_withdraw": may_withdraw,
        "item": getattr(req, "item", None) if req.state == RequestState.APPROVED else None}, status=status)


@requires(KEEP_DUTIES)
@require_POST
def request_decide(request, pk):
    req = selectors.access_request(request.scope.for_capability(VIEW_ADMISSION), pk)
    if not request.scope.can(KEEP_DUTIES, req.locality):
        raise Http404(NOT_FOUND)
    form = DecideForm(request.POST)
    form.fields["decision"].choices = DecideForm.base_fields["decision"].choices
    if not form.is_valid():
        request.scope = request.scope.for_capability(VIEW_ADMISSION)
        return request_detail(request, pk, form=form, error=first_error(form), status=422)
    try:
        req = services.request_decide(request=req, version=form.cleaned_data["version"],
                                      decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"],
                                      by=request.user)
    except (RuleError, ConflictError) as exc:
        request.scope = request.scope.for_capability(VIEW_ADMISSION)
        return request_detail(request, pk, form=form, error=str(exc),
                              status=refusal_status(exc))
    messages.success(request, f"已处理:{req.stage_label}")
    return redirect("admission:request", req.pk)


@requires(APPLY_ADMISSION)
@require_POST
def request_withdraw(request, pk):
    req = selectors.access_request(request.scope, pk)
    try:
        services.request_withdraw(request=req, version=_posted_version(request),
                                  reason=request.POST.get("reason", ""), by=request.user)
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "申请已撤回")
    return redirect("admission:request", req.pk)


@requires(VIEW_ADMISSION)
def request_document(request, pk, doc_pk):
    req = selectors.access_request(request.scope, pk)
    doc = AdmissionDocument.objects.filter(request=req, pk=doc_pk).first()
    if doc is None:
        raise Http404(NOT_FOUND)
    return FileResponse(doc.file.open("rb"), content_type=doc.content_type, filename=doc.name)


# -- work-order categories ---------------------------------------------------------------
@requires(KEEP_DUTIES)
def categories(request):
    from gongzhi.workorders.models import Category
    locality = _locality(request)
    if request.method == "POST":
        code = (request.POST.get("category_code") or "").strip()
        item = ListItem.objects.filter(pk=request.POST.get("item") or 0, locality=locality).first() \
            if (request.POST.get("item") or "").isdigit() else None
        try:
            if not code:
                raise RuleError("请填写或选择工单类别代码")
            services.basis_set(category_code=code, item=item, by=request.user)
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"类别 {code} 已对应清单事项")
        return redirect("admission:categories")
    bases = {b.category_code: b for b in CategoryBasis.objects.filter(voided=False).select_related("item")}
    cats = [(c, bases.get(c.code)) for c in Category.objects.filter(active=True).order_by("kind", "sort", "code")]
    return render(request, "admission/categories.html", {
        "cats": cats, "items": list(selectors.items(locality)), "locality": locality,
        "missing": sum(1 for c, b in cats if b is None and c.route_level in services.COMMUNITY_LEVELS)})


@requires(KEEP_DUTIES)
@require_POST
def basis_void(request, pk):
    basis = CategoryBasis.objects.filter(pk=pk, item__locality__in=selectors.localities(request.scope)).first()
    if basis is None:
        raise Http404(NOT_FOUND)
    try:
        services.basis_void(basis=basis, reason=request.POST.get("reason", ""), by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已作废该对应")
    return redirect("admission:categories")


# -- data requests -----------------------------------------------------------------------
@requires(VIEW_DUTIES)
def data_requests(request):
    scope = request.scope
    asked_by = list(selectors.data_requests_asked_by(scope)[:200])
    asked_of = list(selectors.data_requests_of(scope).exclude(state=DataRequestState.VOIDED)[:200])
    mine: dict[int, list] = {}
    if asked_of:
        from gongzhi.admission.models import DataAnswer
        for a in DataAnswer.objects.filter(request__in=asked_of, community__in=selectors.asked_communities(scope)):
            mine.setdefault(a.request_id, []).append(a)
    return render(request, "admission/data_requests.html", {
        "asked_by": asked_by, "asked_of": [(d, mine.get(d.pk, [])) for d in asked_of],
        "can_request": scope.can(REQUEST_DATA)})


def _asker_post(scope):
    for a in scope.for_capability(REQUEST_DATA).assignments:
        return a
    raise PermissionDenied("您没有布置填报任务的岗位")


@requires(REQUEST_DATA)
def data_new(request):
    post = _asker_post(request.scope)
    locality = selectors.district_of(post.place)
    communities = [c for c in _communities_of(locality) if c.is_within(post.place)]
    item_choices = list(selectors.items(locality))
    form = DataRequestForm(request.POST or None)
    form.fields["item"].choices = [("", "请选择")] + [(str(i.pk), i.label) for i in item_choices] + \
        [("none", "以上都不是(清单外事项)")]
    form.fields["communities"].choices = [(c.code, c.name) for c in communities]
    rows = [{"label": request.POST.get(f"label_{i}", ""), "metric": request.POST.get(f"metric_{i}", "")}
            for i in range(DATA_FIELDS)]
    error = ""
    if request.method == "POST":
        if form.is_valid():
            cd = form.cleaned_data
            item = next((i for i in item_choices if str(i.pk) == cd["item"]), None)
            try:
                dr = services.data_request_create(
                    by=request.user, post=post, item=item, title=cd["title"], note=cd.get("note", ""),
                    item_title=cd["title"], fields=rows, due_on=cd["due_on"],
                    communities=[c for c in communities if c.code in set(cd["communities"])])
            except RuleError as exc:
                error = str(exc)
                demands.refusal_record(post=post, what=RefusalWhat.DATA, title=cd["title"], rule=error,
                                       by=request.user)
            else:
                messages.success(request, "填报任务已布置;平台已有的数据已从登记信息自动填写")
                return redirect("admission:data", dr.pk)
        else:
            error = first_error(form)
    return render(request, "admission/data_new.html", {
        "form": form, "error": error, "rows": rows, "metrics": registry.METRICS.values(), "post": post},
        status=422 if error else 200)


@requires(VIEW_DUTIES)
def data_detail(request, pk, *, error="", status=200):
    dr, is_asker = selectors.access_data_request(request.scope, pk)
    answers = list(selectors.answers_for(request.scope, dr, is_asker))
    rows = []
    for a in answers:
        cells = [{"index": i, "label": f["label"], "value": a.values.get(str(i), ""), "registry": i in a.from_registry}
                 for i, f in enumerate(dr.fields)]
        rows.append({"answer": a, "cells": cells,
                     "may_answer": not is_asker and not a.submitted and dr.state == DataRequestState.OPEN
                     and request.scope.can(ANSWER_DATA, a.community)})
    typed = sum(1 for a in answers for i in range(len(dr.fields)) if i not in a.from_registry and a.submitted)
    from_reg = sum(len(a.from_registry) for a in answers)
    return render(request, "admission/data.html", {
        "dr": dr, "rows": rows, "is_asker": is_asker, "error": error, "typed": typed, "from_registry": from_reg,
        "may_void": is_asker and dr.state == DataRequestState.OPEN and request.scope.can(REQUEST_DATA),
        "past_due": timezone.localdate() > dr.due_on}, status=status)


@requires(ANSWER_DATA)
@require_POST
def data_answer(request, pk):
    from gongzhi.admission.models import DataAnswer
    dr, _ = selectors.access_data_request(request.scope.for_capability(VIEW_DUTIES), pk)
    communities = [a.place for a in request.scope.assignments if a.role == Role.COMMUNITY]
    answer = DataAnswer.objects.filter(request=dr, community__in=communities,
                                       community__code=request.POST.get("community", "")).first()
    if answer is None:
        raise Http404(NOT_FOUND)
    try:
        services.data_answer(answer=answer, values={k[2:]: v for k, v in request.POST.items() if k.startswith("v_")},
                             by=request.user)
    except RuleError as exc:
        request.scope = request.scope.for_capability(VIEW_DUTIES)
        return data_detail(request, pk, error=str(exc), status=422)
    messages.success(request, "已填报")
    return redirect("admission:data", dr.pk)


@requires(REQUEST_DATA)
@require_POST
def data_void(request, pk):
    dr, is_asker = selectors.access_data_request(request.scope.for_capability(VIEW_DUTIES), pk)
    if not is_asker or not selectors.data_requests_asked_by(request.scope).filter(pk=dr.pk).exists():
        raise Http404(NOT_FOUND)
    try:
        services.data_request_void(request=dr, reason=request.POST.get("reason", ""), by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "填报任务已作废")
    return redirect("admission:data", dr.pk)
