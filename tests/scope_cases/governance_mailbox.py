"""The residents' mailbox (governance): 王五's letter to community B's secretary, overdue (so a
street may step in, but only B's street) is invisible and unanswerable from outside B; the lists
hold nothing of B."""
import datetime as dt

from django.utils import timezone

ENDPOINTS = {
    "governance:letter": ("GET", lambda w: f"/governance/mailbox/{w.letter_b.pk}/"),
    "governance:letter_answer": ("POST", lambda w: f"/governance/mailbox/{w.letter_b.pk}/answer/"),
}
LISTS = {
    "governance:mailbox": "/governance/mailbox/?state=overdue",
    "governance:mailbox_mine": "/governance/mailbox/mine/",
}
BODY = {"action": "reply"}


def build(w):
    from gongzhi.governance import mailbox
    from gongzhi.governance.models import Letter
    w.letter_b = mailbox.letter_send(by=w.wang_b1, to="secretary", subject="王五的来信", text="王五反映楼道堆物")
    Letter.objects.filter(pk=w.letter_b.pk).update(due_at=timezone.now() - dt.timedelta(days=1))


def snapshot():
    from gongzhi.governance.models import Letter
    return list(Letter.objects.order_by("pk").values_list("pk", "state", "version", "reply", "topic_id", "order_id"))
