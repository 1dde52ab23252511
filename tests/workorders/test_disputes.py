"""The monthly dispute report: what was found, carried over and mediated, as a
page, an xlsx and a PDF whose Chinese text is embedded and extractable."""
import datetime as dt
from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from gongzhi.core.models import AccessLog
from gongzhi.core.scope import Scope
from gongzhi.workorders import disputes, services
from gongzhi.workorders.manifest import VIEW_ORDER_REPORTS
from gongzhi.workorders.models import Category, Channel


def _reports(user):
    return Scope.for_user_capability(user, VIEW_ORDER_REPORTS)


def at(y, m, d):
    return timezone.make_aware(dt.datetime(y, m, d, 10))


def _dispute(world, when, *, mediate=None, close=False, name="赵一"):
    cw = world.community_worker_a
    o = services.order_report(category=Category.objects.get(code="dispute"), description="楼上漏水纠纷",
                              channel=Channel.GRID, by=world.grid_worker_a1, grid=world.grid_a1,
                              parties=[{"name": name, "role": "申请人"}, {"name": "钱二"}],
                              extra={"dispute_type": "neighbour"}, now=when)
    o = services.order_accept(order=o, by=cw, version=o.version, now=when)
    if mediate:
        o = services.dispute_mediate(order=o, by=cw, version=o.version, mediator="孙调解", mediation="面对面协商",
                                     outcome=mediate, agreement=mediate == "success",
                                     mediated_on=mediate_day(when), now=when)
    if close:
        o = services.order_dispatch(order=o, by=cw, version=o.version, place=world.comm_a, now=when)
        o = services.order_reply(order=o, by=cw, version=o.version, reply="调解结案", now=when)
        o = services.order_verify(order=o, by=world.grid_worker_a1, version=o.version, passed=True, now=when)
        o = services.order_close(order=o, by=cw, version=o.version, now=when)
    return o


def mediate_day(when):
    return timezone.localtime(when).date()


def test_month_totals(world):
    _dispute(world, at(2026, 10, 20))                                  # carried over into November
    _dispute(world, at(2026, 10, 5), mediate="success", close=True)  # finished in October: not in November
    _dispute(world, at(2026, 11, 3), mediate="success", close=True)
    _dispute(world, at(2026, 11, 10), mediate="referred")
    services.order_report(category=Category.objects.get(code="dispute"), description="另一街道的纠纷",  # not counted
                          channel=Channel.WINDOW, by=world.community_worker_b, grid=world.grid_b1, now=at(2026, 11, 12))
    report = disputes.dispute_report(scope=_reports(world.street_officer_a), place=world.comm_a,
                                     month=dt.date(2026, 11, 1))
    t = report.totals
    assert (t["found"], t["carried"], t["by_grid"], t["mediated"], t["success"], t["referred"]) == (2, 1, 2, 2, 1, 1)
    assert t["success_rate"] == 50.0 and t["closed"] == 1 and t["pending"] == 2
    assert report.by_type == [{"type": "邻里纠纷", "n": 3}]
    assert "赵一、钱二" in [r["parties"] for r in report.rows]


def test_downloads_are_logged_and_print_chinese(client, world):
    _dispute(world, at(2026, 11, 3), mediate="success", close=True, name="储建华")
    client.force_login(world.community_worker_a)
    page = client.get(f"/orders/disputes/?place={world.comm_a.code}&month=2026-11")
    assert page.status_code == 200 and "储建华" in page.content.decode()
    xlsx = client.get(f"/orders/disputes/?place={world.comm_a.code}&month=2026-11&format=xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert "东虹社区矛盾纠纷排查调处月报告" in sheet["A1"].value
    assert "储建华、钱二" in [c.value for c in sheet[5]]
    pdf = client.get(f"/orders/disputes/?place={world.comm_a.code}&month=2026-11&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(pdf.content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "矛盾纠纷排查调处月报告" in text and "储建华" in text and "调解成功" in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = []
    for font in fonts.values():
        font = font.get_object()
        descendant = font.get("/DescendantFonts")
        descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"].get_object()
        embedded.append(any(k.startswith("/FontFile") for k in descriptor))
        assert "CJK" in font["/BaseFont"]
    assert embedded and all(embedded)
    assert AccessLog.objects.filter(user=world.community_worker_a, action="export").count() == 2


def test_other_places_and_bad_months_are_refused(client, world):
    client.force_login(world.community_worker_a)
    assert client.get(f"/orders/disputes/?place={world.comm_b.code}&month=2026-11").status_code == 404
    assert client.get(f"/orders/disputes/?place={world.comm_a.code}&month=2026-13").status_code == 400
    client.force_login(world.resident_user)
    assert client.get("/orders/disputes/").status_code == 403
