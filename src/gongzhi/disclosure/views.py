"""Disclosure pages: the staff list, publishing, one item and its withdrawal, the freshness table
(and its xlsx), the resident's board, and the public board with its A3 poster. Thin: reads through
selectors, writes through services."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongzhi.core.forms import first_error
from gongzhi.core.errors import RuleError
from gongzhi.core.exports import query_without_page, xlsx_response
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import public, requires
from gongzhi.disclosure import freshness, poster as posters, selectors, services
from gongzhi.disclosure.forms import ItemForm, WithdrawForm
from gongzhi.disclosure.manifest import PUBLISH_DISCLOSURE, READ_BOARD, VIEW_DISCLOSURE, VIEW_FRESHNESS
from gongzhi.disclosure.models import Category, Item

PER_PAGE = 20


# -- staff: the list, publishing, one item ---------------------------------------------------
@requires(VIEW_DISCLOSURE)
def item_list(request):
    qs, f = selectors.items_from_query(request.scope, request.GET)
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE, related=("community",))
    prefix = query_without_page(request.GET)
    return render(request, "disclosure/items.html", {
        "page": page, "f": f, "categories": Category.choices,
        "communities": list(selectors.communities_in(request.scope)[:200]),
        "can_publish": bool(selectors.publish_communities(request.scope.for_capability(PUBLISH_DISCLOSURE))),
        "can_freshness": bool(request.scope.for_capability(VIEW_FRESHNESS).assignments),
        "querystring_prefix": prefix + ("&" if prefix else "")})


@requires(PUBLISH_DISCLOSURE)
def item_new(request):
    communities = selectors.publish_communities(request.scope)
    if not communities:
        raise PermissionDenied("只有社区居委会可以发布居务公开")
    by_code = {c.code: c for c in communities}
    form = ItemForm(request.POST or None, request.FILES or None, communities=communities,
                    initial={"community": communities[0].code, "category": request.GET.get("category", "")})
    error = ""
    if request.method == "POST":
        code = request.POST.get("community") or request.GET.get("community") or communities[0].code
        if code not in by_code:
            raise Http404(selectors.NOT_FOUND)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.publish(
                    community=by_code[code], category=data["category"], title=data["title"], body=data["body"],
                    period_start=data.get("period_start"), period_end=data.get("period_end"),
                    attachment=data.get("attachment"), by=request.user)
            except RuleError as exc:
                error = str(exc)
            else:
                messages.success(request, f"已在{item.community.name}公开栏发布,并记入居务公开台账")
                return redirect("disclosure:item", item.pk)
        else:
            error = first_error(form)
    return render(request, "disclosure/new.html", {"form": form, "error": error}, status=422 if error else 200)


def _may_withdraw(scope, item: Item) -> bool:
    return any(c.pk == item.community_id for c in
               selectors.publish_communities(scope.for_capability(PUBLISH_DISCLOSURE)))


@requires(VIEW_DISCLOSURE)
def item_detail(request, pk, *, form=None, error="", status=200):
    item = selectors.access_item(request.scope, pk)
    history = list(item.history.select_related("history_user").order_by("history_date")[:50])
    return render(request, "disclosure/item.html", {
        "item": item, "history": history, "error": error,
        "may_withdraw": item.withdrawn_at is None and _may_withdraw(request.scope, item),
        "form": form or WithdrawForm()}, status=status)


@requires(PUBLISH_DISCLOSURE)
@require_POST
def withdraw(request, pk):
    item = selectors.access_item(request.scope, pk)
    if not _may_withdraw(request.scope, item):
        raise PermissionDenied("只有本社区居委会可以撤下本社区的公开事项")
    form = WithdrawForm(request.POST)
    error = "" if form.is_valid() else first_error(form)
    if not error:
        try:
            services.withdraw(item=item, reason=form.cleaned_data["reason"], by=request.user)
        except RuleError as exc:
            error = str(exc)
    if error:
        request.scope = request.scope.for_capability(VIEW_DISCLOSURE)
        return item_detail.__wrapped__(request, pk, form=form, error=error, status=422)
    messages.success(request, "已撤下,台账中的记录同时作废;撤下原因留存备查")
    return redirect("disclosure:item", item.pk)


def _file(item: Item):
    if not item.attachment:
        raise Http404("没有附件")
    return FileResponse(item.attachment.open("rb"), content_type=item.attachment_type or "application/octet-stream",
                        filename=item.attachment_name or "附件")


@requires(VIEW_DISCLOSURE)
def item_file(request, pk):
    return _file(selectors.access_item(request.scope, pk))


# -- freshness: the committee's and the street's table -------------------------------------
@requires(VIEW_FRESHNESS)
def freshness_table(request):
    today = timezone.localdate()
    communities = selectors.communities_in(request.scope)
    table, windows = freshness.rows(communities, today)
    if request.GET.get("format") == "xlsx":
        header = ["街道", "社区", "逾期类别数"] + [f"{w.label}(最近公开)" for w in windows] + \
            [f"{w.label}(状态)" for w in windows]
        body = ([r["community"].parent.name if r["community"].parent else "", r["community"].name, r["stale"]]
                + [c["last"] for c in r["cells"]] + [c["label"] for c in r["cells"]] for r in table)
        return xlsx_response(filename=f"居务公开更新情况-{today:%Y-%m-%d}.xlsx", prefix="disclosure",
                             sheets=[("居务公开更新情况", header, body)])
    summary = freshness.summary(communities, today)
    return render(request, "disclosure/freshness.html", {
        "table": table, "windows": windows, "summary": summary, "today": today,
        "stale_communities": sum(1 for r in table if r["stale"])})


# -- the resident's board --------------------------------------------------------------------
@requires(READ_BOARD)
def my_board(request):
    community = selectors.communities_in(request.scope).first()
    if community is None:
        raise Http404("您的账号没有绑定社区")
    return _render_board(request, community, mine=True)


# -- the public board ------------------------------------------------------------------------
@public
def boards(request):
    communities = selectors.board_communities()
    return render(request, "disclosure/boards.html", {"communities": communities})


def _render_board(request, community, *, mine=False):
    now = timezone.now()
    return render(request, "disclosure/board.html", {
        "community": community, "columns": selectors.board(community, now=now),
        "sections": selectors.sections(community, now=now), "mine": mine, "now": now})


@public
def board(request, code):
    return _render_board(request, selectors.board_community(code))


@public
def poster(request, code):
    community = selectors.board_community(code)
    pdf = posters.render(community, now=timezone.now())
    return HttpResponse(pdf, content_type="application/pdf", headers={
        "Content-Disposition": content_disposition_header(False, f"{community.name}居务公开栏.pdf")})


@public
def public_file(request, code, pk):
    community = selectors.board_community(code)
    item = Item.objects.live().filter(pk=pk, community=community).first()
    if item is None:
        raise Http404("未找到该公开事项,或已撤下")
    return _file(item)

