"""Service project pages: needs (typed in, or raised in one step from a topic, a work order or a survey),
the projects list (the street's per-community overview with money and progress, and its xlsx), designing
a project from needs, a project's page with its steps, sessions with photos. A provider reaches only its
own organisation's projects and those open for application (selectors.projects_in)."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.exports import query_without_page, xlsx_response
from gongzhi.core.forms import refusal_status
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import requires
from gongzhi.network import projects as svc
from gongzhi.network import selectors
from gongzhi.network.manifest import DELIVER_SERVICE_PROJECTS, MANAGE_SERVICE_PROJECTS, VIEW_NETWORK
from gongzhi.network.models import (
    Application, Beneficiary, Contract, EvaluationStage, Field, Need, NeedSource, ProjectState, ServiceSession, SessionPhoto,
)
from gongzhi.people.models import CareTag, OrgKind

PER_PAGE = 20
NF = selectors.NOT_FOUND


# -- needs ------------------------------------------------------------------------------------
@requires(MANAGE_SERVICE_PROJECTS)
def needs(request):
    scope = request.scope
    source, source_id = request.GET.get("from", ""), request.GET.get("id", "").strip()
    if source in (NeedSource.TOPIC, NeedSource.ORDER, NeedSource.SURVEY, NeedSource.VISIT) and source_id:
        if not source_id.isdigit() or not 0 < int(source_id) < 2**31:
            messages.error(request, "编号须为数字")
        else:
            return redirect("network:need_from", source, int(source_id))
    communities = list(selectors.communities_in(scope)[:300])
    error = ""
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        community = next((c for c in communities if c.code == data.get("community", "")), None)
        if community is None:
            raise Http404(NF)
        try:
            svc.need_raise(community=community, title=data.get("title", ""), detail=data.get("detail", ""),
                           field_code=data.get("field", ""), by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "需求已登记")
            return redirect("network:needs")
    qs = selectors.needs_in(scope).select_related("community", "project").order_by("-created_at", "-pk")
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE, related=("community", "project"))
    selectors.attach_source_urls(page.object_list)
    return render(request, "network/needs.html", {
        "page": page, "communities": communities, "fields": Field.choices, "data": data, "error": error},
        status=422 if error else 200)


def _source(request, source: str, pk: int):
    """The topic, work order or survey read through the caller's own scope for it (404 otherwise)."""
    if source == NeedSource.TOPIC:
        from gongzhi.governance.manifest import VIEW_TOPICS
        from gongzhi.governance.selectors import access_topic
        obj = access_topic(request.scope.for_capability(VIEW_TOPICS), pk)
        return obj, obj.community, obj.title, getattr(obj, "text", "")
    if source == NeedSource.ORDER:
        from gongzhi.workorders.manifest import VIEW_ORDERS
        from gongzhi.workorders.selectors import access_order
        obj = access_order(request.scope.for_capability(VIEW_ORDERS), pk)
        if obj.community is None:
            raise Http404(NF)
        return obj, obj.community, obj.title, obj.description
    if source == NeedSource.SURVEY:
        from gongzhi.places.models import Level
        from gongzhi.standards.models import Survey
        obj = Survey.objects.filter(pk=pk, place__level=Level.COMMUNITY).select_related("place").first()
        if obj is None or not request.scope.contains(obj.place):
            raise Http404(NF)
        return obj, obj.place, f"问卷调查:{obj.title}", ""
    if source == NeedSource.VISIT:
        from gongzhi.workorders.manifest import VIEW_VISITS
        from gongzhi.workorders.selectors import visits_in
        obj = visits_in(request.scope.for_capability(VIEW_VISITS)).filter(pk=pk).select_related(
            "grid__parent").first()
        if obj is None:
            raise Http404(NF)
        said = (obj.concerns or obj.notes or "").strip()
        first = said.splitlines()[0] if said else ""
        return obj, obj.grid.parent, first[:100] or "民情日记反映的需求", obj.concerns or obj.notes
    raise Http404(NF)


