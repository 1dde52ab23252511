"""What every page's template gets: the header's links, built from the module
registry for the caller's posts, and whatever the modules' context processors add."""
from functools import cache

from django.urls import reverse
from django.utils.module_loading import import_string

from gongzhi.core import modules


def _visible(entry, scope) -> bool:
    if entry.audience == "everyone":
        return True
    if entry.audience == "resident":
        return not scope.is_staff and scope.is_resident
    if not scope.is_staff:
        return False
    if entry.unless is not None and scope.can(entry.unless):
        return False
    return entry.capability is None or scope.can(entry.capability)


def _public_links() -> list[dict]:
    return [{"label": p.label, "url": reverse(p.url_name)} for m in modules.modules() for p in m.public_pages]


def scope(request):
    s = getattr(request, "scope", None)
    if s is None or not request.user.is_authenticated:
        return {"scope": s, "public_links": _public_links()}
    entries = [(e.order, e.label, e.url_name, e.badge) for e in modules.nav_entries() if _visible(e, s)]
    entries += [(g.order, g.label, g.url_name, "") for g in s.link_grants]  # rights held by a link, not a post
    nav = [{"label": label, "url": reverse(url_name), "badge": badge}
           for _, label, url_name, badge in sorted(entries, key=lambda e: e[0])]
    held = {c.code for c in modules.capabilities() if s.can(c)}
    return {
        "scope": s,
        "caps": {code: True for code in held},  # {% if caps.view_people %}: held at some post (links only)
        "role_label": "、".join(s.role_labels) or "、".join(dict.fromkeys(
            g.role_label for g in s.link_grants if g.role_label)) or "未分配角色",
        "nav_links": nav,
    }


@cache
def _module_processors():
    return [import_string(path) for m in modules.modules() for path in m.context_processors]


def module_context(request):
    """The context processors the modules registered (e.g. the inbox count)."""
    ctx = {}
    for processor in _module_processors():
        ctx.update(processor(request))
    return ctx
