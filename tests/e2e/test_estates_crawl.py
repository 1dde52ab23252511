"""Every estates page for every role of the test world, as a phone in China sees it (zh-CN, 390 px),
with the crawler's checks (tests/e2e/crawl.py): no server error, no link to a refusal, no internal
identifier in the text, nothing wider than the phone, no serious axe-core finding. Only the links
under /estates/ are followed, so the run stays on this module's pages."""
import datetime as dt
from urllib.parse import urlsplit

from django.utils import timezone

from gongzhi.estates import committees, credit, evaluations, services
from tests import factories as f
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, login
from tests.e2e.crawl import (
    AXE_RUN_JS, AXE_SOURCE, OVERFLOW_JS, SKIP, VISIBLE_TEXT_JS, identifiers_in, links_on, url_pattern,
)


def _records(w):
    estate = w.hh_a1.dwelling.building.estate
    firm = services.firm_create(name="宜兴市阳光物业管理有限公司", credit_code="91320282MA1XYC0001")
    manager = services.manager_add(firm=firm, name="欧阳修文")
    today = timezone.localdate()
    start = dt.date(today.year - 1, 1, 1)
    services.contract_create(estate=estate, firm=firm, manager=manager, starts_on=start,
                             ends_on=start.replace(year=start.year + 3), fee_residential="1.20", fee_commercial="2.5",
                             fee_note="按季度缴纳", by=w.community_worker_a)
    c = committees.committee_create(estate=estate, elected_on=today - dt.timedelta(days=5),
                                    term_ends=today + dt.timedelta(days=900), by=w.community_worker_a)
    committees.member_add(committee=c, resident=w.res_a1, post="director")
    m = committees.meeting_call(estate=estate, kind="four_party", title="电梯维修协调", starts_at=timezone.now(),
                                party_rep="书记", committee_rep="主任", owners_rep="业委会主任", firm_rep="项目经理",
                                issues="电梯停运\n车位不足", by=w.community_worker_a)
    committees.meeting_record(meeting_id=m.pk, version=m.version, by=w.community_worker_a, held_on=today,
                              attendance=8, minutes="四方议定",
                              decisions={i.pk: ("限期整改", "firm", None) for i in m.issues.all()})
    ev = evaluations.evaluation_open(estate=estate, year=today.year, by=w.community_worker_a)
    evaluations.evaluation_answer(evaluation=ev, resident=f.resident(f.household(w.grid_a1), "住户甲"),
                                  answers=[4, 4, 3, 5, 4])
    credit.compute(year=today.year)
    credit.blacklist_add(manager=manager, reason="拒不整改", listed_on=today, by=w.admin)


def test_every_estates_page_of_every_role(browser, live_server, live_world):
    w = live_world
    _records(w)
    findings, axe_done = [], set()
    for username in ("cw_a", "gw_a1", "street_a", "admin", "res_a1"):
        context, page = _new_page(browser, PHONE_VIEWPORT)
        try:
            login(page, live_server, username)
            queue = ["/estates/rate/" if username == "res_a1" else "/estates/", "/estates/public/blacklist/"]
            seen, patterns = set(), set()
            while queue and len(seen) < 60:
                url = queue.pop(0)
                if url in seen or url_pattern(url) in patterns:
                    continue
                seen.add(url)
                patterns.add(url_pattern(url))
                response = page.goto(live_server.url + url, wait_until="load")
                status = response.status if response else 0
                if status >= 400:
                    findings.append((username, url, f"HTTP {status}"))
                    continue
                if page.evaluate(OVERFLOW_JS):
                    findings.append((username, url, "overflow " + page.evaluate(OVERFLOW_JS)))
                words = identifiers_in(page.evaluate(VISIBLE_TEXT_JS))
                if words:
                    findings.append((username, url, "identifier " + ", ".join(sorted(set(words)))))
                if url_pattern(url) not in axe_done:
                    axe_done.add(url_pattern(url))
                    page.evaluate(AXE_SOURCE)
                    findings += [(username, url, v) for v in page.evaluate(AXE_RUN_JS)]
                for href in links_on(page):
                    path = urlsplit(href).path
                    if path.startswith("/estates/") and not SKIP.search(href) and href not in seen:
                        queue.append(href)
            assert len(seen) >= (2 if username == "res_a1" else 8), (username, seen)
        finally:
            context.close()
    assert not findings, "\n".join(map(str, findings))
