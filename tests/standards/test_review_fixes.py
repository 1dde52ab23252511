"""Cases found in review: a department post never widens what a user sees,
per-street target figures stay with their streets, training metrics count the
right people, sorting keeps 无数据 last, weight-0 packs still grade, bad
parameters get an answer rather than an error page."""
import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from gongzhi.accounts.models import RoleAssignment
from gongzhi.ledgers import services as ledger_services
from gongzhi.ledgers.models import Training, Worker
from gongzhi.places.models import Facility
from gongzhi.standards import assess, cases, packs, results
from gongzhi.standards.compute import compute
from tests.factories import user


def _run(world, pack_id="yixing-2019", place=None):
    pack = packs.load(pack_id)
    return assess.run(assess.start(pack=pack, period=2025, scope=place or world.district), pack)


def test_a_department_post_beside_a_grid_post_widens_nothing(client, world):
    RoleAssignment.objects.create(user=world.department, role="grid", place=world.grid_b1)
    run = _run(world)
    client.force_login(world.department)  # department at street A, grid worker in community B
    assert client.get(f"/ledgers/{world.comm_a.code}/?tab=meetings").status_code == 404
    assert client.get(f"/standards/assessments/{run.pk}/communities/{world.comm_a.code}/").status_code == 404
    assert "东虹社区" not in client.get(f"/standards/assessments/{run.pk}/matrix/").content.decode()
    assert "东虹社区" not in client.get("/standards/funding/").content.decode()


def test_street_target_figures_stay_with_their_street(client, world):
    run = _run(world)
    client.force_login(world.street_officer_a)
    page = client.get(f"/standards/assessments/{run.pk}/").content.decode()
    assert "宜城街道 " in page and "新街街道" not in page
    sheet = load_workbook(BytesIO(client.get(f"/standards/assessments/{run.pk}/matrix/?format=xlsx").content))["目标达成"]
    scopes = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert scopes == {"宜城街道"}  # neither the whole district's figures nor street B's
    client.force_login(world.community_worker_a)  # a community sees no figures of its sibling communities
    sheet = load_workbook(BytesIO(client.get(f"/standards/assessments/{run.pk}/matrix/?format=xlsx").content))["目标达成"]
    assert sheet.max_row == 1
    admin_view = results.targets_for(None, run)
    assert {s["street"] for s in admin_view[0]["streets"]} == {"宜城街道", "新街街道"}


def test_director_training_counts_the_director_only(world):
    director = Worker.objects.create(community=world.comm_a, name="主任", committee_post="director")
    Worker.objects.create(community=world.comm_a, name="书记", party_post="secretary")  # untrained
    member = Worker.objects.create(community=world.comm_a, name="委员", committee_post="member")
    Worker.objects.create(community=world.comm_a, name="党委委员", party_post="member")  # not on the committee
    for w, n in ((director, 1), (member, 2)):
        for i in range(n):
            Training.objects.create(worker=w, community=world.comm_a, held_on=dt.date(2025, 3, 1 + i), days=1,
                                    title="培训")
    values = compute(["director_trainings", "committee_member_trainings", "leader_training_days"], year=2025)
    a = world.comm_a.pk
    assert values["director_trainings"][a] == 1 and values["committee_member_trainings"][a] == 2
    assert values["leader_training_days"][a] == 0  # the secretary counts as a leader for P-STAFF-7


def test_descending_sort_keeps_no_data_last(world):
    Facility.objects.create(community=world.comm_a, service_area_m2=100)
    from gongzhi.places.models import Place
    empty = Place.objects.create(level="community", code=world.street_a.code + "002", name="空社区",
                                 parent=world.street_a, area_kind="urban")
    run = _run(world)
    pack = packs.load("yixing-2019")
    names = [r["score"].community.name for r in results.matrix(None, run, pack, sort="-facility-area")["rows"]]
    assert names == ["东虹社区", "南岳社区", "空社区"]
    names = [r["score"].community.name for r in results.matrix(None, run, pack, sort="facility-area")["rows"]]
    assert names == ["南岳社区", "东虹社区", "空社区"] and empty.pk


