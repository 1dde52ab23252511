"""Every page of every demo role, as a phone in China sees it (zh-CN, 390 px): the crawler
(tests/e2e/crawl.py) follows every link from the home page and fails on a server error,
a link that leads to a refusal, an internal identifier on the page, a page wider than
the phone, or a serious or critical issue axe-core finds."""
import pytest

from gongzhi.core import demo
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.crawl import crawl, identifiers_in, login, url_pattern

PASSWORD = "crawl-demo-password"
# Pages of one pattern are alike: one of each is enough, and a cap keeps the run bounded.
PAGES_PER_ROLE = 150


@pytest.fixture
def demo_district(transactional_db, monkeypatch):
    monkeypatch.setenv(demo.PASSWORD_ENV, PASSWORD)
    demo.build_demo(scale=0.02)
    # and the family account of a relative outside the registry (no post, no registry record: care's demo)
    return [a.username for a in demo.ACCOUNTS] + ["jiashu"]


def test_every_page_of_every_demo_role(browser, live_server, demo_district):
    findings, visited, axe_done = [], {}, set()
    for username in demo_district:
        context = browser.new_context(locale="zh-CN", viewport=PHONE_VIEWPORT, bypass_csp=True)
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            login(page, live_server.url, username, PASSWORD)
            result = crawl(page, live_server.url, username, limit=PAGES_PER_ROLE, axe_done=axe_done)
        finally:
            context.close()
        visited[username] = len(result.visited)
        findings += result.findings
    # every role reaches more than its home page (the crawl really ran); the family account has few pages
    assert all(n >= (2 if username == "jiashu" else 5) for username, n in visited.items()), visited
    assert not findings, "\n".join(str(f) for f in findings)


def test_the_crawler_sees_identifiers_but_not_codes_and_numbers():
    """The identifier check itself: internal keys fail, the codes and units people use pass."""
    assert identifiers_in("满意度 satisfaction 达标") == ["satisfaction"]
    assert identifiers_in("来源:002_a2b823a9269d99bc.txt") == ["a2b823a9269d99bc.txt"]
    assert identifiers_in("见 docs/policy-packs.md") == ["docs/policy-packs.md"]
    assert identifiers_in("facility-area 未达标") == ["facility-area"]
    assert identifiers_in("工单 GD202603010000012 已办结,用时 3 h,面积 350 m²,Open311 接口,导出 Excel") == []
    assert identifiers_in("条目 P-EVAL-2:居民满意度") == []
    assert url_pattern("/orders/12/?page=3&state=open") == "/orders/N/?state"
