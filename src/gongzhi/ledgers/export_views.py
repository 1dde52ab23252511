"""A ledger tab as Excel: the rows the ledger page shows for its query string (tab, year,
those who left), read by the same selector, in the list's columns plus the row's state.
Ledgers name people (workers, volunteers), so every export is in the access log."""
from __future__ import annotations

from django.utils import timezone

from gongzhi.core.access_log import access_log_write
from gongzhi.core.exports import xlsx_response
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import requires
from gongzhi.ledgers import selectors
from gongzhi.ledgers.kinds import VOID, LedgerKind
from gongzhi.ledgers.manifest import VIEW_LEDGERS

CHUNK = 1000
DETAIL = "导出台账 {count} 条;筛选:{filter}"


def _state(kind: LedgerKind, row) -> str:
    if kind.ends == VOID:
        return f"已作废:{row.voided}" if row.voided else "有效"
    return f"已退出({row.left_on:%Y-%m-%d})" if row.left_on else "在册"


def ledger_rows(kind: LedgerKind, rows):
    """One line per row, as the page's cells read (Column.text), then its state."""
    for row in rows.iterator(chunk_size=CHUNK):
        yield [c.text(row) for c in kind.columns] + [_state(kind, row)]


@requires(VIEW_LEDGERS)
def ledger_export(request, code):
    community = selectors.access_community(request.scope, code)
    kind, year, include_left, rows = selectors.rows_from_query(community, request.GET)
    header = [c.header for c in kind.columns] + ["状态"]
    parts = [f"台账={kind.label}"]
    if kind.date_field:
        parts.append(f"年度={year}")
    if include_left:
        parts.append("含已退出")
    filter_text = ";".join(parts)

    def log(count: int) -> None:
        access_log_write(user=request.user, action=AccessAction.EXPORT, request=request,
                         target=f"台账 {community.name}({community.code})",
                         detail=DETAIL.format(count=count, filter=filter_text))

    suffix = f"{year}年" if kind.date_field else f"{timezone.localdate():%Y%m%d}"
    return xlsx_response(filename=f"{community.name}-{kind.label}-{suffix}.xlsx".replace("/", "、"), prefix="ledger",
                         sheets=[(kind.label[:31].replace("/", "、"), header, ledger_rows(kind, rows))],
                         before_send=log)
