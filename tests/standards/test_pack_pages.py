"""The pack viewer shows every rule with its clause and reading, and the funding calculator."""


def test_pack_viewer_and_calculator(client, world):
    client.force_login(world.community_worker_a)
    listing = client.get("/standards/packs/").content.decode()
    assert "yixing-2019" in listing and "wuhan-2011" in listing
    page = client.get("/standards/packs/yixing-2019/?households=2550&area=urban&street=宜城街道")
    text = page.content.decode()
    assert page.status_code == 200
    assert "3000 户都属 12 万元一档" in text  # the reading taken for the ambiguous clause
    assert "P-FAC-2" in text and "≥ 40 m²" in text
    assert "每年合计 280500.00 元" in text
    assert client.get("/standards/packs/yixing-2019/?households=abc").status_code == 400
    assert client.get("/standards/packs/atlantis/").status_code == 404


def test_residents_do_not_see_the_viewer(client, world):
    client.force_login(world.resident_user)
    assert client.get("/standards/packs/").status_code == 403
