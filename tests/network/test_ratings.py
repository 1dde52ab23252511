"""Organisations' yearly ratings: computed from the year's final evaluations, complaints and registration
(complaints from work orders: tests/network/test_complaints.py),
saved by the street (versioned, a stale form refused), finalised and then unchangeable; shown on the
organisation's page and the street's table; the xlsx keeps a leading '=' as text."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.network import projects, ratings, services
from gongzhi.network.models import OrgRating
from tests.factories import user


@pytest.fixture
def rated(world):
    w = world
    w.cw, w.today = w.community_worker_a, dt.date.today()
    w.org = services.org_register(community=w.comm_a, name="东虹社会工作服务中心", field_code="elderly",
                                  registration="registered", by=w.cw).organisation
    for k, (sat, met) in enumerate((("90", 2), ("80", 1))):
        p = projects.project_design(community=w.comm_a, title=f"项目{k}", field_code="elderly", goals="x",
                                    indicators="甲\n乙", budget="1000", payer="街道", starts_on=w.today,
                                    ends_on=w.today, by=w.cw)
        p = projects.project_assign(project=p, version=p.version, organisation=w.org, by=w.cw)
        projects.contract_sign(project=p, version=p.version, number_text=f"C{k}", amount="1000", signed_on=w.today,
                               by=w.cw)
        p.refresh_from_db()
        projects.evaluate(project=p, version=p.version, stage="midterm", satisfaction=sat, indicators_met=met,
                          spent="100", note="", by=w.cw)
        p.refresh_from_db()
        projects.evaluate(project=p, version=p.version, stage="final", satisfaction=sat, indicators_met=met,
                          spent="900", note="", by=w.cw)
    return w


def test_parts_total_grade_and_the_street_only(rated):
    w = rated
    parts = ratings.parts(w.org, w.today.year)
    # scores: 90/2+50 = 95 and 80/2+25 = 65 → mean 80; satisfaction mean 85
    assert (parts["projects_closed"], parts["mean_score"], parts["mean_satisfaction"]) == (2, Decimal("80.0"),
                                                                                            Decimal("85.0"))
    with pytest.raises(RuleError, match="街道干部"):
        ratings.rating_save(organisation=w.org, year_value=w.today.year, by=w.cw)
    r = ratings.rating_save(organisation=w.org, year_value=w.today.year, by=w.street_officer_a)
    assert (r.score, r.grade, r.version, r.complaints) == (Decimal("81.5"), "4A", 1, 0)  # 56 + 25.5
    with pytest.raises(RuleError, match="没有终期评估"):
        ratings.rating_save(organisation=w.org, year_value=w.today.year - 1, by=w.street_officer_a)
    with pytest.raises(RuleError, match="年度须在"):
        ratings.rating_save(organisation=w.org, year_value="99999999999999999999",
                            by=w.street_officer_a)
    assert OrgRating.objects.count() == 1


def test_versions_finalising_and_nothing_after(rated):
    w = rated
    st = w.street_officer_a
    y = w.today.year
    ratings.rating_save(organisation=w.org, year_value=y, by=st)
    r = ratings.rating_save(organisation=w.org, year_value=y, note="良好", version=1, by=st)
    assert (r.version, r.grade) == (2, "4A")  # 56 + 25.5
    with pytest.raises(ConflictError):
        ratings.rating_save(organisation=w.org, year_value=y, version=1, by=st)
    with pytest.raises(ConflictError):
        ratings.rating_finalise(organisation=w.org, year_value=y, version=1, by=st)
    r = ratings.rating_finalise(organisation=w.org, year_value=y, version=2, by=st)
    assert r.state == "final" and r.finalised_on == w.today
    with pytest.raises(RuleError, match="不能再改"):
        ratings.rating_save(organisation=w.org, year_value=y, version=3, by=st)
    assert OrgRating.objects.get().complaints == 0


def test_pages_and_export_keep_formulas_as_text(client, rated):
    w = rated
    y = w.today.year
    ratings.rating_save(organisation=w.org, year_value=y, note="=HYPERLINK(\"http://x\")",
                        by=w.street_officer_a)
    client.force_login(w.street_officer_a)
    page = client.get(f"/network/orgs/{w.org.pk}/").content.decode()
    assert 'data-testid="grade-' + str(y) + '">4A' in page and "定级" in page
    r = client.post(f"/network/orgs/{w.org.pk}/rating/finalise/", {"year": str(y), "version": "1"})
    assert r.status_code == 302 and OrgRating.objects.get().state == "final"
    r = client.post(f"/network/orgs/{w.org.pk}/rating/save/", {"year": str(y), "version": "2"})
    assert r.status_code == 422 and "不能再改" in r.content.decode()
    page = client.get(f"/network/ratings/?year={y}").content.decode()
    assert "东虹社会工作服务中心" in page and "4A" in page and "已定级" in page
    r = client.get(f"/network/ratings/export.xlsx?year={y}")
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    row = [c for c in sheet[2]]
    assert row[1].value == "东虹社会工作服务中心" and row[9].value == "4A"
    assert row[11].value == "=HYPERLINK(\"http://x\")" and row[11].data_type == "s"
    # another street sees nothing of it
    client.force_login(user("st_b", "street", w.street_b))
    assert "东虹社会工作服务中心" not in client.get(f"/network/ratings/?year={y}").content.decode()
