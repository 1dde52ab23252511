"""The public entry: a visitor at / lands on a page linking every public page, with the way in."""
from django.urls import reverse

from gongzhi.core import modules


def _public_urls():
    return [reverse(p.url_name) for m in modules.modules() for p in m.public_pages]


def test_a_visitor_at_the_root_lands_on_the_public_home(client, world):
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/public/"
    page = client.get("/public/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "共治社区治理平台" in html and 'data-testid="login-button"' in html and "/accounts/login/" in html
    assert _public_urls() and all(f'href="{url}"' in html for url in _public_urls())
    assert "正在办理的群众诉求" in html  # each page says what it is
    for url in _public_urls():  # and each opens without an account
        assert client.get(url).status_code == 200, url


def test_the_login_page_links_the_public_home_and_every_public_page(client, world):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/public/"' in html
    assert all(f'href="{url}"' in html for url in _public_urls())


def test_signed_in_users_keep_their_home(client, world):
    client.force_login(world.community_worker_a)
    assert client.get("/").status_code == 200
    html = client.get("/public/").content.decode()
    assert "进入我的首页" in html and 'data-testid="login-button"' not in html


def test_public_map_outlines_carry_grid_names(client, world):
    world.grid_a1.boundary = {"type": "Polygon", "coordinates": [[[119.8, 31.36], [119.81, 31.36], [119.81, 31.37],
                                                                   [119.8, 31.36]]]}
    world.grid_a1.save()
    data = client.get("/orders/public/open.geojson").json()
    names = [g["properties"]["name"] for g in data["grids"]]
    assert len(names) == 1 and world.grid_a1.name in names[0] and world.comm_a.name in names[0]
    html = client.get("/orders/public/map/").content.decode()
    assert "每个圆点是一件正在办理的群众诉求" in html and "100 米" in html
