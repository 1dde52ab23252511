"""残疾人之家 set up, edited and closed by the community or the street (care/homes.py, care/home_views.py): the
fields are checked with a Chinese message naming the field and nothing written; a stale form is 409 and
overwrites nothing; closing records a date and a reason and deletes nothing; the home's page lists who is
enrolled and the job help given there (access-logged) and records a dated job help; the figures of P-CARE-6."""
import datetime as dt

import pytest

from gongzhi.care import disabled, services
from gongzhi.care.models import DisabilityHome, HomeEnrolment, JobHelp
from gongzhi.core.metrics import Figures
from gongzhi.core.models import AccessLog
from gongzhi.places.models import Place
from tests.factories import user

TODAY = dt.date.today()


def _body(world, **kw):
    return {"place_code": world.comm_a.code, "name": "东虹社区残疾人之家", "services": ["day_care", "job_help"],
            "day_care_places": "6", "rehab_places": "0", "hours": "周一至周五 8:30-16:30", "address": "东虹路 1 号",
            "contact": "王主任", "phone": "0510-87654321"} | kw


def _state():
    return list(DisabilityHome.objects.order_by("pk").values_list("pk", "name", "version", "services",
                                                                  "day_care_places", "closed_on", "active"))


@pytest.fixture
def disabled_people(homes, world):
    services.disability_record(resident=homes.young, kind="physical", grade=3, by=world.community_worker_a)
    services.disability_record(resident=homes.father, kind="hearing", grade=4, by=world.community_worker_a)
    return homes


def test_the_community_sets_up_a_home_and_bad_input_names_the_field(world, client):
    client.force_login(world.community_worker_a)
    page = client.get("/care/disabled/homes/new/")
    assert page.status_code == 200 and "新建残疾人之家" in page.content.decode()
    for kw, message in (
            ({"name": ""}, "名称:"),
            ({"name": "东虹\x1b之家"}, "名称:"),
            ({"name": "之" * 5000}, "名称:"),
            ({"name": "=HYPERLINK(\"x\")\n第二行"}, "名称:"),
            ({"services": []}, "服务:"),
            ({"day_care_places": "0"}, "日间照料名额:"),
            ({"day_care_places": str(2**63)}, "日间照料名额:"),
            ({"day_care_places": "三"}, "日间照料名额:"),
            ({"hours": ""}, "开放时间:"),
            ({"phone": "12345"}, "联系电话:"),
            ({"contact": "王\x00主任"}, "联系人:"),
            ({"place_code": ""}, "所在社区或街道:"),
            ({"place_code": "32\x0001"}, "所在社区或街道:")):
        r = client.post("/care/disabled/homes/new/", _body(world, **kw))
        assert r.status_code == 422, (kw, r.status_code)
        assert message in r.content.decode(), kw
    assert not DisabilityHome.objects.exists()
    # a place outside the caller's (another community, the street above) is not theirs to name
    for code in (world.comm_b.code, world.street_a.code):
        assert client.post("/care/disabled/homes/new/", _body(world, place_code=code)).status_code == 404
    r = client.post("/care/disabled/homes/new/", _body(world))
    home = DisabilityHome.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/care/disabled/homes/{home.pk}/edit/"
    assert home.place == world.comm_a and home.services == ["day_care", "job_help"]
    assert (home.day_care_places, home.rehab_places, home.phone, home.created_by) == (
        6, 0, "0510-87654321", world.community_worker_a)
    # linked from the 残疾人之家 list page
    page = client.get("/care/disabled/").content.decode()
    assert "/care/disabled/homes/new/" in page and f"/care/disabled/homes/{home.pk}/" in page
    # a grid worker keeps no homes; a department post nothing of care
    client.force_login(world.grid_worker_a1)
    assert client.get("/care/disabled/homes/new/").status_code == 403
    assert client.post(f"/care/disabled/homes/{home.pk}/edit/", _body(world, version="1")).status_code == 403


