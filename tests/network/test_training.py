"""Training records of a project team's social workers: kept by the project's provider, refused with a
Chinese message naming the field, shown on the project page and counted (by the database) on the
organisation's page."""
import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core.errors import RuleError
from gongzhi.network import projects, selectors, services
from gongzhi.network.models import WorkerTraining
from tests.factories import user


@pytest.fixture
def team(world):
    w = world
    w.cw, w.today = w.community_worker_a, dt.date.today()
    w.org = services.org_register(community=w.comm_a, name="东虹社会工作服务中心", field_code="elderly",
                                  registration="registered", by=w.cw).organisation
    w.provider = user("prov", "provider", w.comm_a)
    services.staff_bind(organisation=w.org, username="prov", by=w.cw)
    p = projects.project_design(community=w.comm_a, title="助老", field_code="elderly", goals="x", indicators="y",
                                budget="1000", payer="街道", starts_on=w.today, ends_on=w.today + dt.timedelta(days=9),
                                by=w.cw)
    p = projects.project_assign(project=p, version=p.version, organisation=w.org, by=w.cw)
    projects.contract_sign(project=p, version=p.version, number_text="C1", amount="1000", signed_on=w.today, by=w.cw)
    w.project = p
    w.zhao = projects.worker_add(project=p, name="赵社工", certificate="assistant", certificate_no="Z1", by=w.provider)
    w.qian = projects.worker_add(project=p, name="钱社工", certificate="none", certificate_no="", by=w.provider)
    return w


@pytest.mark.parametrize("kw, message", [
    ({"course": ""}, "请填写培训课程"), ({"hours": "0"}, "学时须大于 0"), ({"hours": "=1+1"}, "学时须为"),
    ({"hours": "99999999999999999999"}, "学时"), ({"taken_on": "2099-01-01"}, "培训日期不能晚于今天"),
    ({"taken_on": "2026-13-01"}, "培训日期不是有效日期"), ({"worker_id": "99999999999999999999"}, "不是本项目团队"),
    ({"course": "社工\x07实务"}, "控制字符"),
])
def test_bad_training_is_refused(team, kw, message):
    w = team
    data = dict(project=w.project, worker_id=w.zhao.pk, course="个案管理", hours="16", taken_on=w.today,
                certificate="", by=w.provider)
    data.update(kw)
    with pytest.raises(RuleError, match=message):
        projects.training_add(**data)
    assert not WorkerTraining.objects.exists()


def test_only_the_provider_and_counted_on_the_org(client, team):
    w = team
    with pytest.raises(RuleError, match="不是该项目的承接机构"):
        projects.training_add(project=w.project, worker_id=w.zhao.pk, course="个案管理", hours="16",
                              taken_on=w.today, by=w.cw)
    projects.training_add(project=w.project, worker_id=w.zhao.pk, course="个案管理", hours="16", taken_on=w.today,
                          certificate="PX-001", by=w.provider)
    client.force_login(w.provider)
    r = client.post(f"/network/projects/{w.project.pk}/trainings/",
                    {"worker": str(w.zhao.pk), "course": "督导", "hours": "8.5", "taken_on": w.today.isoformat()})
    assert r.status_code == 302
    r = client.post(f"/network/projects/{w.project.pk}/trainings/",
                    {"worker": str(w.zhao.pk), "course": "", "hours": "8", "taken_on": w.today.isoformat()})
    assert r.status_code == 422 and "请填写培训课程" in r.content.decode()
    figures = selectors.training_figures(w.org)
    assert (figures["workers"], figures["trained"], figures["trainings"], figures["hours"]) == (
        2, 1, 2, Decimal("24.5"))
    page = client.get(f"/network/projects/{w.project.pk}/").content.decode()
    assert "培训:个案管理 · 16.0 学时" in page and "PX-001" in page
    client.force_login(w.cw)
    page = client.get(f"/network/orgs/{w.org.pk}/").content.decode()
    assert 'data-testid="training-hours">24.5<' in page and "参加培训 1 人" in page
