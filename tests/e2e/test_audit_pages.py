"""The audit trail and the security pages on a phone (390 px, zh-CN): nothing wider than the
screen, the filter and the rows readable, the alerts panel on the home page."""
from django.conf import settings
from django.test import Client

from gongzhi.audit import services
from gongzhi.audit.models import AuditAction
from tests.factories import user


def _sign_in(page, live_server, u):
    client = Client()
    client.force_login(u)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def test_audit_trail_and_security_pages_fit_a_phone(page, live_server, live_world):
    w = live_world
    services.record(w.admin, AuditAction.CATEGORY_EDIT, label="环境卫生与市容秩序管理(一个很长的类别名称)",
                    before={"名称": "环境卫生", "办结时限": 5}, after={"名称": "环境卫生与市容秩序管理", "办结时限": 9})
    services.record(None, AuditAction.ALERT_ACCOUNT, object_type="账号", object_id="admin", label="admin",
                    detail="账号 admin 在 60 分钟内登录失败 10 次,疑似持续尝试密码")
    auditor = user("auditor", "auditor", w.district, display_name="任静怡")
    _sign_in(page, live_server, auditor)
    page.goto(f"{live_server.url}/audit/")
    assert page.locator("h1").inner_text() == "安全审计日志"
    assert page.locator("td", has_text="修改工单类别").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.fill("#actor", "admin")
    page.click("form[aria-label=筛选审计日志] button[type=submit]")
    page.wait_for_url(lambda url: "actor=admin" in url)
    assert page.locator("td", has_text="环境卫生与市容秩序管理").first.is_visible()
    page.goto(f"{live_server.url}/")
    assert page.locator("td", has_text="告警:同一账号连续登录失败").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    security = user("security", "security", w.district, display_name="邵国平")
    page.context.clear_cookies()
    _sign_in(page, live_server, security)
    page.goto(f"{live_server.url}/audit/accounts/")
    assert page.locator("h1").inner_text() == "账号安全状态"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="标记已处理").click()
    page.wait_for_load_state()
    assert page.get_by_text("已标记该告警为已处理").is_visible()


def test_the_auditor_and_the_security_admin_crawl_clean(page, live_server, live_world):
    """Every page the two roles reach (the crawler of test_crawl.py): no refusal behind a link, no
    internal identifier, nothing wider than the phone, no serious accessibility issue; with every
    kind of event on the trail, an open alert and a locked account."""
    from tests.e2e.crawl import crawl
    w = live_world
    services.record(w.admin, AuditAction.RUN_PUBLISH, label="宜兴 2025 年度", before={"公示": False},
                    after={"公示": True})
    services.record(None, AuditAction.BACKUP, label="/srv/backup/gongzhi-20261130.sqlite3",
                    after={"数据库": "SQLite", "大小": 123, "校验值": "ab12" * 16})
    services.record(None, AuditAction.LOGIN_FAILED, username="admin", outcome="failed", ip="203.0.113.9")
    services.record(None, AuditAction.ALERT_SOURCE, object_type="来源地址", object_id="203.0.113.9",
                    label="203.0.113.9", detail="来源地址 203.0.113.9 在 60 分钟内登录失败 10 次,疑似持续尝试密码")
    for username, role in (("auditor", "auditor"), ("security", "security")):
        u = user(username, role, w.district)
        page.context.clear_cookies()
        _sign_in(page, live_server, u)
        result = crawl(page, live_server.url, username, limit=40)
        assert len(result.visited) >= 3, result.visited
        # the pages of the audit app and the kernel's home and access log (the accounts' own pages are theirs)
        mine = [f for f in result.findings if not f.url.startswith("/accounts/")]
        assert not mine, "\n".join(str(f) for f in mine)
