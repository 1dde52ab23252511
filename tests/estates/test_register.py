"""Estates, management modes, firms, managers and contracts; a blacklisted firm or manager gets no
new contract (a clear Chinese message, nothing written)."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.estates import credit, services
from gongzhi.estates.models import Contract, EstateProfile, ManagementMode
from tests.estates.helpers import CODE_2, contract, estate_of, firm_and_manager

pytestmark = pytest.mark.django_db


def test_contract_makes_the_estate_firm_managed(world):
    estate = estate_of(world.hh_a1)
    firm, manager = firm_and_manager()
    c = contract(world, estate, firm, manager)
    assert c.community_id == world.comm_a.pk and str(c.fee_residential) == "1.20"
    assert EstateProfile.objects.get(estate=estate).mode == ManagementMode.FIRM
    assert services.current_contract(estate) == c


@pytest.mark.parametrize("kw, message", [
    ({"fee_residential": "abc"}, "住宅物业费"),
    ({"fee_residential": "-1"}, "住宅物业费"),
    ({"fee_residential": "1.234"}, "住宅物业费"),
    ({"fee_residential": "NaN"}, "住宅物业费"),
    ({"fee_commercial": "99"}, "非住宅物业费"),
    ({"ends_on": dt.date(2020, 1, 1)}, "须晚于起始日期"),
])
def test_bad_contract_input_is_refused(world, kw, message):
    estate = estate_of(world.hh_a1)
    firm, manager = firm_and_manager()
    args = dict(estate=estate, firm=firm, manager=manager, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2028, 12, 31),
                fee_residential="1.00", by=world.community_worker_a)
    args.update(kw)
    with pytest.raises(RuleError, match=message):
        services.contract_create(**args)
    assert Contract.objects.count() == 0


def test_overlapping_contracts_and_foreign_manager_are_refused(world):
    estate = estate_of(world.hh_a1)
    firm, manager = firm_and_manager()
    other, other_manager = firm_and_manager(CODE_2, "宜兴市东方物业服务有限公司", "孙八")
    contract(world, estate, firm, manager)
    with pytest.raises(RuleError, match="合同期不能重叠"):
        contract(world, estate, other, other_manager)
    with pytest.raises(RuleError, match="不属于"):
        services.contract_create(estate=estate, firm=firm, manager=other_manager, starts_on=dt.date(2040, 1, 1),
                                 ends_on=dt.date(2041, 1, 1), fee_residential="1", by=world.community_worker_a)
    assert Contract.objects.count() == 1


def test_blacklisted_firm_gets_no_new_contract(world):
    estate = estate_of(world.hh_a1)
    firm, manager = firm_and_manager()
    credit.blacklist_add(firm=firm, reason="年度信用分低于 60 分", listed_on=timezone.localdate(),
                         by=world.street_officer_a)
    with pytest.raises(RuleError) as exc:
        contract(world, estate, firm, manager)
    assert "宜兴市阳光物业管理有限公司" in str(exc.value) and "列入物业黑名单" in str(exc.value)
    assert "年度信用分低于 60 分" in str(exc.value)
    assert Contract.objects.count() == 0
    assert not EstateProfile.objects.filter(estate=estate, mode=ManagementMode.FIRM).exists()


def test_blacklisted_manager_gets_no_new_contract_until_the_appeal_revokes_it(world):
    estate = estate_of(world.hh_a1)
    firm, manager = firm_and_manager()
    entry = credit.blacklist_add(manager=manager, reason="拒不整改电梯故障", listed_on=timezone.localdate(),
                                 by=world.street_officer_a)
    with pytest.raises(RuleError, match="项目经理「赵六」已于 .* 列入物业黑名单"):
        contract(world, estate, firm, manager)
    assert Contract.objects.count() == 0
    entry = credit.appeal(entry_id=entry.pk, version=entry.version, appeal_text="已整改完毕")
    with pytest.raises(RuleError, match="项目经理「赵六」"):
        contract(world, estate, firm, manager)  # a pending appeal changes nothing
    credit.appeal_decide(entry_id=entry.pk, version=entry.version, revoke=True, answer="核实已整改",
                         by=world.street_officer_a)
    assert contract(world, estate, firm, manager).manager == manager
    entry.refresh_from_db()
    assert entry.appeal_state == "revoked"  # the row stays


def test_an_expired_blacklist_entry_no_longer_blocks(world):
    estate = estate_of(world.hh_a1)
    firm, manager = firm_and_manager()
    credit.blacklist_add(firm=firm, reason="违规收费", listed_on=dt.date(2020, 1, 1), until=dt.date(2021, 1, 1),
                         by=world.street_officer_a)
    assert contract(world, estate, firm, manager).firm == firm


def test_social_organisation_mode_needs_a_social_organisation_of_the_community(world):
    estate = estate_of(world.hh_a1)
    profile = services.profile_of(estate)
    with pytest.raises(RuleError, match="社会组织托管"):
        services.profile_set(estate=estate, version=profile.version, by=world.community_worker_a,
                             mode=ManagementMode.SOCIAL_ORG, steward=world.org_b)
    with pytest.raises(RuleError, match="物业服务合同"):
        services.profile_set(estate=estate, version=profile.version, by=world.community_worker_a,
                             mode=ManagementMode.FIRM)
    profile = services.profile_set(estate=estate, version=profile.version, by=world.community_worker_a,
                                   mode=ManagementMode.COMMITTEE, old_estate=True, built_year=1992)
    assert profile.mode == "committee" and profile.old_estate and profile.version == 2


def test_firm_credit_code_is_checked(world):
    with pytest.raises(RuleError, match="统一社会信用代码应为 18 位"):
        services.firm_create(name="某物业", credit_code="123")
    firm_and_manager()
    with pytest.raises(RuleError, match="已登记为"):
        firm_and_manager()


def test_pages(world, client):
    estate = estate_of(world.hh_a1)
    firm, manager = firm_and_manager()
    client.force_login(world.community_worker_a)
    assert "东虹社区小区" in client.get("/estates/").content.decode()
    r = client.post(f"/estates/{estate.pk}/contracts/new/", {
        "firm": firm.pk, "manager": manager.pk, "starts_on": "2026-01-01", "ends_on": "2028-12-31",
        "fee_residential": "abc"})
    assert r.status_code == 422 and "住宅物业费" in r.content.decode()
    credit.blacklist_add(firm=firm, reason="违规收费", listed_on=timezone.localdate(), by=world.street_officer_a)
    r = client.post(f"/estates/{estate.pk}/contracts/new/", {
        "firm": firm.pk, "manager": manager.pk, "starts_on": "2026-01-01", "ends_on": "2028-12-31",
        "fee_residential": "1.5"})
    assert r.status_code == 422 and "列入物业黑名单" in r.content.decode()
    assert Contract.objects.count() == 0
    page = client.get(f"/estates/{estate.pk}/").content.decode()
    assert "管理方式" in page and "物业投诉" in page
    assert client.get(f"/estates/firms/{firm.pk}/").status_code == 200
    assert client.get("/estates/firms/").status_code == 200


def test_a_contract_is_renewed_from_the_estate_page_or_ended_early_with_a_reason(world, client):
    estate = estate_of(world.hh_a1)
    firm, manager = firm_and_manager()
    today = timezone.localdate()
    c = services.contract_create(estate=estate, firm=firm, manager=manager, starts_on=today - dt.timedelta(days=300),
                                 ends_on=today + dt.timedelta(days=60), fee_residential="1.20", by=world.community_worker_a)
    client.force_login(world.community_worker_a)
    page = client.get(f"/estates/{estate.pk}/").content.decode()
    assert "60 天后到期" in page and f"?renew={c.pk}" in page and "提前终止" in page
    # the renewal form starts the day after the contract ends, for as long again, with its fees
    form = client.get(f"/estates/{estate.pk}/contracts/new/?renew={c.pk}").content.decode()
    starts = c.ends_on + dt.timedelta(days=1)
    assert "续签物业服务合同" in form and starts.isoformat() in form and "1.20" in form
    assert (starts + (c.ends_on - c.starts_on)).isoformat() in form
    # a firm blacklisted since cannot renew
    credit.blacklist_add(firm=firm, reason="违规收费", listed_on=today, by=world.street_officer_a)
    r = client.post(f"/estates/{estate.pk}/contracts/new/", {
        "firm": firm.pk, "manager": manager.pk, "starts_on": starts.isoformat(),
        "ends_on": (starts + dt.timedelta(days=365)).isoformat(), "fee_residential": "1.20"})
    assert r.status_code == 422 and "黑名单" in r.content.decode() and Contract.objects.count() == 1
    # ending early: a day outside the contract and an empty reason are refused; then ended, once
    url = f"/estates/contracts/{c.pk}/end/"
    client.post(url, {"ended_on": (c.ends_on + dt.timedelta(days=1)).isoformat(), "reason": "业主大会决定解聘"})
    client.post(url, {"ended_on": today.isoformat(), "reason": ""})
    c.refresh_from_db()
    assert c.ended_on is None
    r = client.post(url, {"ended_on": today.isoformat(), "reason": "业主大会决定解聘"}, follow=True)
    c.refresh_from_db()
    assert c.ended_on == today and c.end_reason == "业主大会决定解聘" and "已终止" in r.content.decode()
    r = client.post(url, {"ended_on": today.isoformat(), "reason": "再次"}, follow=True)
    assert f"该合同已于 {today} 终止" in r.content.decode()
    c.refresh_from_db()
    assert c.end_reason == "业主大会决定解聘"
    # another community's worker cannot reach it; a grid worker (no manage_estates) is refused
    client.force_login(world.community_worker_b)
    assert client.post(url, {"ended_on": today.isoformat(), "reason": "x"}).status_code == 404
    client.force_login(world.grid_worker_a1)
    assert client.post(url, {"ended_on": today.isoformat(), "reason": "x"}).status_code == 403
