"""Users with several posts: each standards page reads through the posts whose
role grants the capability it declares, so a post of another role held beside
(a department post, a grid post, a resident's post) widens nothing.

- a community worker of A who is also a department officer at street B sees no
  runs, matrix rows, surveys or cases of street B;
- a street officer of A who is also a grid worker in community B starts runs
  (and submits cases, and publishes surveys) only over street A;
- a community worker of A who is also a resident of B gains nothing as staff.
Every refusal leaves the database as it was."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core import crypto
from gongzhi.core.scope import Scope, ScopeNotNarrowed
from gongzhi.standards import assess, assess_views, cases, packs, results, surveys
from gongzhi.standards.manifest import (
    ENTER_SURVEY_ANSWERS, MANAGE_SURVEYS, PUBLISH_RESULTS, RUN_ASSESSMENTS, SUBMIT_CASES, VIEW_ASSESSMENTS,
)
from gongzhi.standards.models import AssessmentRun, CaseCall, CaseSubmission, Survey, SurveyResponse
from tests.factories import resident, user, user_with_posts

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
FOREIGN = ("南岳社区", "王五", "新街街道")  # community B, its resident, street B




@pytest.fixture
def cw_a_dept_b(world):
    return user_with_posts("cw_a_dept_b", ("community", world.comm_a, ""), ("department", world.street_b, "民政局"))


@pytest.fixture
def street_a_grid_b1(world):
    return user_with_posts("street_a_grid_b1", ("street", world.street_a, ""), ("grid", world.grid_b1, ""))


@pytest.fixture
def cw_a_resident_b(world):
    """A community worker of A whose own home is in community B (a resident account bound to them)."""
    me = resident(world.hh_b1, "赵六", relation="10")
    u = user_with_posts("cw_a_resident_b", ("community", world.comm_a, ""), ("resident", world.comm_b, ""))
    u.resident = me
    u.save(update_fields=["resident"])
    return u


@pytest.fixture
def in_process(monkeypatch):
    monkeypatch.setattr(assess_views, "_launch", lambda run: assess.run(run, packs.load(run.pack_id)))


def _run(place, pack_id="yixing-2019"):
    pack = packs.load(pack_id)
    return assess.run(assess.start(pack=pack, period=2025, scope=place), pack)


def _survey(world, place, title):
    today = dt.date.today()
    s = surveys.survey_create(place=place, title=title, kind="satisfaction", questions=["总体满意吗?"],
                              opens_on=today, closes_on=today, by=world.admin)
    return surveys.survey_set_state(survey=s, state="open", version=1)


def _case_b(world):
    """A district call (the admin its expert) with a case about community B from street B's officer."""
    call = cases.call_create(place=world.district, title="优秀案例征集", deadline=dt.date.today(), topics=[],
                             experts=[world.admin], by=world.admin)
    officer_b = user("street_b", "street", world.street_b)
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    return cases.case_submit(call=call, scope=Scope.for_user_capability(officer_b, SUBMIT_CASES), place=world.comm_b,
                             title="南岳社区调解经验", topic="", text="南岳社区的故事", files=[photo], by=officer_b)


def _snapshot():
    return (list(AssessmentRun.objects.order_by("pk").values_list("pk", "scope_id", "published_at")),
            list(Survey.objects.order_by("pk").values_list("pk", "place_id", "state", "version")),
            list(SurveyResponse.objects.order_by("pk").values_list("pk", "survey_id", "resident_id")),
            list(CaseCall.objects.order_by("pk").values_list("pk", "state")),
            list(CaseSubmission.objects.order_by("pk").values_list("pk", "place_id", "state", "version")))


def _text(response) -> str:
    return response.content.decode()


def _no_foreign(text: str):
    for foreign in FOREIGN:
        assert foreign not in text, foreign


# -- a community worker of A who is also a department officer at street B ----------------------
def test_department_post_at_b_shows_no_runs_or_matrix_rows_of_b(client, world, cw_a_dept_b):
    district_run, run_b = _run(world.district), _run(world.street_b)
    client.force_login(cw_a_dept_b)
    listing = _text(client.get("/standards/assessments/"))
    assert f"/standards/assessments/{district_run.pk}/" in listing  # the run over their own community
    assert f"/standards/assessments/{run_b.pk}/" not in listing
    assert client.get(f"/standards/assessments/{run_b.pk}/").status_code == 404
    assert client.get(f"/standards/assessments/{run_b.pk}/matrix/").status_code == 404
    matrix = _text(client.get(f"/standards/assessments/{district_run.pk}/matrix/"))
    assert "东虹社区" in matrix
    _no_foreign(matrix)
    _no_foreign(_text(client.get(f"/standards/assessments/{district_run.pk}/")))
    assert client.get(f"/standards/assessments/{district_run.pk}/communities/{world.comm_b.code}/").status_code == 404
    funding = _text(client.get("/standards/funding/?pack=wuhan-2011"))
    assert "东虹社区" in funding and "南岳社区" not in funding
    # the district's targets are not theirs: neither the whole district's shares nor street B's rows
    assert results.targets_for(Scope.for_user_capability(cw_a_dept_b, VIEW_ASSESSMENTS), district_run) == []


