"""The hook `workorders.notify` calls for every notice it sends (extras["notice_routes"]): which
recipients take this kind as a digest (the notice is held for it) or not at all outside the inbox."""
from __future__ import annotations

from gongzhi.core.notices import subject_type_of
from gongzhi.digests.models import DIGEST_FREQUENCIES, Frequency, HeldNotice, Preference


def hold(*, user_ids, kind: str, order, subject, text: str, now) -> set[int]:
    """Hold the notice for the recipients who chose a daily or weekly digest of `kind`; returns them
    and those who chose 不发送 (their inbox row stays: the inbox is the record, not a sender)."""
    chosen = dict(Preference.objects.filter(user_id__in=user_ids, kind=kind)
                  .exclude(frequency=Frequency.INSTANT).values_list("user_id", "frequency"))
    if not chosen:
        return set()
    subject_type, subject_id = (subject_type_of(subject), subject.pk) if subject is not None else ("", None)
    HeldNotice.objects.bulk_create([
        HeldNotice(user_id=u, kind=kind, frequency=f, text=text[:300], order_id=getattr(order, "pk", None),
                   subject_type=subject_type, subject_id=subject_id, created_at=now)
        for u, f in chosen.items() if f in DIGEST_FREQUENCIES])
    return set(chosen)
