"""Evaluation → credit → blacklist: one rating per household through the survey engine, complaints
from property work orders, the credit score with its parts from the pack's formula, the public page."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.estates import credit, evaluations
from gongzhi.estates.models import CreditRecord, Rating
from gongzhi.standards.models import SurveyResponse
from tests import factories as f
from tests.estates.helpers import contract, estate_of, firm_and_manager

pytestmark = pytest.mark.django_db
ANSWERS = [4, 4, 3, 5, 4]


def _setup(w):
    estate = estate_of(w.hh_a1)
    firm, manager = firm_and_manager()
    contract(w, estate, firm, manager, start=dt.date(timezone.localdate().year - 1, 1, 1))
    return estate, firm, manager


def test_one_rating_per_household(world):
    estate, firm, manager = _setup(world)
    ev = evaluations.evaluation_open(estate=estate, year=timezone.localdate().year, by=world.community_worker_a)
    assert ev.firm == firm and ev.manager == manager and ev.survey.kind == "property"
    spouse = f.resident(world.hh_a1, "张三妻")
    evaluations.evaluation_answer(evaluation=ev, resident=world.res_a1, answers=ANSWERS)
    with pytest.raises(RuleError) as exc:
        evaluations.evaluation_answer(evaluation=ev, resident=spouse, answers=[1, 1, 1, 1, 1])
    assert "每户每年只能评价一次" in str(exc.value) and world.hh_a1.number in str(exc.value)
    assert Rating.objects.count() == 1 and SurveyResponse.objects.count() == 1  # nothing of the refusal written
    with pytest.raises(RuleError, match="不是「东虹社区小区」登记在册的住户"):
        evaluations.evaluation_answer(evaluation=ev, resident=world.res_b1, answers=ANSWERS)
    with pytest.raises(RuleError, match="请回答全部 5 个问题"):
        evaluations.evaluation_answer(evaluation=ev, resident=world.res_a2, answers=[4, 4])
    with pytest.raises(RuleError, match="已经发起"):
        evaluations.evaluation_open(estate=estate, year=timezone.localdate().year, by=world.community_worker_a)
    # the standards survey page never offers the rating: it bypassed the one-per-household rule
    from gongzhi.standards import surveys
    assert ev.survey_id not in set(surveys.surveys_for_resident(world.res_a2).values_list("pk", flat=True))


def test_rating_page_for_a_resident(world, client):
    estate, firm, manager = _setup(world)
    evaluations.evaluation_open(estate=estate, year=timezone.localdate().year, by=world.community_worker_a)
    client.force_login(world.resident_user)
    page = client.get("/estates/rate/").content.decode()
    assert "东虹社区小区" in page and "提交评价" in page
    ev = evaluations.open_for(world.res_a1)[0]
    r = client.post("/estates/rate/", {"evaluation": ev.pk, "q0": "4"})
    assert r.status_code == 422 and "请回答全部 5 个问题" in r.content.decode()
    r = client.post("/estates/rate/", {"evaluation": ev.pk, **{f"q{i}": "4" for i in range(5)}})
    assert r.status_code == 302 and Rating.objects.count() == 1
    r = client.post("/estates/rate/", {"evaluation": ev.pk, **{f"q{i}": "2" for i in range(5)}})
    assert r.status_code == 422 and Rating.objects.count() == 1


def test_credit_score_from_ratings_complaints_and_rectification(world):
    estate, firm, manager = _setup(world)
    year = timezone.localdate().year
    ev = evaluations.evaluation_open(estate=estate, year=year, by=world.community_worker_a)
    # six households of the estate rate: four satisfied, two not
    for i in range(6):
        hh = f.household(world.grid_a1)
        r = f.resident(hh, f"住户{i}")
        evaluations.evaluation_answer(evaluation=ev, resident=r, answers=[4] * 5 if i < 4 else [1] * 5)
    from gongzhi.people.models import Household
    from gongzhi.workorders import services as wo
    from gongzhi.workorders.models import Category
    category = Category.objects.get(code="property")
    order = wo.order_report(category=category, description="电梯停运", title="电梯停运", channel="grid",
                            grid=world.grid_a1, household=Household.objects.get(pk=world.hh_a1.pk),
                            by=world.grid_worker_a1)
    assert order.household_id == world.hh_a1.pk
    assert credit.compute(year=year) == 2
    record = CreditRecord.objects.get(year=year, firm=firm)
    p = record.parts
    households = p["households"]
    assert p["ratings"] == 6 and p["positive"] == 4 and p["evaluation_points"] == 40.0
    assert p["complaints"] == 1 and p["rectified_on_time"] == 0 and p["rectification_points"] == 0.0
    expected_complaints = round(max(0.0, 20 - 4 * 100.0 / households), 1)
    assert p["complaints_points"] == expected_complaints
    assert float(record.score) == round(40.0 + expected_complaints + 0.0, 1)
    assert CreditRecord.objects.get(year=year, manager=manager).score == record.score
    assert credit.compute(year=year) == 2 and CreditRecord.objects.count() == 2  # recomputed in place


def test_too_few_ratings_scale_the_other_parts(world):
    estate, firm, manager = _setup(world)
    year = timezone.localdate().year
    credit.compute(year=year)
    p = CreditRecord.objects.get(year=year, firm=firm).parts
    assert p["evaluation_points"] is None and p["scaled"] is True
    assert CreditRecord.objects.get(year=year, firm=firm).score == 100


def test_formula_errors_name_the_pack_and_line(tmp_path, monkeypatch):
    from gongzhi.standards import packs
    text = (packs.PACK_DIR / "yixing-2019.yaml").read_text(encoding="utf-8")
    broken = text.replace("    weight: 60\n", "    weight: 50\n")
    (tmp_path / "yixing-2019.yaml").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(packs, "PACK_DIR", tmp_path)
    with pytest.raises(packs.PackError, match=r"yixing-2019\.yaml:\d+: " + re.escape("三项权重之和应为 100(现为 90)")):
        credit.formula()


def test_public_blacklist_masks_the_manager(world, client):
    firm, manager = firm_and_manager(manager="欧阳修文")
    credit.blacklist_add(manager=manager, reason="多次拒不整改", listed_on=timezone.localdate(),
                         by=world.street_officer_a)
    page = client.get("/estates/public/blacklist/").content.decode()
    assert "欧***" in page and "欧阳修文" not in page and "多次拒不整改" in page
    with pytest.raises(RuleError, match="已在黑名单中"):
        credit.blacklist_add(manager=manager, reason="再次", listed_on=timezone.localdate(), by=world.street_officer_a)


def test_credit_scores_export_to_excel_with_their_parts(world, client):
    import io

    from openpyxl import load_workbook
    estate, firm, manager = _setup(world)
    year = timezone.localdate().year
    credit.compute(year=year)
    client.force_login(world.street_officer_a)
    page = client.get(f"/estates/credit/?year={year}").content.decode()
    assert "format=xlsx" in page
    r = client.get("/estates/credit/", {"year": year, "format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)["信用评分"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["年度", "对象", "名称", "所属企业", "信用分"]
    by_kind = {row[1]: row for row in rows[1:]}
    assert by_kind["物业企业"][2] == firm.name and by_kind["物业企业"][4] == 100
    # a name that begins like a formula stays text in the workbook
    from gongzhi.estates.models import PropertyFirm
    from tests.core.test_spreadsheets import HOSTILE, assert_written_as_text
    PropertyFirm.objects.filter(pk=firm.pk).update(name=HOSTILE[0])
    hostile = client.get("/estates/credit/", {"year": year, "format": "xlsx"})
    assert_written_as_text(b"".join(hostile.streaming_content), HOSTILE[0])
    assert by_kind["物业企业"][5] == "样本不足"                       # fewer households rated than the pack's minimum
    assert by_kind["项目经理"][2] == manager.name and by_kind["项目经理"][3] == firm.name


def test_a_worker_types_in_a_household_s_paper_questionnaire(world, client):
    estate, firm, manager = _setup(world)
    ev = evaluations.evaluation_open(estate=estate, year=timezone.localdate().year, by=world.community_worker_a)
    number = world.hh_a1.number
    client.force_login(world.grid_worker_a1)
    url = f"/estates/evaluations/{ev.pk}/paper/"
    assert "录入纸质问卷" in client.get(f"/estates/evaluations/{ev.pk}/").content.decode()
    answers = {f"q{i}": "4" for i in range(5)}
    for data, message in (
            ({"household": "H-NOSUCH", "name": world.res_a1.name, **answers}, "不是「东虹社区小区」在您管辖范围内登记在册的住户"),
            ({"household": number, "name": "查无此人", **answers}, "中没有在册的「查无此人」"),
            ({"household": number, "name": world.res_a1.name, "q0": "4"}, "请回答全部 5 个问题"),
            ({"household": number + "\x00", "name": world.res_a1.name, **answers}, "不含控制字符"),
            ({"household": world.hh_b1.number, "name": world.res_b1.name, **answers}, "不是「东虹社区小区」")):
        r = client.post(url, data)
        assert r.status_code == 422 and message in r.content.decode(), message
    assert not Rating.objects.exists()
    r = client.post(url, {"household": number, "name": world.res_a1.name, **answers})
    assert r.status_code == 302
    rating = Rating.objects.get()
    assert rating.household_id == world.hh_a1.pk and rating.response.entered_by == world.grid_worker_a1
    # one per household, paper or online
    r = client.post(url, {"household": number, "name": world.res_a1.name, **answers})
    assert r.status_code == 422 and "每户每年只能评价一次" in r.content.decode()
    assert "其中纸质问卷 1 户" in client.get(f"/estates/evaluations/{ev.pk}/").content.decode()
    # the resident's own page no longer offers it; a resident cannot reach the worker's page
    client.force_login(world.resident_user)
    assert client.get(url).status_code == 403
    client.force_login(world.community_worker_b)
    assert client.get(url).status_code == 404
