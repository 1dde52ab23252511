"""Care's visitors and families on a phone (390 px, Chromium, zh-CN): a paired volunteer opens their due list from
the home page, a visit without the condition is refused in Chinese, then recorded; someone not paired with them is
refused. A daughter living elsewhere, linked as 家属, orders a service for her father, then confirms and rates it
after the station's check-out; every page fits the phone."""
import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.care import family, orders, pairings
from gongzhi.care.models import CareVisit, ServiceOrder, Station, StationStaff
from gongzhi.volunteers.models import Volunteer
from tests.care.conftest import Households, person
from tests.care.test_family import _id
from tests.e2e.conftest import fits_phone, login
from tests.factories import household, user


def test_a_paired_volunteer_visits_on_a_phone(page, live_server, live_world):
    w = live_world
    homes = Households(w)
    vol_person = person(household(w.grid_a1), "志愿者己", 45)
    vol = Volunteer.objects.create(resident=vol_person, community=w.comm_a, registered_on=dt.date.today())
    user("vol_ji", "resident", w.grid_a1, resident=vol_person)
    pairings.pairing_start(resident=homes.alone, kind="volunteer", volunteer_id=str(vol.pk),
                           by=w.community_worker_a, starts_on=dt.date.today())
    login(page, live_server, "vol_ji")
    page.goto(f"{live_server.url}/people/home/")
    page.get_by_role("link", name="逾期未访 0 人,本周应访 1 人").click()
    fits_phone(page)
    item = page.locator("[data-testid=paired-due] li", has_text="孤老甲")
    expect(item).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("爷爷丙")
    item.get_by_role("link", name="记录走访").click()
    expect(page.get_by_role("form", name="记录走访")).not_to_contain_text("处理方式")
    page.fill("#v-notes", "陪老人聊天,帮忙买菜")
    page.click("button >> text=保存走访")
    expect(page.locator("#visit-error")).to_contain_text("身体和生活状况")
    fits_phone(page)
    assert not CareVisit.objects.exists()
    page.check("input[name=condition][value=poor]")
    page.fill("#v-findings", "家里灯泡坏了")
    page.click("button >> text=保存走访")
    expect(page.locator(".messages")).to_contain_text("已提醒网格员跟进")
    visit = CareVisit.objects.get()
    assert visit.resident == homes.alone and visit.pairing_id
    page.goto(f"{live_server.url}/care/paired/{homes.grandpa.pk}/visit/")
    expect(page.locator("body")).to_contain_text("不是您的结对关爱对象")
    fits_phone(page)


def test_a_daughter_elsewhere_orders_confirms_and_rates_on_a_phone(page, live_server, live_world):
    w = live_world
    homes = Households(w)
    daughter = person(household(w.grid_b1), "女儿甲", 50)
    user("daughter", "resident", w.grid_b1, resident=daughter)
    station = Station.objects.create(place=w.comm_a, level="community", name="东虹社区居家养老服务站",
                                     services=["meal", "cleaning"], hours="8:00-17:00", capacity=30)
    provider = user("prov_a", "provider", w.comm_a)
    StationStaff.objects.create(user=provider, station=station)
    family.family_link(elder=homes.alone, name="女儿甲", id_number=_id(daughter), relation="child",
                       consent_on=dt.date.today(), consent_note="老人本人当面同意", by=w.community_worker_a)
    login(page, live_server, "daughter")
    page.goto(f"{live_server.url}/people/home/")
    page.get_by_role("link", name="查看孤老甲的居家养老服务和走访").click()
    fits_phone(page)
    elder = page.locator("[data-testid=family-elder]", has_text="孤老甲")
    elder.get_by_label("服务项目").select_option("cleaning")
    elder.get_by_label("服务站点").select_option(label="东虹社区居家养老服务站")
    elder.get_by_label("需求说明").fill("打扫厨房")
    elder.get_by_role("button", name="为老人预约").click()
    expect(page.locator(".messages")).to_contain_text("已为孤老甲预约服务")
    order = ServiceOrder.objects.get(resident=homes.alone)
    assert order.kind == "cleaning" and order.ordered_by.username == "daughter"
    orders.order_check_in(order=order, by=provider, now=timezone.now())
    orders.order_check_out(order=order, by=provider, note="已打扫")
    page.reload()
    page.get_by_role("button", name="确认已服务").click()
    expect(page.locator(".messages")).to_contain_text("已确认服务")
    page.get_by_label("评价", exact=True).select_option("4")
    page.get_by_label("意见").fill("打扫干净")
    page.get_by_role("button", name="评价", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("谢谢您的评价")
    fits_phone(page)
    order.refresh_from_db()
    assert order.state == "confirmed" and order.rating == 4 and order.confirmed_by.username == "daughter"


def test_a_son_outside_the_registry_opens_his_family_account_on_a_phone(page, live_server, live_world):
    """The son works in 上海 and is not in the registry: the worker linked him with his mobile; from the login page
    he opens his family account in three steps (a wrong ID number first: one Chinese message), lands on the family
    page with his mother's services, and his header offers nothing else."""
    from gongzhi.care.models import FamilySignupCode
    from tests.factories import id_number
    w = live_world
    homes = Households(w)
    son_id = id_number(dt.date(1968, 5, 12), region="310101")
    link = family.family_link(elder=homes.alone, name="储建国", id_number=son_id, relation="child",
                              phone="13916620418", consent_on=dt.date.today(), consent_note="老人本人当面同意",
                              by=w.community_worker_a)
    assert link.waiting_for_account
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="家属开通账号").click()
    fits_phone(page)
    page.get_by_label("姓名").fill("储建国")
    page.get_by_label("公民身份号码").fill(id_number(dt.date(1969, 1, 1), region="310101"))
    page.get_by_label("手机号码").fill("139 1662 0418")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("main")).to_contain_text("信息与社区登记的家属信息不符")
    fits_phone(page)
    page.get_by_label("公民身份号码").fill(son_id)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_test_id("join-phone-tail")).to_have_text("0418")
    fits_phone(page)
    page.get_by_label("短信验证码").fill(FamilySignupCode.objects.get().token)
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("登录名").fill("chujianguo")
    page.fill("#id_password1", "Qing-he-2026!")
    page.fill("#id_password2", "Qing-he-2026!")
    page.get_by_role("button", name="开通家属账号").click()
    page.wait_for_url(f"{live_server.url}/care/family/")
    expect(page.locator(".messages")).to_contain_text("您的家属账号已开通")
    expect(page.locator("[data-testid=family-elder]", has_text="孤老甲")).to_be_visible()
    expect(page.locator("header")).to_contain_text("老人家属")
    expect(page.locator("header")).not_to_contain_text("我的诉求")
    fits_phone(page)