@requires(MANAGE_SERVICE_PROJECTS)
def need_from(request, source, source_pk):
    obj, community, title, detail = _source(request, source, source_pk)
    if not request.scope.contains(community):
        raise Http404(NF)
    error = ""
    data = request.POST if request.method == "POST" else {"title": title[:100], "detail": (detail or "")[:2000]}
    existing = Need.objects.filter(source=source, source_pk=obj.pk).select_related("project").first()
    if existing is not None:
        selectors.attach_source_urls([existing])
    if request.method == "POST":
        try:
            svc.need_raise(community=community, title=data.get("title", ""), detail=data.get("detail", ""),
                           field_code=data.get("field", ""), source=source, source_obj=obj, by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "已登记为服务需求")
            return redirect("network:needs")
    return render(request, "network/need_from.html", {
        "source_label": NeedSource(source).label, "community": community, "data": data, "fields": Field.choices,
        "error": error, "existing": existing, "source_url": selectors.source_url(source, obj.pk, getattr(obj, "visited_on", None))},
        status=422 if error else 200)


# -- projects -----------------------------------------------------------------------------------
@requires(VIEW_NETWORK)
def projects(request):
    scope = request.scope
    qs, f = selectors.projects_from_query(scope, request.GET)
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE)
    by_id = {p.pk: p for p in selectors.with_figures(selectors.projects_in(scope).filter(
        pk__in=[p.pk for p in page.object_list])).select_related("community", "organisation")}
    page.object_list = [by_id[p.pk] for p in page.object_list]
    provider = selectors.is_provider(scope)
    communities = [] if provider else list(selectors.communities_in(scope)[:300])
    query = query_without_page(request.GET)
    return render(request, "network/projects.html", {
        "page": page, "f": f, "states": ProjectState.choices, "fields": Field.choices, "communities": communities,
        "table": selectors.overview(qs) if len(communities) > 1 else [], "provider": provider,
        "can_manage": scope.can(MANAGE_SERVICE_PROJECTS), "query": query,
        "querystring_prefix": query + ("&" if query else "")})


HEADER = ("项目名称", "社区", "服务领域", "状态", "承接机构", "出资方", "预算(元)", "合同金额(元)", "已支出(元)",
          "服务次数", "服务时长(小时)", "服务对象(人)", "开始日期", "结束日期")


@requires(VIEW_NETWORK)
def projects_export(request):
    qs, _ = selectors.projects_from_query(request.scope, request.GET)
    qs = selectors.with_figures(qs)
    fields, states = dict(Field.choices), dict(ProjectState.choices)

    def rows():
        for r in qs.values_list("title", "community__name", "field", "state", "organisation__name", "payer", "budget",
                                "contract_amount", "spent", "session_count", "hours", "beneficiary_count",
                                "starts_on", "ends_on").iterator(chunk_size=2000):
            yield (r[0], r[1], fields.get(r[2], r[2]), states.get(r[3], r[3]), r[4] or "", r[5], float(r[6]),
                   float(r[7]), float(r[8]), r[9], float(r[10]), r[11], r[12], r[13])
    today = timezone.localdate()
    return xlsx_response(filename=f"服务项目-{today:%Y%m%d}.xlsx", prefix="network",
                         sheets=[("服务项目", HEADER, rows())])


@requires(MANAGE_SERVICE_PROJECTS)
def project_new(request):
    scope = request.scope
    communities = [c for c in selectors.communities_in(scope)[:300]]
    if not communities:
        raise Http404(NF)
    data = request.POST if request.method == "POST" else request.GET
    code = request.GET.get("community") or data.get("community") or communities[0].code
    community = next((c for c in communities if c.code == code), None)
    if community is None:
        raise Http404(NF)
    error = ""
    if request.method == "POST":
        try:
            project = svc.project_design(
                community=community, title=data.get("title", ""), field_code=data.get("field", ""),
                goals=data.get("goals", ""), indicators=data.get("indicators", ""), budget=data.get("budget", ""),
                payer=data.get("payer", ""), starts_on=data.get("starts_on", ""), ends_on=data.get("ends_on", ""),
                need_ids=data.getlist("need"), by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "项目已创建,可添加服务对象后公开征集或定向委托")
            return redirect("network:project", project.pk)
    today = timezone.localdate()
    open_needs = list(Need.objects.filter(community=community, project__isnull=True, closed="")[:100])
    return render(request, "network/project_new.html", {
        "communities": communities, "community": community, "fields": Field.choices, "needs": open_needs,
        "chosen": set(data.getlist("need")) if hasattr(data, "getlist") else set(), "data": data, "error": error,
        "default_start": today.isoformat(), "default_end": (today + dt.timedelta(days=365)).isoformat()},
        status=422 if error else 200)


