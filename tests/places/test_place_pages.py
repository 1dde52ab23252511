from gongzhi.places.models import Facility, GridStaff


def test_community_worker_maintains_facility_and_staff(client, world):
    client.force_login(world.community_worker_a)
    r = client.post(f"/places/{world.comm_a.code}/facility/", {
        "service_area_m2": "1200", "station_area_m2": "400", "activity_area_m2": "300",
        "rooms": ["service_hall", "police"], "publicity_boards": 1, "disclosure_boards": 2})
    assert r.status_code == 302
    f = Facility.objects.get(community=world.comm_a)
    assert f.rooms == ["service_hall", "police"] and f.disclosure_boards == 2
    r = client.post(f"/places/{world.grid_a1.code}/staff/new/", {"name": "孙八", "role": "leader"})
    assert r.status_code == 302
    staff = GridStaff.objects.get(name="孙八")
    assert "孙八" in client.get(f"/places/{world.grid_a1.code}/").content.decode()
    client.post(f"/places/{world.grid_a1.code}/staff/{staff.pk}/remove/")
    staff.refresh_from_db()
    assert staff.active is False


def test_facility_errors_say_which_field(client, world):
    client.force_login(world.community_worker_a)
    r = client.post(f"/places/{world.comm_a.code}/facility/", {
        "service_area_m2": "100", "station_area_m2": "100", "activity_area_m2": "300",
        "publicity_boards": 1, "disclosure_boards": 2})
    assert "居民活动用房面积不能大于服务站面积" in r.content.decode()
    assert not Facility.objects.filter(community=world.comm_a).exists()


def test_grid_worker_cannot_edit_places(client, world):
    client.force_login(world.grid_worker_a1)
    r = client.post(f"/places/{world.grid_a1.code}/staff/new/", {"name": "孙八", "role": "leader"})
    assert r.status_code == 403 and not GridStaff.objects.filter(name="孙八").exists()


def test_tree_and_grid_page_list_queries_are_bounded(client, world, django_assert_max_num_queries):
    client.force_login(world.community_worker_a)
    with django_assert_max_num_queries(15):
        assert client.get("/places/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/places/{world.grid_a1.code}/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/people/residents/").status_code == 200


def test_community_worker_registers_and_files_an_organisation(client, world):
    from gongzhi.people.models import Organisation
    client.force_login(world.community_worker_a)
    r = client.post(f"/people/places/{world.comm_a.code}/organisations/new/", {
        "kind": "social_org", "name": "东虹广场舞队", "registration": "none", "active": "on"})
    assert r.status_code == 302
    org = Organisation.objects.get(name="东虹广场舞队")
    assert org.community == world.comm_a
    r = client.post(f"/people/places/{world.comm_a.code}/organisations/{org.pk}/", {
        "kind": "social_org", "name": "东虹广场舞队", "registration": "filed", "credit_code": "bad", "active": "on"})
    assert "统一社会信用代码应为18位" in r.content.decode()
    client.post(f"/people/places/{world.comm_a.code}/organisations/{org.pk}/", {
        "kind": "social_org", "name": "东虹广场舞队", "registration": "filed", "active": "on"})
    org.refresh_from_db()
    assert org.registration == "filed" and org.history.count() == 2


def test_departments_see_no_grid_workers_mobile_numbers(client, world):
    """Staff contacts are for the civil-affairs line working in the grid, not for a department."""
    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.places.models import GridStaff
    GridStaff.objects.create(grid=world.grid_a1, name="孙八", role="full_time", phone="13955556666")
    RoleAssignment.objects.filter(user=world.department).update(place=world.district)  # a district department
    client.force_login(world.department)
    page = client.get(f"/places/{world.grid_a1.code}/").content.decode()
    assert "孙八" in page and "13955556666" not in page
    client.force_login(world.grid_worker_a1)
    assert "13955556666" in client.get(f"/places/{world.grid_a1.code}/").content.decode()


def test_the_place_page_shows_no_organisations_through_another_capabilitys_post(client, world):
    """A community worker of A with a department post at street B opens community B through the
    department post (the territory): community B's organisations are not theirs to read."""
    from tests.factories import user_with_posts
    u = user_with_posts("cw_a_dept_b", ("community", world.comm_a, ""), ("department", world.street_b, "城管局"))
    client.force_login(u)
    page = client.get(f"/places/{world.comm_b.code}/").content.decode()
    assert "南岳社区" in page and world.org_b.name not in page
