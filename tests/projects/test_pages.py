"""Project pages: the list and its xlsx (the street's view with filters), a project's page for each role,
steps through the pages (sign-off on the page, refusals with a Chinese message and nothing changed),
the supervision roll, opening from a topic, the home panel, the metrics, and the public page."""
import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from gongzhi.projects import services
from gongzhi.projects.models import Milestone, MilestoneState, Project, ProjectEvent, SupervisionMember


def _rows(response):
    body = b"".join(response.streaming_content)
    return [list(r) for r in load_workbook(BytesIO(body)).active.iter_rows(values_only=True)]


def test_list_and_export_hold_the_same_rows(setup, world, client):
    setup.milestone(days=-2)  # late
    on_time = services.project_open(community=world.comm_a, title="路灯更换", basis="街道部署",
                                    owner=world.community_worker_a, starts_on=setup.today,
                                    ends_on=setup.today + dt.timedelta(days=30), by=world.community_worker_a)
    client.force_login(world.street_officer_a)
    page = client.get("/projects/?schedule=late").content.decode()
    assert "小广场增设座椅" in page and "路灯更换" not in page
    assert "东虹社区" in page and 'data-testid="community-table"' not in page  # one community: no table
    rows = _rows(client.get("/projects/export.xlsx?schedule=late"))
    assert rows[0][0] == "项目名称" and [r[0] for r in rows[1:]] == ["小广场增设座椅"]
    assert rows[1][5] == "滞后"
    rows = _rows(client.get("/projects/export.xlsx?schedule=on_time"))
    assert [r[0] for r in rows[1:]] == [on_time.title] and rows[1][5] == "按期"
    page = client.get("/projects/?q=x%27%22<b>&state=nonsense&sort=zzz&community=" + "9" * 300)
    assert page.status_code == 200


def test_street_sees_a_table_per_community(setup, world, client):
    from tests.factories import community, user
    other = community(world.street_a, 2, "西虹社区")
    cw = user("cw_a2", "community", other)
    services.project_open(community=other, title="西虹项目", basis="b", owner=cw, starts_on=setup.today,
                          ends_on=setup.today, by=cw)
    client.force_login(world.street_officer_a)
    page = client.get("/projects/").content.decode()
    assert 'data-testid="community-table"' in page and "西虹社区" in page and "东虹社区" in page
    client.force_login(world.community_worker_a)
    assert "西虹项目" not in client.get("/projects/").content.decode()


def test_resident_reads_the_project_without_staff_names(setup, world, client):
    client.force_login(world.resident_user)
    page = client.get(f"/projects/{setup.project.pk}/").content.decode()
    assert "小广场增设座椅" in page and "cw_a" not in page
    assert "sign-off" not in page  # not a member: no sign-off form
    assert client.post(f"/projects/{setup.project.pk}/milestones/new/", {"version": 1}).status_code == 403


def test_member_signs_off_on_the_page_and_a_non_member_is_refused(setup, world, client):
    m = setup.milestone(done=True)
    client.force_login(world.resident_user)  # a resident of A, not on the committee
    response = client.post(f"/projects/{setup.project.pk}/milestones/{m.pk}/sign-off/", {"version": m.version})
    assert response.status_code == 422 and "只有本社区监督委员会的在任成员" in response.content.decode()
    m.refresh_from_db()
    assert m.state == MilestoneState.DONE
    client.force_login(world.community_worker_a)  # the owner holds no supervision capability at all
    assert client.post(f"/projects/{setup.project.pk}/milestones/{m.pk}/sign-off/",
                       {"version": m.version}).status_code == 403
    client.force_login(setup.member_user)
    page = client.get(f"/projects/{setup.project.pk}/").content.decode()
    assert 'data-testid="sign-off"' in page
    response = client.post(f"/projects/{setup.project.pk}/milestones/{m.pk}/sign-off/", {"version": m.version})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.state == MilestoneState.SIGNED_OFF
    stale = client.post(f"/projects/{setup.project.pk}/milestones/{m.pk}/object/",
                        {"version": m.version - 1, "reason": "晚了"})
    assert stale.status_code == 409 and "刚被他人修改" in stale.content.decode()


