"""What work-order services refuse with: `WorkflowError` (the step breaks a rule;
400 on the page) and the kernel's `ConflictError` (the form is stale; 409),
which `lock_row` raises."""
from __future__ import annotations

from gongzhi.core.errors import ConflictError, RuleError, lock_version

__all__ = ["ERR_CONFLICT", "ConflictError", "WorkflowError", "lock_row"]

ERR_CONFLICT = "该记录已被他人修改,请刷新后重试"


class WorkflowError(RuleError):
    """The step is not allowed now or its input breaks a rule; the message says which, in Chinese."""


def lock_row(queryset, pk, version: int | None):
    """Lock row `pk` until the transaction ends. A form's `version` must still be the
    row's (`core.errors.lock_version`); without a version nothing is compared."""
    if version is None:
        return queryset.select_for_update().get(pk=pk)
    return lock_version(queryset, pk, int(version), ERR_CONFLICT)
