"""Provider-run activities of a service project (announced with place, time and places; residents of the
community see them and sign up while places are left, the last place to one only) and the project's notices
(published, application decided, contract signed, activity announced, evaluation due): each sent once,
nothing sent by a refused step."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.network import activities, projects, services
from gongzhi.network.models import ActivitySignup, NoticeSent, ProjectActivity
from gongzhi.workorders.models import Notification
from tests.factories import household, resident, user


@pytest.fixture
def running(world):
    w = world
    w.cw, w.today = w.community_worker_a, dt.date.today()
    w.org = services.org_register(community=w.comm_a, name="东虹社会工作服务中心", field_code="elderly",
                                  registration="registered", by=w.cw).organisation
    w.rival = services.org_register(community=w.comm_a, name="东虹睦邻互助会", field_code="elderly",
                                    registration="registered", by=w.cw).organisation
    w.provider = user("prov", "provider", w.comm_a)
    services.staff_bind(organisation=w.org, username="prov", by=w.cw)
    w.rival_staff = user("prov2", "provider", w.comm_a)
    services.staff_bind(organisation=w.rival, username="prov2", by=w.cw)
    p = projects.project_design(community=w.comm_a, title="长者茶话会", field_code="elderly", goals="陪伴",
                                indicators="服务 20 人", budget="20000", payer="宜城街道",
                                starts_on=w.today - dt.timedelta(days=10), ends_on=w.today + dt.timedelta(days=60),
                                by=w.cw)
    projects.beneficiaries_add(project=p, residents=[w.res_a1], by=w.cw)
    p = projects.project_publish(project=p, version=p.version, by=w.cw)
    projects.application_submit(project=p, organisation=w.org, plan="方案", quote="18000", by=w.provider)
    projects.application_submit(project=p, organisation=w.rival, plan="方案", quote="15000", by=w.rival_staff)
    p = projects.project_assign(project=p, version=p.version, organisation=w.org, by=w.cw)
    projects.contract_sign(project=p, version=p.version, number_text="HT-9", amount="18000", signed_on=w.today,
                           by=w.cw)
    p.refresh_from_db()
    w.project = p
    return w


def _texts(u):
    return list(Notification.objects.filter(user=u).values_list("text", flat=True))


def test_each_step_tells_its_people_once(running):
    w = running
    assert any("公开征集" in t for t in _texts(w.provider)) and any("公开征集" in t for t in _texts(w.rival_staff))
    assert any("未被选定" in t for t in _texts(w.rival_staff))
    assert any("已确定由东虹社会工作服务中心承接" in t for t in _texts(w.provider))
    assert any("已签订合同 HT-9" in t for t in _texts(w.provider))
    assert not any("未被选定" in t for t in _texts(w.provider))
    assert set(NoticeSent.objects.filter(project=w.project).values_list("key", flat=True)) == {
        "published", "decided", "assigned", "contract"}
    # a repeated occasion sends nothing
    from gongzhi.network import notices
    assert notices.send_once(w.project, "contract", {w.provider.pk}, "again") == 0
    assert sum("已签订合同" in t for t in _texts(w.provider)) == 1


def test_evaluation_due_sweep_is_idempotent(running):
    w = running
    assert activities.evaluations_due(today=w.today) == 0  # a sixth of the period has passed
    later = w.today + dt.timedelta(days=30)
    assert activities.evaluations_due(today=later) == 1
    assert activities.evaluations_due(today=later) == 0
    assert sum("应做中期评估" in t for t in _texts(w.cw)) == 1


def _announce(w, **kw):
    start = timezone.localtime() + dt.timedelta(days=2)
    data = dict(project=w.project, title="重阳茶话会", venue="东虹社区活动室", capacity="2",
                starts_at=start.strftime("%Y-%m-%d 14:00"), ends_at=start.strftime("%Y-%m-%d 16:00"), by=w.provider)
    data.update(kw)
    return activities.activity_announce(**data)


@pytest.mark.parametrize("kw, message", [
    ({"starts_at": "2020-01-01 14:00", "ends_at": "2020-01-01 15:00"}, "开始时间须晚于现在"),
    ({"ends_at": "=1+1"}, "结束时间不是有效时间"),
    ({"capacity": "0"}, "名额须为 1 至 1000"), ({"capacity": "99999999999999999999"}, "名额"),
    ({"venue": ""}, "请填写活动地点"), ({"title": "茶\x00话"}, "控制字符"),
])
def test_bad_announcements_are_refused(running, kw, message):
    w = running
    before = Notification.objects.count()
    with pytest.raises(RuleError, match=message):
        _announce(w, **kw)
    assert not ProjectActivity.objects.exists() and Notification.objects.count() == before


def test_only_the_projects_provider_announces(running):
    w = running
    with pytest.raises(RuleError, match="不是该项目的承接机构"):
        _announce(w, by=w.rival_staff)
    assert not ProjectActivity.objects.exists()


def test_announce_tells_beneficiaries_and_residents_sign_up_while_places_last(client, running):
    w = running
    a = _announce(w)
    res_user = w.resident_user  # 张三 (res_a1), a beneficiary with an account
    assert any("重阳茶话会" in t for t in _texts(res_user))
    client.force_login(res_user)
    page = client.get("/network/activities/").content.decode()
    assert "重阳茶话会" in page and "东虹社区活动室" in page
    assert client.post(f"/network/activities/{a.pk}/signup/").status_code == 302
    r = client.post(f"/network/activities/{a.pk}/signup/")
    assert r.status_code == 422 and "您已报名" in r.content.decode()
    other = resident(household(w.grid_a1, "HA9"), name="李四")
    activities.activity_signup(activity=a, resident=other)
    third = resident(household(w.grid_a1, "HA8"), name="王二")
    with pytest.raises(RuleError, match="名额已满"):
        activities.activity_signup(activity=a, resident=third)
    a.refresh_from_db()
    assert (a.signed_up, ActivitySignup.objects.count()) == (2, 2)
    # another community's resident is refused and sees nothing of it
    far = resident(household(w.grid_b1, "HB9"), name="赵六")
    with pytest.raises(RuleError, match="面向东虹社区居民"):
        activities.activity_signup(activity=a, resident=far)
    client.force_login(user("res_b9", "resident", w.comm_b, resident=far))
    assert "重阳茶话会" not in client.get("/network/activities/").content.decode()
    assert client.post(f"/network/activities/{a.pk}/signup/").status_code == 404
    assert client.post("/network/activities/99999999999999999999/signup/").status_code == 404
    # the provider's page lists who signed up
    client.force_login(w.provider)
    page = client.get(f"/network/projects/{w.project.pk}/activities/").content.decode()
    assert "已报名 2 / 2" in page and "李四" in page


def test_provider_page_refuses_in_chinese_and_cancel(client, running):
    w = running
    client.force_login(w.provider)
    r = client.post(f"/network/projects/{w.project.pk}/activities/",
                    {"title": "讲座", "venue": "", "day": w.today.isoformat(), "start": "14:00", "end": "15:00",
                     "capacity": "5"})
    assert r.status_code == 422 and "请填写活动地点" in r.content.decode()
    a = _announce(w)
    client.force_login(w.rival_staff)
    assert client.post(f"/network/activities/{a.pk}/cancel/").status_code in (302, 404)
    assert ProjectActivity.objects.get().state == "announced"
    client.force_login(w.provider)
    assert client.post(f"/network/activities/{a.pk}/cancel/").status_code == 302
    assert ProjectActivity.objects.get().state == "cancelled"
