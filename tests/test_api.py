import json


def test_resident_and_household_api(client, world):
    client.force_login(world.community_worker_a)
    data = client.get("/api/residents?q=zs").json()
    assert data["count"] == 1
    r = data["results"][0]
    assert r["name"] == "张三" and r["community_code"] == world.comm_a.code and "*" in r["id_number_masked"]
    hh = client.get(f"/api/households/{world.hh_a1.pk}").json()
    assert hh["number"] == "HA1" and hh["grid_code"] == world.grid_a1.code and hh["members"][0]["name"] == "张三"


def test_patch_with_stale_version_is_a_conflict(client, world):
    client.force_login(world.community_worker_a)
    url = f"/api/residents/{world.res_a1.pk}"
    ok = client.patch(url, json.dumps({"version": 1, "name": "张三丰"}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, json.dumps({"version": 1, "name": "张叁"}), content_type="application/json")
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    world.res_a1.refresh_from_db()
    assert world.res_a1.name == "张三丰"


def test_street_officer_may_read_but_not_patch(client, world):
    client.force_login(world.street_officer_a)
    url = f"/api/residents/{world.res_a1.pk}"
    assert client.get(url).status_code == 200
    r = client.patch(url, json.dumps({"version": 1, "name": "x"}), content_type="application/json")
    assert r.status_code == 403


def test_openapi_document(client, world):
    client.force_login(world.admin)
    doc = client.get("/api/openapi.json").json()
    assert "/api/residents" in doc["paths"]
