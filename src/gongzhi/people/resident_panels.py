"""The resident's home page (people:resident_home) is made of panels that modules register under the
`resident_panels` extra (a `core.modules.Panel` each). This module owns the extension point and its
own panel, the resident's household."""
from __future__ import annotations

from django.db.models import Count, Q

from gongzhi.core import modules
from gongzhi.people.models import Household, PersonStatus


def render(request) -> list[dict]:
    """Every registered resident panel, in order, each filled through the caller's scope narrowed to its
    capability (a panel whose capability no post grants, or whose context is None, is left out) —
    the way the kernel fills the staff home (core.views.render_panels)."""
    shown = []
    for panel in sorted(modules.extras("resident_panels"), key=lambda p: p.order):
        scope = request.scope.for_capability(panel.capability) if panel.capability else request.scope
        if panel.capability and not scope.assignments:
            continue
        ctx = panel.render_context(request, scope)
        if ctx is not None:
            shown.append({"template": panel.template, "ctx": ctx})
    return shown


def household(request, scope):
    """The caller's own household: its number, place and how many live in it (own records only)."""
    resident = getattr(request.user, "resident", None)
    if resident is None:
        return None
    hh = (Household.objects.select_related("dwelling", "community", "grid")
          .annotate(living=Count("members", filter=Q(members__status=PersonStatus.ACTIVE)))
          .get(pk=resident.household_id))
    return {"me": resident, "household": hh, "living_here": resident.status == PersonStatus.ACTIVE}
