"""Cadre supervision's part of each village's disclosure board (disclosure's extension point
extras["disclosure_sections"]): the cadres' public pledges of this year and last with how they were kept
(四2(1): pledges are made to all villagers), and the conclusions of the 经管站's audits (四3(3): “审计结果要上报并
定期公开”). Public: the cadre's name and posts only, never a phone or an ID; the audit's public conclusion only,
not its findings."""
from __future__ import annotations

from django.db.models import Q

from gongzhi.cadres.models import Oversight, CheckKind, Pledge
from gongzhi.disclosure.selectors import Section

ROWS = 8


def pledges(community, *, now) -> Section | None:
    year = now.year
    rows = list(Pledge.objects.filter(community=community, void_reason="", year__gte=year - 1)
                .order_by("-year", "pk").only("name", "posts", "text", "state", "note", "checked_on", "made_on")[:ROWS])
    if not rows:
        return None
    return Section(title="村干部公开承诺及兑现", order=30, rows=[
        (f"{p.name}({p.posts}):{p.text}", p.checked_on or p.made_on,
         p.get_state_display() + (f":{p.note}" if p.note else "")) for p in rows])


def audits(community, *, now) -> Section | None:
    rows = list(Oversight.objects.filter(community=community, kind=CheckKind.AUDIT, void_reason="",
                                     held_on__isnull=False, held_on__year__gte=now.year - 1)
                .filter(~Q(conclusion="")).order_by("-held_on", "-pk")[:ROWS])
    if not rows:
        return None
    return Section(title="村干部审计结果", order=31, rows=[
        (f"{c.get_form_display()}({c.by_whom})", c.held_on, c.conclusion) for c in rows])
