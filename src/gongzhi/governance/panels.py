"""The home panel of the answer desk: 议题待答复 N, 超时 M (the committee; the street sees the overdue)."""
from django.utils import timezone

from gongzhi.governance import selectors


def answer_desk(request, scope):
    counts = selectors.desk_counts(scope)
    return {"counts": counts, "topics": list(selectors.desk(scope).select_related("community")[:5])}


def annual_meetings(request, scope):
    """P-GOV-1 on the committee's and the street's home: the start- and end-of-year residents'
    meetings due now or missed, per community of the scope."""
    from gongzhi.governance import meetings
    communities = {c.pk: c for c in selectors.communities_in(scope)}
    status = meetings.annual_status(list(communities), timezone.localdate())
    rows = [{"community": communities[cid], "items": items} for cid, items in status.items()]
    rows.sort(key=lambda r: (not any(i["overdue"] for i in r["items"]), r["community"].path))
    overdue = sum(1 for r in rows for i in r["items"] if i["overdue"])
    due = sum(1 for r in rows for i in r["items"] if not i["overdue"])
    return {"rows": rows[:8], "more": max(0, len(rows) - 8), "due": due, "overdue": overdue,
            "communities": len(communities)}


def my_meetings(request, scope):
    """The resident's panel: meetings I am invited to, votes open to me."""
    from gongzhi.governance import meeting_selectors
    data = meeting_selectors.mine(request.user, scope)
    if not data["sessions"] and not data["meetings"]:
        return None
    return data


def letters(request, scope):
    """The mailbox on the committee's and the street's home: letters waiting and overdue (nothing
    shown where no letter was ever written)."""
    from gongzhi.governance import mailbox
    counts = mailbox.counts(mailbox.letters_in(scope))
    if not counts["open"] and not counts["answered"]:
        return None
    return {"counts": counts}
