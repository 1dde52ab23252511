"""Home panels: the committee's and the street's freshness alert (categories not refreshed within
their period), and a resident's latest items of their community's board."""
from django.utils import timezone

from gongzhi.disclosure import freshness as fresh
from gongzhi.disclosure import selectors


def freshness(request, scope):
    table, windows = fresh.rows(selectors.communities_in(scope), timezone.localdate())
    stale = [r for r in table if r["stale"]]
    return {"communities": len(table), "stale": len(stale), "rows": stale[:5], "windows": windows,
            "single": table[0] if len(table) == 1 else None}


def my_board(request, scope):
    community = selectors.communities_in(scope).first()
    if community is None:
        return None
    return {"community": community, "items": list(selectors.latest([community.pk], limit=5))}
