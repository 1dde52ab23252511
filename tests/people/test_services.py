import datetime as dt

import pytest

from gongzhi.core import crypto
from gongzhi.people import services
from gongzhi.people.models import EventKind, PersonStatus, Resident
from tests import factories as f


def test_register_encrypts_and_masks(world):
    r = world.res_a1
    assert "13812345678" not in r.phone_enc and r.phone_masked == "138****5678"
    assert r.id_number_masked.startswith("3202") and "*" in r.id_number_masked
    assert services.resident_reveal(resident=r)["phone"] == "13812345678"
    assert r.name_initials == "zs" and r.name_pinyin == "zhangsan"
    assert r.community == world.comm_a and r.grid == world.grid_a1


def test_duplicate_id_is_refused_naming_the_household(world):
    number = services.resident_reveal(resident=world.res_a1)["id_number"]
    with pytest.raises(services.RegistryError, match="HA1"):
        f.resident(world.hh_b1, "重复", id_number=number)


def test_concurrent_edit_conflict_loses_nothing(world):
    r = world.res_a1
    services.resident_update(resident=r, version=1, by=world.community_worker_a, name="张三丰")
    with pytest.raises(services.ConflictError):
        services.resident_update(resident=r, version=1, by=world.grid_worker_a1, name="张叁")
    assert Resident.objects.get(pk=r.pk).name == "张三丰"


def test_move_out_and_death_are_events_with_history(world):
    r = world.res_a1
    r = services.resident_move_household(resident=r, version=r.version, household=world.hh_a2, relation="10",
                                         moved_on=dt.date(2025, 3, 1), by=world.community_worker_a)
    assert r.grid == world.grid_a2
    r = services.resident_move_out(resident=r, version=r.version, moved_on=dt.date(2025, 4, 1), destination="无锡",
                                   by=world.community_worker_a)
    assert r.status == PersonStatus.MOVED_OUT
    with pytest.raises(services.RegistryError, match="不在册"):
        services.resident_record_death(resident=r, version=r.version, died_on=dt.date(2025, 5, 1), by=None)
    kinds = list(r.events.values_list("kind", flat=True))
    assert kinds[:2] == [EventKind.MOVED_OUT, EventKind.MOVED_HOUSEHOLD]
    assert r.history.count() >= 3
    assert Resident.objects.filter(pk=r.pk).exists()  # never hard-deleted


def test_keyed_hash_is_stable_and_secret(settings):
    h = crypto.keyed_hash("13812345678")
    assert h == crypto.keyed_hash("13812345678") and len(h) == 32
