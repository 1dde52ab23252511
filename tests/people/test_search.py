import pytest

from gongzhi.core.scope import Scope
from gongzhi.people.manifest import VIEW_PEOPLE
from gongzhi.people import selectors, services


@pytest.fixture
def cw_scope(world):
    return Scope.for_user_capability(world.community_worker_a, VIEW_PEOPLE)


def names(scope, q):
    return sorted(r.name for r in selectors.resident_list(scope=scope, q=q))


def test_search_by_every_key(world, cw_scope):
    full = services.resident_reveal(resident=world.res_a1)["id_number"]
    assert names(cw_scope, "张") == ["张三"]
    assert names(cw_scope, "zs") == ["张三"]
    assert names(cw_scope, "ZHANG") == ["张三"]
    assert names(cw_scope, full[-4:]) == ["张三"]
    assert names(cw_scope, full.lower()) == ["张三"]
    assert names(cw_scope, "HA2") == ["李四"]
    assert names(cw_scope, world.res_a2.dwelling.address[-6:]) == ["李四"]


def test_search_never_leaves_the_scope(world, cw_scope):
    full_b = services.resident_reveal(resident=world.res_b1)["id_number"]
    assert names(cw_scope, "王五") == []
    assert names(cw_scope, full_b) == []
    assert names(cw_scope, "HB1") == []


def test_page_reads_rows_in_order_with_few_queries(world, cw_scope, django_assert_max_num_queries):
    qs = selectors.resident_list(scope=cw_scope)
    with django_assert_max_num_queries(4):
        page = selectors.resident_page(qs, 1, 1, with_tags=True)
        assert [r.name for r in page.object_list] == ["张三"] and page.paginator.count == 2
        assert page.object_list[0].household.number == "HA1"
    assert [r.name for r in selectors.resident_page(qs, 2, 1).object_list] == ["李四"]
