"""Caches are shared by every process of every node (settings.CACHES from GONGZHI_CACHE_URL):
a key revoked on one node is refused on another at once, and edits to the catalogue, the
calendar and the staff posts are seen everywhere on the next read.

"Another node" here is a second Python process with the same settings (same cache URL, as two
app servers would have); tests/ops/test_two_nodes.py does the same with two real servers."""
import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.core.cache import cache

from gongzhi.accounts.models import Role, RoleAssignment
from gongzhi.core import cacheurl, caching
from gongzhi.workorders import apikeys, calendar, notify, selectors
from gongzhi.workorders.models import CalendarDay, Category
from tests import factories

_NODE = textwrap.dedent("""
    import json, sys
    import django
    django.setup()
    from gongzhi.core import caching
    from gongzhi.workorders import apikeys
    from django.core.cache import cache
    for line in sys.stdin:
        op, arg = json.loads(line)
        try:
            if op == "check":
                key = apikeys.apikey_check(arg)
                out = key.prefix if key else None
            elif op == "bump":
                caching.bump(arg); out = "ok"
            elif op == "set":
                cache.set(arg[0], arg[1], 60); out = "ok"
            elif op == "get":
                out = cache.get(arg)
        except Exception as exc:  # e.g. a query on this process's empty database: the cache did not answer
            out = f"error: {type(exc).__name__}"
        print(json.dumps(out), flush=True)
""")


class OtherNode:
    """A second process with the same settings, asked one thing at a time."""

    def __init__(self):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongzhi.settings"}
        self.proc = subprocess.Popen([sys.executable, "-c", _NODE], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def ask(self, op, arg):
        self.proc.stdin.write(json.dumps([op, arg]) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def other_node():
    node = OtherNode()
    yield node
    node.close()


def test_the_configured_cache_is_shared_between_processes(other_node):
    assert cacheurl.parse(os.environ.get("GONGZHI_CACHE_URL"), data_dir=__import__("pathlib").Path("/x"))[
        "BACKEND"] != "django.core.cache.backends.locmem.LocMemCache"
    cache.set("probe", "from here", 60)
    assert other_node.ask("get", "probe") == "from here"
    other_node.ask("set", ["probe", "from there"])
    assert cache.get("probe") == "from there"


def test_a_revoked_key_is_refused_at_once_on_another_node(db, other_node):
    key, raw = apikeys.apikey_create(name="市民热线")
    assert apikeys.apikey_check(raw) == key
    # the other node answers from the shared entry (its own database does not even hold the key)
    assert other_node.ask("check", raw) == key.prefix
    apikeys.apikey_revoke(prefix=key.prefix)
    assert other_node.ask("check", raw) is None
    assert apikeys.apikey_check(raw) is None


def test_a_reader_that_loaded_the_key_before_the_revocation_cannot_put_it_back(db):
    key, raw = apikeys.apikey_create(name="网格通")
    digest_key = apikeys._cache_key(__import__("gongzhi.core.crypto", fromlist=["x"]).keyed_hash(raw))
    stale = key  # what a reader on another node loaded a moment before the revocation

    def slow_load():
        apikeys.apikey_revoke(prefix=key.prefix)  # the revocation lands while the reader is loading
        return stale
    assert caching.remember(digest_key, slow_load) is stale  # the reader uses what it loaded, once
    assert apikeys.apikey_check(raw) is None  # but did not store it over the refusal


def test_a_category_edit_is_seen_at_once(db, other_node):
    code = Category.objects.filter(active=True).values_list("code", flat=True).first()
    assert selectors.active_category_cached(code) is not None
    Category.objects.filter(code=code).update(active=False)
    assert selectors.active_category_cached(code) is not None  # a bulk update says nothing: kept a minute
    category = Category.objects.get(code=code)
    category.save()  # any save (the catalogue page, the admin) drops the entry everywhere
    assert selectors.active_category_cached(code) is None


def test_a_calendar_edit_on_another_node_is_seen_on_the_next_read(db, other_node):
    import datetime as dt
    day = dt.date(2031, 6, 2)  # a Monday
    assert calendar.is_workday(day)
    CalendarDay.objects.bulk_create([CalendarDay(date=day, is_workday=False, name="端午节")])  # no signal
    assert calendar.is_workday(day)  # this process still holds its copy
    other_node.ask("bump", "calendar")  # the node that made the edit says so
    assert not calendar.is_workday(day)


def test_a_new_community_worker_hears_of_the_next_report_at_once(db):
    g = factories.grid(factories.community(factories.street(factories.district())))
    community = g.parent
    first = factories.user("sq1", Role.COMMUNITY, community)
    assert notify.users_at(community, [Role.COMMUNITY]) == [first.pk]
    second = factories.user("sq2")
    RoleAssignment.objects.create(user=second, role=Role.COMMUNITY, place=community)
    assert sorted(notify.users_at(community, [Role.COMMUNITY])) == sorted([first.pk, second.pk])
    second.is_active = False
    second.save()
    assert notify.users_at(community, [Role.COMMUNITY]) == [first.pk]


def test_cache_urls():
    from pathlib import Path
    d = Path("/srv/data")
    assert cacheurl.parse("", data_dir=d)["LOCATION"] == "/srv/data/cache"
    assert cacheurl.parse("redis://127.0.0.1:6379/1", data_dir=d)["BACKEND"].endswith("RedisCache")
    assert cacheurl.parse("db://", data_dir=d)["LOCATION"] == "gongzhi_cache"
    assert cacheurl.parse("db://my_cache", data_dir=d)["LOCATION"] == "my_cache"
    assert cacheurl.parse("file:///var/cache/g", data_dir=d)["LOCATION"] == "/var/cache/g"
    with pytest.raises(cacheurl.CacheUrlError, match="memcached"):
        cacheurl.parse("memcached://x", data_dir=d)
