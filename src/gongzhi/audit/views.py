"""The audit pages: the trail (auditors), the alerts' handling, the accounts' security state."""
from __future__ import annotations

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.audit import selectors, services
from gongzhi.audit.manifest import HANDLE_ALERTS, MANAGE_ACCOUNT_SECURITY, VIEW_AUDIT
from gongzhi.audit.models import AuditAction, AuditKind
from gongzhi.core.permissions import requires

XLSX_MAX_ROWS = 200_000
ERR_XLSX_TOO_MANY = "符合条件的记录有 {n} 条,超过单次导出上限 {max} 条,请缩小日期范围后分次导出"


@requires(VIEW_AUDIT)
def events(request):
    f, errors = selectors.EventFilter.from_query(request.GET)
    qs = selectors.events(request.scope, f)
    if request.GET.get("format") == "xlsx" and not errors:
        n = qs.count()
        if n > XLSX_MAX_ROWS:
            errors.append(ERR_XLSX_TOO_MANY.format(n=n, max=XLSX_MAX_ROWS))
        else:
            return _xlsx(request, qs, f)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return render(request, "audit/events.html", {
        "page": page, "f": f, "errors": errors, "actions": AuditAction.choices, "kinds": AuditKind.choices,
        "querystring": params.urlencode(), "querystring_prefix": (params.urlencode() + "&") if params else ""},
        status=400 if errors else 200)


HEADER = ["时间", "类别", "操作", "结果", "账号", "姓名", "来源地址", "对象类型", "对象编号", "对象", "修改前", "修改后",
          "说明"]


def _json(value) -> str:
    import json
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def _xlsx(request, qs, f) -> HttpResponse:
    from openpyxl import Workbook

    from gongzhi.core.access_log import access_log_write
    from gongzhi.core.spreadsheets import text_row

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    ws.append(text_row(ws, HEADER))
    n = 0
    for e in qs.iterator(chunk_size=2000):
        ws.append(text_row(ws, [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.get_kind_display(), e.get_action_display(),
            e.get_outcome_display(), e.actor_username, e.actor_name, e.ip or "", e.object_type, e.object_id,
            e.object_label, _json(e.before), _json(e.after), e.detail]))
        n += 1
    out = io.BytesIO()
    wb.save(out)
    access_log_write(user=request.user, action="export", target="审计日志", request=request,
                     detail=f"{n} 条 {request.GET.urlencode()}"[:500])
    name = f"audit-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(HANDLE_ALERTS)
@require_POST
def alert_handled(request, pk):
    try:
        services.alert_acknowledge(request=request, alert_id=pk, note=request.POST.get("note", "")[:200])
    except ValueError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "已标记该告警为已处理")
    return redirect("core:home")


# -- the accounts' security state (the security administrator) --------------------------------

@requires(MANAGE_ACCOUNT_SECURITY)
def accounts(request):
    from gongzhi.accounts.selectors import sign_in_locks, users_in_scope

    q = request.GET.get("q", "").strip()[:150]
    users = users_in_scope(request.scope)
    locks = sign_in_locks()
    if q:
        users = users.filter(username__icontains=q)
    if request.GET.get("locked"):
        users = users.filter(username__in=list(locks))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    for u in page:
        u.locked_from = locks.get(u.username, [])
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "audit/accounts.html", {
        "page": page, "q": q, "locked": bool(request.GET.get("locked")),
        "querystring_prefix": (params.urlencode() + "&") if params else ""})


@requires(MANAGE_ACCOUNT_SECURITY)
@require_POST
def account_unlock(request, pk):
    from gongzhi.accounts import selectors as account_selectors
    from gongzhi.accounts import services as account_services

    user = account_selectors.access_user(request.scope, pk)
    account_services.account_unlock(user=user, by=request.user)
    messages.success(request, f"账号 {user.username} 已解除登录锁定")
    return redirect("audit:accounts")


@requires(MANAGE_ACCOUNT_SECURITY)
@require_POST
def account_toggle(request, pk):
    from gongzhi.accounts import selectors as account_selectors
    from gongzhi.accounts import services as account_services

    user = account_selectors.access_user(request.scope, pk)
    if user.pk == request.user.pk:
        messages.error(request, "不能停用自己的账号")
    else:
        account_services.account_set_active(user=user, active=not user.is_active, by=request.user)
        messages.success(request, f"账号 {user.username} 已{'启用' if user.is_active else '停用'}")
    return redirect("audit:accounts")
