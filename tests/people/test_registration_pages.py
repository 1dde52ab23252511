from gongzhi.people.models import Household, Resident


def test_grid_worker_creates_household_and_registers_resident(client, world):
    client.force_login(world.grid_worker_a1)
    r = client.post(f"/people/grids/{world.grid_a1.code}/households/new/", {"number": "HNEW1"})
    household = Household.objects.get(number="HNEW1")
    assert r.status_code == 302 and household.grid == world.grid_a1 and household.community == world.comm_a
    r = client.post(f"/people/households/{household.pk}/residents/new/", {
        "name": "赵六", "id_number": "１１０１０５１９４９１２３１００２x", "ethnicity": "01",
        "residence_status": "floating", "relation": "02"})
    assert r.status_code == 302
    resident = Resident.objects.get(name="赵六")
    assert resident.id_number_masked == "1101**********002*" and resident.sex == "F"
    assert resident.history.first().history_user == world.grid_worker_a1


def test_registration_errors_are_specific(client, world):
    client.force_login(world.grid_worker_a1)
    r = client.post(f"/people/households/{world.hh_a1.pk}/residents/new/", {
        "name": "赵六", "id_number": "110105194912310021", "ethnicity": "01", "residence_status": "registered",
        "relation": "10"})
    assert "校验位错误" in r.content.decode()
    r = client.post(f"/people/grids/{world.grid_a1.code}/households/new/", {"number": "HA1"})
    assert "户号 HA1 已存在" in r.content.decode()
    r = client.post(f"/people/grids/{world.grid_a1.code}/households/new/",
                    {"number": "HZ", "dwelling_code": world.hh_b1.dwelling.code})
    assert "不在您的管辖范围内" in r.content.decode()
    assert not Household.objects.filter(number="HZ").exists()


def test_street_officer_cannot_register(client, world):
    client.force_login(world.street_officer_a)
    r = client.post(f"/people/grids/{world.grid_a1.code}/households/new/", {"number": "HS1"})
    assert r.status_code == 403 and not Household.objects.filter(number="HS1").exists()


def test_history_shows_labels_and_tag_names(client, world):
    from gongzhi.people import services
    from gongzhi.people.models import CareTag
    services.resident_update(resident=world.res_a1, version=1, by=world.community_worker_a, name="张三丰",
                             care_tags=[CareTag.objects.get(code="disabled")])
    client.force_login(world.community_worker_a)
    text = client.get(f"/people/residents/{world.res_a1.pk}/").content.decode()
    assert "姓名: 张三 → 张三丰" in text
    assert "残疾人" in text


def test_import_template_download_has_the_required_columns(client, world):
    from io import BytesIO

    from openpyxl import load_workbook
    client.force_login(world.community_worker_a)
    r = client.get("/people/import/template.xlsx")
    header = next(load_workbook(BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True))
    for column in ("姓名", "公民身份号码", "民族", "联系电话", "户号", "与户主关系", "社区代码", "网格编号", "房屋编号",
                   "居住状态", "人员标签", "迁入日期"):
        assert column in header


def test_export_page_masks_by_default_and_unmasks_only_on_post(client, world):
    from io import BytesIO

    from openpyxl import load_workbook

    from gongzhi.core.models import AccessLog
    from gongzhi.people import services

    def cells(response):
        return " ".join(str(c) for row in load_workbook(BytesIO(b"".join(response.streaming_content))).active
                        .iter_rows(values_only=True) for c in row if c is not None)

    full = services.resident_reveal(resident=world.res_a1)["id_number"]
    client.force_login(world.community_worker_a)
    assert full not in cells(client.get("/people/export/?unmasked=1"))
    assert full in cells(client.post("/people/export/", {"unmasked": "1"}))
    assert AccessLog.objects.filter(username="cw_a", action="export").count() == 2
    client.force_login(world.street_officer_a)
    assert client.post("/people/export/", {"unmasked": "1"}).status_code == 403


def test_resident_page_queries_do_not_grow_per_history_row(client, world, django_assert_max_num_queries):
    from gongzhi.people import services
    r = world.res_a1
    for i in range(8):
        r = services.resident_update(resident=r, version=r.version, by=world.community_worker_a, name=f"张三{i}")
    client.force_login(world.community_worker_a)
    with django_assert_max_num_queries(32):  # 29 today; m2m diffs still cost a query each
        text = client.get(f"/people/residents/{r.pk}/").content.decode()
    assert "姓名: 张三6 → 张三7" in text and "姓名: 张三 → 张三0" in text
