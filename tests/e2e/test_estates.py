"""Property services in a real browser on a phone (390 px): a community worker is refused a contract
for a blacklisted firm and records a four-party meeting; a resident rates the estate's services once,
a second rating from the same household is refused; the public blacklist shows a manager by surname."""
import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.estates import credit, evaluations, services
from gongzhi.estates.models import Contract, EstateMeeting, Rating
from gongzhi.ledgers.models import Meeting
from tests import factories as f
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login


def _firm(code="91320282MA1XYC0001", name="宜兴市阳光物业管理有限公司", manager="欧阳修文"):
    firm = services.firm_create(name=name, credit_code=code)
    return firm, services.manager_add(firm=firm, name=manager)


def test_worker_contract_refused_for_a_blacklisted_firm_and_meeting_recorded(page, live_server, live_world):
    w = live_world
    estate = w.hh_a1.dwelling.building.estate
    firm, manager = _firm()
    credit.blacklist_add(firm=firm, reason="违规收费拒不整改", listed_on=timezone.localdate(), by=w.admin)
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/estates/{estate.pk}/contracts/new/")
    page.select_option("#firm", str(firm.pk))
    page.select_option("#manager", str(manager.pk))
    page.fill("#starts_on", "2026-01-01")
    page.fill("#ends_on", "2028-12-31")
    page.fill("#fee_residential", "1.20")
    fits_phone(page)
    page.click("button >> text=登记合同")
    expect(page.locator("#form-error")).to_contain_text("列入物业黑名单")
    assert Contract.objects.count() == 0
    fits_phone(page)

    page.goto(f"{live_server.url}/estates/{estate.pk}/meetings/new/")
    page.fill("#title", "电梯维修协调")
    page.fill("#starts_at", (timezone.localtime() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#party_rep", "支部书记")
    page.fill("#committee_rep", "居委会主任")
    page.fill("#owners_rep", "业委会主任")
    page.fill("#firm_rep", "项目经理")
    page.fill("#issues", "3 幢电梯经常停运")
    fits_phone(page)
    page.click("button >> text=发出通知")
    expect(page.locator("[data-testid=meeting-state]")).to_have_text("已通知")
    issue = EstateMeeting.objects.get().issues.get()
    page.fill("#attendance", "8")
    page.fill("#minutes", "四方议定")
    page.fill(f"#decision_{issue.pk}", "物业一周内更换主板")
    page.select_option(f"#responsible_{issue.pk}", "firm")
    fits_phone(page)
    page.click("button >> text=保存并写入会议台账")
    expect(page.locator("[data-testid=meeting-state]")).to_have_text("已召开")
    expect(page.locator("[data-testid=issues]")).to_contain_text("物业一周内更换主板")
    assert Meeting.objects.filter(source="estates.meeting").count() == 1


def test_resident_rates_once_per_household(page, browser, live_server, live_world):
    w = live_world
    estate = w.hh_a1.dwelling.building.estate
    firm, manager = _firm()
    start = dt.date(timezone.localdate().year - 1, 1, 1)
    services.contract_create(estate=estate, firm=firm, manager=manager, starts_on=start,
                             ends_on=start.replace(year=start.year + 3), fee_residential="1.0", by=w.community_worker_a)
    evaluations.evaluation_open(estate=estate, year=timezone.localdate().year, by=w.community_worker_a)
    spouse = f.resident(w.hh_a1, "张三妻")
    f.user("res_a1b", "resident", w.comm_a, resident=spouse)
    login(page, live_server, "res_a1")
    page.goto(f"{live_server.url}/estates/rate/")
    expect(page.locator("[data-testid=rate-form]")).to_be_visible()
    fits_phone(page)
    page.click("button >> text=提交评价")
    expect(page.locator("#rate-error")).to_contain_text("请回答全部 5 个问题")
    for i in range(5):
        page.locator(f"input[name=q{i}][value='4']").check()
    page.click("button >> text=提交评价")
    expect(page.locator(".messages")).to_contain_text("感谢您的评价")
    expect(page.locator("[data-testid=rate-none]")).to_be_visible()
    assert Rating.objects.count() == 1
    # the spouse's page offers nothing more: the household has rated
    context, other = _new_page(browser, PHONE_VIEWPORT)
    login(other, live_server, "res_a1b")
    other.goto(f"{live_server.url}/estates/rate/")
    expect(other.locator("[data-testid=rate-none]")).to_be_visible()
    context.close()
    assert Rating.objects.count() == 1


def test_public_blacklist_on_a_phone(page, live_server, live_world):
    firm, manager = _firm()
    credit.blacklist_add(manager=manager, reason="多次拒不整改", listed_on=timezone.localdate(), by=live_world.admin)
    page.goto(f"{live_server.url}/estates/public/blacklist/")
    expect(page.locator("[data-testid=public-blacklist]")).to_contain_text("欧***")
    assert "欧阳修文" not in page.content()
    fits_phone(page)


def test_the_firms_account_appeals_online_on_a_phone(page, live_server, live_world):
    """The firm's own account (a provider post bound to the firm) sees its estate and its manager's
    entry, is refused an empty appeal with the field named, then appeals; the district sees how it came."""
    from gongzhi.accounts.models import Role
    from gongzhi.core.scope import Scope
    from gongzhi.estates import firms
    from gongzhi.estates.manifest import MANAGE_ESTATES
    from gongzhi.estates.models import AppealState, BlacklistEntry
    w = live_world
    estate = w.hh_a1.dwelling.building.estate
    firm, manager = _firm()
    services.contract_create(estate=estate, firm=firm, manager=manager, starts_on=timezone.localdate(),
                             ends_on=timezone.localdate().replace(year=timezone.localdate().year + 2),
                             fee_residential="1.20", by=w.community_worker_a)
    entry = credit.blacklist_add(manager=manager, reason="电梯投诉多次超时未整改", listed_on=timezone.localdate(),
                                 by=w.admin)
    f.user("wy_a", Role.PROVIDER, w.street_a, display_name="华立新")
    firms.staff_bind(firm=firm, username="wy_a", by=w.street_officer_a,
                     scope=Scope.for_user_capability(w.street_officer_a, MANAGE_ESTATES))
    login(page, live_server, "wy_a")
    page.goto(f"{live_server.url}/estates/mine/")
    expect(page.locator("[data-testid=firm-block]")).to_contain_text(estate.name)
    page.click("summary >> text=在线申诉")
    page.fill(f"#appeal_{entry.pk}", " ")
    page.eval_on_selector(f"#appeal_{entry.pk}", "el => el.removeAttribute('required')")
    page.click("button >> text=提交申诉")
    expect(page.locator("[data-testid=firm-error]")).to_contain_text("申诉理由")
    fits_phone(page)
    page.eval_on_selector("[data-testid=firm-blacklist] details", "d => { d.open = true; }")
    page.fill(f"#appeal_{entry.pk}", "已更换维保单位,电梯全部检修完毕")
    page.click("button >> text=提交申诉")
    expect(page.locator("[data-testid=firm-blacklist]")).to_contain_text("企业在线申诉")
    fits_phone(page)
    assert BlacklistEntry.objects.get(pk=entry.pk).appeal_state == AppealState.PENDING
