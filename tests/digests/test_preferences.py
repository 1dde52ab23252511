"""Preferences per notice kind, the registry of kinds, and how notify routes a notice by them."""
import re
from pathlib import Path

import pytest

from gongzhi.core import notices
from gongzhi.core.errors import ConflictError
from gongzhi.digests import services
from gongzhi.digests.models import Frequency, HeldNotice, Preference, PreferenceChange
from gongzhi.workorders import notify
from gongzhi.workorders.events import notice_kind
from gongzhi.workorders.models import Action, Notification

SRC = Path(__file__).resolve().parents[2] / "src" / "gongzhi"


def test_every_kind_in_use_is_registered_once():
    registered = notices.kinds()
    used = {notice_kind(a) for a in Action.values}
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"notify\((.{0,400}?)\)", text, re.S):
            used |= set(re.findall(r'kind="([a-z_]+)"', call.group(1)))
        used |= set(re.findall(r'^NOTICE_KIND = "([a-z_]+)"', text, re.M))
    used -= {"hearing", "deliberation"}  # a ledger meeting's kind= beside a notify call, not a notice kind
    assert used - set(registered) == set(), "register these notice kinds in their module's manifest"
    assert all(len(k) <= 12 for k in registered)  # Notification.kind
    keys = [k.key for k in notices.modules.extras(notices.NOTICE_KINDS)]
    assert len(keys) == len(set(keys))


def test_no_row_is_instant_and_a_choice_is_kept_with_its_history(world):
    u = world.community_worker_a
    assert services.frequencies_of(u)["report"] == Frequency.INSTANT
    assert services.preferences_set(user=u, choices={"report": "daily", "topic": "weekly", "close": "instant"}) == 2
    current = services.frequencies_of(u)
    assert (current["report"], current["topic"], current["close"]) == ("daily", "weekly", "instant")
    assert set(PreferenceChange.objects.filter(user=u).values_list("kind", "old", "new")) == {
        ("report", "instant", "daily"), ("topic", "instant", "weekly")}
    assert services.preferences_set(user=u, choices={"report": "daily"}) == 0  # no change, no history


@pytest.mark.parametrize("choices, message", [
    ({"nosuchkind": "daily"}, "通知类别「nosuchkind」不存在"),
    ({"report": "hourly"}, "「工单:新上报」的发送方式「hourly」无效"),
    ({"report": "daily", "topic": "x\x00" * 30}, "发送方式「x"),
    ({"9" * 20: "daily"}, "通知类别「99999999999999999999」不存在"),
])
def test_bad_kind_or_frequency_changes_nothing(world, choices, message):
    u = world.community_worker_a
    with pytest.raises(services.DigestError, match=re.escape(message)):
        services.preferences_set(user=u, choices=choices)
    assert not Preference.objects.exists() and not PreferenceChange.objects.exists()


def test_a_stale_form_is_refused(world):
    u = world.community_worker_a
    seen = services.stamp(u)
    services.preferences_set(user=u, choices={"report": "daily"}, seen=seen)
    with pytest.raises(ConflictError):
        services.preferences_set(user=u, choices={"report": "off"}, seen=seen)
    assert services.frequencies_of(u)["report"] == "daily"


def test_deactivated_user_is_refused_a_preference(world):
    u = world.community_worker_a
    u.is_active = False
    u.save()
    with pytest.raises(services.DigestError, match="已停用"):
        services.preferences_set(user=u, choices={"report": "daily"})


def test_notify_holds_digest_kinds_and_skips_off_but_keeps_every_inbox_row(world, monkeypatch):
    sent = []
    monkeypatch.setattr(notify, "deliver", type("Q", (), {"enqueue": staticmethod(
        lambda ids, text: sent.append((tuple(ids), text)))}))
    daily, off, instant = world.community_worker_a, world.grid_worker_a1, world.street_officer_a
    services.preferences_set(user=daily, choices={"topic": "daily"})
    services.preferences_set(user=off, choices={"topic": "off"})
    notify.notify([daily.pk, off.pk, instant.pk], order=None, kind="topic", text="议题有进展")
    assert sent == [((instant.pk,), "议题有进展")]
    assert Notification.objects.filter(kind="topic").count() == 3
    assert list(HeldNotice.objects.values_list("user_id", "frequency", "text")) == [(daily.pk, "daily", "议题有进展")]


def test_muted_notices_are_neither_sent_nor_held(world):
    services.preferences_set(user=world.community_worker_a, choices={"topic": "daily"})
    with notify.muted():
        notify.notify([world.community_worker_a.pk], order=None, kind="topic", text="历史")
    assert not HeldNotice.objects.exists()
