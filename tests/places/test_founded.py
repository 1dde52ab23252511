"""A community's 组建日期: kept on its page, refused in the future, and read by the funding table
(P-FUND-1, Wuhan: 当年组建社区的由区财政负担全部经费)."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.places import services
from gongzhi.standards import packs, results
from gongzhi.standards.manifest import VIEW_ASSESSMENTS


def test_the_founding_date_is_checked(world):
    with pytest.raises(RuleError, match="不能晚于今天"):
        services.founded_set(place=world.comm_a, founded_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(RuleError, match="1949"):
        services.founded_set(place=world.comm_a, founded_on=dt.date(1900, 1, 1))
    world.comm_a.refresh_from_db()
    assert world.comm_a.founded_on is None


def test_the_community_page_edits_it(client, world):
    client.force_login(world.admin)
    url = f"/places/{world.comm_a.code}/founded/"
    r = client.post(url, {"founded_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 422 and "组建日期不能晚于今天" in r.content.decode()
    r = client.post(url, {"founded_on": "2003-07-01"})
    assert r.status_code == 302
    page = client.get(f"/places/{world.comm_a.code}/").content.decode()
    assert "2003-07-01" in page
    client.force_login(world.community_worker_b)
    assert client.post(f"/places/{world.comm_a.code}/founded/", {"founded_on": "2001-01-01"}).status_code == 404


def test_a_community_formed_this_year_is_paid_wholly_by_the_district(world):
    wuhan = packs.load("wuhan-2011")
    scope = Scope.for_user_capability(world.admin, VIEW_ASSESSMENTS)
    row = lambda: next(r for r in results.funding_table(scope, wuhan)["rows"] if r["community"] == world.comm_a)  # noqa: E731
    before = row()
    assert before["shares"].get("市", 0) > 0
    services.founded_set(place=world.comm_a, founded_on=timezone.localdate().replace(month=1, day=1))
    world.comm_a.refresh_from_db()
    now = row()
    assert now["total"] == before["total"] and now["shares"].get("市", 0) == 0 and now["shares"]["区"] == now["total"]
    services.founded_set(place=world.comm_a, founded_on=dt.date(timezone.localdate().year - 1, 12, 31))
    assert row()["shares"].get("市", 0) > 0                                  # formed last year: the usual split