def test_a_community_under_weight_0_indicators_only_is_graded_by_share_met(world, tmp_path):
    path = tmp_path / "w0.yaml"
    path.write_text("""format: 1
id: w0
title: 只有零权重
source: {document: x.txt, locality: 某地, year: 2020}
indicators:
  - {id: grid, rule: P-GRID-6, title: 网格覆盖, metric: grid_coverage, compare: {op: ">=", value: 100}, weight: 0}
grading:
  示范: {min_score: 90}
  合格: {min_score: 60}
""", encoding="utf-8")
    pack = packs.load_pack(path)
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.district), pack)
    assert {s.score for s in run.scores.all()} == {100.0} and {s.grade for s in run.scores.all()} == {"示范"}


def test_bad_parameters_get_answers_not_errors(client, world):
    client.force_login(world.community_worker_a)
    for year in ("0", "10000", "-5", "abc"):
        assert client.get(f"/ledgers/{world.comm_a.code}/?tab=meetings&year={year}").status_code == 200
    r = client.post(f"/ledgers/{world.comm_a.code}/workers/new/",
                    {"name": "赵六", "committee_post": "member", "left_on": "2099-01-01"})
    assert r.status_code == 400 and "「离任日期」不能晚于今天" in r.content.decode()
    from gongzhi.standards import surveys
    today = dt.date.today()
    s = surveys.survey_create(place=world.comm_a, title="问卷", kind="satisfaction", questions=["一"],
                              opens_on=today, closes_on=today, by=world.community_worker_a)
    r = client.post(f"/standards/surveys/{s.pk}/open/", {"version": "abc"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.state == "draft"


def test_a_closed_call_takes_nothing_more(client, world):
    from gongzhi.core.scope import Scope
    from gongzhi.standards.manifest import SUBMIT_CASES
    call = cases.call_create(place=world.district, title="征集", deadline=dt.date.today() + dt.timedelta(days=5),
                             topics=[], by=world.admin)
    client.force_login(world.admin)
    assert client.post(f"/standards/cases/{call.pk}/close/").status_code == 302
    call.refresh_from_db()
    assert call.state == "closed" and call.phase == "已汇编"
    try:
        cases.case_submit(call=call, scope=Scope.for_user_capability(world.street_officer_a, SUBMIT_CASES),
                          place=world.street_a,
                          title="迟到", topic="", text="正文", by=world.street_officer_a)
    except cases.CaseError as exc:
        assert "不能报送" in str(exc)
    else:
        raise AssertionError("a closed call took a case")
    officer_b = user("street_b", "street", world.street_b)
    client.force_login(officer_b)
    assert client.post(f"/standards/cases/{call.pk}/close/").status_code == 403


def test_a_volunteer_registered_twice_at_once_is_refused_cleanly(world, monkeypatch):
    from gongzhi.core import crypto
    from gongzhi.ledgers.models import Volunteer
    number = crypto.decrypt(world.res_a1.id_number_enc)
    # the other worker's registration lands between our check and our save
    real_filter = Volunteer.objects.filter

    def racing_filter(*args, **kwargs):
        result = real_filter(*args, **kwargs)
        if kwargs.get("resident") == world.res_a1 and not real_filter(resident=world.res_a1).exists():
            Volunteer.objects.create(community=world.comm_a, resident=world.res_a1, registered_on="2025-01-01")
            return real_filter(pk__in=[])
        return result
    monkeypatch.setattr(Volunteer.objects, "filter", racing_filter)
    try:
        ledger_services.volunteer_register(community=world.comm_a, id_number=number, registered_on=dt.date(2025, 2, 1))
    except ledger_services.LedgerError as exc:
        assert "已是注册志愿者" in str(exc)
    else:
        raise AssertionError("the second registration was not refused")


def test_matrix_pages_through_a_district_in_sorted_order(world):
    Facility.objects.create(community=world.comm_a, service_area_m2=100)
    run = _run(world)
    pack = packs.load("yixing-2019")
    first = results.matrix(None, run, pack, sort="-facility-area", per_page=1, page=1)
    second = results.matrix(None, run, pack, sort="-facility-area", per_page=1, page=2)
    assert [r["score"].community.name for r in first["rows"]] == ["东虹社区"]
    assert [r["score"].community.name for r in second["rows"]] == ["南岳社区"]
    assert first["page"].paginator.count == 2 and first["grades"] == second["grades"]
    assert first["pass_rates"] == second["pass_rates"]  # over all the rows, not the page
