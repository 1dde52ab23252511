"""The registry in a real browser (headless Chromium), on a phone-sized screen."""

from gongzhi.core.models import AccessLog
from tests.e2e.conftest import login, nav_to


def test_community_worker_searches_by_pinyin_and_reveals_id(page, live_server, live_world):
    login(page, live_server, "cw_a")
    assert page.locator("[data-testid=count-residents]").inner_text() == "2"
    page.wait_for_selector("#care-chart canvas")
    nav_to(page, "居民")
    page.fill("#q", "zs")
    # Locator waits, not wait_for_function: the CSP forbids evaluating strings.
    page.locator("[data-testid=result-count]", has_text="共 1 人").wait_for()
    page.click("#results >> text=张三")
    masked = page.locator("[data-testid=id-number]").inner_text()
    assert "*" in masked
    page.click("text=查看完整信息")
    page.locator("[data-testid=phone]", has_text="13812345678").wait_for()
    assert "*" not in page.locator("[data-testid=id-number]").inner_text()
    assert page.locator("[data-testid=phone]").inner_text() == "13812345678"
    assert AccessLog.objects.filter(username="cw_a", action="unmask").count() == 1
    # Phone-sized: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_grid_map_draws_only_the_callers_grids(page, live_server, live_world):
    login(page, live_server, "street_a")
    page.goto(f"{live_server.url}/places/map/")
    page.wait_for_selector("#map[data-features]")
    assert page.locator("#map").get_attribute("data-features") == "2"
    assert page.locator("path.leaflet-interactive").count() == 2


def test_edit_conflict_is_reported_in_chinese(browser, live_server, live_world):
    ctx1, ctx2 = browser.new_context(locale="zh-CN"), browser.new_context(locale="zh-CN")
    p1, p2 = ctx1.new_page(), ctx2.new_page()
    try:
        login(p1, live_server, "cw_a")
        login(p2, live_server, "gw_a1")
        url = f"{live_server.url}/people/residents/{live_world.res_a1.pk}/edit/"
        p1.goto(url)
        p2.goto(url)
        p1.fill("#id_name", "张三丰")
        p1.click("main button[type=submit]")
        p1.wait_for_selector("text=已保存")
        p2.fill("#id_name", "张叁")
        p2.click("main button[type=submit]")
        assert "已被他人修改" in p2.locator("[role=alert]").inner_text()
    finally:
        ctx1.close()
        ctx2.close()
    live_world.res_a1.refresh_from_db()
    assert live_world.res_a1.name == "张三丰"


def test_locked_account_sees_why(page, live_server, live_world):
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "cw_b")
        page.fill("#id_password", "wrong")
        page.click("button[type=submit]")
    assert "锁定" in page.content()


def test_resident_sees_own_household(page, live_server, live_world):
    login(page, live_server, "res_a1")
    assert "我的家庭" in page.content()
    assert "张三" in page.content() and "王五" not in page.content()


def test_browser_import_shows_progress_and_rejected_rows(page, live_server, live_world, tmp_path, queue_worker):
    from gongzhi.core import idcard
    from gongzhi.people.models import Resident
    w = live_world
    good = [idcard.make("320282", __import__("datetime").date(1970 + i, 1, 2), 500 + i) for i in range(3)]
    rows = ["姓名,公民身份号码,民族,联系电话,户号,与户主关系,社区代码,网格编号,房屋编号,居住状态,人员标签,迁入日期"]
    for i, number in enumerate(good):
        rows.append(f"新居民{i},{number},汉族,1390000000{i},HNEW{i},户主,{w.comm_a.code},{w.grid_a1.code},,户籍人口,"
                    f"独居老人,2020-01-0{i + 1}")
    rows.append(f"坏行,110105194912310021,汉族,,HBAD,户主,{w.comm_a.code},{w.grid_a1.code},,户籍人口,,2020-01-01")
    rows.append(f"越权,{idcard.make('320282', __import__('datetime').date(1990, 1, 1), 7)},汉族,,HB2,户主,"
                f"{w.comm_b.code},{w.grid_b1.code},,户籍人口,,2020-01-01")
    f = tmp_path / "居民.csv"
    f.write_text("\n".join(rows), encoding="utf-8-sig")
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/people/import/")
    page.set_input_files("#id_file", str(f))
    page.click("main button[type=submit]")
    page.wait_for_selector("#progress[data-status=done]", timeout=60000)
    assert page.locator("[data-testid=accepted]").inner_text() == "3"
    assert page.locator("[data-testid=rejected]").inner_text() == "2"
    with page.expect_download() as download:
        page.click("text=下载被拒绝的行")
    from openpyxl import load_workbook
    sheet = load_workbook(open(download.value.path(), "rb")).active
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    assert "校验位错误" in text and "不在您的管辖范围内" in text
    assert Resident.objects.filter(name__startswith="新居民").count() == 3
    assert not Resident.objects.filter(name="越权").exists()


def test_pages_run_under_the_content_security_policy(page, live_server, live_world):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    login(page, live_server, "cw_a")
    for url in ("/", "/places/", "/places/map/", "/people/residents/", f"/people/residents/{live_world.res_a1.pk}/",
                "/people/import/", f"/places/{live_world.grid_a1.code}/"):
        response = page.goto(f"{live_server.url}{url}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#care-chart canvas")
    assert problems == []
