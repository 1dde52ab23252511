import pytest

from gongzhi.accounts.models import RoleAssignment
from gongzhi.admission import services
from tests.factories import user


@pytest.fixture
def adm(world):
    """The world with Yixing's rules, a department account (市民政局 at the district) and a few list items."""
    w = world
    services.rules_choose(locality=w.district, rules_id="yixing-2019", by=w.admin)
    w.minzheng = user("minzheng", "department", w.district)
    RoleAssignment.objects.filter(user=w.minzheng).update(department="市民政局")
    w.duty = services.item_add(locality=w.district, by=w.admin, kind="duty", takeup="", title="调解民间纠纷",
                               legal_basis="城市居民委员会组织法第三条(三)", department="市司法局",
                               community_does="调解邻里纠纷", funding_yuan="", funding_note="", hours_per_year="")
    w.assist = services.item_add(locality=w.district, by=w.admin, kind="assist", takeup="",
                                 title="协助做好社会救助工作", legal_basis="社会救助暂行办法", department="市民政局",
                                 community_does="协助受理低保申请", funding_yuan="12000", funding_note="",
                                 hours_per_year="200")
    return w
