"""Training, yearly evaluations and commendations (P-VOL-2): each refusal names the field and changes
nothing; training hours are not service hours; evaluations are never written over; commendations
show on the volunteer's own page and the staff page, count in the team and community figures, and
export to xlsx with formula-like text kept as text."""
import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.errors import RuleError
from gongzhi.volunteers import services
from gongzhi.volunteers.models import (
    Commendation, Evaluation, PointAccount, Training, TrainingAttendance, Volunteer, VolunteerYear,
)
from tests.factories import resident
from tests.volunteers.helpers import more_volunteers, volunteer

pytestmark = pytest.mark.django_db


def growth():
    return (list(Training.objects.order_by("pk").values_list("pk", "course", "hours")),
            list(TrainingAttendance.objects.order_by("pk").values_list("training_id", "volunteer_id")),
            list(Evaluation.objects.order_by("pk").values_list("pk", "year", "grade", "reason")),
            list(Commendation.objects.order_by("pk").values_list("pk", "title")),
            list(Volunteer.objects.order_by("pk").values_list("pk", "hours")), VolunteerYear.objects.count(),
            list(PointAccount.objects.order_by("pk").values_list("pk", "balance")))


def test_training_refusals_name_the_field_and_attendance_is_not_service_hours(world):
    v1, v2 = more_volunteers(world, 2)
    cw, today = world.community_worker_a, timezone.localdate()
    before = growth()
    for kw, message in [({"course": " "}, "请填写培训课程名称"), ({"trainer": ""}, "请填写授课人"),
                        ({"hours": "0"}, "培训学时"), ({"hours": "25"}, "培训学时"), ({"hours": "1.25"}, "培训学时"),
                        ({"hours": "abc"}, "培训学时"), ({"held_on": "2026-02-30"}, "培训日期"),
                        ({"held_on": "1999-01-01"}, "培训日期"), ({"course": "急救\x1b[2J"}, "「培训课程」含有不可见"),
                        ({"trainer": "王\r\n李"}, "「授课人」不能包含换行"), ({"hours": "1e400"}, "培训学时")]:
        args = {"community": world.comm_a, "course": "应急救护", "held_on": today.isoformat(), "hours": "2",
                "trainer": "红十字会讲师", "by": cw, **kw}
        with pytest.raises(RuleError, match=message):
            services.training_add(**args)
    assert growth() == before
    t = services.training_add(community=world.comm_a, course="应急救护", held_on=today.isoformat(), hours="2.5",
                              trainer="红十字会讲师", by=cw)
    outsider = services.volunteer_enrol(resident=world.res_b1, by=world.community_worker_b)
    before = growth()
    with pytest.raises(RuleError, match="不是东虹社区的在册志愿者"):
        services.training_attend(training=t, volunteer_ids=[v1.pk, outsider.pk], by=cw)
    with pytest.raises(RuleError, match="请选择参加培训的志愿者"):
        services.training_attend(training=t, volunteer_ids=[], by=cw)
    with pytest.raises(RuleError, match="在册志愿者"):
        services.training_attend(training=t, volunteer_ids=["x"], by=cw)
    assert growth() == before
    assert services.training_attend(training=t, volunteer_ids=[v1.pk, str(v2.pk)], by=cw) == 2
    assert services.training_attend(training=t, volunteer_ids=[v1.pk], by=cw) == 0  # already there: unchanged
    after = growth()
    assert after[4:] == before[4:]  # no service hours, no rollup, no points from training


def test_an_evaluation_a_year_never_written_over(world):
    v = volunteer(world)
    cw, year = world.community_worker_a, timezone.localdate().year
    before = growth()
    for kw, message in [({"grade": "best"}, "请选择评价等次"), ({"reason": " "}, "请填写评价理由"),
                        ({"reason": "长" * 301}, "评价理由"), ({"year": year + 1}, "评价年度须在"),
                        ({"year": "abc"}, "评价年度须在"), ({"reason": "好\x00"}, "「评价理由」含有不可见")]:
        with pytest.raises(RuleError, match=message):
            services.evaluation_record(**{"volunteer": v, "year": year, "grade": "excellent", "reason": "服务积极",
                                          "by": cw, **kw})
    assert growth() == before
    services.evaluation_record(volunteer=v, year=year, grade="excellent", reason="全年服务 20 次", by=cw)
    with pytest.raises(RuleError, match=f"张三 {year} 年度已评价为「优秀」,不能重复评价"):
        services.evaluation_record(volunteer=v, year=year, grade="poor", reason="改一下", by=cw)
    assert list(Evaluation.objects.values_list("grade", "reason")) == [("excellent", "全年服务 20 次")]


