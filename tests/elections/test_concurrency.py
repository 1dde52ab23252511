"""Tallies typed at the same moment on PostgreSQL (several counting teams, one election): every
station keeps one tally, none is lost, and a late edit from a stale form is refused."""
import threading

import pytest
from django.db import connection

from gongzhi.core.errors import ConflictError
from gongzhi.elections import services
from gongzhi.elections.models import Tally
from tests.elections.helpers import voting

pytestmark = [pytest.mark.skipif("connection.vendor != 'postgresql'"), pytest.mark.django_db(transaction=True)]


def _run(jobs):
    errors = []

    def go(job):
        try:
            job()
        except ConflictError as exc:
            errors.append(exc)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_stations_entered_at_once_each_keep_one_tally(world):
    e = voting(world)
    stations = [world.station, world.mobile] + [services.station_add(election=e, kind="station", name=f"站{i}")
                                                for i in range(6)]
    errors = _run([lambda s=s: services.tally_enter(election=e, station=s, ballots=0, invalid=0, votes={})
                   for s in stations])
    assert not errors
    assert Tally.objects.filter(station__election=e).count() == len(stations)


def test_the_same_station_from_two_stale_forms_keeps_one_edit(world):
    e = voting(world)
    t = services.tally_enter(election=e, station=world.station, ballots=0, invalid=0, votes={})
    errors = _run([lambda: services.tally_enter(election=e, station=world.station, ballots=0, invalid=0, votes={},
                                                version=t.version) for _ in range(6)])
    assert len(errors) == 5 and all(isinstance(x, ConflictError) for x in errors)
    assert Tally.objects.get().version == t.version + 1
