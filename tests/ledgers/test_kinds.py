"""Ledger kinds are registered, not switched on: a module that registers a LedgerKind
under extras["ledger_kinds"] gets a tab with its columns, its add and void pages and
its year figures without touching ledgers' code, and taking it away leaves nothing."""
import dataclasses
import datetime as dt

import pytest
from django.db.models import Sum

from gongzhi.core import errors, modules
from gongzhi.core.modules import Capability, Module, RegistryError
from gongzhi.ledgers import kinds, selectors, services
from gongzhi.ledgers.forms import MeetingForm
from gongzhi.ledgers.kinds import Column, Figure, LedgerKind
from gongzhi.ledgers.manifest import EDIT_LEDGERS
from gongzhi.ledgers.models import Meeting, Worker

BUILT_IN = ["workers", "trainings", "meetings", "disclosures", "volunteers", "activities", "elections"]

# Another module's kind over a model ledgers already has: the minutes of the meetings,
# with columns and a year figure of its own.
MINUTES = LedgerKind(
    code="minutes", label="会议纪要", model=Meeting, form=MeetingForm, order=35, date_field="held_on",
    columns=(Column("召开日期", "held_on"), Column("纪要", "minutes"), Column("到会", lambda m: f"{m.attendees} 人")),
    summary=(Figure("attendees", "到会人次", Sum("attendees"), "人次"),),
)


@pytest.fixture
def register(monkeypatch):
    """Register a test module with ledger kinds; the registry is put back after the test
    (or on `register.undo()`)."""
    monkeypatch.setattr(modules, "_modules", dict(modules._modules))

    def add(*ledger_kinds, name="minutes_test"):
        return modules.register(Module(name=name, label="测试模块", extras={"ledger_kinds": ledger_kinds}))
    add.undo = monkeypatch.undo
    return add


def _figures(community, year):
    return {k.code: {f.key: v for f, v in figures} for k, figures in selectors.year_summary(community, year)}


def test_ledgers_registers_its_own_kinds_through_the_module_registry():
    assert [k.code for k in kinds.registered()] == BUILT_IN
    assert len(modules.module("ledgers").extras["ledger_kinds"]) == len(BUILT_IN)
    assert all(k.capability is EDIT_LEDGERS for k in kinds.registered())
    assert services.ConflictError is errors.ConflictError and issubclass(services.LedgerError, errors.RuleError)


def test_a_kind_registered_elsewhere_is_a_tab_with_its_columns_and_figures_and_leaves_no_trace(
        client, world, register):
    client.force_login(world.community_worker_a)
    base = f"/ledgers/{world.comm_a.code}/"
    register(MINUTES)
    assert [k.code for k in kinds.registered()] == BUILT_IN[:3] + ["minutes"] + BUILT_IN[3:]  # by its order
    page = client.get(base + "?tab=minutes&year=2025").content.decode()
    assert page.index("?tab=meetings&") < page.index('?tab=minutes&year=2025" aria-current="page"') \
        < page.index("?tab=disclosures&")
    assert "<th>召开日期</th><th>纪要</th><th>到会</th><th>状态</th>" in page
    assert "到会人次 0 人次" in page and "2025 年还没有记录" in page

    r = client.post(base + "minutes/new/", {"kind": "deliberation", "held_on": "2025-04-01", "title": "加装电梯",
                                            "attendees": 80, "minutes": "同意加装"})
    assert r.status_code == 302 and r["Location"] == base + "?tab=minutes"
    meeting = Meeting.objects.get()
    page = client.get(base + "?tab=minutes&year=2025").content.decode()
    assert "已登记会议纪要" in page
    assert '<td data-label="召开日期">2025-04-01</td><td data-label="纪要">同意加装</td>' in page
    assert '<td data-label="到会">80 人</td>' in page and "到会人次 80 人次" in page
    assert "议事协商 1 次" in page  # the meetings' own figures count the same row
    assert _figures(world.comm_a, 2025)["minutes"] == {"attendees": 80}

    client.post(base + f"minutes/{meeting.pk}/void/", {"reason": "重复"})
    page = client.get(base + "?tab=minutes&year=2025").content.decode()
    assert "已作废:重复" in page and "到会人次 0 人次" in page

    register.undo()
    assert [k.code for k in kinds.registered()] == BUILT_IN
    assert client.get(base + "?tab=minutes&year=2025").status_code == 404
    assert client.post(base + "minutes/new/", {"kind": "residents", "held_on": "2025-04-02",
                                               "title": "再议"}).status_code == 404
    assert client.post(base + f"minutes/{meeting.pk}/void/", {"reason": "x"}).status_code == 404
    page = client.get(base + "?tab=meetings&year=2025").content.decode()
    assert "会议纪要" not in page and "到会人次" not in page and "加装电梯" in page  # the row is the model's
    assert "minutes" not in _figures(world.comm_a, 2025) and Meeting.objects.count() == 1


