"""A service project's contract and the purchased service (政府购买服务, admission's ServiceContract) it
fulfils: registered from the contract by a street post (so the burden dashboard counts it as bought with
money), or linked to an existing one of the community; refused when already linked, taken, voided, of
another community or cheaper than the contract; shown on both sides (admission names no network code)."""
import datetime as dt

import pytest

from gongzhi.accounts.models import RoleAssignment
from gongzhi.admission import services as admission
from gongzhi.admission.models import ServiceContract
from gongzhi.core.errors import RuleError
from gongzhi.network import projects, services
from gongzhi.network.models import Contract, ProjectEvent
from tests.factories import community, user


@pytest.fixture
def signed(world):
    w = world
    w.cw, w.today = w.community_worker_a, dt.date.today()
    w.org = services.org_register(community=w.comm_a, name="东虹社会工作服务中心", field_code="elderly",
                                  registration="registered", by=w.cw).organisation
    p = projects.project_design(community=w.comm_a, title="独居老人探访", field_code="elderly", goals="每周探访",
                                indicators="探访 30 人", budget="30000", payer="宜城街道",
                                starts_on=w.today - dt.timedelta(days=5), ends_on=w.today + dt.timedelta(days=200),
                                by=w.cw)
    p = projects.project_assign(project=p, version=p.version, organisation=w.org, by=w.cw)
    projects.contract_sign(project=p, version=p.version, number_text="HT-1", amount="28000", signed_on=w.today,
                           by=w.cw)
    w.project = p
    return w


def _buy(w, community=None, price="30000", title="老年探访服务"):
    return admission.contract_create(
        by=w.street_officer_a, post=RoleAssignment.objects.get(user=w.street_officer_a),
        community=community or w.comm_a, title=title, provider="东虹社会工作服务中心", price_yuan=price,
        starts_on=w.today, ends_on=w.today + dt.timedelta(days=100), deliverables="探访")


def test_a_street_post_registers_the_contract_as_a_purchased_service(client, signed):
    w = signed
    with pytest.raises(RuleError, match="没有覆盖东虹社区的购买服务岗位"):  # a community worker does not buy
        projects.contract_create_purchase(project=w.project, by=w.cw)
    assert not ServiceContract.objects.exists()
    c = projects.contract_create_purchase(project=w.project, by=w.street_officer_a)
    bought = ServiceContract.objects.get()
    assert c.purchase_id == bought.pk
    assert (bought.community_id, bought.provider, bought.price_yuan, bought.title) == (
        w.comm_a.pk, "东虹社会工作服务中心", c.amount, "独居老人探访")
    assert ProjectEvent.objects.filter(project=w.project, action="purchase").count() == 1
    with pytest.raises(RuleError, match="不能重复关联"):
        projects.contract_create_purchase(project=w.project, by=w.street_officer_a)
    assert ServiceContract.objects.count() == 1
    # both sides show it
    client.force_login(w.street_officer_a)
    page = client.get(f"/network/projects/{w.project.pk}/").content.decode()
    assert f"/duties/contracts/{bought.pk}/" in page and "政府购买服务" in page
    page = client.get(f"/duties/contracts/{bought.pk}/").content.decode()
    assert f"/network/projects/{w.project.pk}/" in page and "三社联动服务项目:独居老人探访" in page
    assert f"/network/projects/{w.project.pk}/" in client.get("/duties/contracts/").content.decode()


def test_linking_an_existing_purchase_is_checked(client, signed):
    w = signed
    cheap = _buy(w, price="1000", title="便宜的")
    other = _buy(w, community=community(w.street_a, 2, "西珠社区"), title="别的社区")
    voided = admission.contract_void(contract=_buy(w, title="作废的"), reason="重复", by=w.street_officer_a)
    good = _buy(w)
    with pytest.raises(RuleError, match="超过购买服务金额"):
        projects.contract_link_purchase(project=w.project, purchase_pk=cheap.pk, by=w.cw)
    with pytest.raises(RuleError, match="不是东虹社区的有效购买服务合同"):
        projects.contract_link_purchase(project=w.project, purchase_pk=voided.pk, by=w.cw)
    with pytest.raises(RuleError, match="不是东虹社区的有效购买服务合同"):
        projects.contract_link_purchase(project=w.project, purchase_pk=other.pk, by=w.cw)
    for bad in ("99999999999999999999", "-1", "=1+1", "1\x00"):
        with pytest.raises(RuleError, match="有效购买服务合同"):
            projects.contract_link_purchase(project=w.project, purchase_pk=bad, by=w.cw)
    assert Contract.objects.get().purchase_id is None
    client.force_login(w.cw)
    page = client.get(f"/network/projects/{w.project.pk}/").content.decode()
    assert f'<option value="{good.pk}">' in page and f'<option value="{cheap.pk}">' not in page
    r = client.post(f"/network/projects/{w.project.pk}/purchase/link/", {"purchase": "99999999999999999999"})
    assert r.status_code == 422 and "有效购买服务合同" in r.content.decode()
    r = client.post(f"/network/projects/{w.project.pk}/purchase/link/", {"purchase": str(good.pk)})
    assert r.status_code == 302 and Contract.objects.get().purchase_id == good.pk
    # a second project's contract cannot take the same purchase
    p2 = projects.project_design(community=w.comm_a, title="第二个", field_code="elderly", goals="x", indicators="y",
                                 budget="100", payer="街道", starts_on=w.today, ends_on=w.today, by=w.cw)
    p2 = projects.project_assign(project=p2, version=p2.version, organisation=w.org, by=w.cw)
    projects.contract_sign(project=p2, version=p2.version, number_text="HT-2", amount="100", signed_on=w.today,
                           by=w.cw)
    with pytest.raises(RuleError, match="已对应另一个服务项目"):
        projects.contract_link_purchase(project=p2, purchase_pk=good.pk, by=w.cw)


def test_no_purchase_before_a_contract_and_providers_do_not_see_the_duty_link(client, signed):
    w = signed
    p2 = projects.project_design(community=w.comm_a, title="未签约", field_code="elderly", goals="x", indicators="y",
                                 budget="100", payer="街道", starts_on=w.today, ends_on=w.today, by=w.cw)
    with pytest.raises(RuleError, match="还没有签订合同"):
        projects.contract_create_purchase(project=p2, by=w.street_officer_a)
    bought = projects.contract_create_purchase(project=w.project, by=w.street_officer_a).purchase
    provider = user("prov_p", "provider", w.comm_a)
    services.staff_bind(organisation=w.org, username="prov_p", by=w.cw)
    client.force_login(provider)
    page = client.get(f"/network/projects/{w.project.pk}/").content.decode()
    assert "政府购买服务" in page and f"/duties/contracts/{bought.pk}/" not in page
