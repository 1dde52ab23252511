"""Control characters are refused at every input with a clear message (forms, the JSON API,
Open311, the importer), one-line fields refuse line breaks, and whatever was stored before
can never make an export fail."""
import json

import pytest
from openpyxl import load_workbook

from gongzhi.core.scope import Scope
from gongzhi.core.validators import ERR_CONTROL, ERR_LINE_BREAK
from gongzhi.people import exporter
from gongzhi.people.models import Household, Resident
from gongzhi.workorders.models import WorkOrder
from tests.people.test_import import person, reasons, run

HOSTILE = ["王\x00五", "王\x1b[31m五", "王\x7f五", "王\u200b五", "王\u202e五", "\ufeff王五"]


@pytest.mark.parametrize("name", HOSTILE)
def test_forms_refuse_control_characters(client, world, name):
    client.force_login(world.grid_worker_a1)
    r = client.post(f"/people/households/{world.hh_a1.pk}/residents/new/", {
        "name": name, "id_number": "11010519491231002X", "ethnicity": "01", "residence_status": "registered",
        "relation": "10"})
    assert r.status_code == 200 and ERR_CONTROL in r.content.decode()
    assert not Resident.objects.filter(name__contains="王").exclude(pk=world.res_b1.pk).exists()


def test_one_line_fields_refuse_line_breaks(client, world):
    client.force_login(world.grid_worker_a1)
    r = client.post(f"/people/grids/{world.grid_a1.code}/households/new/", {"number": "HX\r\n1"})
    assert ERR_LINE_BREAK in r.content.decode() and not Household.objects.filter(number__startswith="HX").exists()


def test_free_text_keeps_its_line_breaks_but_not_controls(client, world):
    """A form with a textarea (the visit log's notes) takes newlines, not escapes."""
    from gongzhi.workorders.forms import VisitForm
    assert "notes" not in VisitForm(data={"notes": "第一行\r\n第二行"}).errors
    assert ERR_CONTROL in str(VisitForm(data={"notes": "第一行\x1b第二行"}).errors.get("notes"))


def test_the_json_api_refuses_them(client, world):
    client.force_login(world.community_worker_a)
    r = client.patch(f"/api/residents/{world.res_a1.pk}", data=json.dumps({"version": 1, "name": "张\x00三"}),
                     content_type="application/json")
    assert r.status_code == 422 and ERR_CONTROL in r.json()["detail"]
    world.res_a1.refresh_from_db()
    assert world.res_a1.name == "张三"


def test_open311_refuses_them(client, world):
    from gongzhi.workorders import apikeys
    key = apikeys.apikey_create(name="测试")[1]
    r = client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "sanitation",
                                                   "description": "垃圾\x1b满了", "lat": "31.36", "long": "119.82"})
    assert r.status_code == 400 and ERR_CONTROL in r.content.decode()
    assert not WorkOrder.objects.exists()


def test_the_importer_refuses_them_per_cell(world, tmp_path):
    path = tmp_path / "r.csv"
    row = person(world, name="赵\x00六")
    header = list(row)
    path.write_text(",".join(header) + "\n" + ",".join(str(row[h]) for h in header) + "\n", encoding="utf-8")
    result = run(path)
    assert result.accepted == 0 and "控制字符" in reasons(result)[2]


def test_an_export_survives_anything_stored(world, tmp_path):
    # stored before the rule (PostgreSQL cannot store NUL at all; escapes and bells it can)
    Resident.objects.filter(pk=world.res_a1.pk).update(name="张\x1b\x07三")
    exporter.export_residents(path=tmp_path / "a.xlsx", scope=Scope.for_user(world.community_worker_a),
                              by=world.community_worker_a, unmasked=False)
    names = [r[0] for r in load_workbook(tmp_path / "a.xlsx").active.iter_rows(min_row=2, values_only=True)]
    assert "张三" in names
