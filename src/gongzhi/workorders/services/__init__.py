"""Every write to work orders, one module per concern:

- `lifecycle`: the report, the steps on an order and their table (`STEPS`);
- `visits`: the visit log (民情日记) and turning a visit's concern into an order;
- `catalogue`: the admin's category edits; `calendar`: the admin's calendar-day edits;
- `errors`: WorkflowError, ConflictError and the version lock they share.

Callers import the names from here."""
from gongzhi.workorders.rights import is_grid_worker, is_handler, is_reporter, is_supervisor
from gongzhi.workorders.services.calendar import calendar_day_remove, calendar_day_set
from gongzhi.workorders.services.catalogue import (
    ERR_CATEGORY_ATTRIBUTES, ERR_CATEGORY_CODE, ERR_CATEGORY_CODE_TAKEN, ERR_CATEGORY_DEPARTMENT,
    ERR_CATEGORY_LOCALITY, category_save,
)
from gongzhi.workorders.services.errors import ERR_CONFLICT, ConflictError, WorkflowError
from gongzhi.workorders.services.lifecycle import (
    ERR_CATEGORY, ERR_DESCRIPTION, ERR_DISPATCH_SCOPE, ERR_DISPATCH_TARGET, ERR_LATLON, ERR_MERGE, ERR_NO_DISTRICT,
    ERR_NO_LOCATION, ERR_NO_REPORT, ERR_NO_RIGHT, ERR_NOTE, ERR_OUTCOME, ERR_PARTIES, ERR_RATED, ERR_RATING,
    ERR_REASON, ERR_REPLY, ERR_TRANSITION, ERR_VERIFY_NOTE, STEPS, Step, allowed_actions, check_attachments,
    check_step, default_handling_place, dispute_mediate, order_accept, order_close, order_decline, order_dispatch,
    order_handle, order_merge, order_rate, order_reply, order_report, order_verify,
)
from gongzhi.workorders.services.visits import (
    ERR_VISIT_DATE, ERR_VISIT_GRID, ERR_VISIT_HAS_ORDER, ERR_VISIT_HOUSEHOLD, ERR_VISIT_NO_CONCERN, ERR_VISIT_NOTES,
    visit_record, visit_to_order,
)

__all__ = [
    "ERR_CATEGORY", "ERR_CATEGORY_ATTRIBUTES", "ERR_CATEGORY_CODE", "ERR_CATEGORY_CODE_TAKEN",
    "ERR_CATEGORY_DEPARTMENT", "ERR_CATEGORY_LOCALITY", "ERR_CONFLICT", "ERR_DESCRIPTION", "ERR_DISPATCH_SCOPE",
    "ERR_DISPATCH_TARGET", "ERR_LATLON", "ERR_MERGE", "ERR_NO_DISTRICT", "ERR_NO_LOCATION", "ERR_NO_REPORT",
    "ERR_NO_RIGHT", "ERR_NOTE", "ERR_OUTCOME", "ERR_PARTIES", "ERR_RATED", "ERR_RATING", "ERR_REASON", "ERR_REPLY",
    "ERR_TRANSITION", "ERR_VERIFY_NOTE", "ERR_VISIT_DATE", "ERR_VISIT_GRID", "ERR_VISIT_HAS_ORDER",
    "ERR_VISIT_HOUSEHOLD", "ERR_VISIT_NO_CONCERN", "ERR_VISIT_NOTES", "STEPS", "ConflictError", "Step",
    "WorkflowError", "allowed_actions", "calendar_day_remove", "calendar_day_set", "category_save",
    "check_attachments", "check_step", "default_handling_place", "dispute_mediate", "is_grid_worker", "is_handler",
    "is_reporter", "is_supervisor", "order_accept", "order_close", "order_decline", "order_dispatch",
    "order_handle", "order_merge", "order_rate", "order_reply", "order_report", "order_verify", "visit_record",
    "visit_to_order",
]
