"""A run of a closed period counts the community's social organisations and registered volunteers as they
stood at its end (issue 16, "any past year, assessed as it was"): organisations from the registry's history,
volunteers from the volunteer ledger's history (and each volunteer's resident status from the registry's),
else today's volunteer rows by their 注册/退出 dates; the run's sentence says which."""
import datetime as dt

from gongzhi.core.metrics import end_of
from gongzhi.ledgers.models import Volunteer
from gongzhi.people.models import Organisation, PersonStatus, Resident
from gongzhi.standards import compute
from gongzhi.standards.assess import registry_note
from tests.factories import household, resident

RECORDED = dt.date(2025, 3, 1)


def _dated(model, pk, day=RECORDED):
    """Pretend the row's versions so far were recorded on `day`."""
    model.history.model.objects.filter(id=pk).update(history_date=end_of(day) - dt.timedelta(hours=1))


def _organisations(world):
    dance = Organisation.objects.create(community=world.comm_a, kind="social_org", name="舞蹈队",
                                        registration="filed", volunteer_team=True)
    elders = Organisation.objects.create(community=world.comm_a, kind="social_org", name="老年协会",
                                         registration="registered")
    for org in (dance, elders):
        _dated(Organisation, org.pk)
    # in 2026: the dance team disbands, a chess club forms (not filed)
    dance.active = False
    dance.save()
    Organisation.objects.create(community=world.comm_a, kind="social_org", name="象棋社", registration="none")


def test_a_closed_year_counts_the_organisations_of_its_end(world):
    _organisations(world)
    names = ("social_orgs", "volunteer_orgs", "community_social_orgs")
    today = compute.computer()
    assert tuple(today.get(n)[world.comm_a.id] for n in names) == (2, 0, 1)   # 老年协会, 象棋社
    then = compute.computer(registry_as_of=dt.date(2025, 12, 31), year=2025)
    assert tuple(then.get(n)[world.comm_a.id] for n in names) == (2, 1, 2)    # 舞蹈队, 老年协会
    assert then.registry["social_orgs"] == "history"
    assert "社区社会组织、志愿服务组织" in registry_note(dt.date(2025, 12, 31), then.registry)["text"]


def _volunteers(world):
    """Three volunteers registered in 2024, residents since then: in 2026 one leaves, one moves away (the
    resident is no longer active), and a fourth registers."""
    hh = household(world.grid_a1)
    people = [resident(hh, name=n, relation="01" if i == 0 else "10") for i, n in enumerate("赵钱孙李")]
    rows = [Volunteer.objects.create(community=world.comm_a, resident=r, registered_on=dt.date(2024, 5, 1))
            for r in people[:3]]
    for r in people:
        _dated(Resident, r.pk)
    for v in rows:
        _dated(Volunteer, v.pk)
    rows[0].left_on = dt.date(2026, 2, 1)
    rows[0].save()
    Resident.objects.filter(pk=people[1].pk).update(status=PersonStatus.MOVED_OUT)
    people[1].refresh_from_db()
    people[1].save()  # a version recorded today
    Volunteer.objects.create(community=world.comm_a, resident=people[3], registered_on=dt.date(2026, 3, 1))
    return rows


def test_a_closed_year_counts_the_volunteers_registered_and_living_here_at_its_end(world):
    _volunteers(world)
    today = compute.computer()
    assert today.get("registered_volunteers")[world.comm_a.id] == 2              # 孙, 李
    then = compute.computer(registry_as_of=dt.date(2025, 12, 31), year=2025)
    assert then.get("registered_volunteers")[world.comm_a.id] == 3               # 赵, 钱, 孙
    assert then.registry["volunteers"] == "history"
    # the rate divides by the residents as of the same day (4 of them were recorded by then)
    assert then.get("volunteer_registration_rate")[world.comm_a.id] == round(3 * 100 / then.get("residents")[
        world.comm_a.id], 2)


def test_before_the_ledger_s_history_the_dates_decide_and_the_run_says_so(world):
    _volunteers(world)
    early = compute.computer(registry_as_of=dt.date(2024, 12, 31), year=2024)
    # today's rows by their dates: 赵 registered then (left only in 2026), 孙; 钱 has moved out since, so today's
    # status leaves them out; 李 registered later
    assert early.get("registered_volunteers")[world.comm_a.id] == 2
    assert early.registry["volunteers"] == "today"
    assert "按注册、退出日期计在册志愿者" in registry_note(dt.date(2024, 12, 31), early.registry)["text"]
    assert compute.computer(registry_as_of=dt.date(2024, 4, 30), year=2024).get(
        "registered_volunteers")[world.comm_a.id] == 0
