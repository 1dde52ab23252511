"""A worker with two posts, in a real browser on a phone: community worker of 东虹 (A) and grid worker of
a 南岳 (B) grid. Each page reads through the posts that grant its capability: the topic list shows both
communities' topics (both roles may view them), the answer desk and a B topic's answer form only A's
(answering is the committee's), and the mailbox only A's letters (a grid post reads none)."""
import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.governance import mailbox, services
from gongzhi.governance.models import Topic, TopicState
from tests.e2e.conftest import PHONE_VIEWPORT, login
from tests.factories import user, user_with_posts


def _waiting(w, community, title):
    topic = services.topic_raise(place=community, category="facilities", title=title, text="请尽快处理",
                                 by=w.community_worker_a if community == w.comm_a else w.community_worker_b,
                                 raised_as="committee")
    Topic.objects.filter(pk=topic.pk).update(state=TopicState.WAITING, waiting_since=timezone.now(),
                                             answer_due_at=timezone.now() + dt.timedelta(days=3))
    return topic


def test_each_page_reads_through_the_posts_that_grant_it(page, live_server, live_world):
    w = live_world
    user_with_posts("two_posts", ("community", w.comm_a, ""), ("grid", w.grid_b1, ""))
    _waiting(w, w.comm_a, "东虹路灯")
    b_topic = _waiting(w, w.comm_b, "南岳井盖")
    mailbox.letter_send(by=w.resident_user, to="secretary", subject="东虹来信", text="东虹的信")
    wang = user("wang_b", "resident", w.comm_b, resident=w.res_b1)
    mailbox.letter_send(by=wang, to="secretary", subject="南岳来信", text="南岳的信")

    login(page, live_server, "two_posts")
    page.goto(f"{live_server.url}/governance/")
    expect(page.get_by_test_id("topic-list")).to_contain_text("东虹路灯")
    expect(page.get_by_test_id("topic-list")).to_contain_text("南岳井盖")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"] + 1

    page.goto(f"{live_server.url}/governance/desk/")
    expect(page.get_by_test_id("desk-waiting")).to_have_text("1")
    expect(page.locator("main")).to_contain_text("东虹路灯")
    expect(page.locator("main")).not_to_contain_text("南岳井盖")

    page.goto(f"{live_server.url}/governance/{b_topic.pk}/")
    expect(page.locator("h1")).to_have_text("南岳井盖")
    expect(page.get_by_role("button", name="提交答复")).to_have_count(0)

    page.goto(f"{live_server.url}/governance/mailbox/")
    expect(page.get_by_test_id("letters-open")).to_have_text("1")
    expect(page.locator("main")).to_contain_text("东虹来信")
    expect(page.locator("main")).not_to_contain_text("南岳来信")