def test_edit_with_a_stale_form_is_409_and_overwrites_nothing(world, client, disabled_people):
    client.force_login(world.street_officer_a)  # the street keeps its communities' homes
    assert client.post("/care/disabled/homes/new/", _body(world)).status_code == 302
    home = DisabilityHome.objects.get()
    page = client.get(f"/care/disabled/homes/{home.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in page and "东虹路 1 号" in page
    r = client.post(f"/care/disabled/homes/{home.pk}/edit/", _body(world, name="东虹残疾人之家", version="1",
                                                                    services=["day_care", "rehab"], rehab_places="4"))
    assert r.status_code == 302
    home.refresh_from_db()
    assert (home.name, home.version, home.services, home.rehab_places) == (
        "东虹残疾人之家", 2, ["day_care", "rehab"], 4)
    before = _state()
    for version in ("1", "", "abc", str(2**70)):
        r = client.post(f"/care/disabled/homes/{home.pk}/edit/", _body(world, name="旧表单", version=version))
        assert r.status_code == 409 and "已被他人修改" in r.content.decode(), version
    assert _state() == before
    # places never below those enrolled; a service with people in it stays
    cw = world.community_worker_a
    disabled.enrol(resident=disabled_people.young, home=home, service="rehab", starts_on=TODAY, by=cw)
    disabled.enrol(resident=disabled_people.father, home=home, service="rehab", starts_on=TODAY, by=cw)
    for kw, message in (({"rehab_places": "1"}, "康复训练名额:不能少于现在在托的 2 人"),
                        ({"services": ["day_care"]}, "还有 2 人在康复训练")):
        r = client.post(f"/care/disabled/homes/{home.pk}/edit/",
                        _body(world, version="2", services=["day_care", "rehab"], rehab_places="4") | kw)
        assert r.status_code == 422 and message in r.content.decode(), kw
    assert _state() == before
    # another street's officer, and the community worker for the street's own home, reach nothing
    street_home = DisabilityHome.objects.create(place=world.street_a, name="宜城街道残疾人之家", hours="8:00",
                                                services=["rehab"], rehab_places=3)
    client.force_login(cw)
    assert client.get(f"/care/disabled/homes/{street_home.pk}/edit/").status_code == 404
    assert client.get(f"/care/disabled/homes/{2**63}/edit/").status_code == 404
    client.force_login(user("street_b", "street", world.street_b))
    assert client.get(f"/care/disabled/homes/{home.pk}/edit/").status_code == 404
    assert "东虹残疾人之家" not in client.get("/care/disabled/homes/").content.decode()


def test_closing_records_a_date_and_a_reason_and_deletes_nothing(world, client, disabled_people):
    cw = world.community_worker_a
    client.force_login(cw)
    client.post("/care/disabled/homes/new/", _body(world, services=["day_care", "rehab", "job_help"],
                                                   rehab_places="2"))
    home = DisabilityHome.objects.get()
    e = disabled.enrol(resident=disabled_people.young, home=home, service="day_care", starts_on=TODAY, by=cw)
    job = disabled.job_help_record(resident=disabled_people.young, kind="training", given_on=TODAY,
                                   detail="电商客服培训", by=cw, home=home)
    url = f"/care/disabled/homes/{home.pk}/close/"
    before = _state()
    for kw, status, message in (
            ({}, 422, "还有 1 人在托"),
            ({"reason": ""}, 422, "停办原因:"),
            ({"reason": "停" * 201}, 422, "停办原因:"),
            ({"closed_on": (TODAY + dt.timedelta(days=1)).isoformat()}, 422, "停办日期:"),
            ({"closed_on": "2026-02-30"}, 422, "停办日期:"),
            ({"version": "7"}, 409, "已被他人修改")):
        r = client.post(url, {"closed_on": TODAY.isoformat(), "reason": "场地改造", "version": "1"} | kw)
        assert r.status_code == status and message in r.content.decode(), kw
    assert _state() == before
    disabled.enrolment_end(enrolment=e, reason="转入福利企业就业", by=cw)
    r = client.post(url, {"closed_on": TODAY.isoformat(), "reason": "场地改造,暂停服务", "version": "1"})
    assert r.status_code == 302
    home.refresh_from_db()
    assert (home.closed_on, home.close_reason, home.active, home.closed_by, home.version) == (
        TODAY, "场地改造,暂停服务", False, cw, 2)
    assert HomeEnrolment.objects.filter(pk=e.pk).exists() and JobHelp.objects.filter(pk=job.pk).exists()
    with pytest.raises(ValueError):
        home.delete()
    page = client.get(f"/care/disabled/homes/{home.pk}/edit/").content.decode()
    assert "停办" in page and 'data-testid="home-form"' not in page
    r = client.post(f"/care/disabled/homes/{home.pk}/edit/", _body(world, version="2"))
    assert r.status_code == 422 and "已于" in r.content.decode() and _state()[0][1] == "东虹社区残疾人之家"
    assert "停办" in client.get("/care/disabled/homes/").content.decode()


def test_the_home_page_lists_job_help_per_person_and_records_it(world, client, disabled_people):
    cw = world.community_worker_a
    home = DisabilityHome.objects.create(place=world.comm_a, name="东虹社区残疾人之家", hours="8:30-16:30",
                                         services=["day_care", "job_help"], day_care_places=5)
    disabled.enrol(resident=disabled_people.young, home=home, service="day_care", starts_on=TODAY, by=cw)
    client.force_login(cw)
    url = f"/care/disabled/homes/{home.pk}/job-help/"
    body = {"resident": str(disabled_people.father.pk), "kind": "referral", "given_on": TODAY.isoformat(),
            "detail": "推荐到福利企业包装岗位", "outcome": "pending"}
    for kw, message in (({"resident": str(2**63)}, "帮扶对象:"), ({"resident": ""}, "帮扶对象:"),
                        ({"detail": ""}, "帮扶内容:"), ({"detail": "内容" * 200}, "帮扶内容:"),
                        ({"detail": "推荐\x07岗位"}, "帮扶内容:"), ({"given_on": "明天"}, "帮扶日期:"),
                        ({"kind": "luck"}, "帮扶方式:"),
                        ({"resident": str(disabled_people.mother.pk)}, "不在残疾人关爱对象中")):
        r = client.post(url, body | kw)
        assert r.status_code == 422 and message in r.content.decode(), kw
    assert client.post(url, body | {"resident": str(world.res_b1.pk)}).status_code == 404
    assert not JobHelp.objects.exists()
    r = client.post(url, body)
    assert r.status_code == 302
    job = JobHelp.objects.get()
    assert (job.home, job.resident, job.given_on, job.recorded_by) == (home, disabled_people.father, TODAY, cw)
    logged = AccessLog.objects.filter(user=cw, target__contains="东虹社区残疾人之家").count()
    page = client.get(f"/care/disabled/homes/{home.pk}/").content.decode()
    assert "青年戊" in page and "父亲丁" in page and "推荐到福利企业包装岗位" in page
    assert f"{TODAY.year} 年:1 人受到就业帮扶" in page and TODAY.isoformat() in page
    assert AccessLog.objects.filter(user=cw, target__contains="东虹社区残疾人之家").count() == logged + 1
    # community B's worker: not their home
    client.force_login(world.community_worker_b)
    assert client.get(f"/care/disabled/homes/{home.pk}/").status_code == 404
    assert client.post(url, body).status_code == 404 and JobHelp.objects.count() == 1


def test_enrolment_share_and_job_help_figures(world, disabled_people):
    cw = world.community_worker_a
    home = DisabilityHome.objects.create(place=world.comm_a, name="东虹社区残疾人之家", services=["day_care", "rehab"],
                                         day_care_places=5, rehab_places=5)
    # 青年戊 in both services counts once; 父亲丁 not enrolled: 1 of 2
    disabled.enrol(resident=disabled_people.young, home=home, service="day_care", starts_on=TODAY, by=cw)
    disabled.enrol(resident=disabled_people.young, home=home, service="rehab", starts_on=TODAY, by=cw)
    for detail in ("电商客服培训", "推荐到福利企业"):
        disabled.job_help_record(resident=disabled_people.father, kind="training", given_on=TODAY, detail=detail, by=cw)
    f = Figures(Place.objects.filter(pk__in=[world.comm_a.pk, world.comm_b.pk]))
    a, b = world.comm_a.pk, world.comm_b.pk
    assert f.get("care_disabled") == {a: 2, b: 0}
    assert f.get("care_disabled_enrolled") == {a: 1, b: 0}
    assert f.get("care_disabled_enrolled_share") == {a: 50.0, b: None}
    assert f.get("care_disabled_job_help") == {a: 1, b: 0}  # people, not entries


def test_setting_up_editing_and_closing_a_home_is_audited(world, client):
    from gongzhi.audit.models import AuditAction, AuditEvent
    cw = world.community_worker_a
    client.force_login(cw)
    refused = client.post("/care/disabled/homes/new/", _body(world, services=[]))
    assert refused.status_code == 422 and not AuditEvent.objects.filter(object_type="残疾人之家").exists()
    client.post("/care/disabled/homes/new/", _body(world))
    home = DisabilityHome.objects.get()
    made = AuditEvent.objects.get(action=AuditAction.FACILITY_CREATE)
    assert (made.actor, made.object_type, made.object_id) == (cw, "残疾人之家", str(home.pk))
    assert made.after["名称"] == "东虹社区残疾人之家" and made.after["所在社区或街道"] == "东虹社区"
    assert "东虹社区残疾人之家" in made.detail
    # a stale edit writes no entry; a saved one names what changed, before and after
    assert client.post(f"/care/disabled/homes/{home.pk}/edit/", _body(world, version="5", hours="8:00-12:00")
                       ).status_code == 409
    assert not AuditEvent.objects.filter(action=AuditAction.FACILITY_EDIT).exists()
    client.force_login(world.street_officer_a)
    client.post(f"/care/disabled/homes/{home.pk}/edit/", _body(world, version="1", hours="8:00-12:00"))
    edit = AuditEvent.objects.get(action=AuditAction.FACILITY_EDIT)
    assert edit.actor == world.street_officer_a
    assert (edit.before, edit.after) == ({"开放时间": "周一至周五 8:30-16:30"}, {"开放时间": "8:00-12:00"})
    client.post(f"/care/disabled/homes/{home.pk}/close/", {"closed_on": TODAY.isoformat(), "reason": "场地改造",
                                                          "version": "2"})
    closed = AuditEvent.objects.get(action=AuditAction.FACILITY_CLOSE)
    assert closed.actor == world.street_officer_a and closed.after == {"停办日期": TODAY.isoformat(),
                                                                       "停办原因": "场地改造"}
    assert "场地改造" in closed.detail and TODAY.isoformat() in closed.detail