def _project_page(request, project, *, error: str = "", status: int = 200):
    scope = request.scope.for_capability(VIEW_NETWORK)
    manage = request.scope.can(MANAGE_SERVICE_PROJECTS, project.community)
    mine = selectors.organisations_of(request.user).filter(pk=project.organisation_id).exists() \
        if project.organisation_id else False
    my_orgs = list(selectors.organisations_of(request.user))
    see_people = manage or mine or (not selectors.is_provider(scope))
    beneficiaries = list(Beneficiary.objects.filter(project=project, removed_on__isnull=True).select_related(
        "resident", "resident__grid").order_by("resident__name")[:500]) if see_people else []
    sessions = list(ServiceSession.objects.filter(project=project).prefetch_related("photos", "workers").annotate(
        served=Count("residents", distinct=True))[:100])
    contract = Contract.objects.filter(project=project).select_related("purchase").first()
    purchase = _purchase_context(request, project, contract, manage)
    candidates = []
    if manage and project.state in (ProjectState.DRAFT, ProjectState.PUBLISHED):
        from gongzhi.people.models import Organisation
        candidates = list(Organisation.objects.filter(kind=OrgKind.SOCIAL_ORG, active=True,
                                                      community__parent_id=project.community.parent_id)
                          .order_by("name")[:200])
    from gongzhi.places.models import Place
    return render(request, "network/project.html", {
        "p": project, "contract": contract, "needs": list(project.needs.all()),
        "beneficiaries": beneficiaries, "see_people": see_people, "sessions": sessions,
        "workers": list(project.workers.filter(left_on__isnull=True).prefetch_related("trainings")),
        "applications": list(Application.objects.filter(project=project).select_related("organisation"))
        if (manage or mine) else
        list(Application.objects.filter(project=project, organisation__in=my_orgs).select_related("organisation")),
        "evaluations": list(project.evaluations.order_by("evaluated_on")),
        "events": list(project.events.select_related("by").order_by("-at")[:30]),
        "manage": manage, "mine": mine, "my_orgs": my_orgs,
        "org_visible": bool(project.organisation_id) and selectors.organisations_in(scope).filter(
            pk=project.organisation_id).exists(),
        "can_deliver": request.scope.can(DELIVER_SERVICE_PROJECTS) and mine,
        "can_apply": request.scope.can(DELIVER_SERVICE_PROJECTS) and project.state == ProjectState.PUBLISHED
        and bool(my_orgs),
        "candidates": candidates, "tags": list(CareTag.objects.order_by("sort")),
        "grids": list(Place.objects.filter(parent=project.community).order_by("code")),
        "stages": EvaluationStage.choices, "certificates": svc.CERTIFICATES.items(),
        "error": error, "today": timezone.localdate(), **purchase}, status=status)


def _purchase_context(request, project, contract, manage: bool) -> dict:
    """The purchased service (admission) the contract fulfils: its link for those who read the duty pages
    of the community, and for a manager the purchases it may be linked to or the button to register one."""
    from gongzhi.admission.manifest import BUY_SERVICES, VIEW_DUTIES
    from gongzhi.admission.models import ContractState
    from gongzhi.admission.selectors import contracts_in
    out = {"purchase_url": "", "purchase_options": [], "may_buy": False}
    if contract is None:
        return out
    if contract.purchase_id and request.scope.can(VIEW_DUTIES, project.community):
        out["purchase_url"] = reverse("admission:contract", args=[contract.purchase_id])
    if manage and contract.purchase_id is None:
        duties = request.scope.for_capability(VIEW_DUTIES)
        if duties.assignments:
            taken = Contract.objects.filter(purchase__isnull=False).values("purchase_id")
            out["purchase_options"] = list(contracts_in(duties).filter(
                community=project.community, price_yuan__gte=contract.amount).exclude(
                state=ContractState.VOIDED).exclude(pk__in=taken).order_by("-starts_on")[:50])
        out["may_buy"] = request.scope.can(BUY_SERVICES, project.community)
    return out


