"""Excel exports of the work-order list and the visit log: the rows each page shows for
its query string (the same selector reads both), within the scope narrowed to the
page's capability. Read as plain values in batches (one query, whatever the count);
the reporter's phone only masked; each export is written to the access log with its
filter and row count (both hold names, addresses and what residents raised)."""
from __future__ import annotations

from django.utils import timezone

from gongzhi.core.access_log import access_log_write
from gongzhi.core.exports import describe_filter, xlsx_response
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import requires
from gongzhi.workorders import selectors
from gongzhi.workorders.manifest import VIEW_ORDERS, VIEW_VISITS
from gongzhi.workorders.models import Channel, Kind, State

CHUNK = 2000
DETAIL = "导出{what} {count} 条;筛选:{filter}"

ORDER_HEADER = ("工单号", "标题", "类型", "类别", "来源", "状态", "街道(镇)", "社区", "网格", "地址", "反映人",
                "联系电话(脱敏)", "承办单位", "承办部门", "上报时间", "本环节时限", "办结时限", "结案时间", "评价")
ORDER_FIELDS = ("id", "created_at", "title", "kind", "category__name", "channel", "state", "street__name",
                "community__name", "grid__name", "address", "reporter_name", "reporter_phone_masked",
                "handling_place__name", "handling_department", "step_due_at", "due_at", "closed_at", "rating")
VISIT_HEADER = ("走访日期", "网格", "走访户", "走访情况", "群众诉求", "工单号", "记录人")
VISIT_FIELDS = ("visited_on", "grid__name", "household__number", "notes", "concerns", "work_order_id",
                "work_order__created_at", "visitor__display_name", "visitor__username")


def _local(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _number(pk, created_at) -> str:
    """WorkOrder.number, from the two values it is made of."""
    return f"GD{created_at:%Y%m%d}{pk:07d}" if pk and created_at else ""


def order_rows(qs):
    kinds, channels, states = dict(Kind.choices), dict(Channel.choices), dict(State.choices)
    for (pk, created, title, kind, category, channel, state, street, community, grid, address, reporter, phone,
         handler, department, step_due, due, closed, rating) in qs.values_list(*ORDER_FIELDS).iterator(
            chunk_size=CHUNK):
        yield (_number(pk, created), title, kinds.get(kind, kind), category, channels.get(channel, channel),
               states.get(state, state), street or "", community or "", grid or "", address, reporter, phone,
               handler or "", department, _local(created), _local(step_due), _local(due), _local(closed),
               rating)


def visit_rows(qs):
    for day, grid, household, notes, concerns, order_id, order_at, name, username in qs.values_list(
            *VISIT_FIELDS).iterator(chunk_size=CHUNK):
        yield day, grid, household or "", notes, concerns, _number(order_id, order_at), name or username


def _logged(request, what: str, target: str, filter_text: str):
    def log(count: int) -> None:
        access_log_write(user=request.user, action=AccessAction.EXPORT, target=target, request=request,
                         detail=DETAIL.format(what=what, count=count, filter=filter_text))
    return log


def _target(scope) -> str:
    return "、".join(p.name for p in scope.staff_places)[:150] or "本人相关"


@requires(VIEW_ORDERS)
def order_export(request):
    qs = selectors.orders_from_query(scope=request.scope, params=request.GET)
    return xlsx_response(filename=f"工单-{timezone.localdate():%Y%m%d}.xlsx", prefix="orders",
                         sheets=[("工单", ORDER_HEADER, order_rows(qs))],
                         before_send=_logged(request, "工单", f"工单 {_target(request.scope)}",
                                             selectors.order_filter_text(request.GET)))


@requires(VIEW_VISITS)
def visit_export(request):
    qs = selectors.visits_from_query(scope=request.scope, params=request.GET)
    filters, _ = selectors.visit_filters(request.GET)
    filter_text = describe_filter({k: str(v) if v else "" for k, v in filters.items()}, selectors.VISIT_FILTERS)
    return xlsx_response(filename=f"民情日记-{timezone.localdate():%Y%m%d}.xlsx", prefix="visits",
                         sheets=[("民情日记", VISIT_HEADER, visit_rows(qs))],
                         before_send=_logged(request, "民情日记", f"民情日记 {_target(request.scope)}", filter_text))
