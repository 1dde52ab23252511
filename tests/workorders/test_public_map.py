"""The public map shows open incidents of public categories without personal data."""
from gongzhi.workorders import services
from gongzhi.workorders.models import Category, Channel


def _report(world, code, **kw):
    return services.order_report(category=Category.objects.get(code=code), channel=Channel.OPEN311, by=None,
                                 grid=world.grid_a1, lat=31.361234, lon=119.821234, reporter_name="张三",
                                 reporter_phone="13812345678", **kw)


def test_public_map_without_login_and_without_personal_data(client, world):
    _report(world, "sanitation", description="张三家门口垃圾成堆", address="东虹小区3幢2单元501室")
    _report(world, "dispute", description="王五与李四纠纷", parties=[{"name": "王五"}])
    closed = _report(world, "safety", description="已处理的隐患")
    closed.state = "closed"
    closed.save()
    page = client.get("/orders/public/map/")
    assert page.status_code == 200 and "正在办理的事件" in page.content.decode()
    response = client.get("/orders/public/open.geojson")
    data = response.json()
    assert [f["properties"]["category"] for f in data["features"]] == ["环境卫生"]
    assert data["features"][0]["geometry"]["coordinates"] == [119.821, 31.361]
    body = response.content.decode()
    for private in ("张三", "13812345678", "138****5678", "垃圾成堆", "501室", "王五", "纠纷", "隐患"):
        assert private not in body
