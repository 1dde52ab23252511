"""Registering or importing someone else's ID number, or a household number in use,
tells a worker where that person lives only when it is within the worker's own scope;
outside it the answer says only that it cannot be registered here and whom to ask,
and the attempt is logged (issue: the ID-number oracle)."""
from gongzhi.core import crypto
from gongzhi.core.models import AccessAction, AccessLog
from gongzhi.core.scope import Scope
from gongzhi.people import services
from gongzhi.people.models import Household, Resident
from tests.people.test_import import person, reasons, report_rows, run, write_xlsx


def _number(resident) -> str:
    return crypto.decrypt(resident.id_number_enc)


def _register(client, world, id_number):
    return client.post(f"/people/households/{world.hh_a1.pk}/residents/new/", {
        "name": "赵六", "id_number": id_number, "ethnicity": "01", "residence_status": "registered",
        "relation": "10"})


def test_someone_outside_the_scope_is_not_located(client, world):
    client.force_login(world.grid_worker_a1)
    before = Resident.objects.count()
    text = _register(client, world, _number(world.res_b1)).content.decode()
    assert services.ERR_ID_ELSEWHERE in text
    assert world.hh_b1.number not in text and "南岳" not in text
    assert Resident.objects.count() == before
    probe = AccessLog.objects.get(action=AccessAction.PROBE)
    assert probe.user == world.grid_worker_a1 and world.hh_b1.number not in probe.target + probe.detail


def test_someone_in_the_scope_is_named_with_their_household(client, world):
    client.force_login(world.community_worker_a)
    text = _register(client, world, _number(world.res_a2)).content.decode()
    assert services.ERR_DUPLICATE_ID.format(household=world.hh_a2.number) in text
    assert not AccessLog.objects.filter(action=AccessAction.PROBE).exists()


def test_a_grid_worker_is_not_told_about_the_neighbouring_grid(client, world):
    """Grid A2 is in the same community but outside grid worker A1's scope."""
    client.force_login(world.grid_worker_a1)
    text = _register(client, world, _number(world.res_a2)).content.decode()
    assert services.ERR_ID_ELSEWHERE in text and world.hh_a2.number not in text


def test_household_numbers_in_use_elsewhere_are_not_confirmed(client, world):
    client.force_login(world.grid_worker_a1)
    text = client.post(f"/people/grids/{world.grid_a1.code}/households/new/",
                       {"number": world.hh_b1.number}).content.decode()
    assert services.ERR_HOUSEHOLD_ELSEWHERE.format(number=world.hh_b1.number) in text
    assert "已存在" not in text
    assert Household.objects.filter(number=world.hh_b1.number).count() == 1
    assert AccessLog.objects.filter(action=AccessAction.PROBE, user=world.grid_worker_a1).exists()


def test_the_command_line_still_names_the_household(world):
    """No caller (the command line, an admin's own tools): the full message."""
    try:
        services.resident_register(household=world.hh_a1, name="赵六", id_number=_number(world.res_b1),
                                   relation="10", residence_status="registered")
    except services.RegistryError as exc:
        assert str(exc) == services.ERR_DUPLICATE_ID.format(household=world.hh_b1.number)
    else:
        raise AssertionError("registered twice")


def test_import_reports_say_nothing_of_where_outsiders_live(world, tmp_path):
    rows = [person(world, id_number=_number(world.res_b1), household="HA1"),
            person(world, id_number=_number(world.res_a2), household="HA1")]
    scope = Scope.for_user(world.community_worker_a)
    result = run(write_xlsx(tmp_path / "r.xlsx", rows), by=world.community_worker_a, scope=scope)
    assert reasons(result) == {2: services.ERR_ID_ELSEWHERE,
                               3: services.ERR_DUPLICATE_ID.format(household=world.hh_a2.number)}
    assert world.hh_b1.number not in str(report_rows(result.report_path))
    probe = AccessLog.objects.get(action=AccessAction.PROBE)
    assert probe.user == world.community_worker_a and "1 行" in probe.detail


def test_import_does_not_confirm_households_outside_the_scope(world, tmp_path):
    rows = [person(world, household=world.hh_b1.number)]  # a new person, into community B's household
    scope = Scope.for_user(world.community_worker_a)
    result = run(write_xlsx(tmp_path / "r.xlsx", rows), by=world.community_worker_a, scope=scope)
    assert reasons(result) == {2: "户号: " + services.ERR_HOUSEHOLD_ELSEWHERE.format(number=world.hh_b1.number)}
    assert "其他社区" not in str(report_rows(result.report_path))
    assert AccessLog.objects.filter(action=AccessAction.PROBE, user=world.community_worker_a).exists()
