"""Sessions and meetings in a real browser on a phone (390 px): a community worker calls a session
and records its outcome; a resident votes online from the resident page, a second vote is refused,
and the worker closes the vote with the paper tally and sees why it passed."""
import datetime as dt

from django.utils import timezone

from gongzhi.governance import meetings
from gongzhi.governance.models import Outcome, ResidentMeeting, Session, SessionState
from gongzhi.ledgers.models import Meeting
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login


def test_worker_calls_and_records_a_session_on_a_phone(page, live_server, live_world):
    w = live_world
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/governance/sessions/")
    page.click("text=召集协商会")
    page.select_option("#id_form", "talk")
    page.fill("#id_title", "楼道堆物清理")
    page.fill("#id_starts_at", (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    fits_phone(page)
    page.click("button >> text=发出通知")
    page.locator("#form-error", has_text="至少要有一位参加人").wait_for()
    page.check(f"input[name=grids][value='{w.grid_a1.pk}']")
    page.click("button >> text=发出通知")
    page.locator("h1", has_text="楼道堆物清理").wait_for()
    assert page.locator("[data-testid=session-state]").inner_text() == "已通知"
    fits_phone(page)
    page.click("text=记录协商结果")
    page.check("input[name=attended]")
    page.fill("#id_walk_ins", "3")
    page.fill("#id_views_against", "个别住户希望保留鞋柜")
    page.fill("#id_outcome", "周六统一清理,鞋柜靠墙摆放不占通道")
    fits_phone(page)
    page.click("button >> text=保存并写入会议台账")
    page.locator("[data-testid=session-outcome]", has_text="周六统一清理").wait_for()
    fits_phone(page)
    session = Session.objects.get()
    assert session.state == SessionState.HELD and session.attendance == 4
    assert Meeting.objects.filter(source="governance.session", source_pk=session.pk, kind="deliberation").exists()


def test_resident_votes_online_on_a_phone_and_the_worker_closes(page, browser, live_server, live_world):
    w = live_world
    meeting = meetings.meeting_create(community=w.comm_a, body="residents", form="adults", title="公共收益使用方案",
                                      held_on=timezone.localdate(), by=w.community_worker_a)
    login(page, live_server, "res_a1")
    page.goto(f"{live_server.url}/governance/mine/")
    page.locator("[data-testid=open-votes]", has_text="1 项表决等您投票").wait_for()
    fits_phone(page)
    page.click("text=公共收益使用方案")
    page.check("input[name=choice][value=yes]")
    fits_phone(page)
    page.click("button >> text=提交投票")
    page.locator(".messages", has_text="您的投票已计入").wait_for()
    assert "您已投票:同意" in page.locator("[data-testid=my-vote]").inner_text()
    # a second vote from a form loaded before the first (another tab) is refused, and changes nothing
    context, second = _new_page(browser, PHONE_VIEWPORT)
    login(second, live_server, "res_a1")
    second.goto(f"{live_server.url}/governance/meetings/{meeting.pk}/")
    second.evaluate(f"""() => {{ const f = document.createElement('form'); f.method = 'post';
        f.action = '/governance/meetings/{meeting.pk}/vote/';
        for (const [k, v] of [['choice', 'no'], ['csrfmiddlewaretoken',
             document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1]]]) {{
          const i = document.createElement('input'); i.name = k; i.value = v; f.appendChild(i); }}
        document.body.appendChild(f); f.submit(); }}""")
    second.locator("#meeting-error", has_text="已经投过票").wait_for()
    context.close()

    context, cw = _new_page(browser, PHONE_VIEWPORT)
    login(cw, live_server, "cw_a")
    cw.goto(f"{live_server.url}/governance/meetings/{meeting.pk}/")
    cw.fill("#id_present", "1")
    cw.fill("#id_yes", "0")
    cw.fill("#id_no", "1")
    cw.fill("#id_abstain", "0")
    cw.click("button >> text=保存现场计票")
    cw.locator(".messages", has_text="现场计票已保存").wait_for()
    cw.click("button >> text=结束表决并计算结果")
    cw.locator("[data-testid=meeting-reason]", has_text="应到 2 人,实到 2 人").wait_for()
    fits_phone(cw)
    context.close()
    meeting = ResidentMeeting.objects.get(pk=meeting.pk)
    # 1 for, 1 against of 2 present: exactly half is not a majority
    assert meeting.quorum_met and meeting.outcome == Outcome.REJECTED


def test_a_choice_between_plans_on_phones(page, browser, live_server, live_world):
    """The worker calls a meeting with three plans, a resident picks one on a phone, the worker tallies
    the paper ballots per plan and closes: the plan with a majority of those present is adopted."""
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/governance/meetings/new/")
    page.select_option("#id_body", "residents")
    page.select_option("#id_form", "adults")
    page.fill("#id_title", "小区停车位方案")
    page.fill("#id_options", "划线收费\n划线不收费\n维持现状")
    page.fill("#id_held_on", timezone.localdate().isoformat())
    fits_phone(page)
    page.click("button >> text=生成名册并通知")
    page.locator("[data-testid=meeting-options] li", has_text="维持现状").wait_for()
    meeting = ResidentMeeting.objects.get(title="小区停车位方案")
    first, second, _ = meeting.options.all()

    context, resident = _new_page(browser, PHONE_VIEWPORT)
    login(resident, live_server, "res_a1")
    resident.goto(f"{live_server.url}/governance/meetings/{meeting.pk}/")
    resident.get_by_label("方案二:划线不收费").check()
    fits_phone(resident)
    resident.click("button >> text=提交投票")
    resident.locator("[data-testid=my-vote]", has_text="您已投票:方案二:划线不收费").wait_for()
    context.close()

    page.reload()
    page.fill("#id_present", "1")
    page.fill(f"#id_option_{first.pk}", "0")
    page.fill(f"#id_option_{second.pk}", "1")
    page.click("button >> text=保存现场计票")
    page.locator(".messages", has_text="现场计票已保存").wait_for()
    page.click("button >> text=结束表决并计算结果")
    page.locator("[data-testid=meeting-outcome]", has_text="通过方案二「划线不收费」").wait_for()
    assert "方案二得票最多,通过" in page.locator("[data-testid=meeting-reason]").inner_text()
    fits_phone(page)
    assert ResidentMeeting.objects.get(pk=meeting.pk).adopted_option == second
