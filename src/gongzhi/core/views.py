from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from gongzhi.core import modules
from gongzhi.core.manifest import VIEW_ACCESS_LOG
from gongzhi.core.models import AccessAction, AccessLog
from gongzhi.core.permissions import PANELS, PUBLIC, public, requires


def render_panels(request, kind: str, *args) -> list[dict]:
    """The panels modules registered for a shared page, each filled through the
    caller's scope narrowed to the panel's own capability; a panel whose
    capability no post grants, or whose context is None, is left out."""
    shown = []
    for panel in modules.panels(kind):
        scope = request.scope.for_capability(panel.capability) if panel.capability else request.scope
        if panel.capability and not scope.assignments:
            continue
        ctx = panel.render_context(request, scope, *args)
        if ctx is not None:
            shown.append({"template": panel.template, "ctx": ctx})
    return shown


def home(request):
    if not request.user.is_authenticated:
        return redirect("core:public_home")  # a visitor lands on what anyone may see, with the way in
    if not request.scope.is_staff:
        if request.scope.is_resident:
            # a resident's home is the first of their links (their household)
            first = next(e for e in modules.nav_entries() if e.audience == "resident")
            return redirect(first.url_name)
        if request.scope.link_grants:  # an account by a link only (a relative living elsewhere)
            return redirect(request.scope.link_grants[0].url_name)
        return render(request, "core/no_rights.html")
    posts = [a.place for a in request.scope.all_assignments if a.role != "resident"]
    return render(request, "core/home.html", {"posts": posts, "panels": render_panels(request, "home_panels")})


home.capability = PANELS


@public
def public_home(request):
    """What anyone may open without an account: every public page the modules register, and the way in."""
    pages = [{"label": p.label, "url": reverse(p.url_name), "description": p.description}
             for m in modules.modules() for p in m.public_pages]
    return render(request, "core/public_home.html", {"pages": pages})


def not_found(request, exception=None):
    """404 in the site's layout, with the code's own reason when it gave one in Chinese
    (e.g. a run whose pack is gone); anything else (a URL that matches nothing) gets the plain text."""
    message = exception.args[0] if exception is not None and exception.args else ""
    reason = message if isinstance(message, str) and any("\u4e00" <= ch <= "\u9fff" for ch in message) else ""
    return render(request, "404.html", {"reason": reason}, status=404)


not_found.capability = PUBLIC


def csrf_failure(request, reason=""):
    """A stale or foreign form (settings.CSRF_FAILURE_VIEW): in Chinese, in the site's layout."""
    return render(request, "403_csrf.html", status=403)


csrf_failure.capability = PUBLIC


@requires(VIEW_ACCESS_LOG)
def access_log(request):
    qs = AccessLog.objects.all()
    action = request.GET.get("action", "")
    # an account name is at most 150 characters; a longer search finds nothing and would exceed
    # SQLite's LIKE pattern limit (50,000 bytes: a server error the form fuzzer found)
    who = request.GET.get("user", "").strip()[:150]
    if action:
        qs = qs.filter(action=action)
    if who:
        qs = qs.filter(username__icontains=who)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "core/access_log.html", {
        "page": page, "actions": AccessAction.choices, "action": action, "who": who,
        "querystring_prefix": (params.urlencode() + "&") if params else ""})
