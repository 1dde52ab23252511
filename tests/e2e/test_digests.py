"""Digests on a phone: a resident follows a topic of their community and chooses a weekly digest of
topic news through 通知设置; the committee's answer is held for the digest; the digest task sends it
once; the unsubscribe link in it, opened without signing in, switches topic news off and the undo
puts it back."""
import re

from django.utils import timezone

from gongzhi.digests import sending, services
from gongzhi.governance import services as topics
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login, nav_to


def test_resident_follows_a_topic_chooses_a_weekly_digest_and_unsubscribes(page, browser, live_server, live_world,
                                                                          monkeypatch):
    w = live_world
    topic = topics.topic_raise(place=w.comm_a, category="facilities", title="小区东门加装雨棚", text="雨天进出不便",
                               by=w.community_worker_a, raised_as="committee")
    login(page, live_server, "res_a1")
    page.goto(f"{live_server.url}/governance/{topic.pk}/")
    page.click("button[data-follow=topic]")
    page.locator(".messages", has_text="已关注").wait_for()
    assert "取消关注" in page.locator("button[data-follow=topic]").inner_text()
    fits_phone(page)

    nav_to(page, "通知设置")
    page.wait_for_url("**/digests/")
    page.select_option("#kind_topic", "weekly")
    page.click("button >> text=保存")
    page.locator(".messages", has_text="已保存").wait_for()
    assert page.locator("#kind_topic").input_value() == "weekly"
    assert "小区东门加装雨棚" in page.locator("body").inner_text()
    fits_phone(page)
    assert services.frequencies_of(w.resident_user)["topic"] == "weekly"

    topics.answer(topic_id=topic.pk, version=topic.version, kind="deliberation", text="下周三协商",
                  by=w.community_worker_a)
    out = []
    monkeypatch.setattr(sending, "senders", lambda: [type("R", (), {"needs_user": False,
                                                                      "send": lambda self, u, t: out.append((u, t))})()])
    assert sending.send_due(now=timezone.now()) == 1
    assert sending.send_due(now=timezone.now()) == 0
    (user_id, text), = out
    assert user_id == w.resident_user.pk and "每周摘要" in text and "小区东门加装雨棚" in text
    link = re.search(r"不再接收“议题进展”:http://[^/]+(/digests/unsubscribe/[^/\s]+/)", text).group(1)

    context, visitor = _new_page(browser, PHONE_VIEWPORT)  # from the e-mail or SMS, not signed in
    visitor.goto(f"{live_server.url}{link}")
    visitor.click("#confirm-unsubscribe")
    visitor.locator("#unsubscribed", has_text="议题进展").wait_for()
    fits_phone(visitor)
    assert services.frequencies_of(w.resident_user)["topic"] == "off"
    visitor.click("#undo")
    visitor.locator("#undone", has_text="已恢复 1 类").wait_for()
    assert services.frequencies_of(w.resident_user)["topic"] == "weekly"
    visitor.goto(f"{live_server.url}{link[:-6]}XXXXX/")
    assert "退订链接无效" in visitor.locator("#digest-error").inner_text()
    fits_phone(visitor)
    context.close()
