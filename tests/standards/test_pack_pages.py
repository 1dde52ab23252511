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
    assert "每年合计 ¥280,500.00" in text  # money: grouped, two decimals
    assert client.get("/standards/packs/yixing-2019/?households=abc").status_code == 400
    assert client.get("/standards/packs/atlantis/").status_code == 404


def test_residents_do_not_see_the_viewer(client, world):
    client.force_login(world.resident_user)
    assert client.get("/standards/packs/").status_code == 403


def test_every_pack_shows_its_rules_in_words(client, world):
    from gongzhi.standards import packs
    client.force_login(world.street_officer_a)
    for path in sorted(packs.PACK_DIR.glob("*.yaml")):
        pack = packs.load_pack(path)
        page = client.get(f"/standards/packs/{pack.id}/").content.decode()
        for reading in pack.readings:
            assert reading["clause"][:20] in page, (pack.id, reading["rule"])
        for u in pack.unverifiable:
            assert u["rule"] in page
        assert "community ·" not in page and "urban/rural" not in page  # who it applies to, in Chinese
    wuhan = client.get("/standards/packs/wuhan-2011/").content.decode()
    assert "社区(村) · 仅普通型" in wuhan  # P-SIZE-2 exempts unit and market-town communities