def test_objection_on_the_page_then_the_answer(setup, world, client):
    m = setup.milestone(done=True)
    client.force_login(setup.member_user)
    assert client.post(f"/projects/{setup.project.pk}/milestones/{m.pk}/object/",
                       {"version": m.version, "reason": ""}).status_code == 422
    client.post(f"/projects/{setup.project.pk}/milestones/{m.pk}/object/", {"version": m.version, "reason": "没装好"})
    m.refresh_from_db()
    objection = m.objections.get()
    client.force_login(world.community_worker_a)
    page = client.get(f"/projects/{setup.project.pk}/").content.decode()
    assert "没装好" in page and "答复并重新报验收" in page
    client.post(f"/projects/{setup.project.pk}/objections/{objection.pk}/answer/",
                {"version": m.version, "answer": "已重装"})
    m.refresh_from_db()
    assert m.state == MilestoneState.DONE and m.objections.get().answer == "已重装"


def test_bad_input_on_the_pages_is_a_chinese_message(setup, world, client):
    m = setup.milestone()
    client.force_login(world.community_worker_a)
    url = f"/projects/{setup.project.pk}/milestones/{m.pk}/progress/"
    before = list(ProjectEvent.objects.values_list("pk", flat=True))
    for percent in ("101", "-5", "五十"):
        response = client.post(url, {"version": m.version, "percent": percent})
        assert response.status_code == 422 and "完成比例须是 0 到 100 之间的整数" in response.content.decode()
    response = client.post(url, {"version": "x", "percent": "5"})
    assert response.status_code == 422 and "页面已过期" in response.content.decode()
    response = client.post(f"/projects/{setup.project.pk}/milestones/new/",
                           {"version": setup.version(), "title": "a\x07b", "due_on": "2026-01-01"})
    assert response.status_code == 422 and "控制字符" in response.content.decode()
    response = client.post(f"/projects/{setup.project.pk}/costs/new/",
                           {"version": setup.version(), "cost_kind": "spending", "amount": "12.345", "item": "x",
                            "on": "2026-01-01"})
    assert response.status_code == 422 and "金额" in response.content.decode()
    response = client.post(f"/projects/{setup.project.pk}/milestones/new/",
                           {"version": setup.version(), "title": "长" * (10 * 1024 * 1024), "due_on": "2026-01-01"})
    assert response.status_code == 422 and "不能超过" in response.content.decode()
    assert list(ProjectEvent.objects.values_list("pk", flat=True)) == before
    assert client.post(f"/projects/{setup.project.pk}/links/", {"version": setup.version(), "link_kind": "order",
                                                                "target": "GD20260101x"}).status_code == 422


def test_owner_steps_through_the_pages(setup, world, client):
    client.force_login(world.community_worker_a)
    pk = setup.project.pk
    assert client.post(f"/projects/{pk}/milestones/new/", {"version": setup.version(), "title": "安装",
                                                          "due_on": (setup.today + dt.timedelta(days=9)).isoformat()}
                       ).status_code == 302
    m = Milestone.objects.get(project_id=pk)
    client.post(f"/projects/{pk}/milestones/{m.pk}/progress/", {"version": m.version, "percent": "40"})
    m.refresh_from_db()
    assert m.percent == 40 and m.state == MilestoneState.IN_PROGRESS
    client.post(f"/projects/{pk}/milestones/{m.pk}/progress/", {"version": m.version, "percent": "40", "done": "1"})
    client.post(f"/projects/{pk}/costs/new/", {"version": setup.version(), "cost_kind": "budget", "amount": "8000",
                                               "item": "座椅采购", "on": setup.today.isoformat()})
    page = client.get(f"/projects/{pk}/").content.decode()
    assert "¥8,000.00" in page and "待验收" in page
    response = client.post(f"/projects/{pk}/complete/", {"version": setup.version()})
    assert response.status_code == 422 and "不能完成" in response.content.decode()
    response = client.post(f"/projects/{pk}/edit/", {"version": setup.version(), "title": "小广场座椅",
                                                     "basis": "议事会通过", "owner": world.community_worker_a.pk,
                                                     "starts_on": setup.today.isoformat(),
                                                     "ends_on": setup.today.isoformat()})
    assert response.status_code == 302 and Project.objects.get(pk=pk).title == "小广场座椅"