@require_POST
@requires(MANAGE_SERVICE_PROJECTS)
def purchase(request, pk, step):
    """Link the project's contract to a purchased service of admission, or register it as one."""
    from gongzhi.admission.manifest import VIEW_DUTIES
    from gongzhi.admission.selectors import contracts_in
    if step == "link":
        def act(pr):
            raw = (request.POST.get("purchase") or "").strip()
            visible = raw.isdigit() and 0 < int(raw) < 2**31 and contracts_in(
                request.scope.for_capability(VIEW_DUTIES)).filter(pk=int(raw)).exists()
            return svc.contract_link_purchase(project=pr, purchase_pk=raw if visible else 0, by=request.user)
        return _act(request, pk, act, "合同已对应政府购买服务")
    if step == "create":
        return _act(request, pk, lambda pr: svc.contract_create_purchase(project=pr, by=request.user),
                    "合同已登记为政府购买服务")
    raise Http404(NF)


@requires(VIEW_NETWORK)
def project(request, pk):
    return _project_page(request, selectors.access_project(request.scope, pk))


def _act(request, pk, action, success: str):
    project = selectors.access_project(request.scope, pk)
    try:
        action(project)
    except (RuleError, ConflictError) as exc:
        project = selectors.access_project(request.scope.for_capability(VIEW_NETWORK), pk)
        return _project_page(request, project, error=str(exc), status=refusal_status(exc))
    messages.success(request, success)
    return redirect("network:project", pk)


@require_POST
@requires(MANAGE_SERVICE_PROJECTS)
def project_state(request, pk, step):
    p = request.POST
    if step == "publish":
        return _act(request, pk, lambda pr: svc.project_publish(project=pr, version=p.get("version"),
                                                                by=request.user), "已公开征集承接机构")
    if step == "assign":
        def assign(pr):
            from gongzhi.people.models import Organisation
            org = Organisation.objects.filter(pk=_int(p.get("organisation")), kind=OrgKind.SOCIAL_ORG,
                                              community__parent_id=pr.community.parent_id).first()
            if org is None:
                raise RuleError("请选择本街道的社会组织作为承接机构")
            svc.project_assign(project=pr, version=p.get("version"), organisation=org, by=request.user)
        return _act(request, pk, assign, "已确定承接机构")
    if step == "cancel":
        return _act(request, pk, lambda pr: svc.project_cancel(project=pr, version=p.get("version"),
                                                               reason=p.get("reason", ""), by=request.user), "项目已撤销")
    raise Http404(NF)


def _int(value) -> int:
    try:
        v = int(value)
    except (TypeError, ValueError):
        return 0
    return v if 0 < v < 2**31 else 0


@require_POST
@requires(MANAGE_SERVICE_PROJECTS)
def beneficiaries(request, pk):
    p = request.POST

    def act(pr):
        if p.get("remove"):
            return svc.beneficiary_remove(project=pr, resident_id=_int(p.get("remove")), by=request.user)
        from gongzhi.people.models import Resident
        if p.get("resident"):  # one resident by id: one outside the project's community is refused by the service
            residents = list(Resident.objects.filter(pk=_int(p.get("resident"))).filter(
                request.scope.people_q()))
            if not residents:
                raise RuleError("未找到该居民")
            return svc.beneficiaries_add(project=pr, residents=residents, by=request.user)
        grid = None
        if p.get("grid"):
            grid = pr.community.children.filter(code=p.get("grid", "")[:20]).first()
            if grid is None:
                raise RuleError("所选网格不在项目所在社区")
        try:
            ages = [int(x) if (x or "").strip() else None for x in (p.get("min_age"), p.get("max_age"))]
        except ValueError:
            raise RuleError("年龄须为整数") from None
        if any(a is not None and not 0 <= a <= 150 for a in ages):
            raise RuleError("年龄须在 0 至 150 之间")
        if not (p.get("tag") or grid or any(a is not None for a in ages)):
            raise RuleError("请至少选择一个条件(标签、年龄或网格)")
        qs = svc.residents_matching(pr.community, tag=p.get("tag", ""), min_age=ages[0], max_age=ages[1], grid=grid)
        return svc.beneficiaries_add(project=pr, residents=qs, by=request.user)
    return _act(request, pk, act, "服务对象已更新")


