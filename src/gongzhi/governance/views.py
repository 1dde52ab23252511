"""Topic pages: the list, raising one, a topic with its supports and answer, the committee's desk,
the community's rules, and the public disclosure board. Thin: reads through selectors, writes
through services."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import Role
from gongzhi.core import record_links
from gongzhi.core.forms import first_error
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.exports import query_without_page
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import public, requires
from gongzhi.governance import meetings, selectors, services
from gongzhi.governance.forms import AnswerForm, RulesForm, TopicForm
from gongzhi.governance.manifest import (
    ANSWER_TOPICS, EDIT_TOPIC_RULES, RAISE_TOPICS, RUN_MEETINGS, SUPPORT_TOPICS, VIEW_TOPICS,
)
from gongzhi.governance.models import (
    RaisedAs, Session, Support, TopicCategory, TopicPhoto, TopicRules, TopicState,
)
from gongzhi.places.models import Level, Place

PER_PAGE = 20
NOT_FOUND = "未找到或无权访问"


# -- the list --------------------------------------------------------------------------
@requires(VIEW_TOPICS)
def topic_list(request):
    scope = request.scope
    qs, f, counts = selectors.topics_from_query(scope, request.GET)
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE, related=("community", "grid"),
                           count=counts.get(f["state"], 0) if f["state"] else sum(counts.values()))
    communities = list(selectors.communities_in(scope)[:200]) if scope.staff_places else []
    return render(request, "governance/topics.html", {
        "page": page, "f": f, "categories": TopicCategory.choices, "communities": communities,
        "states": [(v, label, counts.get(v, 0)) for v, label in TopicState.choices],
        "can_raise": bool(request.scope.for_capability(RAISE_TOPICS).assignments),
        "can_answer": bool(request.scope.for_capability(ANSWER_TOPICS).assignments),
        "can_rules": bool(request.scope.for_capability(EDIT_TOPIC_RULES).assignments),
        "querystring_prefix": query_without_page(request.GET) + ("&" if query_without_page(request.GET) else ""),
        "now": timezone.now(),
    })


# -- raising ---------------------------------------------------------------------------
def _raise_places(scope) -> list[Place]:
    """Where the caller may raise a topic: a resident in their community (or grid), a grid worker
    in their grid, a community worker in the community or one of its grids."""
    places = []
    for a in scope.assignments:
        if a.place.level in (Level.COMMUNITY, Level.GRID) and a.place not in places:
            places.append(a.place)
        if a.role == Role.COMMUNITY and a.place.level == Level.COMMUNITY:
            places.extend(p for p in Place.objects.filter(parent=a.place, level=Level.GRID).order_by("code")
                          if p not in places)
    return places


def _raised_as_for(scope, place) -> list[str]:
    kinds = []
    for a in scope.assignments:
        if place.is_within(a.place) or (a.place.level == Level.GRID and place.pk == a.place.parent_id
                                        and a.role == Role.RESIDENT):
            kinds.extend(k for k in services.RAISED_AS_BY_ROLE.get(a.role, ()) if k not in kinds)
    return kinds


@requires(RAISE_TOPICS)
def topic_new(request):
    scope = request.scope
    places = _raise_places(scope)
    if not places:
        raise PermissionDenied("您没有可以提出议题的社区")
    by_code = {p.code: p for p in places}
    code = request.POST.get("place_code") or request.GET.get("place_code") or ""
    if code and code not in by_code:
        raise Http404(NOT_FOUND)
    place = by_code.get(code) or places[0]
    raised_as = _raised_as_for(scope, place) or [RaisedAs.RESIDENT]
    all_kinds = []
    for p in places:
        all_kinds.extend(k for k in _raised_as_for(scope, p) if k not in all_kinds)
    form = TopicForm(request.POST or None, places=places, raised_as=all_kinds or raised_as)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            kind = form.cleaned_data.get("raised_as") or raised_as[0]
            if kind not in raised_as:
                error = services.ERR_RAISED_AS.format(label=RaisedAs(kind).label)
            else:
                try:
                    topic = services.topic_raise(
                        place=place, category=form.cleaned_data["category"], title=form.cleaned_data["title"],
                        text=form.cleaned_data["text"], building=form.cleaned_data.get("building", ""),
                        raised_as=kind, by=request.user, files=request.FILES.getlist("photos"))
                except RuleError as exc:
                    error = str(exc)
                else:
                    messages.success(request, "议题已提出,本社区居民可以附议")
                    return redirect("governance:topic", topic.pk)
        else:
            error = first_error(form)
    return render(request, "governance/topic_new.html", {"form": form, "error": error},
                  status=422 if error else 200)


def _source_place(scope, grid, community) -> Place | None:
    """The grid (or community) of a visit or order, when the caller may raise topics there."""
    for place in (grid, community):
        if place is not None and scope.contains(place):
            return place
    return None


def _raise_from(request, *, title, text, grid, community, **source):
    scope = request.scope
    place = _source_place(scope, grid, community)
    if place is None or not scope.staff_places:
        raise Http404(NOT_FOUND)
    kinds = _raised_as_for(scope, place)
    kind = RaisedAs.GRID if RaisedAs.GRID in kinds else RaisedAs.COMMITTEE
    try:
        topic = services.topic_raise(place=place, category=TopicCategory.OTHER, title=title, text=text,
                                     raised_as=kind, by=request.user, **source)
    except RuleError as exc:
        messages.error(request, str(exc))
        return redirect(request.META.get("HTTP_REFERER") or "governance:topics")
    messages.success(request, "已转为议题,本社区居民可以附议;请核对类别和标题")
    return redirect("governance:topic", topic.pk)


@requires(RAISE_TOPICS)
@require_POST
def from_visit(request, visit_pk):
    from gongzhi.workorders.models import VisitLog
    visit = VisitLog.objects.select_related("grid").filter(pk=visit_pk).first()
    if visit is None or not request.scope.contains(visit.grid):
        raise Http404(NOT_FOUND)
    existing = visit.topics.first()
    if existing is not None:
        return redirect("governance:topic", existing.pk)
    text = (visit.concerns or visit.notes).strip()
    return _raise_from(request, title=text.splitlines()[0][:60] if text else "民情日记反映的问题", text=text,
                       grid=visit.grid, community=visit.grid.parent, source_visit=visit)


@requires(RAISE_TOPICS)
@require_POST
def from_order(request, order_pk):
    from gongzhi.workorders.manifest import VIEW_ORDERS
    from gongzhi.workorders.selectors import access_order
    order = access_order(request.scope.for_capability(VIEW_ORDERS), order_pk)
    existing = order.topics_raised.first()
    if existing is not None:
        return redirect("governance:topic", existing.pk)
    return _raise_from(request, title=order.title, text=order.description, grid=order.grid,
                       community=order.community, source_order=order)


# -- one topic -------------------------------------------------------------------------
def _may_answer(scope, topic) -> bool:
    """The committee of the topic's community; a street or district post once the answer is overdue."""
    answer_scope = scope.for_capability(ANSWER_TOPICS)
    if not selectors.topics_in(answer_scope).filter(pk=topic.pk).exists():
        return False
    if any(a.role == Role.COMMUNITY and a.place.pk == topic.community_id for a in answer_scope.assignments):
        return True
    return topic.overdue