def test_open_from_a_topic_on_the_page(world, client):
    from gongzhi.governance import services as topics
    topic = topics.topic_raise(place=world.comm_a, category="facilities", title="加装电梯", text="老人上下楼难",
                               raised_as="resident", by=world.resident_user)
    topics.answer(topic_id=topic.pk, version=topic.version, kind="deliberation", text="协商", by=world.community_worker_a)
    client.force_login(world.community_worker_a)
    page = client.get("/projects/new/").content.decode()
    assert "加装电梯" in page  # listed among the results waiting for a project
    page = client.get(f"/projects/new/?topic={topic.pk}").content.decode()
    assert 'value="加装电梯"' in page
    response = client.post(f"/projects/new/?topic={topic.pk}", {"title": "加装电梯", "basis": "协商通过",
                                                                "owner": world.community_worker_a.pk,
                                                                "starts_on": "2026-01-01", "ends_on": "2025-01-01"})
    assert response.status_code == 422 and "不能早于" in response.content.decode()
    response = client.post(f"/projects/new/?topic={topic.pk}", {"title": "加装电梯", "basis": "协商通过",
                                                                "owner": world.community_worker_a.pk,
                                                                "starts_on": "2026-01-01", "ends_on": "2026-06-01"})
    assert response.status_code == 302 and Project.objects.get().source_topic == topic
    client.force_login(world.community_worker_b)
    assert client.get(f"/projects/new/?topic={topic.pk}").status_code == 404


def test_supervision_roll_pages(setup, world, client):
    client.force_login(world.community_worker_a)
    page = client.get("/projects/supervisors/?q=李").content.decode()
    assert "吴九" in page and "李四" in page
    code = world.comm_a.code
    client.post(f"/projects/supervisors/{code}/new/", {"resident": world.res_a2.pk, "started_on": "2026-01-01"})
    assert SupervisionMember.objects.filter(resident=world.res_a2, ended_on__isnull=True).exists()
    client.post(f"/projects/supervisors/{code}/new/", {"resident": world.res_b1.pk, "started_on": "2026-01-01"})
    assert not SupervisionMember.objects.filter(resident=world.res_b1).exists()
    member = SupervisionMember.objects.get(resident=world.res_a2)
    client.post(f"/projects/supervisors/{code}/{member.pk}/end/", {"version": member.version,
                                                                   "ended_on": "2026-02-01", "reason": "辞去"})
    member.refresh_from_db()
    assert member.ended_on == dt.date(2026, 2, 1)
    assert client.get("/projects/supervisors/?community=" + world.comm_b.code).status_code == 404


def test_home_panels(setup, world, client):
    m = setup.milestone(done=True)
    client.force_login(world.community_worker_a)
    page = client.get("/").content.decode()
    assert 'data-testid="projects-on-time"' in page
    client.force_login(setup.member_user)
    page = client.get("/projects/review/").content.decode()
    assert m.title in page and setup.project.title in page
    page = client.get("/people/home/").content.decode()  # the resident's home: the member's panel
    assert "1 个节点待您验收" in page and m.title in page
    client.force_login(world.resident_user)
    assert m.title not in client.get("/projects/review/").content.decode()
    assert "待您验收" not in client.get("/people/home/").content.decode()