def test_the_year_summary_is_one_aggregate_query_per_kind(world, django_assert_num_queries, register):
    register(MINUTES)
    counted = [k for k in kinds.registered() if k.summary]
    with django_assert_num_queries(len(counted)):
        figures = _figures(world.comm_a, 2025)
    assert list(figures) == [k.code for k in sorted(counted, key=lambda k: k.summary_order or k.order)]
    assert figures["meetings"] == {"residents": 0, "deliberation": 0, "all": 0} and figures["minutes"] == {
        "attendees": 0}


def test_a_kind_may_ask_for_its_own_capability(client, world, register):
    """Kept by admins only: a community worker reads the tab but adds and voids nothing there."""
    admins = Capability("keep_hearings", "记听证记录", frozenset({"admin"}))
    register(dataclasses.replace(MINUTES, code="hearings", label="听证记录", capability=admins))
    meeting = Meeting.objects.create(community=world.comm_a, kind="hearing", held_on="2025-05-01", title="听证")
    base = f"/ledgers/{world.comm_a.code}/"
    client.force_login(world.community_worker_a)
    r = client.get(base + "?tab=hearings&year=2025")
    assert r.context["can_edit"] is False and "hearings/new/" not in r.content.decode()
    assert client.get(base + "?tab=meetings").context["can_edit"] is True  # the other kinds as before
    assert client.post(base + "hearings/new/", {"kind": "hearing", "held_on": "2025-05-02",
                                                "title": "再听证"}).status_code == 404
    assert client.post(base + f"hearings/{meeting.pk}/void/", {"reason": "x"}).status_code == 404
    client.force_login(world.admin)
    assert client.post(base + "hearings/new/", {"kind": "hearing", "held_on": "2025-05-02",
                                                "title": "再听证"}).status_code == 302
    assert Meeting.objects.count() == 2


def test_a_kind_without_a_form_is_written_elsewhere_and_still_voided_here(client, world, register):
    register(dataclasses.replace(MINUTES, code="held", form=None))
    meeting = Meeting.objects.create(community=world.comm_a, kind="residents", held_on="2025-05-01", title="线上会")
    base = f"/ledgers/{world.comm_a.code}/"
    client.force_login(world.community_worker_a)
    assert "held/new/" not in client.get(base + "?tab=held&year=2025").content.decode()
    assert client.get(base + "held/new/").status_code == 404
    client.post(base + f"held/{meeting.pk}/void/", {"reason": "未召开"})
    meeting.refresh_from_db()
    assert meeting.voided == "未召开"


def test_a_code_registered_twice_is_refused(register):
    register(dataclasses.replace(MINUTES, code="meetings"))
    with pytest.raises(RegistryError, match="meetings"):
        kinds.registered()


def test_the_workers_list_is_drawn_from_its_columns(client, world):
    Worker.objects.create(community=world.comm_a, name="主任甲", committee_post="director", full_time=True,
                          certificate="assistant", since=dt.date(2020, 1, 2))
    gone = Worker.objects.create(community=world.comm_a, name="离任乙", committee_post="member",
                                 left_on=dt.date(2024, 1, 1))
    base = f"/ledgers/{world.comm_a.code}/"
    client.force_login(world.community_worker_a)
    page = client.get(base).content.decode()
    assert "<th>姓名</th><th>职务</th><th>专职</th><th>社工资格</th><th>任职日期</th><th>离任日期</th>" in page
    assert ('<td data-label="职务">主任</td><td data-label="专职">是</td><td data-label="社工资格">助理社会工作师</td>'
            '<td data-label="任职日期">2020-01-02</td><td data-label="离任日期">—</td>') in page
    assert "离任乙" not in page and "含已离任" in page
    page = client.get(base + "?tab=workers&left=1").content.decode()
    assert f'<a href="/ledgers/{world.comm_a.code}/workers/{gone.pk}/">离任乙</a>' in page and "只看在任" in page
    client.force_login(world.street_officer_a)  # reads, no edit links
    assert f"/workers/{gone.pk}/" not in client.get(base + "?tab=workers&left=1").content.decode()
