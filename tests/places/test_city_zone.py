"""A district's or street's 城区类别 (中心城区 / 远城区) kept on its page, which packs such as Wuhan's read
(P-STAFF-2): set by who may edit that place, cleared back to the level above, refused elsewhere."""
from gongzhi.places.models import CityZone, Place
from gongzhi.standards.assess import community_info


def _zone(community):
    return community_info(Place.objects.select_related("parent__parent").get(pk=community.pk))["zone"]


def test_the_admin_sets_a_streets_zone_and_a_community_takes_it(world, client):
    client.force_login(world.admin)
    page = client.get(f"/places/{world.street_a.code}/").content.decode()
    assert "城区类别" in page and "未登记(按所属区)" in page
    assert client.post(f"/places/{world.district.code}/zone/", {"city_zone": "outer"}).status_code == 302
    assert _zone(world.comm_a) == CityZone.OUTER
    client.post(f"/places/{world.street_a.code}/zone/", {"city_zone": "central"})
    assert _zone(world.comm_a) == CityZone.CENTRAL  # the street's own zone wins
    client.post(f"/places/{world.street_a.code}/zone/", {"city_zone": ""})
    assert Place.objects.get(pk=world.street_a.pk).city_zone == ""
    assert "远城区" in client.get(f"/places/{world.district.code}/").content.decode()


def test_bad_values_and_other_levels_are_refused(world, client):
    client.force_login(world.admin)
    bad = client.post(f"/places/{world.street_a.code}/zone/", {"city_zone": "suburb"})
    assert bad.status_code == 422 and "城区类别" in bad.content.decode()
    assert Place.objects.get(pk=world.street_a.pk).city_zone == ""
    assert client.post(f"/places/{world.comm_a.code}/zone/", {"city_zone": "outer"}).status_code == 403


def test_a_community_worker_cannot_set_its_street_or_district(world, client):
    client.force_login(world.community_worker_a)
    for place in (world.street_a, world.district):
        assert client.post(f"/places/{place.code}/zone/", {"city_zone": "outer"}).status_code in (403, 404)
    assert Place.objects.get(pk=world.district.pk).city_zone == ""