@require_POST
@requires(DELIVER_SERVICE_PROJECTS)
def apply(request, pk):
    p = request.POST

    def act(pr):
        org = selectors.organisations_of(request.user).filter(pk=_int(p.get("organisation"))).first()
        if org is None:
            raise RuleError("请选择您所在的服务机构")
        svc.application_submit(project=pr, organisation=org, plan=p.get("plan", ""), quote=p.get("quote", ""),
                               by=request.user)
    return _act(request, pk, act, "已提交申报")


@require_POST
@requires(MANAGE_SERVICE_PROJECTS)
def contract(request, pk):
    p = request.POST
    return _act(request, pk, lambda pr: svc.contract_sign(
        project=pr, version=p.get("version"), number_text=p.get("number", ""), amount=p.get("amount", ""),
        signed_on=p.get("signed_on", ""), by=request.user), "合同已签订,项目进入实施")


@require_POST
@requires(DELIVER_SERVICE_PROJECTS)
def training_add(request, pk):
    p = request.POST
    return _act(request, pk, lambda pr: svc.training_add(
        project=pr, worker_id=p.get("worker", ""), course=p.get("course", ""), hours=p.get("hours", ""),
        taken_on=p.get("taken_on", ""), certificate=p.get("certificate", ""), by=request.user), "培训记录已登记")


@require_POST
@requires(DELIVER_SERVICE_PROJECTS)
def worker_add(request, pk):
    p = request.POST
    return _act(request, pk, lambda pr: svc.worker_add(
        project=pr, name=p.get("worker_name", ""), certificate=p.get("certificate", ""),
        certificate_no=p.get("certificate_no", ""), by=request.user), "社工已加入项目团队")


@requires(DELIVER_SERVICE_PROJECTS)
def session_new(request, pk):
    project = selectors.access_project(request.scope, pk)
    if not selectors.organisations_of(request.user).filter(pk=project.organisation_id or 0).exists():
        raise Http404(NF)
    error = ""
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            s = svc.session_record(project=project, held_on=data.get("held_on", ""), title=data.get("title", ""),
                                   hours=data.get("hours", ""), resident_ids=data.getlist("resident"),
                                   worker_ids=data.getlist("worker"), files=request.FILES.getlist("photos"),
                                   by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "服务记录已保存")
            return redirect("network:session", s.pk)
    people = list(Beneficiary.objects.filter(project=project, removed_on__isnull=True).select_related(
        "resident").order_by("resident__name")[:300])
    return render(request, "network/session_new.html", {
        "p": project, "people": people, "workers": list(project.workers.filter(left_on__isnull=True)),
        "data": data, "chosen": set(data.getlist("resident")) if data else set(), "error": error,
        "today": timezone.localdate()}, status=422 if error else 200)


@require_POST
@requires(MANAGE_SERVICE_PROJECTS)
def evaluate(request, pk):
    p = request.POST
    return _act(request, pk, lambda pr: svc.evaluate(
        project=pr, version=p.get("version"), stage=p.get("stage", ""), satisfaction=p.get("satisfaction", ""),
        indicators_met=p.get("indicators_met", ""), spent=p.get("spent", ""), note=p.get("note", ""),
        by=request.user), "评估已保存")


def _access_session(request, pk) -> ServiceSession:
    s = ServiceSession.objects.filter(pk=_int(pk) or 0).first()
    if s is None:
        raise Http404(NF)
    project = selectors.access_project(request.scope, s.project_id)
    s.project = project
    return s


@requires(VIEW_NETWORK)
def session(request, pk):
    s = _access_session(request, pk)
    project = s.project
    manage = request.scope.can(MANAGE_SERVICE_PROJECTS, project.community)
    mine = selectors.organisations_of(request.user).filter(pk=project.organisation_id or 0).exists()
    if not (manage or mine or not selectors.is_provider(request.scope)):
        raise Http404(NF)
    return render(request, "network/session.html", {
        "s": s, "p": project, "residents": list(s.residents.order_by("name")), "workers": list(s.workers.all()),
        "photos": list(s.photos.all())})


@requires(VIEW_NETWORK)
def session_photo(request, pk, photo_pk):
    s = _access_session(request, pk)
    mine = selectors.organisations_of(request.user).filter(pk=s.project.organisation_id or 0).exists()
    if selectors.is_provider(request.scope) and not mine:
        raise Http404(NF)
    photo = SessionPhoto.objects.filter(session=s, pk=photo_pk).first()
    if photo is None:
        raise Http404(NF)
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)
