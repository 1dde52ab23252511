"""Projects in a real browser on a phone (390 px): the community worker reports a milestone done, a resident
on the supervision committee finds it on the home page, refuses nothing by mistake (an objection needs a
reason), signs it off, and a visitor reads the community's progress page without names."""
import datetime as dt

from gongzhi.projects import services
from gongzhi.projects.models import Milestone, MilestoneState
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login, nav_to
from tests.factories import household, resident, user


def test_supervision_member_signs_off_on_a_phone(page, browser, live_server, live_world):
    w = live_world
    today = dt.date.today()
    member = resident(household(w.grid_a2), name="吴九")
    user("sup_a", "resident", w.comm_a, resident=member)
    services.member_add(community=w.comm_a, resident=member, started_on=today - dt.timedelta(days=30),
                        by=w.community_worker_a)
    project = services.project_open(community=w.comm_a, title="小广场增设座椅", basis="居民议事会通过",
                                    owner=w.community_worker_a, starts_on=today - dt.timedelta(days=10),
                                    ends_on=today + dt.timedelta(days=60), by=w.community_worker_a)
    services.milestone_add(project_id=project.pk, version=1, title="采购座椅", due_on=today + dt.timedelta(days=20),
                           by=w.community_worker_a)

    login(page, live_server, "cw_a")
    nav_to(page, "项目")
    page.click("text=小广场增设座椅")
    page.fill("input[name=percent]", "60")
    page.click("button >> text=更新进度")
    page.locator(".messages", has_text="进度已更新").wait_for()
    assert page.locator("[data-testid=project-progress]").inner_text() == "60"
    page.click("button >> text=报验收")
    page.locator(".messages", has_text="已报验收").wait_for()
    fits_phone(page)

    context, phone = _new_page(browser, PHONE_VIEWPORT)
    login(phone, live_server, "sup_a")
    nav_to(phone, "项目")
    phone.click("text=待我验收")
    phone.click("text=小广场增设座椅")
    fits_phone(phone)
    phone.click("button >> text=提出异议")  # no reason: refused, nothing changes
    phone.locator("#project-error", has_text="写明理由").wait_for()
    assert Milestone.objects.get().state == MilestoneState.DONE
    phone.fill("input[name=note]", "已到现场查看,座椅安装牢固")
    phone.click("[data-testid=sign-off]")
    phone.locator(".messages", has_text="已验收").wait_for()
    assert phone.locator("[data-testid=milestone-state]").inner_text() == "已验收"
    fits_phone(phone)
    context.close()
    assert Milestone.objects.get().state == MilestoneState.SIGNED_OFF

    context, visitor = _new_page(browser, PHONE_VIEWPORT)
    visitor.goto(f"{live_server.url}/public/")
    visitor.click("text=项目进展公开")
    visitor.click(f"text={w.comm_a.name}")
    text = visitor.locator("main").inner_text()
    assert "小广场增设座椅" in text and "已验收" in text and "吴九" not in text
    fits_phone(visitor)
    context.close()
