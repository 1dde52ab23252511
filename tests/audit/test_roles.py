"""三员分立: the auditor reads the audit trail and the access log and nothing else; the security
administrator keeps the accounts' security state; nobody else reads the trail."""
import io

import pytest
from openpyxl import load_workbook

from gongzhi.audit import services
from gongzhi.audit.models import AuditAction, AuditEvent
from tests.factories import user

DATA_PAGES = ["/people/residents/", "/places/", "/orders/?state=", "/orders/visits/", "/orders/figures/",
              "/accounts/", "/orders/catalogue/", "/standards/assessments/", "/people/export/", "/people/import/",
              "/api/residents", "/api/places"]


@pytest.fixture
def auditor(world):
    return user("auditor", "auditor", world.district, display_name="任静怡")


@pytest.fixture
def security(world):
    return user("security", "security", world.district, display_name="邵国平")


def test_the_auditor_reads_the_trail_and_the_access_log(client, world, auditor):
    services.record(world.admin, AuditAction.CATEGORY_EDIT, label="环境卫生", before={"名称": "甲"},
                    after={"名称": "乙"})
    client.force_login(auditor)
    page = client.get("/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "修改工单类别" in text and "环境卫生" in text and "admin" in text
    assert client.get("/access-log/").status_code == 200
    home = client.get("/")
    assert home.status_code == 200 and "安全告警" in home.content.decode()


@pytest.mark.parametrize("url", DATA_PAGES)
def test_the_auditor_reads_nothing_else(client, world, auditor, url):
    client.force_login(auditor)
    assert client.get(url).status_code == 403, url


def test_the_auditors_home_holds_no_data_panel(client, world, auditor):
    client.force_login(auditor)
    text = client.get("/").content.decode()
    for other in ("人口", "缺少网格长", "工单", "张三", world.comm_a.name):
        assert other not in text.split("<main", 1)[-1], other


@pytest.mark.parametrize("who", ["admin", "community_worker_a", "street_officer_a", "department", "resident_user"])
def test_nobody_else_reads_the_trail(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/?format=xlsx").status_code == 403


def _rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_search_filters_in_the_database_and_pages(client, world, auditor):
    from django.utils import timezone
    for i in range(60):
        services.record(world.admin, AuditAction.CALENDAR_SET, label=f"2026-01-{i % 28 + 1:02d}")
    services.record(world.community_worker_a, AuditAction.LOGIN)
    client.force_login(auditor)
    rows = _rows(client, "/audit/?actor=cw_a")
    assert "登录成功" in rows and "设置工作日历" not in rows
    assert "第 1 / 2 页" in client.get("/audit/?action=calendar_set").content.decode()
    rows = _rows(client, "/audit/?object=2026-01-05")
    assert "2026-01-05" in rows and "2026-01-06" not in rows
    today = timezone.localdate().isoformat()
    assert "登录成功" in _rows(client, f"/audit/?start={today}&end={today}")
    assert "没有符合条件的记录" in _rows(client, "/audit/?start=2000-01-01&end=2000-01-02")
    assert "登录成功" in _rows(client, "/audit/?kind=signin") and "设置工作日历" not in _rows(client, "/audit/?kind=signin")


def test_bad_dates_are_refused_in_chinese(client, world, auditor):
    client.force_login(auditor)
    r = client.get("/audit/?start=2026-02-30")
    assert r.status_code == 400 and "开始日期应为 yyyy-mm-dd" in r.content.decode()
    r = client.get("/audit/?start=2026-02-03&end=2026-02-01")
    assert r.status_code == 400 and "晚于结束日期" in r.content.decode()


def test_the_export_is_an_xlsx_with_formulas_neutralised(client, world, auditor):
    services.record(None, AuditAction.LOGIN_FAILED, username="=HYPERLINK(\"http://x\")", outcome="failed")
    client.force_login(auditor)
    r = client.get("/audit/?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "类别", "操作")
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and cells[0].data_type == "s"
    from gongzhi.core.models import AccessLog
    assert AccessLog.objects.filter(user=auditor, action="export", target="审计日志").exists()


def test_every_action_has_a_chinese_label():
    for value, label in AuditAction.choices:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in label), value


# -- the security administrator ------------------------------------------------------------

def test_the_security_admin_unlocks_and_deactivates(client, world, security, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "cw_a", "password": "wrong"}, REMOTE_ADDR="203.0.113.5")
    client.force_login(security)
    text = _rows(client, "/audit/accounts/?locked=1")
    assert "cw_a" in text and "203.0.113.5" in text and "cw_b" not in text
    assert client.post(f"/audit/accounts/{world.community_worker_a.pk}/unlock/").status_code == 302
    assert "cw_a" not in _rows(client, "/audit/accounts/?locked=1")
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_UNLOCK, actor=security).exists()
    client.post(f"/audit/accounts/{world.community_worker_b.pk}/toggle/")
    world.community_worker_b.refresh_from_db()
    assert not world.community_worker_b.is_active
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_DEACTIVATE, actor=security).exists()
    # ... and reads no data, nor the trail (the auditor's)
    for url in ("/people/residents/", "/audit/", "/accounts/"):
        assert client.get(url).status_code == 403, url


def test_others_cannot_use_the_security_pages(client, world):
    for who in (world.admin, world.community_worker_a):
        client.force_login(who)
        assert client.get("/audit/accounts/").status_code == 403
        assert client.post(f"/audit/accounts/{world.community_worker_b.pk}/toggle/").status_code == 403
    world.community_worker_b.refresh_from_db()
    assert world.community_worker_b.is_active
