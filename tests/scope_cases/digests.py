"""Digests' share of the scope matrix: following community B's topic (raised by 王五) and ending a
follow of it. Nobody outside B may follow it or end a follow of it (404), and nothing changes.
The preferences page reads only the caller's own rows; the unsubscribe link and its undo are keyed by
a signed token, not by a post (tests/digests/test_pages.py::test_tampered_or_expired_links_change_nothing)."""

ENDPOINTS = {
    "digests:follow": ("POST", lambda w: f"/digests/follow/topic/{w.topic_b.pk}/"),
    "digests:unfollow": ("POST", lambda w: f"/digests/unfollow/topic/{w.topic_b.pk}/"),
}
LISTS = {
    "digests:prefs": "/digests/",
}
OTHER = {"digests:unsubscribe", "digests:undo"}


def build(w):
    from django.utils import timezone

    from gongzhi.digests.models import Follow
    # community B's worker follows B's topic: their follow shows on nobody else's page
    Follow.objects.create(user=w.community_worker_b, target="topic", target_id=w.topic_b.pk,
                          started_at=timezone.now())


def snapshot():
    from gongzhi.digests.models import Follow, HeldNotice, Preference, PreferenceChange
    return (list(Follow.objects.order_by("pk").values_list("user_id", "target", "target_id", "ended_at")),
            Preference.objects.count(), PreferenceChange.objects.count(), HeldNotice.objects.count())