def test_public_page_shows_no_personal_data(setup, world, client):
    m = setup.milestone(done=True)
    services.milestone_object(milestone_id=m.pk, version=m.version, by=setup.member_user, reason="吴九说没装好")
    services.cost_add(project_id=setup.project.pk, version=setup.version(), kind="budget", amount="5000",
                      on=setup.today, item="预算", by=world.community_worker_a)
    from gongzhi.ledgers.models import Volunteer
    volunteer = Volunteer.objects.create(community=world.comm_a, resident=world.res_a2, registered_on=setup.today)
    services.link(project_id=setup.project.pk, version=setup.version(), kind="volunteer", target=volunteer,
                  by=world.community_worker_a)
    assert client.get("/projects/public/").status_code == 200
    page = client.get(f"/projects/public/{world.comm_a.code}/").content.decode()
    assert "小广场增设座椅" in page and "采购座椅" in page and "¥5,000.00" in page
    for personal in ("张三", "李四", "周八", "吴九", "郑十", "cw_a", "13812345678", world.hh_a1.number):
        assert personal not in page, personal
    assert client.get("/projects/public/000/").status_code == 404


def test_metrics(setup, world):
    from gongzhi.core.metrics import Context
    from gongzhi.places.models import Place
    from gongzhi.projects import metrics
    setup.milestone(days=-3)
    ctx = Context(Place.objects.filter(pk=world.comm_a.pk))
    assert metrics.active_projects(ctx) == {world.comm_a.pk: 1}
    assert metrics.projects_on_schedule_share(ctx) == {world.comm_a.pk: 0.0}
    Milestone.objects.update(due_on=setup.today)
    ctx = Context(Place.objects.filter(pk__in=[world.comm_a.pk, world.comm_b.pk]))
    assert metrics.projects_on_schedule_share(ctx) == {world.comm_a.pk: 100.0, world.comm_b.pk: None}


def test_list_reads_a_fixed_number_of_queries(setup, world, client):
    """No query per project: 3 projects or 23 read the same."""
    client.force_login(world.street_officer_a)
    client.get("/projects/")  # warm the per-process caches

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/projects/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        services.project_open(community=world.comm_a, title=f"项目{i}", basis="b", owner=world.community_worker_a,
                              starts_on=setup.today, ends_on=setup.today, by=world.community_worker_a)
    few = count()
    for i in range(2, 22):
        services.project_open(community=world.comm_a, title=f"项目{i}", basis="b", owner=world.community_worker_a,
                              starts_on=setup.today, ends_on=setup.today, by=world.community_worker_a)
    assert count() == few


def test_publish_to_the_disclosure_board(setup, world, client):
    from gongzhi.disclosure.models import Item
    m = setup.milestone(done=True)
    services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=setup.member_user)
    services.cost_add(project_id=setup.project.pk, version=setup.version(), kind="budget", amount="3000",
                      on=setup.today, item="预算", funded_by="社区为民服务专项资金", by=world.community_worker_a)
    client.force_login(world.community_worker_a)
    url = f"/projects/{setup.project.pk}/publish/"
    assert client.post(url, {"category": "plan"}).status_code == 422
    assert client.post(url, {"category": "results"}).status_code == 302
    assert client.post(url, {"category": "results"}).status_code == 302  # already up: the same item
    assert client.post(url, {"category": "finance"}).status_code == 302
    items = list(Item.objects.filter(community=world.comm_a).order_by("pk"))
    assert [i.category for i in items] == ["results", "finance"]
    assert "采购座椅:计划" in items[0].body and "已验收" in items[0].body
    assert "¥3,000.00" in items[1].body
    for personal in ("张三", "周八", "吴九", "cw_a"):
        assert all(personal not in i.body for i in items)
    assert setup.project.events.filter(action="publish").count() == 2
    client.force_login(world.community_worker_b)
    assert client.post(url, {"category": "results"}).status_code == 404
