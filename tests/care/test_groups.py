"""Care groups derived from the registry: each shape of household gives its groups, the registry's
changes (an absence, a return, a death) show at once, the set-based query equals the plain
reference, the worker's confirmations and corrections count, and bad input changes nothing."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.care import services
from gongzhi.care.groups import annotate_groups, groups_of, groups_reference, registry_residents
from gongzhi.care.models import GroupReview
from gongzhi.people.models import Absence
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessLog
from gongzhi.people.models import CareTag
from tests.care.conftest import person
from tests.factories import household

TODAY = dt.date.today()


def _groups(qs=None):
    qs = annotate_groups(qs if qs is not None else registry_residents(), TODAY)
    return {r.name: set(groups_of(r)) for r in qs}


def test_each_household_shape_gives_its_groups(homes):
    g = _groups()
    assert g["孤老甲"] == {"living_alone", "very_old"}
    assert g["老夫乙"] == g["老妻乙"] == {"elders_only"}
    assert g["爷爷丙"] == {"left_behind_elder"}  # with a grandchild whose parents are not there
    assert g["孙子丙"] == {"left_behind_child"}
    assert g["父亲丁"] == g["儿子丁"] == g["青年戊"] == set()


def test_registry_changes_show_at_once(homes, world):
    w = world
    # both parents go away to work: the child is left behind
    services.absence_record(resident=homes.father, reason="work", since=TODAY, destination="苏州", by=w.community_worker_a)
    assert _groups()["儿子丁"] == set()  # the mother is still at home
    services.absence_record(resident=homes.mother, reason="work", since=TODAY, by=w.community_worker_a)
    assert _groups()["儿子丁"] == {"left_behind_child"}
    # the father comes back
    absence = Absence.objects.get(resident=homes.father)
    services.absence_return(absence=absence, returned_on=TODAY, by=w.community_worker_a)
    assert _groups()["儿子丁"] == set()
    # an elder couple whose son is registered with them but away: left behind; the son is away, so not at home
    hh = household(w.grid_a1)
    elder = person(hh, "留守庚", 70)
    son = person(hh, "儿子庚", 40, relation="20")
    assert _groups()["留守庚"] == set()
    services.absence_record(resident=son, reason="work", since=TODAY, by=w.grid_worker_a1)
    assert _groups()["留守庚"] == {"living_alone", "left_behind_elder"}
    # a disabled tag from the registry
    elder.care_tags.add(CareTag.objects.get(code="disabled"))
    assert "disabled" in _groups()["留守庚"]
    # a death removes the person, and the widow is now living alone
    homes.old_wife.status = "deceased"
    homes.old_wife.save()
    g = _groups()
    assert "老妻乙" not in g and g["老夫乙"] == {"living_alone"}


def test_set_based_query_equals_the_reference(homes, world):
    services.absence_record(resident=homes.mother, reason="work", since=TODAY, by=world.community_worker_a)
    services.absence_record(resident=homes.father, reason="study", since=TODAY, by=world.community_worker_a)
    services.disability_record(resident=homes.young, kind="physical", grade=2, by=world.community_worker_a)
    hh = household(world.grid_a2)
    for i, age in enumerate((90, 61, 59, 15, 3)):
        person(hh, f"混合{i}", age, relation=("02", "10", "20", "41", "42")[i])
    fast = {r.pk: set(groups_of_derived(r)) for r in annotate_groups(registry_residents(), TODAY, reviews=False)}
    assert fast == groups_reference(registry_residents(), TODAY)
    assert any(fast.values())


def groups_of_derived(row):
    from gongzhi.care.groups import GROUPS
    return [g for g in GROUPS if getattr(row, f"g_{g}")]


def test_worker_confirms_and_corrects_with_a_reason(homes, world):
    cw = world.community_worker_a
    services.group_review(resident=homes.alone, group="living_alone", decision="confirm", reason="入户核实", by=cw)
    services.group_review(resident=homes.old_man, group="elders_only", decision="exclude",
                          reason="儿子每天回家照料", by=cw)
    services.group_review(resident=homes.young, group="disabled", decision="include", reason="持残疾证,户籍未标注",
                          by=cw)
    g = _groups()
    assert "elders_only" not in g["老夫乙"] and g["老妻乙"] == {"elders_only"}
    assert g["青年戊"] == {"disabled"}
    # refusals: each names what is wrong and changes nothing
    before = GroupReview.objects.count()
    for kw, message in (
            ({"group": "living_alone", "decision": "confirm", "reason": "x", "resident": homes.young},
             "不能“核实属实”"),
            ({"group": "living_alone", "decision": "include", "reason": "x", "resident": homes.alone}, "无需补充纳入"),
            ({"group": "living_alone", "decision": "confirm", "reason": " ", "resident": homes.alone}, "理由"),
            ({"group": "nobody", "decision": "confirm", "reason": "x", "resident": homes.alone}, "请选择人群"),
            ({"group": "living_alone", "decision": "maybe", "reason": "x", "resident": homes.alone}, "核实结果")):
        with pytest.raises(RuleError, match=message):
            services.group_review(by=cw, **kw)
    with pytest.raises(PermissionDenied):
        services.group_review(resident=world.res_b1, group="living_alone", decision="include", reason="x", by=cw)
    assert GroupReview.objects.count() == before
    with pytest.raises(ValueError):
        GroupReview.objects.first().delete()


def test_absence_refusals(homes, world):
    cw = world.community_worker_a
    with pytest.raises(RuleError, match="外出日期不能晚于今天"):
        services.absence_record(resident=homes.father, reason="work", since=TODAY + dt.timedelta(days=1), by=cw)
    with pytest.raises(RuleError, match="外出原因"):
        services.absence_record(resident=homes.father, reason="", since=TODAY, by=cw)
    a = services.absence_record(resident=homes.father, reason="work", since=TODAY - dt.timedelta(days=9), by=cw)
    with pytest.raises(RuleError, match="已登记外出"):
        services.absence_record(resident=homes.father, reason="work", since=TODAY, by=cw)
    with pytest.raises(RuleError, match="返回日期不能早于外出日期"):
        services.absence_return(absence=a, returned_on=TODAY - dt.timedelta(days=10), by=cw)
    with pytest.raises(RuleError, match="残疾等级"):
        services.disability_record(resident=homes.father, kind="sight", grade="五", by=cw)
    assert Absence.objects.count() == 1


def test_pages_count_name_and_log(homes, world, client):
    client.force_login(world.community_worker_a)
    page = client.get("/care/").content.decode()
    assert 'data-testid="count-living_alone">1<' in page and "孤老甲" in page and "青年戊" not in page
    assert "王五" not in page
    page = client.get("/care/?group=left_behind_child").content.decode()
    assert "孙子丙" in page and "孤老甲" not in page
    before = AccessLog.objects.count()
    page = client.get(f"/care/people/{homes.alone.pk}/").content.decode()
    assert "孤老甲" in page and AccessLog.objects.count() == before + 1
    # a correction through the page, and a refusal shown in Chinese with nothing changed
    r = client.post(f"/care/people/{homes.young.pk}/review/", {"group": "living_alone", "decision": "confirm",
                                                              "reason": "核实"})
    assert r.status_code == 422 and "不能“核实属实”" in r.content.decode()
    r = client.post(f"/care/people/{homes.young.pk}/absences/", {"reason": "work", "since": "2026-13-01"})
    assert r.status_code == 422 and "外出日期请按 年-月-日 填写" in r.content.decode()
    r = client.post(f"/care/people/{homes.young.pk}/review/", {"group": "disabled", "decision": "include",
                                                              "reason": "持证"})
    assert r.status_code == 302
    assert "青年戊" in client.get("/care/?group=disabled").content.decode()
    # the street reads counts only
    client.force_login(world.street_officer_a)
    assert client.get("/care/").status_code == 403
    page = client.get("/care/overview/").content.decode()
    assert "东虹社区" in page and "孤老甲" not in page
