"""What the audit app adds to the home page: open security alerts (sustained failed sign-ins)."""
from gongzhi.audit import selectors
from gongzhi.audit.manifest import HANDLE_ALERTS


def alerts(request, scope):
    """For the posts holding view_security_alerts (`scope`); always shown, so "none open" is visible too."""
    return {"alerts": list(selectors.open_alerts(scope)[:20]), "can_handle": scope.can(HANDLE_ALERTS)}
