"""The home panel of the answer desk: 议题待答复 N, 超时 M (the committee; the street sees the overdue)."""
from gongzhi.governance import selectors


def answer_desk(request, scope):
    counts = selectors.desk_counts(scope)
    return {"counts": counts, "topics": list(selectors.desk(scope).select_related("community")[:5])}
