"""Hostile and mistyped input at the estates' forms: a Chinese message naming the field, never a 500,
nothing written."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.estates.models import BlacklistEntry, Contract, EstateMeeting, PropertyFirm
from tests.estates.helpers import estate_of, firm_and_manager

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field, value, message", [
    ("starts_on", "2026-13-45", "起始日期"),
    ("fee_residential", "1e400", "住宅物业费"),
    ("fee_residential", "Infinity", "住宅物业费"),
    ("fee_note", "a\x00b", "收费说明"),
    ("firm", "9" * 30, "物业企业"),
    ("manager", "", "项目经理"),
])
def test_contract_form(world, client, field, value, message):
    estate = estate_of(world.hh_a1)
    firm, manager = firm_and_manager()
    body = {"firm": firm.pk, "manager": manager.pk, "starts_on": "2026-01-01", "ends_on": "2028-12-31",
            "fee_residential": "1.20", field: value}
    client.force_login(world.community_worker_a)
    r = client.post(f"/estates/{estate.pk}/contracts/new/", body)
    assert r.status_code == 422 and message in r.content.decode()
    assert Contract.objects.count() == 0


def test_other_forms(world, client):
    estate = estate_of(world.hh_a1)
    client.force_login(world.community_worker_a)
    r = client.post(f"/estates/{estate.pk}/meetings/new/", {"kind": "committee", "title": "t\x1bx",
                                                          "starts_at": (timezone.localdate() + dt.timedelta(days=7)).strftime("%Y-%m-%dT10:00"), "issues": "a"})
    assert r.status_code == 422 and "会议主题" in r.content.decode()
    r = client.post(f"/estates/{estate.pk}/meetings/new/", {"kind": "committee", "title": "t",
                                                          "starts_at": "明天", "issues": "a"})
    assert r.status_code == 422 and "召开时间" in r.content.decode()
    assert EstateMeeting.objects.count() == 0
    r = client.post(f"/estates/{estate.pk}/evaluations/open/", {"year": "99999999999999"}, follow=True)
    assert "年度" in r.content.decode()
    r = client.post("/estates/firms/new/", {"name": "某物业", "credit_code": "91320282MA1XYC00O1"})
    assert r.status_code == 422 and "统一社会信用代码" in r.content.decode()
    assert PropertyFirm.objects.count() == 0
    assert client.get("/estates/99999999999999999999999/").status_code == 404
    client.force_login(world.admin)
    r = client.post("/estates/blacklist/new/", {"subject": "firm:" + "9" * 40, "reason": "x"})
    assert r.status_code == 422 and "列入对象" in r.content.decode()
    r = client.post("/estates/blacklist/new/", {"subject": "", "reason": "x"})
    assert r.status_code == 422 and "请选择要列入黑名单的物业企业或项目经理" in r.content.decode()
    assert BlacklistEntry.objects.count() == 0
