"""New residents are written by one writer (people.writer), whether registered on a page
or imported: the same history record (as simple-history makes a creation, with the care-tag
snapshot) and a creation event, differing only where they should (kind, reason, detail)."""
from gongzhi.core import idcard
from gongzhi.people import services
from gongzhi.people.models import CareTag, EventKind, Resident
from tests import factories as f
from tests.people.test_import import person, run, write_xlsx

SAME = ("name", "ethnicity", "residence_status", "relation", "community_id",
        "grid_id", "status", "party_member", "history_type", "history_user_id")


def _history(resident):
    return resident.history.get()


def test_a_registered_and_an_imported_resident_get_the_same_records(world, tmp_path):
    tag = CareTag.objects.get(code="disabled")
    registered = services.resident_register(household=world.hh_a1, name="赵六", id_number=f.id_number(),
                                            relation="10", residence_status="registered", care_tags=[tag],
                                            by=world.community_worker_a)
    rows = [person(world, name="赵六", household="HA1", relation="配偶", tags=tag.name)]
    run(write_xlsx(tmp_path / "r.xlsx", rows), by=world.community_worker_a)
    imported = Resident.objects.exclude(pk=registered.pk).get(name="赵六")
    a, b = _history(registered), _history(imported)
    for field in SAME:
        assert getattr(a, field) == getattr(b, field), field
    assert a.history_type == "+" and a.history_user_id == world.community_worker_a.pk
    assert [t.caretag_id for t in a.care_tags.all()] == [t.caretag_id for t in b.care_tags.all()] == [tag.pk]
    assert (a.history_change_reason, b.history_change_reason) == (None, "导入")
    ea, eb = registered.events.get(), imported.events.get()
    assert (ea.kind, eb.kind) == (EventKind.REGISTERED, EventKind.IMPORTED)
    assert ea.recorded_by == eb.recorded_by == world.community_worker_a
    assert ea.detail == {"household": "HA1"} and eb.detail["household"] == "HA1" and "row" in eb.detail


def test_registration_keeps_every_check_and_returns_the_saved_row(world):
    number = idcard.make("320282", f.dt.date(1990, 2, 3), 77)
    r = services.resident_register(household=world.hh_a2, name=" 钱九 ", id_number=number, relation="02",
                                   residence_status="floating", phone="13900002222", by=world.grid_worker_a1)
    assert r.pk and r.name == "钱九" and r.grid == world.grid_a2 and r.version == 1 and r.phone_masked.startswith("139")
    assert r.birth_date == f.dt.date(1990, 2, 3) and r.events.get().occurred_on is not None
