"""The community's own books, as ledger kinds (registered in manifest.py under
extras["ledger_kinds"]). A new kind is one more LedgerKind here or in its module."""
from __future__ import annotations

from django.db.models import Count, Q
from django.utils.text import Truncator

from gongzhi.ledgers import forms, services
from gongzhi.ledgers.kinds import LEAVE, Column, Figure, LedgerKind
from gongzhi.ledgers.models import Activity, Disclosure, Election, Meeting, MeetingKind, Training, Volunteer, Worker

ALL = Count("id")


def _update_worker(*, row, version, data, by=None):
    return services.worker_update(worker=row, version=version, data=data, by=by)


def _register_volunteer(*, community, data, by=None):
    return services.volunteer_register(community=community, by=by, **data)


def _volunteer_leaves(*, row, on, by=None):
    return services.volunteer_leave(volunteer=row, left_on=on, by=by)


WORKERS = LedgerKind(
    code="workers", label="班子与工作者", model=Worker, form=forms.WorkerForm, order=10,
    columns=(Column("姓名", "name", link=True), Column("职务", "posts"), Column("专职", "full_time"),
             Column("社工资格", "certificate"), Column("任职日期", "since"), Column("离任日期", "left_on")),
    ends=LEAVE, summary=(Figure("serving", "在册工作者", ALL, "人"),),
    noun="社区工作者", saved="已保存 {row.name}", add=services.worker_add,
    update=_update_worker, edit_url="ledgers:worker_edit", left_toggle=("只看在任", "含已离任"),
)

TRAININGS = LedgerKind(
    code="trainings", label="培训", model=Training, form=forms.TrainingForm, order=20, date_field="held_on",
    columns=(Column("日期", "held_on"), Column("内容", lambda r: f"{r.worker.name}:{r.title}", label="培训"),
             Column("说明", lambda r: f"{r.days} 天" + (f",{r.organiser}" if r.organiser else ""), label="天数")),
    summary=(Figure("all", "培训", ALL, "人次"),), summary_order=65, related=("worker",),
    add=services.training_add,
)

MEETINGS = LedgerKind(
    code="meetings", label="会议", model=Meeting, form=forms.MeetingForm, order=30, date_field="held_on",
    columns=(Column("日期", "held_on"), Column("内容", lambda r: f"{r.get_kind_display()}:{r.title}", label="议题"),
             Column("说明", lambda r: f"{r.attendees} 人", label="参会")),
    summary=(Figure("residents", "居民会议", Count("id", filter=Q(kind=MeetingKind.RESIDENTS))),
             Figure("deliberation", "议事协商", Count("id", filter=Q(kind=MeetingKind.DELIBERATION))),
             Figure("all", "会议合计", ALL)),
)

DISCLOSURES = LedgerKind(
    code="disclosures", label="居务公开", model=Disclosure, form=forms.DisclosureForm, order=40,
    date_field="published_on",
    columns=(Column("日期", "published_on"),
             Column("内容", lambda r: f"{r.get_kind_display()}:{r.title}", label="标题"),
             Column("说明", lambda r: Truncator(r.content).chars(60), label="内容")),
    summary=(Figure("all", "居务公开", ALL),),
)

VOLUNTEERS = LedgerKind(
    code="volunteers", label="志愿者", model=Volunteer, form=forms.VolunteerForm, order=50,
    columns=(Column("姓名", "resident.name"), Column("志愿服务组织", "team.name", label="组织"),
             Column("注册日期", "registered_on")),
    ends=LEAVE, summary=(Figure("registered", "注册志愿者", ALL, "人"),), related=("resident", "team"),
    noun="志愿者", add_verb="注册", saved="{row.resident.name} 已注册为志愿者", add=_register_volunteer,
    leave=_volunteer_leaves, leave_url="ledgers:volunteer_leave", left="{row.resident.name} 已退出志愿者队伍",
)

ACTIVITIES = LedgerKind(
    code="activities", label="志愿/互助活动", model=Activity, form=forms.ActivityForm, order=60, date_field="held_on",
    columns=(Column("日期", "held_on"), Column("内容", lambda r: f"{r.get_kind_display()}:{r.title}", label="活动"),
             Column("说明", lambda r: f"{r.participants} 人,{r.hours} 小时", label="参加")),
    summary=(Figure("all", "志愿/互助活动", ALL),),
)

ELECTIONS = LedgerKind(
    code="elections", label="换届选举", model=Election, form=forms.ElectionForm, order=70, date_field="held_on",
    columns=(Column("日期", "held_on"), Column("内容", "method", label="方式"),
             Column("说明", lambda r: f"{r.turnout} / {r.voters}", label="参选")),
)
