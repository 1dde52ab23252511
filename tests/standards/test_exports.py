"""Excel exports of the standards pages: the matrix's xlsx holds the communities its
filtered page lists (it used to ignore 街道/等级), a survey's results as the page counts
them, the funding table of the chosen pack; each within the caller's places."""
import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.standards import assess, packs, surveys
from tests import factories as f


def book(response):
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(BytesIO(body))


@pytest.fixture
def city(world):
    """Three more communities in street A, then a district-wide Yixing run."""
    for n in range(2, 5):
        c = f.community(world.street_a, n, f"宜城{n}社区")
        f.resident(f.household(f.grid(c, 1)), f"居民{n}")
    pack = packs.load("yixing-2019")
    world.run = assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)
    return world


def page_communities(client, url) -> list[str]:
    first = client.get(url)
    assert first.status_code == 200
    names = []
    for n in first.context["page"].paginator.page_range:
        names += [row["score"].community.name for row in client.get(f"{url}&page={n}").context["view"]["rows"]]
    return names


@pytest.mark.parametrize("query", ["", "street={street_a}", "street={street_b}", "grade={grade}",
                                   "street={street_a}&grade={grade}"])
def test_the_matrix_xlsx_holds_the_communities_the_filtered_page_lists(client, city, query):
    from gongzhi.standards.models import CommunityScore
    grade = CommunityScore.objects.filter(run=city.run).order_by("community__code").first().grade
    query = query.format(street_a=city.street_a.code, street_b=city.street_b.code, grade=grade)
    client.force_login(city.admin)
    url = f"/standards/assessments/{city.run.pk}/matrix/?{query}"
    listed = page_communities(client, url)
    sheet = book(client.get(f"{url}&format=xlsx"))["评估结果"]
    exported = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sorted(exported) == sorted(listed)
    if "street" in query or "grade" in query:
        assert "筛选:" in AccessLog.objects.get(action="export").detail


def test_the_matrix_links_its_xlsx_with_the_filters(client, city):
    client.force_login(city.admin)
    html = client.get(f"/standards/assessments/{city.run.pk}/matrix/?street={city.street_a.code}&grade=&sort=code"
                      ).content.decode()
    assert f'href="?street={city.street_a.code}&amp;grade=&amp;sort=code&amp;format=xlsx"' in html


def test_a_user_with_two_posts_exports_the_matrix_of_their_assessing_posts(client, city):
    """A community worker of A who is also a department officer at street B: departments take no
    part in assessment, so the file holds community A only, whatever the filter."""
    user = f.user_with_posts("cw_dept", ("community", city.comm_a, ""), ("department", city.street_b, "民政局"))
    client.force_login(user)
    for query in ("", f"street={city.street_b.code}"):
        sheet = book(client.get(f"/standards/assessments/{city.run.pk}/matrix/?{query}&format=xlsx"))["评估结果"]
        names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
        assert names == ([] if query else ["东虹社区"])


@pytest.fixture
def district_survey(world):
    today = dt.date.today()
    s = surveys.survey_create(place=world.district, title="全区满意度", kind="satisfaction",
                              questions=["=1+1 总体满意吗?", "环境满意吗?"], opens_on=today, closes_on=today,
                              by=world.admin)
    s = surveys.survey_set_state(survey=s, state="open", version=1)
    surveys.survey_answer(survey=s, resident=world.res_a1, answers=[5, 4])
    surveys.survey_answer(survey=s, resident=world.res_a2, answers=[1, 2])
    surveys.survey_answer(survey=s, resident=world.res_b1, answers=[3, 3])
    return s


def test_survey_results_export_as_the_page_counts_them(client, world, district_survey):
    client.force_login(world.community_worker_a)
    page = client.get(f"/standards/surveys/{district_survey.pk}/")
    assert f'href="/standards/surveys/{district_survey.pk}/results.xlsx"' in page.content.decode()
    results = page.context["results"]
    wb = book(client.get(f"/standards/surveys/{district_survey.pk}/results.xlsx"))
    rows = list(wb["各社区"].iter_rows(min_row=2, values_only=True))
    assert rows == [(world.comm_a.code, "东虹社区", 2, 1, 50.0, 3.0), (None, "合计", 2, 1, 50.0, None)]
    assert [r["community__name"] for r in results["rows"]] == ["东虹社区"]  # 南岳社区 is not theirs
    questions = list(wb["各题作答分布"].iter_rows(values_only=True))
    assert questions[0][:2] == ("序号", "问题") and questions[1] == (1, "=1+1 总体满意吗?", 1, 0, 0, 0, 1, 2)
    cell = wb["各题作答分布"]["B2"]
    assert cell.data_type == "s"


def test_survey_export_scope(client, world, district_survey):
    client.force_login(world.admin)
    rows = list(book(client.get(f"/standards/surveys/{district_survey.pk}/results.xlsx"))["各社区"]
                .iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["东虹社区", "南岳社区", "合计"]
    client.force_login(world.department)
    assert client.get(f"/standards/surveys/{district_survey.pk}/results.xlsx").status_code == 403
    mine = surveys.survey_create(place=world.comm_b, title="南岳", kind="satisfaction", questions=["?"],
                                 opens_on=dt.date.today(), closes_on=dt.date.today(), by=world.community_worker_b)
    client.force_login(world.community_worker_a)
    assert client.get(f"/standards/surveys/{mine.pk}/results.xlsx").status_code == 404


def test_funding_xlsx_holds_the_pages_communities_for_the_pack(client, world):
    client.force_login(world.community_worker_a)
    for pack in ("yixing-2019", "wuhan-2011"):
        page = client.get(f"/standards/funding/?pack={pack}")
        listed = [r["community"].name for r in page.context["table"]["rows"]]
        assert f'href="?pack={pack}&format=xlsx"' in page.content.decode()
        sheet = book(client.get(f"/standards/funding/?pack={pack}&format=xlsx"))["社区工作经费"]
        assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == listed == ["东虹社区"]
