import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from gongzhi.core import crypto
from gongzhi.core.models import AccessLog
from gongzhi.core.scope import Scope
from gongzhi.people import exporter, services
from gongzhi.people import template_columns as tc
from gongzhi.people.importer import import_residents
from gongzhi.people.models import CareTag, Resident
from tests import factories as f


def read(path) -> list[dict]:
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) in (list(tc.EXPORT_HEADERS), list(tc.MASKED_EXPORT_HEADERS))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def plain_id(resident) -> str:
    return services.resident_reveal(resident=resident)["id_number"]


def test_masked_export_of_a_community_workers_scope(world, tmp_path):
    scope = Scope.for_user(world.community_worker_a)
    count = exporter.export_residents(path=tmp_path / "a.xlsx", scope=scope, by=world.community_worker_a,
                                      unmasked=False)
    rows = read(tmp_path / "a.xlsx")
    assert count == len(rows) == 2
    assert {r["姓名"] for r in rows} == {"张三", "李四"}  # never 王五 of community B
    zhang = next(r for r in rows if r["姓名"] == "张三")
    assert zhang["公民身份号码"] == world.res_a1.id_number_masked and "*" in zhang["公民身份号码"]
    assert zhang["联系电话"] == "138****5678" and zhang["户号"] == "HA1" and zhang["与户主关系"] == "户主"
    assert zhang["社区代码"] == world.comm_a.code and zhang["网格编号"] == world.grid_a1.code
    assert zhang["民族"] == "汉族" and zhang["居住状态"] == "户籍人口" and zhang["党员"] == "否"
    assert zhang["出生年份"] == 1980 and "出生日期" not in zhang and zhang["性别"] in ("男", "女")
    log = AccessLog.objects.get(action="export")
    assert log.user == world.community_worker_a and log.target == f"{world.comm_a.name}({world.comm_a.code})"
    assert log.detail == exporter.DETAIL.format(count=2, mode=exporter.MASKED)


def test_unmasked_export_for_a_role_that_may_unmask(world, tmp_path):
    scope = Scope.for_user(world.community_worker_a)
    exporter.export_residents(path=tmp_path / "a.xlsx", scope=scope, by=world.community_worker_a, unmasked=True)
    zhang = next(r for r in read(tmp_path / "a.xlsx") if r["姓名"] == "张三")
    assert zhang["公民身份号码"] == plain_id(world.res_a1) and zhang["联系电话"] == "13812345678"
    assert AccessLog.objects.get(action="export").detail.endswith(exporter.UNMASKED)


def test_unmask_refused_without_the_capability(world, tmp_path):
    scope = Scope.for_user(world.street_officer_a)  # may export, may not unmask
    with pytest.raises(PermissionDenied, match="未脱敏"):
        exporter.export_residents(path=tmp_path / "a.xlsx", scope=scope, by=world.street_officer_a, unmasked=True)
    assert not (tmp_path / "a.xlsx").exists() and not AccessLog.objects.filter(action="export").exists()
    assert exporter.export_residents(path=tmp_path / "a.xlsx", scope=scope, by=world.street_officer_a,
                                     unmasked=False) == 2


def test_export_refused_without_the_capability(world, tmp_path):
    with pytest.raises(PermissionDenied):
        exporter.export_residents(path=tmp_path / "a.xlsx", scope=Scope.for_user(world.grid_worker_a1),
                                  by=world.grid_worker_a1, unmasked=False)


def test_whole_database_and_inactive_residents(world, tmp_path):
    r = world.res_a2
    services.resident_move_out(resident=r, version=r.version, moved_on=dt.date(2024, 1, 1), destination="无锡", by=None)
    assert exporter.export_residents(path=tmp_path / "a.xlsx", scope=None, by=None, unmasked=True) == 2
    assert {row["姓名"] for row in read(tmp_path / "a.xlsx")} == {"张三", "王五"}
    assert AccessLog.objects.get(action="export").target == exporter.TARGET_ALL
    assert exporter.export_residents(path=tmp_path / "b.xlsx", scope=None, by=None, unmasked=True,
                                     include_inactive=True) == 3


def test_place_limits_the_rows(world, tmp_path):
    for place, names in ((world.grid_a2, {"李四"}), (world.street_b, {"王五"}), (world.comm_a, {"张三", "李四"})):
        exporter.export_residents(path=tmp_path / "a.xlsx", scope=None, by=None, unmasked=False, place=place)
        assert {row["姓名"] for row in read(tmp_path / "a.xlsx")} == names


def test_tags_without_a_query_per_resident(world, tmp_path, django_assert_max_num_queries):
    low, alone = CareTag.objects.get(name="低保"), CareTag.objects.get(name="独居老人")
    world.res_a1.care_tags.set([alone, low])
    for i in range(40):
        f.resident(world.hh_a2, f"居民{i}", relation="20").care_tags.set([low])
    with django_assert_max_num_queries(8):
        count = exporter.export_residents(path=tmp_path / "a.xlsx", scope=None, by=None, unmasked=False)
    rows = read(tmp_path / "a.xlsx")
    assert count == 43
    assert next(r for r in rows if r["姓名"] == "张三")["人员标签"] == "独居老人、低保"  # in the tags' order
    assert sum(1 for r in rows if r["人员标签"] == "低保") == 40


def test_unmasked_export_imports_again_unchanged(world, tmp_path):
    world.res_a1.care_tags.set([CareTag.objects.get(name="低保")])
    services.resident_update(resident=world.res_a1, version=1, by=None, moved_in_on=dt.date(2010, 1, 1))
    exporter.export_residents(path=tmp_path / "all.xlsx", scope=None, by=None, unmasked=True)
    result = import_residents(path=tmp_path / "all.xlsx", by=None, scope=None)
    assert (result.accepted, result.rejected, result.unchanged) == (3, 0, 3)
    assert Resident.objects.count() == 3 and crypto.keyed_hash(plain_id(world.res_a1))
