"""残疾人之家 (P-CARE-6): enrolment of disabled residents for day care or rehabilitation within the places,
attendance once per person per day and only within the enrolment, job help with its outcome (a stale form
refused), the home staff's phone page (only their homes), the street's counts per community."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.care import disabled, services
from gongzhi.care.models import DisabilityHome, HomeAttendance, HomeEnrolment, HomeStaff, JobHelp
from gongzhi.core.errors import RuleError
from tests.factories import user

TODAY = dt.date.today()


@pytest.fixture
def home(homes, world):
    services.disability_record(resident=homes.young, kind="physical", grade=3, by=world.community_worker_a)
    services.disability_record(resident=homes.father, kind="hearing", grade=4, by=world.community_worker_a)
    h = DisabilityHome.objects.create(place=world.comm_a, name="东虹社区残疾人之家", day_care_places=1,
                                      rehab_places=5, hours="8:30-16:30")
    staff = user("home_staff", "provider", world.comm_a)
    HomeStaff.objects.create(user=staff, home=h)
    h.staff_user = staff
    return h


def test_enrolment_within_places_and_only_for_disabled_residents(homes, world, home):
    cw = world.community_worker_a
    e = disabled.enrol(resident=homes.young, home=home, service="day_care", starts_on=TODAY, by=cw)
    assert e.community == world.comm_a and e.grid == world.grid_a1
    other = DisabilityHome.objects.create(place=world.comm_b, name="南岳社区残疾人之家", day_care_places=9)
    for kw, message in (
            ({"resident": homes.father}, "日间照料名额.1 人.已满"),
            ({"resident": homes.young}, "已在东虹社区残疾人之家日间照料,不能重复入托"),
            ({"resident": homes.mother}, "母亲丁不在残疾人关爱对象中"),
            ({"resident": homes.father, "service": "spa"}, "请选择服务"),
            ({"resident": homes.father, "home": other}, "请选择为父亲丁所在社区服务的残疾人之家"),
            ({"resident": homes.father, "home": None}, "残疾人之家"),
            ({"resident": homes.father, "starts_on": TODAY + dt.timedelta(days=40)}, "入托日期")):
        args = {"resident": homes.father, "home": home, "service": "day_care", "starts_on": TODAY, "by": cw} | kw
        with pytest.raises(RuleError, match=message):
            disabled.enrol(**args)
    with pytest.raises(PermissionDenied):
        disabled.enrol(resident=homes.father, home=home, service="rehab", starts_on=TODAY, by=world.community_worker_b)
    assert HomeEnrolment.objects.count() == 1
    disabled.enrol(resident=homes.father, home=home, service="rehab", starts_on=TODAY, by=cw)
    # ending frees the place; the record stays
    disabled.enrolment_end(enrolment=e, reason="转入特殊教育学校", by=cw)
    with pytest.raises(RuleError, match="已经结束"):
        disabled.enrolment_end(enrolment=e, reason="再次", by=cw)
    with pytest.raises(ValueError):
        HomeEnrolment.objects.get(pk=e.pk).delete()
    disabled.enrol(resident=homes.father, home=home, service="day_care", starts_on=TODAY, by=cw)


def test_attendance_once_a_day_within_the_enrolment(homes, world, home):
    cw = world.community_worker_a
    disabled.enrol(resident=homes.young, home=home, service="rehab", starts_on=TODAY - dt.timedelta(days=3), by=cw)
    a = disabled.attendance_record(home=home, resident=homes.young, day=TODAY, by=home.staff_user)
    assert a.community == world.comm_a
    for kw, message in (
            ({"day": TODAY}, f"青年戊{TODAY.isoformat()}已登记出勤,同一天不能登记两次"),
            ({"day": TODAY - dt.timedelta(days=5)}, "不在东虹社区残疾人之家的入托期内"),
            ({"day": TODAY + dt.timedelta(days=1)}, "出勤日期不能晚于今天"),
            ({"resident": homes.father}, "父亲丁" + TODAY.isoformat() + "不在东虹社区残疾人之家的入托期内")):
        args = {"home": home, "resident": homes.young, "day": TODAY, "by": home.staff_user} | kw
        with pytest.raises(RuleError, match=message):
            disabled.attendance_record(**args)
    stranger = user("other_staff", "provider", world.comm_a)
    with pytest.raises(PermissionDenied):
        disabled.attendance_record(home=home, resident=homes.young, day=TODAY - dt.timedelta(days=1), by=stranger)
    assert HomeAttendance.objects.count() == 1
    disabled.attendance_record(home=home, resident=homes.young, day=TODAY - dt.timedelta(days=1), by=cw)
    with pytest.raises(ValueError):
        a.delete()


def test_job_help_and_its_outcome(homes, world, home):
    cw = world.community_worker_a
    for kw, message in (({"kind": "luck"}, "请选择帮扶方式"), ({"detail": "x"}, "请填写帮扶内容"),
                        ({"detail": "=cmd|x\x00"}, "请填写帮扶内容"),
                        ({"given_on": TODAY + dt.timedelta(days=1)}, "帮扶日期"),
                        ({"resident": homes.mother}, "不在残疾人关爱对象中")):
        args = {"resident": homes.young, "kind": "training", "given_on": TODAY, "detail": "电商客服培训", "by": cw} | kw
        with pytest.raises(RuleError, match=message):
            disabled.job_help_record(**args)
    job = disabled.job_help_record(resident=homes.young, kind="referral", given_on=TODAY, detail="推荐到福利企业", by=cw)
    disabled.job_help_outcome(job=job, outcome="employed", note="已签合同", version=1, by=cw)
    with pytest.raises(RuleError, match="已被他人修改"):
        disabled.job_help_outcome(job=job, outcome="not_employed", note="", version=1, by=cw)
    assert JobHelp.objects.get(pk=job.pk).outcome == "employed"
    counts = disabled.counts_per_community([world.comm_a.pk, world.comm_b.pk], TODAY)
    assert counts[world.comm_a.pk]["job_help"] == 1 and counts[world.comm_a.pk]["employed"] == 1
    assert counts[world.comm_b.pk] == {"enrolled": 0, "attended": 0, "job_help": 0, "employed": 0}


def test_pages(homes, world, home, client):
    cw = world.community_worker_a
    client.force_login(cw)
    page = client.get(f"/care/people/{homes.young.pk}/").content.decode()
    assert "残疾人之家和就业帮扶" in page
    r = client.post(f"/care/people/{homes.young.pk}/enrol/", {"home": home.pk, "service": "day_care",
                                                               "starts_on": TODAY.isoformat()})
    assert r.status_code == 302 and HomeEnrolment.objects.count() == 1
    r = client.post(f"/care/people/{homes.father.pk}/enrol/", {"home": "99999999999999999999", "service": "day_care",
                                                                "starts_on": TODAY.isoformat()}, follow=True)
    assert "请选择为父亲丁所在社区服务的残疾人之家" in r.content.decode() and HomeEnrolment.objects.count() == 1
    r = client.post(f"/care/people/{homes.young.pk}/job-help/", {"kind": "training", "given_on": TODAY.isoformat(),
                                                                  "detail": "盲人按摩培训"})
    assert r.status_code == 302 and JobHelp.objects.count() == 1
    page = client.get("/care/disabled/").content.decode()
    assert "东虹社区残疾人之家" in page and "青年戊" in page and "1 / 1" in page
    # the home's staff: their enrolled people only, once a day
    client.force_login(home.staff_user)
    page = client.get("/care/home/").content.decode()
    assert "青年戊" in page and "父亲丁" not in page
    enrolment = HomeEnrolment.objects.get()
    assert client.post(f"/care/home/{enrolment.pk}/attend/").status_code == 302
    r = client.post(f"/care/home/{enrolment.pk}/attend/", follow=True)
    assert "同一天不能登记两次" in r.content.decode() and HomeAttendance.objects.count() == 1
    assert client.get(f"/care/people/{homes.young.pk}/").status_code == 403
    client.force_login(user("other_staff", "provider", world.comm_a))
    assert "青年戊" not in client.get("/care/home/").content.decode()
    assert client.post(f"/care/home/{enrolment.pk}/attend/").status_code == 404
    # the street: counts per community, no names
    client.force_login(world.street_officer_a)
    page = client.get("/care/overview/").content.decode()
    assert f'data-testid="enrolled-{world.comm_a.code}">1<' in page and "青年戊" not in page
