"""The catalogue and the working-day calendar are data an admin keeps."""
import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.workorders import catalogue, services
from gongzhi.workorders.calendar import add_working_days
from gongzhi.workorders.models import CalendarDay, Category, Channel


def test_admin_changes_a_time_limit_and_new_orders_follow_it(client, world):
    client.force_login(world.admin)
    assert "环境卫生" in client.get("/orders/catalogue/").content.decode()
    category = Category.objects.get(code="sanitation")
    form = {"kind": "incident", "name": "环境卫生", "route_level": "community", "accept_days": 1, "handle_days": 2,
            "verify_days": 1, "is_public": "on", "active": "on", "sort": 10, "materials": "", "attributes": "[]",
            "version": category.version}
    assert client.post("/orders/catalogue/sanitation/", form).status_code == 302
    category.refresh_from_db()
    assert category.handle_days == 2 and category.version == 2
    # the same stale form again: a conflict, nothing overwritten
    response = client.post("/orders/catalogue/sanitation/", {**form, "handle_days": 9})
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    assert Category.objects.get(code="sanitation").handle_days == 2
    now = timezone.make_aware(dt.datetime(2026, 11, 16, 10))
    order = services.order_report(category=category, description="x", channel=Channel.WINDOW,
                                  by=world.community_worker_a, grid=world.grid_a1, now=now)
    assert timezone.localtime(order.due_at).date() == dt.date(2026, 11, 18)


def test_new_locality_item_and_bad_attributes(client, world):
    client.force_login(world.admin)
    form = {"code": "svc_parking", "kind": "service", "name": "小区停车证办理", "route_level": "community",
            "accept_days": 1, "handle_days": 3, "verify_days": 1, "active": "on", "sort": 5,
            "materials": "身份证\n行驶证", "attributes": "[{\"code\": \"plate\"}]", "window": "services"}
    response = client.post("/orders/catalogue/new/", form)
    assert response.status_code == 400 and "附加字段" in response.content.decode()
    form["attributes"] = json.dumps([{"code": "plate", "description": "车牌号", "datatype": "string"}])
    assert client.post("/orders/catalogue/new/", form).status_code == 302
    item = Category.objects.get(code="svc_parking")
    assert item.locality == world.district and item.materials == ["身份证", "行驶证"]
    assert client.post("/orders/catalogue/new/", form).status_code == 400  # code taken


def test_calendar_is_kept_by_the_admin(client, world):
    client.force_login(world.admin)
    response = client.post("/orders/calendar/", {"date": "2026-11-27", "is_workday": "0", "name": "地方停工日"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=dt.date(2026, 11, 27)).is_workday is False
    thursday = timezone.make_aware(dt.datetime(2026, 11, 26, 10))
    assert timezone.localtime(add_working_days(thursday, 1)).date() == dt.date(2026, 11, 30)
    client.post("/orders/calendar/", {"remove": "2026-11-27"})
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 27)).exists()
    assert "元旦" in client.get("/orders/calendar/?year=2026").content.decode()


def test_only_the_admin(client, world):
    for user in (world.community_worker_a, world.street_officer_a, world.grid_worker_a1):
        client.force_login(user)
        assert client.get("/orders/catalogue/").status_code == 403
        assert client.post("/orders/calendar/", {"date": "2026-11-27", "is_workday": "0"}).status_code == 403


def test_catalogue_file_errors_name_the_file_and_entry(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('[[category]]\ncode = "x"\nname = "X"\nkind = "other"\n', encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match=r"c.toml 第 1 个类别 \(x\): kind"):
        catalogue.read(bad)
    bad.write_text('[calendar]\nholidays = [["2026-02-30", "x"]]\n', encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="日期无效 2026-02-30"):
        catalogue.read(bad)
    assert len(catalogue.read(Path(catalogue.DEFAULT_FILE))["categories"]) >= 17
