"""Two-way evaluation: who rates whom, once, within the window; a department sees its score without
raters and only from three raters on."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.models import RoleAssignment
from gongzhi.admission import evaluation
from gongzhi.admission.models import Evaluation
from gongzhi.core.errors import RuleError
from tests.factories import community, user


@pytest.fixture
def rnd(adm):
    today = timezone.localdate()
    return evaluation.round_open(locality=adm.district, year=today.year, opens_on=today - dt.timedelta(days=1),
                                 closes_on=today + dt.timedelta(days=10), by=adm.admin)


def _post(u):
    return RoleAssignment.objects.get(user=u)


def _rate(w, u, direction, place=None, dept="", scores=(5, 4, 4, 3), comment="", **kw):
    return evaluation.evaluate(post=_post(u), year=timezone.localdate().year, direction=direction,
                               target_place=place, target_department=dept, scores=list(scores), comment=comment,
                               by=u, **kw)


def test_street_and_community_rate_each_other_once(adm, rnd):
    e = _rate(adm, adm.street_officer_a, "s2c", adm.comm_a)
    assert e.score == 80  # mean 4 × 20
    with pytest.raises(RuleError, match="已经评价过东虹社区"):
        _rate(adm, adm.street_officer_a, "s2c", adm.comm_a)
    with pytest.raises(RuleError, match="只能评价本街道的社区"):
        _rate(adm, adm.street_officer_a, "s2c", adm.comm_b)
    _rate(adm, adm.community_worker_a, "c2s", adm.street_a, scores=(2, 2, 3, 3))
    with pytest.raises(RuleError, match="请为每一项打分"):
        _rate(adm, adm.community_worker_a, "c2d", dept="市民政局", scores=(5, 9, 1))
    with pytest.raises(RuleError, match="请为每一项打分"):
        _rate(adm, adm.community_worker_a, "c2d", dept="市民政局", scores=(5,))
    with pytest.raises(RuleError, match="只能评价"):
        _rate(adm, adm.community_worker_a, "c2d", dept="不相干的局", scores=(5, 5, 5))
    assert Evaluation.objects.count() == 2


def test_after_the_window_closes_nothing_is_taken(adm, rnd):
    with pytest.raises(RuleError, match="现在不能提交"):
        _rate(adm, adm.street_officer_a, "s2c", adm.comm_a, now=timezone.now() + dt.timedelta(days=30))
    assert not Evaluation.objects.exists()
    with pytest.raises(RuleError, match="已经开启"):
        evaluation.round_open(locality=adm.district, year=rnd.year, opens_on=rnd.opens_on, closes_on=rnd.closes_on,
                              by=adm.admin)


def test_department_sees_its_score_without_raters_from_three_on(client, adm, rnd):
    workers = [adm.community_worker_a, adm.community_worker_b]
    for i in (2, 3):
        c = community(adm.street_a, i, f"测试{i}社区")
        workers.append(user(f"cw_x{i}", "community", c))
    _rate(adm, workers[0], "c2d", dept="市民政局", scores=(5, 5, 5), comment="认为经费到位")
    _rate(adm, workers[1], "c2d", dept="市民政局", scores=(3, 3, 3))
    client.force_login(adm.minzheng)
    page = client.get("/duties/evaluation/").content.decode()
    assert "评价不足 3 个" in page and "经费到位" not in page
    _rate(adm, workers[2], "c2d", dept="市民政局", scores=(4, 4, 4), comment="希望减少重复填报")
    page = client.get("/duties/evaluation/").content.decode()
    assert "80.0" in page and "希望减少重复填报" in page
    for rater in ("东虹社区", "南岳社区", "测试2社区", "cw_a", "cw_b"):
        assert rater not in page.split("评价结果")[1]
    assert "市司法局" not in page.split("评价结果")[1]  # another department's row
    client.force_login(adm.community_worker_a)
    r = client.post("/duties/evaluation/rate/", {"year": rnd.year, "rater": adm.comm_a.code, "direction": "c2s",
                                                  "target_place": adm.street_a.code, "q0": "5", "q1": "5", "q2": "4",
                                                  "q3": "4"})
    assert r.status_code == 302 and Evaluation.objects.filter(direction="c2s").count() == 1


@pytest.mark.parametrize("form", [{"c2s": []}, {"c2s": ["问题"] * 11}, {"c2s": ["x" * 61]}, {"c2s": ["好\x07"]},
                                  {"s2c": "not a list"}])
def test_a_bad_form_opens_no_round(adm, form):
    today = timezone.localdate()
    with pytest.raises(RuleError, match="每个问题一行"):
        evaluation.round_open(locality=adm.district, year=today.year, opens_on=today, closes_on=today, by=adm.admin,
                              form=form)
    assert not Evaluation.objects.exists() and not evaluation.EvaluationRound.objects.exists()


def test_the_locality_s_own_questions_are_the_round_s_form_on_the_page(client, adm):
    today = timezone.localdate()
    client.force_login(adm.admin)
    r = client.post("/duties/evaluation/", {})
    r = client.post("/duties/evaluation/open/", {
        "year": today.year, "opens_on": today.isoformat(), "closes_on": today.isoformat(),
        "form_c2s": "落实“权随责走、费随事转”\n\n按时拨付社区工作经费\n"})
    assert r.status_code == 302
    rnd = evaluation.EvaluationRound.objects.get()
    assert rnd.form["c2s"] == ["落实“权随责走、费随事转”", "按时拨付社区工作经费"]
    assert rnd.form["s2c"] == evaluation.DEFAULT_FORM["s2c"]                      # untouched: the default
    with pytest.raises(RuleError, match="请为每一项打分"):
        _rate(adm, adm.community_worker_a, "c2s", place=adm.street_a)             # four scores for two questions
    _rate(adm, adm.community_worker_a, "c2s", place=adm.street_a, scores=(5, 4))
    assert Evaluation.objects.get().score == 90
