"""A run of a closed period counts the workers who served at its end, in the posts they held then
(issue 16, "any past year, assessed as it was"): from the worker ledger's history where it reaches
back, else from today's rows by their 任职/离任 dates, and the run says which."""
import datetime as dt

from gongzhi.core.metrics import end_of
from gongzhi.ledgers.models import Worker
from gongzhi.standards import compute
from gongzhi.standards.assess import registry_note


def _dated(worker, day):
    """Pretend the worker's first version was recorded on `day`."""
    Worker.history.model.objects.filter(id=worker.id).update(history_date=end_of(day) - dt.timedelta(hours=1))


def _staff(world):
    zhang = Worker.objects.create(community=world.comm_a, name="张", committee_post="director", party_post="secretary",
                                  since=dt.date(2020, 1, 1))
    wang = Worker.objects.create(community=world.comm_a, name="王", committee_post="member", since=dt.date(2021, 5, 1))
    _dated(zhang, dt.date(2025, 3, 1))
    _dated(wang, dt.date(2025, 3, 1))
    # in 2026: 张 leaves, 王 becomes deputy director, 李 joins
    zhang.left_on = dt.date(2026, 3, 1)
    zhang.save()
    wang.committee_post = "deputy"
    wang.save()
    Worker.objects.create(community=world.comm_a, name="李", committee_post="member", since=dt.date(2026, 2, 1))


def _figures(c, world):
    return tuple(c.get(name)[world.comm_a.id] for name in (
        "committee_members", "posts_deputy_director", "posts_one_shoulder", "serving_workers"))


def test_a_closed_year_counts_the_workers_and_posts_of_its_end(world):
    _staff(world)
    today = compute.computer()
    assert _figures(today, world) == (2, 1, 0, 2)                      # 王 (deputy) and 李
    then = compute.computer(registry_as_of=dt.date(2025, 12, 31), year=2025)
    assert _figures(then, world) == (2, 0, 1, 2)                       # 张 (一肩挑) and 王 (member)
    assert then.registry["workers"] == "history"
    note = registry_note(dt.date(2025, 12, 31), then.registry)["text"]
    assert "班子与工作者按登记历史还原到 2025-12-31" in note


def test_before_the_ledger_s_history_the_dates_decide_and_the_run_says_so(world):
    _staff(world)
    early = compute.computer(registry_as_of=dt.date(2024, 12, 31), year=2024)
    # today's rows by their dates: 张 (一肩挑) and 王 served (李 not yet), with today's posts (王 deputy)
    assert _figures(early, world) == (2, 1, 1, 2) and early.registry["workers"] == "today"
    assert "按任职、离任日期计在任人员" in registry_note(dt.date(2024, 12, 31), early.registry)["text"]
    earlier = compute.computer(registry_as_of=dt.date(2020, 6, 30), year=2020)
    assert _figures(earlier, world)[3] == 1                            # only 张 had started