def test_department_post_at_b_refuses_starting_or_publishing(client, world, cw_a_dept_b, in_process):
    run_b = _run(world.street_b)
    client.force_login(cw_a_dept_b)
    before = _snapshot()
    r = client.post("/standards/assessments/", {"pack": "yixing-2019", "period": "2025", "scope": world.street_b.code})
    assert r.status_code == 403
    assert client.post(f"/standards/assessments/{run_b.pk}/publish/").status_code == 403
    assert _snapshot() == before


def test_department_post_at_b_shows_no_surveys_of_b(client, world, cw_a_dept_b):
    survey_a, survey_b = _survey(world, world.comm_a, "东虹社区满意度"), _survey(world, world.comm_b, "南岳社区满意度")
    client.force_login(cw_a_dept_b)
    listing = _text(client.get("/standards/surveys/"))
    assert "东虹社区满意度" in listing
    _no_foreign(listing)
    assert client.get(f"/standards/surveys/{survey_b.pk}/").status_code == 404
    before = _snapshot()
    number = crypto.decrypt(world.res_b1.id_number_enc)
    assert client.post(f"/standards/surveys/{survey_b.pk}/", {"id_number": number, "q0": 5}).status_code == 404
    assert client.post(f"/standards/surveys/{survey_b.pk}/closed/", {"version": survey_b.version}).status_code == 404
    # their own community's survey: 王五 of community B cannot be entered there either
    r = client.post(f"/standards/surveys/{survey_a.pk}/", {"id_number": number, "q0": 5})
    assert r.status_code == 400 and "王五" not in _text(r)
    # nor can a survey be published to street B's community
    r = client.post("/standards/surveys/", {"title": "越权问卷", "kind": "satisfaction", "place": world.comm_b.code,
                                            "questions": "满意吗?", "opens_on": "2026-01-01", "closes_on": "2026-01-31"})
    assert r.status_code == 400 and "place" in r.context["form"].errors
    assert _snapshot() == before


def test_department_post_at_b_shows_no_cases_of_b(client, world, cw_a_dept_b):
    case = _case_b(world)
    call = case.call
    client.force_login(cw_a_dept_b)
    page = _text(client.get(f"/standards/cases/{call.pk}/"))
    assert "优秀案例征集" in page  # the district's call reaches their community
    _no_foreign(page)
    assert client.get(f"/standards/cases/{call.pk}/{case.pk}/").status_code == 404
    file_id = case.attachments.get().pk
    assert client.get(f"/standards/cases/{call.pk}/{case.pk}/files/{file_id}/").status_code == 404
    before = _snapshot()
    assert client.post(f"/standards/cases/{call.pk}/{case.pk}/rejected/", {"version": 1}).status_code == 403
    assert client.post(f"/standards/cases/{call.pk}/close/").status_code == 403
    assert client.post(f"/standards/cases/{call.pk}/", {"place": world.comm_b.code, "title": "越权", "topic": "",
                                                        "text": "正文"}).status_code == 403  # community posts submit none
    assert _snapshot() == before


def test_a_department_post_alone_reaches_no_assessment_survey_or_case(client, world):
    _run(world.street_b)
    client.force_login(world.department)
    for url in ("/standards/assessments/", "/standards/surveys/", "/standards/cases/", "/standards/funding/",
                "/standards/targets/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/standards/packs/").status_code == 200  # policy text is every staff member's


# -- a street officer of A who is also a grid worker in community B ---------------------------
def test_street_officer_with_a_grid_post_in_b_starts_runs_only_over_street_a(client, world, street_a_grid_b1,
                                                                             in_process):
    client.force_login(street_a_grid_b1)
    page = _text(client.get("/standards/assessments/"))
    assert f'value="{world.street_a.code}"' in page
    assert f'value="{world.street_b.code}"' not in page and f'value="{world.district.code}"' not in page
    before = _snapshot()
    for place in (world.street_b, world.district, world.comm_b):
        r = client.post("/standards/assessments/", {"pack": "wuhan-2011", "period": "2025", "scope": place.code})
        assert r.status_code == 404, place
    assert _snapshot() == before
    r = client.post("/standards/assessments/", {"pack": "wuhan-2011", "period": "2025", "scope": world.street_a.code})
    run = AssessmentRun.objects.get()
    assert r.status_code == 302 and run.scope == world.street_a and run.started_by == street_a_grid_b1