def test_commendations_on_both_pages_in_the_figures_and_the_xlsx_keeps_formulas_as_text(client, world):
    team = services.team_create(community=world.comm_a, name="东虹助老队")
    v = volunteer(world, team=team)
    cw, today = world.community_worker_a, timezone.localdate()
    before = growth()
    for kw, message in [({"title": ""}, "请填写表彰名称"), ({"level": "galaxy"}, "请选择表彰级别"),
                        ({"awarded_on": (today + dt.timedelta(days=1)).isoformat()}, "表彰日期"),
                        ({"awarded_on": "昨天"}, "表彰日期"), ({"issuer": ""}, "请填写授予单位")]:
        with pytest.raises(RuleError, match=message):
            services.commendation_add(**{"volunteer": v, "title": "优秀志愿者", "level": "street",
                                         "awarded_on": today.isoformat(), "issuer": "宜城街道", "by": cw, **kw})
    assert growth() == before
    client.force_login(cw)
    r = client.post(f"/volunteers/volunteers/{v.pk}/commend/", {"title": "=HYPERLINK(\"http://x\")优秀志愿者",
                    "level": "street", "awarded_on": today.isoformat(), "issuer": "宜城街道办事处"}, follow=True)
    assert "已记录表彰" in r.content.decode()
    r = client.post(f"/volunteers/volunteers/{v.pk}/evaluate/", {"year": str(today.year), "grade": "good",
                                                                  "reason": ""}, follow=True)
    assert "请填写评价理由" in r.content.decode() and not Evaluation.objects.exists()
    page = client.get(f"/volunteers/volunteers/{v.pk}/").content.decode()
    assert "优秀志愿者" in page and "街道(镇)级" in page and today.strftime("%Y-%m-%d") in page
    roster = client.get("/volunteers/roster/").context["team_hours"]
    assert [(t["team__name"], t["commendations"]) for t in roster] == [("东虹助老队", 1)]
    client.force_login(world.street_officer_a)
    rows = client.get("/volunteers/report/").context["rows"]
    assert [(r["community"], r["commendations"]) for r in rows] == [("东虹社区", 1)]
    r = client.get("/volunteers/honours/?format=xlsx")
    sheet = load_workbook(BytesIO(b"".join(r.streaming_content))).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["社区", "姓名", "表彰名称", "级别", "表彰日期", "授予单位"]
    title = rows[1][2]
    assert title.value == "=HYPERLINK(\"http://x\")优秀志愿者" and title.data_type == "s"
    client.force_login(world.resident_user)
    mine = client.get("/volunteers/mine/").content.decode()
    assert "优秀志愿者" in mine and "宜城街道办事处" in mine


def test_training_pages_register_a_session_and_its_attendance(client, world):
    v = volunteer(world)
    other = volunteer(world, resident(world.hh_a1, "李培训", relation="10"))
    client.force_login(world.community_worker_a)
    r = client.post("/volunteers/trainings/new/", {"place_code": world.comm_a.code, "course": "", "held_on": "2026-01-01",
                                                    "hours": "2", "trainer": "讲师"}, follow=True)
    assert "请填写培训课程名称" in r.content.decode() and not Training.objects.exists()
    r = client.post("/volunteers/trainings/new/", {"place_code": world.comm_a.code, "course": "心理疏导入门",
                                                    "held_on": timezone.localdate().isoformat(), "hours": "3",
                                                    "trainer": "王老师"}, follow=True)
    t = Training.objects.get()
    assert "已登记培训" in r.content.decode()
    r = client.post(f"/volunteers/trainings/{t.pk}/attend/", {"volunteer": [v.pk, other.pk]}, follow=True)
    assert "已登记 2 人参加培训" in r.content.decode()
    assert client.get("/volunteers/trainings/").status_code == 200
    client.force_login(world.resident_user)
    page = client.get("/volunteers/mine/").content.decode()
    assert "心理疏导入门" in page and "不计入服务时长" in page
    assert Volunteer.objects.get(pk=v.pk).hours == Decimal(0)