@requires(VIEW_TOPICS)
def topic_detail(request, pk, *, form=None, error="", status=200):
    topic = selectors.access_topic(request.scope, pk)
    user = request.user
    is_resident = services.supporter_resident(user, topic) is not None and \
        bool(request.scope.for_capability(SUPPORT_TOPICS).assignments)
    resident = getattr(user, "resident", None)
    supported = resident is not None and Support.objects.filter(topic=topic, resident=resident).exists()
    may_answer = topic.state in (TopicState.COLLECTING, TopicState.WAITING) and _may_answer(request.scope, topic)
    ctx = {"topic": topic, "events": topic.events.all(), "photos": list(topic.photos.all()),
           "can_support": is_resident and topic.state == TopicState.COLLECTING, "supported": supported,
           "rules": services.rules_for(topic.community), "may_answer": may_answer, "error": error,
           "merged": list(topic.merged_topics.all()[:50]), "now": timezone.now(),
           "show_proposer": request.scope.is_staff,
           "sessions": list(topic.sessions.order_by("-starts_at")[:20]),
           "decisions": list(topic.meetings.select_related("adopted_option").order_by("-held_on")[:20]),
           "may_call": topic.state == TopicState.DELIBERATION and request.scope.can(RUN_MEETINGS, topic.community),
           # P-GOV-3: a topic handed to a department's work order is a matter that needs the government
           "hearings": list(Session.objects.filter(matters__topic=topic).order_by("-starts_at", "-pk")[:20]),
           "may_hear": request.scope.can(RUN_MEETINGS, topic.community)
           and meetings.government_matters(topic.community_id).filter(pk=topic.pk).exists()}
    if may_answer:
        from gongzhi.workorders.models import Category
        form = form or AnswerForm(initial={"version": topic.version, "kind": "deliberation"})
        form.fields["merge_into"].choices = [("", "请选择")] + [
            (str(t.pk), t.title) for t in selectors.topics_in(request.scope.for_capability(VIEW_TOPICS))
            .filter(community=topic.community,
                    state__in=(TopicState.COLLECTING, TopicState.WAITING, TopicState.DELIBERATION))
            .exclude(pk=topic.pk).order_by("-created_at")[:100]]
        form.fields["order_category"].choices = [("", "请选择")] + list(
            Category.objects.filter(active=True, locality__isnull=True).order_by("sort", "pk")
            .values_list("code", "name"))
        ctx["form"] = form
    record_links.attach(request, "topic", [topic])
    return render(request, "governance/topic.html", ctx, status=status)