def test_street_officer_with_a_grid_post_in_b_reads_no_rows_of_b(client, world, street_a_grid_b1):
    run = _run(world.district)
    client.force_login(street_a_grid_b1)
    matrix = _text(client.get(f"/standards/assessments/{run.pk}/matrix/"))
    assert "东虹社区" in matrix and "南岳社区" not in matrix
    assert client.get(f"/standards/assessments/{run.pk}/communities/{world.comm_b.code}/").status_code == 404
    scope = Scope.for_user_capability(street_a_grid_b1, VIEW_ASSESSMENTS)
    streets = {s["street"] for t in results.targets_for(scope, run) for s in t["streets"]}
    assert streets == {"宜城街道"}
    assert not Scope.for_user_capability(street_a_grid_b1, PUBLISH_RESULTS)
    assert client.post(f"/standards/assessments/{run.pk}/publish/").status_code == 403
    assert AssessmentRun.objects.get().published_at is None


def test_street_officer_with_a_grid_post_in_b_submits_and_publishes_only_in_street_a(client, world,
                                                                                     street_a_grid_b1):
    call = cases.call_create(place=world.district, title="优秀案例征集", deadline=dt.date.today(),
                             topics=["完善社区服务体系"], by=world.admin)
    survey_b = _survey(world, world.comm_b, "南岳社区满意度")
    client.force_login(street_a_grid_b1)
    before = _snapshot()
    r = client.post(f"/standards/cases/{call.pk}/", {"place": world.comm_b.code, "title": "越权",
                                                     "topic": "完善社区服务体系", "text": "正文"})
    assert r.status_code == 400 and "place" in r.context["form"].errors  # B is not among the places they submit for
    r = client.post("/standards/surveys/", {"title": "越权问卷", "kind": "satisfaction", "place": world.comm_b.code,
                                            "questions": "满意吗?", "opens_on": "2026-01-01", "closes_on": "2026-01-31"})
    assert r.status_code == 400 and "place" in r.context["form"].errors  # nor publish a survey to it
    # community B's survey reaches their grid (a paper answer may be entered there), but only a post
    # that manages surveys and covers its place closes it, and theirs is street A's
    assert client.post(f"/standards/surveys/{survey_b.pk}/closed/", {"version": survey_b.version}).status_code == 404
    assert _snapshot() == before
    r = client.post(f"/standards/cases/{call.pk}/", {"place": world.street_a.code, "title": "街道案例",
                                                     "topic": "完善社区服务体系", "text": "正文"})
    assert r.status_code == 302 and CaseSubmission.objects.get().place == world.street_a


def test_capability_scopes_of_a_street_officer_with_a_grid_post(world, street_a_grid_b1):
    run_scope = Scope.for_user_capability(street_a_grid_b1, RUN_ASSESSMENTS)
    assert run_scope.staff_places == [world.street_a]
    assert not run_scope.contains(world.comm_b) and run_scope.contains(world.comm_a)
    enter = Scope.for_user_capability(street_a_grid_b1, ENTER_SURVEY_ANSWERS)
    assert enter.staff_places == [world.grid_b1]  # the grid post enters paper answers; the street post does not
    assert Scope.for_user_capability(street_a_grid_b1, MANAGE_SURVEYS).staff_places == [world.street_a]
    with pytest.raises(ScopeNotNarrowed):
        results.runs_visible(Scope.for_user(street_a_grid_b1))


# -- a community worker of A who is also a resident of B ----------------------------------------
def test_a_resident_post_in_b_gives_a_community_worker_nothing_there(client, world, cw_a_resident_b):
    district_run, run_b = _run(world.district), _run(world.street_b)
    survey_b = _survey(world, world.comm_b, "南岳社区满意度")
    case = _case_b(world)
    client.force_login(cw_a_resident_b)
    assert client.get(f"/standards/assessments/{run_b.pk}/").status_code == 404
    assert "南岳社区" not in _text(client.get(f"/standards/assessments/{district_run.pk}/matrix/"))
    assert "南岳社区满意度" not in _text(client.get("/standards/surveys/"))
    assert client.get(f"/standards/surveys/{survey_b.pk}/").status_code == 404
    assert client.get(f"/standards/cases/{case.call_id}/{case.pk}/").status_code == 404
    before = _snapshot()
    number = crypto.decrypt(world.res_b1.id_number_enc)
    assert client.post(f"/standards/surveys/{survey_b.pk}/", {"id_number": number, "q0": 5}).status_code == 404
    assert client.post(f"/standards/surveys/{survey_b.pk}/closed/", {"version": survey_b.version}).status_code == 404
    assert _snapshot() == before
    # as a resident they answer their own questionnaire, and only that (their own records)
    mine = _text(client.get("/standards/surveys/mine/"))
    assert "南岳社区满意度" in mine
    r = client.post("/standards/surveys/mine/", {"survey": survey_b.pk, "q0": 4})
    assert r.status_code == 302
    assert SurveyResponse.objects.get().resident == cw_a_resident_b.resident


def test_own_records_page_refuses_a_staff_account_with_no_resident(client, world):
    client.force_login(world.community_worker_a)
    assert client.get("/standards/surveys/mine/").status_code == 403
