"""Surveys: drafted, published, answered once per resident (online or from
paper), limited to the residents of the place they were published to, and
counted by community."""
import datetime as dt
import threading

import pytest
from django.db import connection

from gongzhi.core import crypto
from gongzhi.core.errors import ConflictError
from gongzhi.core.scope import Scope
from gongzhi.standards import surveys
from gongzhi.standards.manifest import VIEW_ASSESSMENTS
from gongzhi.standards.models import SurveyResponse


@pytest.fixture
def survey(world):
    today = dt.date.today()
    s = surveys.survey_create(place=world.comm_a, title="东虹社区满意度", kind="satisfaction",
                              questions=["总体满意吗?", "环境满意吗?"], opens_on=today, closes_on=today,
                              by=world.community_worker_a)
    return surveys.survey_set_state(survey=s, state="open", version=1)


def test_a_resident_answers_once(client, world, survey):
    client.force_login(world.resident_user)
    page = client.get("/standards/surveys/mine/").content.decode()
    assert "东虹社区满意度" in page
    assert client.post("/standards/surveys/mine/", {"survey": survey.pk, "q0": 4, "q1": 2}).status_code == 302
    r = SurveyResponse.objects.get()
    assert (r.resident, r.community, r.answers, r.score, r.positive, r.entered_by) == \
        (world.res_a1, world.comm_a, [4, 2], 3.0, True, None)
    page = client.get("/standards/surveys/mine/").content.decode()
    assert "感谢参与" in page and f"?survey={survey.pk}" not in page
    r = client.post("/standards/surveys/mine/", {"survey": survey.pk, "q0": 1, "q1": 1})
    assert r.status_code == 400 and SurveyResponse.objects.count() == 1


def test_answers_must_be_complete(world, survey):
    with pytest.raises(surveys.SurveyError, match="请回答全部 2 个问题"):
        surveys.survey_answer(survey=survey, resident=world.res_a1, answers=[4])
    with pytest.raises(surveys.SurveyError, match="请回答全部 2 个问题"):
        surveys.survey_answer(survey=survey, resident=world.res_a1, answers=[4, 9])


def test_only_residents_of_the_place_may_answer(world, survey):
    with pytest.raises(surveys.SurveyError, match="不在问卷「东虹社区满意度」的发布范围内"):
        surveys.survey_answer(survey=survey, resident=world.res_b1, answers=[5, 5])


def test_state_machine_and_stale_forms(world, survey):
    with pytest.raises(ConflictError, match="已被他人修改"):
        surveys.survey_set_state(survey=survey, state="closed", version=1)
    closed = surveys.survey_set_state(survey=survey, state="closed", version=2)
    with pytest.raises(surveys.SurveyError, match="不能发布"):
        surveys.survey_set_state(survey=closed, state="open", version=3)
    with pytest.raises(surveys.SurveyError, match="现在不接受答卷"):
        surveys.survey_answer(survey=closed, resident=world.res_a1, answers=[5, 5])


def test_paper_entry_by_a_worker_and_results_by_community(client, world, survey):
    client.force_login(world.community_worker_a)
    number = crypto.decrypt(world.res_a2.id_number_enc)
    r = client.post(f"/standards/surveys/{survey.pk}/", {"id_number": number, "q0": 1, "q1": 2})
    assert r.status_code == 302
    response = SurveyResponse.objects.get()
    assert response.entered_by == world.community_worker_a and not response.positive
    page = client.get(f"/standards/surveys/{survey.pk}/").content.decode()
    assert 'data-testid="responses">1<' in page and 'data-testid="rate">0.0%<' in page
    results = surveys.survey_results(Scope.for_user_capability(world.admin, VIEW_ASSESSMENTS), survey)
    assert results["distribution"][0]["counts"] == [1, 0, 0, 0, 0]
    assert results["distribution"][1]["counts"] == [0, 1, 0, 0, 0]


def test_a_foreign_resident_cannot_be_entered(client, world, survey):
    client.force_login(world.community_worker_a)
    number = crypto.decrypt(world.res_b1.id_number_enc)
    r = client.post(f"/standards/surveys/{survey.pk}/", {"id_number": number, "q0": 5, "q1": 5})
    assert r.status_code == 400 and "王五" not in r.content.decode() and not SurveyResponse.objects.exists()


def test_two_submissions_at_once_store_one_response(transactional_db):
    from tests.factories import World
    w = World()
    today = dt.date.today()
    s = surveys.survey_create(place=w.comm_a, title="并发", kind="security", questions=["安全吗?"],
                              opens_on=today, closes_on=today, by=w.admin)
    s = surveys.survey_set_state(survey=s, state="open", version=1)
    outcomes, barrier = [], threading.Barrier(2)

    def answer():
        try:
            barrier.wait(timeout=10)
            surveys.survey_answer(survey=s, resident=w.res_a1, answers=[4])
            outcomes.append("ok")
        except surveys.SurveyError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes)[0] == "ok" and "已经答过" in sorted(outcomes)[1]
    assert SurveyResponse.objects.count() == 1


def test_publishing_invites_the_places_resident_accounts(world, survey):
    from gongzhi.workorders.models import Notification
    note = Notification.objects.get(user=world.resident_user)
    assert "东虹社区满意度" in note.text and note.kind == "survey"
    assert Notification.objects.filter(kind="survey").count() == 1  # nobody of community B


@pytest.mark.parametrize("change, message", [
    ({"questions": "  \n "}, "这个字段是必填项"),
    ({"opens_on": "2026-03-01", "closes_on": "2026-02-01"}, "截止日期不能早于开始日期"),
    ({"kind": "happiness"}, "happiness"),
])
def test_a_bad_survey_form_is_refused_and_nothing_is_saved(client, world, change, message):
    from gongzhi.standards.models import Survey
    client.force_login(world.community_worker_a)
    data = {"title": "问卷", "kind": "satisfaction", "place": world.comm_a.code, "questions": "满意吗?",
            "opens_on": "2026-01-01", "closes_on": "2026-02-01", **change}
    r = client.post("/standards/surveys/", data)
    assert r.status_code == 400 and message in r.content.decode() and not Survey.objects.exists()
    data["place"] = world.comm_b.code  # another community is not offered
    r = client.post("/standards/surveys/", {**data, "questions": "满意吗?", "kind": "satisfaction",
                                            "opens_on": "2026-01-01", "closes_on": "2026-02-01"})
    assert r.status_code == 400 and not Survey.objects.exists()
