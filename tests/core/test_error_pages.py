"""Error pages are in Chinese, inside the site's layout, with the reason the code gives and a way
back; Django's own messages are in Chinese whatever language the browser asks for."""
from django.template.loader import render_to_string
from django.test import Client


def test_not_found_is_chinese_in_the_layout(client, world):
    client.force_login(world.grid_worker_a1)
    r = client.get("/people/residents/999999/", HTTP_ACCEPT_LANGUAGE="en-US")
    text = r.content.decode()
    assert r.status_code == 404 and "没有找到这个页面" in text and 'class="top"' in text and "回到首页" in text


def test_forbidden_says_why(client, world):
    client.force_login(world.department)
    r = client.get("/orders/new/", HTTP_ACCEPT_LANGUAGE="en-US")
    text = r.content.decode()
    assert r.status_code == 403 and "职能部门账号不能直接上报工单" in text and 'data-testid="error-page"' in text


def test_djangos_own_messages_are_chinese_for_an_english_browser(client, world):
    client.force_login(world.admin)
    text = client.post("/accounts/new/", {"username": "x"}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "这个字段是必填项" in text and "This field is required" not in text


def test_a_stale_form_explains_itself(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    r = client.post("/accounts/new/", {"username": "x"})
    assert r.status_code == 403 and "页面已过期" in r.content.decode()


def test_the_server_error_page_stands_alone():
    text = render_to_string("500.html")
    assert "系统出错了" in text and "{%" not in text


def test_the_login_page_links_every_public_page_the_modules_register(client, db):
    from django.urls import reverse

    from gongzhi.core import modules
    page = client.get("/accounts/login/").content.decode()
    public = [p for m in modules.modules() for p in m.public_pages]
    assert public and all(reverse(p.url_name) in page and p.label in page for p in public)
    for p in public:
        assert client.get(reverse(p.url_name)).status_code == 200, p.url_name


def test_the_header_names_every_role_of_a_user_with_two_posts(client, world):
    from tests.factories import user_with_posts
    u = user_with_posts("two", ("community", world.comm_a, ""), ("department", world.street_b, "城管局"))
    client.force_login(u)
    assert "职能部门、社区工作者" in client.get("/").content.decode()
