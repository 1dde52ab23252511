"""Projects (执行 · 监督): community B's project (opened for 王五's topic's street, named after him), with a
milestone waiting for sign-off, one objected to by 王五 as a supervision member, costs and a helping
organisation. Nobody outside B reads or moves any of it. The public progress pages are in OTHER
(tests/projects/test_pages.py::test_public_page_shows_no_personal_data)."""
import datetime as dt

ENDPOINTS = {
    "projects:project": ("GET", lambda w: f"/projects/{w.project_b.pk}/"),
    "projects:new": ("POST", lambda w: f"/projects/new/?community={w.comm_b.code}"),
    "projects:edit": ("POST", lambda w: f"/projects/{w.project_b.pk}/edit/"),
    "projects:milestone_new": ("POST", lambda w: f"/projects/{w.project_b.pk}/milestones/new/"),
    "projects:milestone_progress": ("POST", lambda w: f"/projects/{w.project_b.pk}/milestones/{w.ms_b_open.pk}/progress/"),
    "projects:sign_off": ("POST", lambda w: f"/projects/{w.project_b.pk}/milestones/{w.ms_b_done.pk}/sign-off/"),
    "projects:object": ("POST", lambda w: f"/projects/{w.project_b.pk}/milestones/{w.ms_b_done.pk}/object/"),
    "projects:objection_answer": ("POST", lambda w: f"/projects/{w.project_b.pk}/objections/{w.objection_b.pk}/answer/"),
    "projects:cost_new": ("POST", lambda w: f"/projects/{w.project_b.pk}/costs/new/"),
    "projects:link": ("POST", lambda w: f"/projects/{w.project_b.pk}/links/"),
    "projects:complete": ("POST", lambda w: f"/projects/{w.project_b.pk}/complete/"),
    "projects:stop": ("POST", lambda w: f"/projects/{w.project_b.pk}/stop/"),
    "projects:publish": ("POST", lambda w: f"/projects/{w.project_b.pk}/publish/"),
    "projects:supervisor_add": ("POST", lambda w: f"/projects/supervisors/{w.comm_b.code}/new/"),
    "projects:supervisor_end": ("POST", lambda w: f"/projects/supervisors/{w.comm_b.code}/{w.member_b.pk}/end/"),
}
LISTS = {
    "projects:list": "/projects/?state=",
    "projects:export": "/projects/export.xlsx?state=",
    "projects:review": "/projects/review/",
    "projects:supervisors": "/projects/supervisors/",
}
OTHER = {"projects:public_index", "projects:public"}  # tests/projects/test_pages.py (public, no personal data)
BODY = {"percent": "50", "done": "1", "answer": "篡改", "cost_kind": "budget", "amount": "100", "on": "2025-01-01",
        "item": "篡改", "link_kind": "organisation", "basis": "篡改", "starts_on": "2025-01-01",
        "ends_on": "2025-12-31", "due_on": "2025-06-01", "started_on": "2025-01-01", "ended_on": "2025-06-01",
        "note": "篡改", "post": "member"}


def build(w):
    from gongzhi.projects import services
    from tests.factories import household, resident, user
    today = dt.date.today()
    w.project_b = services.project_open(community=w.comm_b, title="王五楼道修缮项目", basis="王五等居民提议",
                                        owner=w.community_worker_b, starts_on=today - dt.timedelta(days=30),
                                        ends_on=today + dt.timedelta(days=60), by=w.community_worker_b)
    w.member_b = services.member_add(community=w.comm_b, resident=w.res_b1, started_on=today - dt.timedelta(days=90),
                                     by=w.community_worker_b)
    w.ms_b_done = services.milestone_add(project_id=w.project_b.pk, version=1, title="王五楼道照明", by=w.community_worker_b,
                                         due_on=today + dt.timedelta(days=10))
    w.ms_b_open = services.milestone_add(project_id=w.project_b.pk, version=2, title="王五楼道粉刷",
                                         by=w.community_worker_b, due_on=today + dt.timedelta(days=40))
    objected = services.milestone_add(project_id=w.project_b.pk, version=3, title="王五楼道扶手",
                                      by=w.community_worker_b, due_on=today + dt.timedelta(days=20))
    for m in (w.ms_b_done, objected):
        services.milestone_progress(milestone_id=m.pk, version=1, percent=100, done=True, by=w.community_worker_b)
    w.objection_b = services.milestone_object(milestone_id=objected.pk, version=2, by=w.wang_b1,
                                              reason="王五认为扶手不牢")
    services.cost_add(project_id=w.project_b.pk, version=4, kind="budget", amount="5000", on=today, item="王五楼道预算",
                      by=w.community_worker_b)
    services.link(project_id=w.project_b.pk, version=5, kind="organisation", target=w.org_b, by=w.community_worker_b)
    w.project_b.refresh_from_db()
    w.ms_b_done.refresh_from_db()
    # a second serving member of B (赵六, with an account), so a refusal is never just "not a member"
    zhao = resident(household(w.grid_b1), name="赵六")
    services.member_add(community=w.comm_b, resident=zhao, started_on=today - dt.timedelta(days=90),
                        by=w.community_worker_b)
    w.zhao_b = user("zhao_b", "resident", w.comm_b, resident=zhao)


def snapshot():
    from gongzhi.projects.models import CostEntry, Milestone, Objection, Project, ProjectEvent, SupervisionMember
    return (list(Project.objects.order_by("pk").values_list("pk", "state", "version", "progress", "title")),
            list(Milestone.objects.order_by("pk").values_list("pk", "state", "version", "percent")),
            list(Objection.objects.order_by("pk").values_list("pk", "answered_at")),
            list(SupervisionMember.objects.order_by("pk").values_list("pk", "ended_on", "version")),
            list(Project.organisations.through.objects.order_by("pk").values_list("pk")),
            CostEntry.objects.count(), ProjectEvent.objects.count())
