"""The volunteers' pages through the Django client: the resident's self sign-up, an activity's
sign-up, the QR check-in, the organiser's QR page and hours (a Chinese message and nothing changed
when refused), the roster's search, the yearly report and its xlsx, the certificate PDF and the
public check (a masked name only), the time bank."""
import datetime as dt
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.volunteers import services
from gongzhi.volunteers.models import Offer, PointAccount, SignUp, Volunteer
from tests.factories import resident
from tests.volunteers.helpers import activity, volunteer
from tests.volunteers.test_services import snapshot

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_resident_signs_up_as_volunteer_and_for_an_activity(client, world):
    client.force_login(world.resident_user)
    page = client.get("/volunteers/mine/").content.decode()
    assert "报名注册志愿者" in page
    r = client.post("/volunteers/mine/enrol/", {"skills": ["care", "it"], "availability": "weekend"}, follow=True)
    assert "已注册为志愿者" in r.content.decode()
    v = Volunteer.objects.get(resident=world.res_a1)
    assert v.self_signed and v.skills == ["care", "it"]
    a = activity(world, hours_from_now=3, places=1)
    assert a.title in client.get("/volunteers/mine/").content.decode()
    r = client.post(f"/volunteers/mine/activities/{a.pk}/signup/", follow=True)
    assert "报名成功" in r.content.decode() and "您已报名" in r.content.decode()
    a.refresh_from_db()
    assert a.taken == 1
    other = resident(world.hh_a1, "钱八", relation="10")
    volunteer(world, other)
    from tests.factories import user
    client.force_login(user("qian", "resident", world.comm_a, resident=other))
    r = client.post(f"/volunteers/mine/activities/{a.pk}/signup/", follow=True)
    assert "名额已满" in r.content.decode()


def test_bad_skills_get_a_message_and_no_volunteer(client, world):
    client.force_login(world.resident_user)
    r = client.post("/volunteers/mine/enrol/", {"skills": ["fly"], "availability": "weekend"}, follow=True)
    assert "技能「fly」不在技能列表中" in r.content.decode()
    assert not Volunteer.objects.exists()


def test_qr_check_in_outside_the_window_changes_nothing(client, world):
    v = volunteer(world)
    a = activity(world, hours_from_now=3)
    services.signup(activity=a, resident=v.resident)
    client.force_login(world.resident_user)
    page = client.get(f"/volunteers/scan/{a.token}/").content.decode()
    assert "尚未签到" in page
    before = snapshot()
    r = client.post(f"/volunteers/scan/{a.token}/", {"action": "in"}, follow=True)
    assert "现在还不能签到" in r.content.decode()
    assert snapshot() == before
    now_on = activity(world, hours_from_now=0, length=2, title="正在进行")
    services.signup(activity=now_on, resident=v.resident)
    r = client.post(f"/volunteers/scan/{now_on.token}/", {"action": "in"}, follow=True)
    assert "签到成功" in r.content.decode()
    r = client.post(f"/volunteers/scan/{now_on.token}/", {"action": "in"}, follow=True)
    assert "不能重复签到" in r.content.decode()
    assert client.get("/volunteers/scan/notatoken/").status_code == 404


def test_organiser_sees_the_qr_and_others_do_not(client, world):
    a = activity(world, hours_from_now=0)
    client.force_login(world.community_worker_a)
    r = client.get(f"/volunteers/activities/{a.pk}/checkin/")
    assert r.status_code == 200 and "<svg" in r.content.decode() and "签到二维码" in r.content.decode()
    from tests.factories import user
    colleague = user("cw_a2", "community", world.comm_a)
    client.force_login(colleague)
    assert client.get(f"/volunteers/activities/{a.pk}/checkin/").status_code == 403
    assert client.get(f"/volunteers/activities/{a.pk}/").status_code == 200


def test_hours_over_the_session_are_refused_with_the_names(client, world):
    v = volunteer(world)
    a = activity(world, hours_from_now=-4, length=3)
    s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
    client.force_login(world.community_worker_a)
    page = client.get(f"/volunteers/activities/{a.pk}/").content.decode()
    assert f'name="h_{s.pk}"' in page
    before = snapshot()
    r = client.post(f"/volunteers/activities/{a.pk}/confirm/", {f"h_{s.pk}": "5"}, follow=True)
    assert "「张三」的服务时长 5 小时超过本场活动的时长 3.0 小时" in r.content.decode()
    assert snapshot() == before
    r = client.post(f"/volunteers/activities/{a.pk}/confirm/", {f"h_{s.pk}": "3"}, follow=True)
    assert "已确认 1 人的服务时长" in r.content.decode()
    assert Volunteer.objects.get(pk=v.pk).hours == 3


def test_roster_search_and_register_by_id_number(client, world):
    from tests.factories import id_number
    number = id_number(dt.date(1985, 2, 2))
    resident(world.hh_a2, "孙九", id_number=number)
    volunteer(world)
    client.force_login(world.community_worker_a)
    r = client.post("/volunteers/roster/register/", {"place_code": world.comm_a.code, "id_number": number,
                                                    "availability": "any", "skills": ["law"]}, follow=True)
    assert "已登记志愿者 孙九" in r.content.decode()
    r = client.post("/volunteers/roster/register/", {"place_code": world.comm_a.code, "id_number": number,
                                                    "availability": "any"}, follow=True)
    assert "孙九 已是注册志愿者" in r.content.decode()
    text = client.get("/volunteers/roster/?q=孙").content.decode()
    assert "孙九" in text and "张三" not in text
    text = client.get("/volunteers/roster/?q=zs").content.decode()
    assert "张三" in text and "孙九" not in text
    assert client.post("/volunteers/roster/register/", {"place_code": world.comm_b.code, "id_number": number,
                                                        "availability": "any"}).status_code == 404


