"""What places adds to the home page: grids without a leader or a full-time worker (P-STAFF-4)."""
from gongzhi.places.selectors import grids_understaffed


def understaffed(request, scope):
    return {"understaffed": list(grids_understaffed(scope)[:200])}
