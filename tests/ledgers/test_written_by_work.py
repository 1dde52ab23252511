"""Ledger rows written by the work itself (ledgers.services.write_from): one row per source
record, brought up to date when the record changes, kept by the record (no hand edit or void),
named and linked on the ledger page; hand entry stays for the past."""
import datetime as dt
import threading

import pytest
from django.db import connection

from gongzhi.core import modules
from gongzhi.ledgers import services
from gongzhi.ledgers.models import Election, Meeting, Worker

SOURCE = "tests.meeting"


@pytest.fixture(autouse=True)
def _registered_source(monkeypatch):
    real = modules.extras
    monkeypatch.setattr(modules, "extras", lambda key: real(key) + (
        [(SOURCE, ("测试会议", "")), ("tests.election", ("测试选举", ""))] if key == "ledger_sources" else []))


def _write(world, **fields):
    data = {"kind": "residents", "held_on": dt.date(2025, 1, 10), "title": "年初居民会议", "attendees": 120}
    data.update(fields)
    return services.write_from(model=Meeting, source=SOURCE, source_pk=7, community=world.comm_a,
                               by=world.community_worker_a, **data)


def test_one_row_per_record_brought_up_to_date(world):
    row = _write(world)
    again = _write(world, attendees=131, title="年初居民会议(补记)")
    assert again.pk == row.pk and Meeting.objects.count() == 1
    again.refresh_from_db()
    assert (again.attendees, again.title, again.source, again.source_pk) == (131, "年初居民会议(补记)", SOURCE, 7)
    assert again.history.count() == 2 and again.history.first().history_user == world.community_worker_a


def test_unregistered_source_and_non_community_refused(world):
    with pytest.raises(services.LedgerError, match="没有登记"):
        services.write_from(model=Meeting, source="nobody.knows", source_pk=1, community=world.comm_a,
                            kind="residents", held_on=dt.date(2025, 1, 1), title="x")
    with pytest.raises(services.LedgerError, match="只能记在社区"):
        services.write_from(model=Meeting, source=SOURCE, source_pk=1, community=world.street_a,
                            kind="residents", held_on=dt.date(2025, 1, 1), title="x")
    assert not Meeting.objects.exists()


def test_void_from_voids_and_a_rewrite_restores(world):
    _write(world)
    row = services.void_from(model=Meeting, source=SOURCE, source_pk=7, reason="会议取消")
    assert row.voided == "会议取消"
    assert services.void_from(model=Meeting, source=SOURCE, source_pk=8, reason="x") is None
    assert _write(world).voided == ""


def test_hand_void_and_edit_refused_on_the_page(client, world):
    row = _write(world)
    worker = services.write_from(model=Worker, source="tests.election", source_pk=3, community=world.comm_a,
                                 name="赵六", committee_post="director", since=dt.date(2025, 3, 1))
    client.force_login(world.community_worker_a)
    page = client.get(f"/ledgers/{world.comm_a.code}/?tab=meetings&year=2025").content.decode()
    assert "由测试会议生成" in page and f"/meetings/{row.pk}/void/" not in page
    client.post(f"/ledgers/{world.comm_a.code}/meetings/{row.pk}/void/", {"reason": "手工作废"})
    row.refresh_from_db()
    assert row.voided == ""
    page = client.get(f"/ledgers/{world.comm_a.code}/?tab=workers").content.decode()
    assert f"/workers/{worker.pk}/" not in page  # no edit link
    r = client.post(f"/ledgers/{world.comm_a.code}/workers/{worker.pk}/",
                    {"version": 1, "name": "篡改", "committee_post": "member"}, follow=True)
    assert "自动生成" in r.content.decode()
    worker.refresh_from_db()
    assert worker.name == "赵六"
    # hand entry for the past still works beside it
    r = client.post(f"/ledgers/{world.comm_a.code}/meetings/new/",
                    {"kind": "residents", "held_on": "2024-12-20", "title": "年末居民会议", "attendees": 99})
    assert r.status_code == 302 and Meeting.objects.filter(source="").count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_make_one_row(world):
    errors = []

    def write():
        try:
            services.write_from(model=Election, source="tests.election", source_pk=1, community=world.comm_a,
                                held_on=dt.date(2025, 5, 1), method="direct", voters=100, turnout=80)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and Election.objects.filter(source="tests.election").count() == 1