def _support_step(request, pk, step, done: str):
    topic = selectors.access_topic(request.scope, pk)
    try:
        step(topic=topic, by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("governance:topic", topic.pk)


@requires(SUPPORT_TOPICS)
@require_POST
def support(request, pk):
    return _support_step(request, pk, services.support, "已附议")


@requires(SUPPORT_TOPICS)
@require_POST
def withdraw(request, pk):
    return _support_step(request, pk, services.withdraw, "已撤回附议")


@requires(ANSWER_TOPICS)
@require_POST
def answer(request, pk):
    topic = selectors.access_topic(request.scope, pk)
    if not _may_answer(request.scope, topic):
        raise PermissionDenied("只有本社区居委会可以答复;超过答复时限后街道可以答复")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _answer_again(request, pk, form, first_error(form))
    data = form.cleaned_data
    merge_into = order_category = None
    if data["kind"] == "merge" and data.get("merge_into"):
        merge_into = selectors.topics_in(request.scope).filter(pk=data["merge_into"]).first()
    if data["kind"] == "order" and data.get("order_category"):
        from gongzhi.workorders.models import Category
        order_category = Category.objects.filter(code=data["order_category"], active=True).first()
    try:
        services.answer(topic_id=topic.pk, version=data["version"], kind=data["kind"], text=data["text"],
                        by=request.user, merge_into=merge_into, order_category=order_category)
    except ConflictError as exc:
        return _answer_again(request, pk, None, str(exc), status=409)
    except RuleError as exc:
        return _answer_again(request, pk, form, str(exc))
    messages.success(request, "已答复,提出人和附议居民会收到消息")
    return redirect("governance:topic", topic.pk)


def _answer_again(request, pk, form, error, status=422):
    request.scope = request.scope.for_capability(VIEW_TOPICS)
    return topic_detail.__wrapped__(request, pk, form=form, error=error, status=status)


@requires(VIEW_TOPICS)
def photo(request, pk, photo_pk):
    topic = selectors.access_topic(request.scope, pk)
    item = TopicPhoto.objects.filter(topic=topic, pk=photo_pk).first()
    if item is None:
        raise Http404("未找到")
    return FileResponse(item.file.open("rb"), content_type=item.content_type, filename=item.name)


# -- the committee's desk and rules ----------------------------------------------------
@requires(ANSWER_TOPICS)
def desk(request):
    qs = selectors.desk(request.scope)
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE, related=("community", "grid"))
    return render(request, "governance/desk.html", {"page": page, "counts": selectors.desk_counts(request.scope),
                                                    "now": timezone.now()})


@requires(EDIT_TOPIC_RULES)
def rules(request):
    communities = list(selectors.communities_in(request.scope)[:200])
    saved = {r.community_id: r for r in TopicRules.objects.filter(community__in=communities)}
    rows = [(c, saved.get(c.pk) or TopicRules(community=c)) for c in communities]
    return render(request, "governance/rules.html", {"rows": rows})


@requires(EDIT_TOPIC_RULES)
@require_POST
def rules_edit(request, code):
    community = selectors.communities_in(request.scope).filter(code=code).first()
    if community is None:
        raise Http404(NOT_FOUND)
    form = RulesForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{community.name}:{first_error(form)}")
        return redirect("governance:rules")
    try:
        services.rules_set(community=community, by=request.user, **form.cleaned_data)
    except (RuleError, ConflictError) as exc:
        messages.error(request, f"{community.name}:{exc}")
    else:
        messages.success(request, f"{community.name}的议题规则已保存")
    return redirect("governance:rules")


# -- the public board ------------------------------------------------------------------
@public
def boards(request):
    communities = Place.objects.filter(level=Level.COMMUNITY).select_related("parent").order_by("path")
    return render(request, "governance/boards.html", {"communities": communities})


@public
def board(request, code):
    community = get_object_or_404(Place.objects.select_related("parent"), code=code, level=Level.COMMUNITY)
    qs = selectors.board(community)
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE, related=("merged_into", "grid"))
    return render(request, "governance/board.html", {"community": community, "page": page,
                                                     "counts": selectors.state_counts(qs)})
