"""Purchased services: only items outside the lists, money and dates checked, acceptance, and the
money shown on the community's funding table."""
import datetime as dt

import pytest

from gongzhi.accounts.models import RoleAssignment
from gongzhi.admission import services
from gongzhi.admission.models import ContractState, ServiceContract
from gongzhi.core.errors import RuleError


def _buy(w, **kw):
    data = {"by": w.street_officer_a, "post": RoleAssignment.objects.get(user=w.street_officer_a),
            "community": w.comm_a, "title": "老年助餐服务", "provider": "东虹社区居民委员会", "price_yuan": "36000",
            "starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2026, 12, 31), "deliverables": "工作日送餐"}
    data.update(kw)
    return services.contract_create(**data)


@pytest.mark.parametrize("kw, message", [
    ({"title": "协助做好社会救助工作"}, "已在本地区清单内"), ({"price_yuan": "0"}, "金额须为大于 0"),
    ({"ends_on": dt.date(2025, 1, 1)}, "结束日期不能早于开始日期"), ({"provider": ""}, "请填写承接方"),
    ({"community": None}, "请选择您岗位所辖范围内的社区"),
])
def test_bad_contracts_are_refused(adm, kw, message):
    with pytest.raises(RuleError, match=message):
        _buy(adm, **kw)
    assert not ServiceContract.objects.exists()


def test_street_cannot_buy_for_another_streets_community(adm):
    with pytest.raises(RuleError, match="所辖范围"):
        _buy(adm, community=adm.comm_b)


def test_acceptance_and_the_funding_table(client, adm):
    c = _buy(adm)
    with pytest.raises(RuleError, match="须写明验收意见"):
        services.contract_accept(contract=c, passed=False, note="", by=adm.street_officer_a)
    c = services.contract_accept(contract=c, passed=True, note="完成", by=adm.street_officer_a)
    assert c.state == ContractState.ACCEPTED and c.history.count() == 2
    with pytest.raises(RuleError, match="不能再验收"):
        services.contract_accept(contract=c, passed=True, note="", by=adm.street_officer_a)
    client.force_login(adm.community_worker_a)
    page = client.get("/duties/contracts/").content.decode()
    assert "老年助餐服务" in page and "¥12,000.00" in page and "¥48,000.00" in page
    client.force_login(adm.community_worker_b)
    assert "老年助餐服务" not in client.get("/duties/contracts/").content.decode()
    assert client.get(f"/duties/contracts/{c.pk}/").status_code == 404