def test_activity_form_refuses_bad_times_with_a_message(client, world):
    client.force_login(world.community_worker_a)
    day = (timezone.localdate() + dt.timedelta(days=7)).isoformat()  # a week ahead, whenever the suite runs
    data = {"place_code": world.comm_a.code, "title": "义诊", "location": "活动室", "starts_at": f"{day}T10:00",
            "ends_at": f"{day}T09:00", "places": "10"}
    r = client.post("/volunteers/activities/new/", data)
    assert r.status_code == 400 and "活动结束时间须晚于开始时间" in r.content.decode()
    r = client.post("/volunteers/activities/new/", {**data, "starts_at": "明天"})
    assert r.status_code == 400 and "请填写开始和结束时间" in r.content.decode()
    r = client.post("/volunteers/activities/new/", {**data, "ends_at": f"{day}T12:00"}, follow=True)
    assert "活动已发布" in r.content.decode()


def test_report_counts_confirmed_hours_and_exports_xlsx(client, world):
    v = volunteer(world)
    a = activity(world, hours_from_now=-4, length=3)
    s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=timezone.localdate())
    services.hours_confirm(activity=a, hours={s.pk: "2.5"}, by=world.community_worker_a)
    client.force_login(world.street_officer_a)
    rows = client.get("/volunteers/report/").context["rows"]
    assert [(r["community"], r["volunteers"], r["records"], r["hours"]) for r in rows] == [("东虹社区", 1, 1, 2.5)]
    r = client.get("/volunteers/report/?format=xlsx")
    body = b"".join(r.streaming_content)
    sheet = load_workbook(BytesIO(body)).active
    assert list(sheet.iter_rows(values_only=True))[1][1:] == ("东虹社区", 1, 1, 1, 1, 2.5)


def test_certificate_pdf_and_public_verification_show_a_masked_name(client, world):
    v = volunteer(world)
    a = activity(world, hours_from_now=-4, length=3)
    s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
    client.force_login(world.resident_user)
    before = snapshot()
    r = client.post("/volunteers/mine/certificates/new/", {"year": ""}, follow=True)
    assert "张三 没有经组织者确认的服务时长,不能出具证明" in r.content.decode()
    assert snapshot() == before
    services.hours_confirm(activity=a, hours={s.pk: "2"}, by=world.community_worker_a)
    r = client.post("/volunteers/mine/certificates/new/", {"year": ""}, follow=True)
    assert "已出具志愿服务证明" in r.content.decode()
    cert = v.certificates.get()
    pdf = client.get(f"/volunteers/mine/certificates/{cert.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.logout()
    page = client.get(f"/volunteers/verify/?code={cert.code}").content.decode()
    assert "该证明有效" in page and "张*" in page and "张三" not in page and "2.0 小时" in page
    assert "未找到" in client.get("/volunteers/verify/?code=NOPE").content.decode()


def test_resident_sees_only_own_records(client, world):
    volunteer(world)
    other = volunteer(world, world.res_a2)
    a = activity(world, hours_from_now=-4, length=3)
    s = SignUp.objects.create(activity=a, volunteer=other, community=a.community, served_on=a.starts_at.date())
    services.hours_confirm(activity=a, hours={s.pk: "2"}, by=world.community_worker_a)
    cert = services.certificate_issue(volunteer=other, by=world.community_worker_a)
    client.force_login(world.resident_user)
    page = client.get("/volunteers/mine/").content.decode()
    assert "李四" not in page and cert.number not in page
    assert client.get(f"/volunteers/mine/certificates/{cert.pk}/certificate.pdf").status_code == 404
    assert client.get("/volunteers/roster/").status_code == 403
    assert client.get(f"/volunteers/volunteers/{other.pk}/").status_code == 403


def test_time_bank_redeem_twice_is_refused_once_spent(client, world):
    v = volunteer(world)
    a = activity(world, hours_from_now=-4, length=3)
    s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
    services.hours_confirm(activity=a, hours={s.pk: "3"}, by=world.community_worker_a)
    client.force_login(world.community_worker_a)
    r = client.post("/volunteers/bank/", {"place_code": world.comm_a.code, "title": "理发一次", "points": "20"},
                    follow=True)
    assert "已上架「理发一次」" in r.content.decode()
    offer = Offer.objects.get()
    client.force_login(world.resident_user)
    r = client.post(f"/volunteers/mine/offers/{offer.pk}/redeem/", {"key": "form-1"}, follow=True)
    assert "已兑换「理发一次」" in r.content.decode()
    r = client.post(f"/volunteers/mine/offers/{offer.pk}/redeem/", {"key": "form-1"}, follow=True)
    assert "已经登记过" in r.content.decode()
    r = client.post(f"/volunteers/mine/offers/{offer.pk}/redeem/", {"key": "form-2"}, follow=True)
    assert "积分不足:「理发一次」需要 20 分,张三 现有 10 分" in r.content.decode()
    assert PointAccount.objects.get(volunteer=v).balance == 10
