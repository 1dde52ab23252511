"""The network's demo part at the small scale the browser tests use: every project state, the provider bound
to its organisation, sessions in the activity ledger, units with an evaluation."""
import pytest

from gongzhi.core import demo, modules
from gongzhi.ledgers.models import Activity
from gongzhi.network.models import ProjectState, ProviderStaff, ServiceProject, UnitEvaluation
from gongzhi.network.selectors import organisations_of


@pytest.mark.django_db
def test_demo_part_has_every_state_and_the_provider_binding(monkeypatch):
    # the parts this one reads (people, accounts, ledgers...) and itself: the modules built beside it this
    # session have their own demo tests
    parts = [p for p in modules.demo_parts() if p.order <= 52 and not p.build.startswith("gongzhi.volunteers.")]
    monkeypatch.setattr(modules, "demo_parts", lambda: parts)
    demo.build_demo(scale=0.05)
    assert set(ServiceProject.objects.values_list("state", flat=True)) == set(ProjectState.values)
    provider = ProviderStaff.objects.get(user__username="provider")
    assert provider.organisation.name == "宜兴市东虹社会工作服务中心"
    assert [o.name for o in organisations_of(provider.user)] == ["宜兴市东虹社会工作服务中心"]
    assert ServiceProject.objects.filter(organisation=provider.organisation).exists()
    assert Activity.objects.filter(source="network.session").exists()
    assert UnitEvaluation.objects.exists()
    # contracts fulfil the street's purchased services (admission), seen by the burden page's figures
    from gongzhi.network.models import Contract
    linked = Contract.objects.filter(purchase__isnull=False).select_related("purchase", "project")
    assert linked.exists() and Contract.objects.filter(purchase__isnull=True).exists()
    assert all(c.purchase.price_yuan == c.amount and c.purchase.community_id == c.project.community_id
               for c in linked)
    from gongzhi.network.models import ProjectActivity
    assert ProjectActivity.objects.filter(project__organisation=provider.organisation).exists()
    from gongzhi.network.models import OrgRating
    from gongzhi.network.models import WorkerTraining
    assert WorkerTraining.objects.exists()
    assert OrgRating.objects.exists() and all(r.grade.endswith("A") for r in OrgRating.objects.all())
