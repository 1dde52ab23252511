"""Links a higher module adds to a lower module's record pages (a topic, a work order, a visit, a survey):
"raise it as a service need", "already raised as need N". The page's module owns the record and names
its kind; modules above it register functions under `extras["record_links"]` and the page calls
`attach(request, kind, objs)` once for all the records it shows (one query per registered function,
never one per row). The kernel names no module.

A registered function is `f(request, kind: str, objs: list) -> dict[int, list[RecordLink]]` (pk → links),
and reads through the caller's own scope: a link is offered only where its target would answer."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import import_string

from gongzhi.core import modules

RECORD_LINKS = "record_links"


@dataclass(frozen=True)
class RecordLink:
    label: str  # 中文: "提为服务需求" or "服务需求:助餐点"
    url: str
    done: bool = False  # a link to something already made (shown as a tag, not a button)


def attach(request, kind: str, objs) -> list:
    """Sets `obj.record_links` (a list of RecordLink) on every record shown; returns the records."""
    objs = list(objs)
    for obj in objs:
        obj.record_links = []
    if not objs or not getattr(request.user, "is_authenticated", False):
        return objs
    by_pk = {obj.pk: obj for obj in objs}
    for path in modules.extras(RECORD_LINKS):
        found = import_string(path)(request, kind, objs) or {}
        for pk, links in found.items():
            if pk in by_pk:
                by_pk[pk].record_links.extend(links)
    return objs
