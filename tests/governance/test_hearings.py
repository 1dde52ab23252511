"""P-GOV-3, 002(2) 二(三)2(4): 完善社区社会事务听证会制度,对涉及政府部门解决的事项,及时召开社区社会事务
听证会,向政府部门反馈居民意见.

A matter that needs the government is a residents' topic handed to a work order that a government
department handles; a hearing (听证会) names the matters it hears and the department it feeds back to,
and writes its ledger row when it is held; the metric is the share of a community's matters of the
year heard (on or after the day handed, by that department), None where there is none; the Wuhan pack
judges it at 100 % and does not judge a community without such a matter (不适用)."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.governance import meetings as svc
from gongzhi.governance.models import HearingMatter, Session
from gongzhi.ledgers.models import Meeting
from gongzhi.standards import assess, compute, packs
from gongzhi.standards.models import Result
from tests.governance.matters import TRANSPORT, WATER, at, government_matter

YEAR = 2025
CLAUSE = "对涉及政府部门解决的事项,及时召开社区社会事务听证会,向政府部门反馈居民意见"
METRIC = "government_matters_heard_share"


def hearing(w, matters, department_topic, *, called: dt.date, held: dt.date | None, community=None,
            title="听证会"):
    """A hearing of `matters`, fed back to the department handling `department_topic`'s order, called on
    `called` and held on `held` (None: not yet held)."""
    community = community or w.comm_a
    by = w.community_worker_a if community == w.comm_a else w.community_worker_b
    order = department_topic.handed_order
    s = svc.session_create(community=community, form="hearing", title=title, starts_at=at(called, 19),
                           deputies="人大代表吴某", matter_ids=[m.pk for m in matters],
                           department=svc.department_key(order.handling_place_id, order.handling_department),
                           by=by, now=at(called, 9))
    if held is not None:
        s = svc.session_record(session_id=s.pk, version=s.version, by=by, held_on=held, outcome="居民意见已汇总",
                               attended_ids=list(s.participants.values_list("pk", flat=True)),
                               fed_back="居民希望兼顾老人出行")
    return s


@pytest.fixture
def matters(world):
    """Community A: heard; not heard; heard by the wrong department; heard before it was handed;
    handed last year (another year's matter). Community B: none."""
    w = world
    m = {
        "heard": government_matter(w, w.comm_a, "公交站点迁移", department=TRANSPORT, handed=dt.date(YEAR, 3, 1)),
        "unheard": government_matter(w, w.comm_a, "河道护栏缺失", department=WATER, handed=dt.date(YEAR, 4, 1)),
        "wrong": government_matter(w, w.comm_a, "路口红绿灯时长", department=TRANSPORT, handed=dt.date(YEAR, 5, 1)),
        "early": government_matter(w, w.comm_a, "公交线路调整", department=TRANSPORT, handed=dt.date(YEAR, 6, 10)),
        "last_year": government_matter(w, w.comm_a, "去年的事项", department=TRANSPORT, handed=dt.date(YEAR - 1, 11, 1)),
    }
    hearing(w, [m["heard"]], m["heard"], called=dt.date(YEAR, 3, 1), held=dt.date(YEAR, 3, 10))
    # fed back to the water bureau, but the traffic lights are the transport bureau's
    hearing(w, [m["wrong"]], m["unheard"], called=dt.date(YEAR, 5, 2), held=dt.date(YEAR, 5, 12))
    # called and held before the topic was handed (recorded late, the day before the handing)
    hearing(w, [m["early"]], m["early"], called=dt.date(YEAR, 6, 1), held=dt.date(YEAR, 6, 9))
    hearing(w, [m["last_year"]], m["last_year"], called=dt.date(YEAR - 1, 11, 2), held=dt.date(YEAR - 1, 11, 20))
    return m


# -- the pack --------------------------------------------------------------------------------------
def test_the_wuhan_pack_checks_every_matter_heard_and_not_communities_without_one():
    """002(2) 二(三)2(4): 对涉及政府部门解决的事项,及时召开社区社会事务听证会,向政府部门反馈居民意见."""
    wuhan = packs.load("wuhan-2011")
    ind = wuhan.indicator("hearings")
    assert ind["rule"] == "P-GOV-3" and ind["clause"] == "002(2) 二(三)2(4)"
    assert ind["metric"] == METRIC and (ind["op"], ind["value"]) == (">=", 100)
    assert ind["weight"] > 0 and ind["no_value"] == "not_applicable"
    readings = [r for r in wuhan.readings if r["rule"] == "P-GOV-3"]
    assert any(not r["own"] and r["clause"] == CLAUSE for r in readings)  # “每一件事项”: the seed's words
    own = [r["reading"] for r in readings if r["own"]]
    assert any("转为工单" in r and "及时" in r for r in own)  # which matters, and “及时”: the pack's own
    assert any("不适用" in r for r in own)
    for path in sorted(packs.PACK_DIR.glob("*.yaml")):  # no pack says it cannot be checked
        assert not any(u["rule"] == "P-GOV-3" for u in packs.load_pack(path).unverifiable)


def test_a_reason_saying_the_platform_lacks_the_matters_is_caught():
    """The pack test's check (tests/standards/test_packs.py) now knows the platform has the matters that
    need the government and whether each was heard: a "cannot check" P-GOV-3 would fail it."""
    import re

    from gongzhi.standards import metrics
    provided = metrics.data_provided()
    assert {"涉及政府部门解决的事项", "听证事项", "听证会"} <= provided
    why = "平台未登记涉及政府部门解决的事项,不知道哪些事项应当召开听证会"
    wanted = re.findall(r"平台(?:也)?(?:尚未|未|不)(?:登记|区分)([^,,。;;]+)", why)
    assert [d for w in wanted for d in provided if d in w]


def test_a_pack_value_for_no_value_is_checked(tmp_path):
    path = tmp_path / "nv.yaml"
    path.write_text("""format: 1
id: nv
title: 无数据
source: {document: x.txt, locality: 某地, year: 2020}
indicators:
  - {id: h, rule: P-GOV-3, title: 听证, metric: government_matters_heard_share, compare: {op: ">=", value: 100},
     no_value: skip, weight: 5}
""", encoding="utf-8")
    with pytest.raises(packs.PackError, match="「no_value」应为 fails"):
        packs.load_pack(path)


# -- the metric ------------------------------------------------------------------------------------
def test_the_share_of_matters_heard(world, matters):
    values = compute.compute(["government_matters", "government_matters_heard", METRIC], year=YEAR)
    a, b = world.comm_a.pk, world.comm_b.pk
    # this year's four: heard; not heard; the wrong department; before it was handed
    assert values["government_matters"][a] == 4 and values["government_matters_heard"][a] == 1
    assert values[METRIC][a] == 25.0
    assert values[METRIC][b] is None and values["government_matters"][b] == 0  # nothing to hear
    last = compute.compute([METRIC], year=YEAR - 1)
    assert last[METRIC][a] == 100.0 and last[METRIC][b] is None


def test_a_hearing_counts_only_once_held_and_by_the_assessment_day(world):
    m = government_matter(world, world.comm_a, "公交站点迁移", handed=dt.date(YEAR, 3, 1))
    s = hearing(world, [m], m, called=dt.date(YEAR, 3, 2), held=None)
    assert compute.compute([METRIC], year=YEAR)[METRIC][world.comm_a.pk] == 0.0  # called, not yet held
    svc.session_record(session_id=s.pk, version=s.version, by=world.community_worker_a, held_on=dt.date(YEAR, 3, 9),
                       outcome="汇总", fed_back="居民意见")
    assert compute.compute([METRIC], year=YEAR)[METRIC][world.comm_a.pk] == 100.0
    before = compute.compute([METRIC], year=YEAR, as_of=dt.date(YEAR, 3, 8))
    assert before[METRIC][world.comm_a.pk] == 0.0  # held after the assessment day


def test_a_matter_sent_back_to_another_department_is_no_longer_heard(world, matters):
    from gongzhi.workorders.models import WorkOrder
    WorkOrder.objects.filter(pk=matters["heard"].handed_order_id).update(handling_department=WATER)
    assert compute.compute([METRIC], year=YEAR)[METRIC][world.comm_a.pk] == 0.0


# -- the engine: no matter, not judged ---------------------------------------------------------------
def test_a_community_without_matters_is_not_judged_and_the_scorecard_says_so(client, world, matters):
    wuhan = packs.load("wuhan-2011")
    run = assess.run(assess.start(pack=wuhan, period=YEAR, scope=world.district), wuhan)
    a = Result.objects.get(run=run, place=world.comm_a, indicator="hearings")
    assert (a.value, a.passed, a.points, a.detail) == (25.0, False, 0, "1 项已听证 ÷ 4 项事项")
    assert not Result.objects.filter(run=run, place=world.comm_b, indicator="hearings").exists()
    assert run.scores.get(community=world.comm_b).applicable == \
        Result.objects.filter(run=run, place=world.comm_b).count()  # its weight is not counted either
    client.force_login(world.admin)
    page = client.get(f"/standards/assessments/{run.pk}/communities/{world.comm_b.code}/").content.decode()
    assert 'data-testid="not-applicable"' in page and "不适用" in page and "无事可听证" in page
    page_a = client.get(f"/standards/assessments/{run.pk}/communities/{world.comm_a.code}/").content.decode()
    assert 'data-testid="not-applicable"' not in page_a and "1 项已听证 ÷ 4 项事项" in page_a
    pdf = client.get(f"/standards/assessments/{run.pk}/communities/{world.comm_b.code}/?format=pdf")
    assert pdf.status_code == 200
    viewer = client.get("/standards/packs/wuhan-2011/").content.decode()
    assert "无数据的社区不适用" in viewer


def test_the_weight_is_not_lost_without_matters(world, tmp_path):
    """Only the hearings indicator: a community with no matter is not graded by it at all."""
    path = tmp_path / "h.yaml"
    path.write_text("""format: 1
id: h
title: 听证
source: {document: x.txt, locality: 某地, year: 2020}
indicators:
  - {id: hearings, rule: P-GOV-3, title: 听证, metric: government_matters_heard_share,
     compare: {op: ">=", value: 100}, no_value: not_applicable, weight: 5}
  - {id: grid, rule: P-GRID-6, title: 网格覆盖, metric: grid_coverage, compare: {op: ">=", value: 0}, weight: 5}
""", encoding="utf-8")
    pack = packs.load_pack(path)
    m = government_matter(world, world.comm_a, "公交站点迁移", handed=dt.date(YEAR, 3, 1))
    hearing(world, [m], m, called=dt.date(YEAR, 3, 2), held=dt.date(YEAR, 3, 9))
    run = assess.run(assess.start(pack=pack, period=YEAR, scope=world.district), pack)
    scores = {s.community_id: (s.score, s.applicable) for s in run.scores.all()}
    assert scores[world.comm_a.pk] == (100.0, 2) and scores[world.comm_b.pk] == (100.0, 1)


# -- the hearing and its ledger row ---------------------------------------------------------------
def test_holding_a_hearing_writes_its_ledger_row(world):
    m = government_matter(world, world.comm_a, "公交站点迁移", handed=dt.date(YEAR, 3, 1))
    other = government_matter(world, world.comm_a, "公交线路调整", handed=dt.date(YEAR, 3, 2))
    s = hearing(world, [m, other], m, called=dt.date(YEAR, 3, 3), held=None, title="公交听证会")
    assert s.department == TRANSPORT and s.department_place == world.district
    assert set(HearingMatter.objects.filter(session=s).values_list("topic", flat=True)) == {m.pk, other.pk}
    assert not Meeting.objects.filter(kind="hearing").exists()
    # the department is the one named when called, whatever the record form says
    s = svc.session_record(session_id=s.pk, version=s.version, by=world.community_worker_a,
                           held_on=dt.date(YEAR, 3, 9), outcome="居民意见已汇总", department="别的部门",
                           fed_back="保留站点")
    row = Meeting.objects.get(kind="hearing")
    assert s.ledger_row == row and s.department == TRANSPORT
    assert (row.community, row.held_on, row.source, row.source_pk) == (world.comm_a, dt.date(YEAR, 3, 9),
                                                                      "governance.session", s.pk)
    assert "听证事项:「公交站点迁移」、「公交线路调整」" in row.minutes and f"反馈{TRANSPORT}:保留站点" in row.minutes
    s = svc.session_answer(session_id=s.pk, version=s.version, by=world.community_worker_a, department_answer="年内增设")
    row.refresh_from_db()
    assert "听证事项" in row.minutes and "部门答复:年内增设" in row.minutes
    assert Meeting.objects.filter(kind="hearing").count() == 1
    assert compute.compute(["hearings_per_year"], year=YEAR)["hearings_per_year"][world.comm_a.pk] == 1


# -- bad input ----------------------------------------------------------------------------------------
def _nothing_written():
    return not Session.objects.filter(form="hearing").exists() and not HearingMatter.objects.exists()


def test_bad_hearings_are_refused_with_nothing_written(world):
    m = government_matter(world, world.comm_a, "公交站点迁移", handed=dt.date(YEAR, 3, 1))
    b = government_matter(world, world.comm_b, "南岳的事项", handed=dt.date(YEAR, 3, 1))
    key = svc.department_key(m.handed_order.handling_place_id, TRANSPORT)
    base = dict(community=world.comm_a, form="hearing", title="听证", starts_at=at(dt.date(YEAR, 3, 5)),
                deputies="人大代表吴某", by=world.community_worker_a)
    cases = [
        (dict(matter_ids=[], department=key), "至少一个听证事项"),
        (dict(matter_ids=[b.pk], department=key), "不属于本社区"),  # a matter of another community
        (dict(matter_ids=[2 ** 63], department=key), "不属于本社区"),
        (dict(matter_ids=[str(2 ** 64)], department=key), "不属于本社区"),
        (dict(matter_ids=[f"{m.pk}\x00"], department=key), "不属于本社区"),
        (dict(matter_ids=["-1"], department=key), "不属于本社区"),
        (dict(matter_ids=[m.pk], department=""), "反馈部门"),
        (dict(matter_ids=[m.pk], department=key + "\x07"), "反馈部门"),
        (dict(matter_ids=[m.pk], department=f"{2 ** 63}:{TRANSPORT}"), "反馈部门"),
        (dict(matter_ids=[m.pk], department=f"{world.district.pk}:别的部门"), "反馈部门"),
    ]
    for kw, message in cases:
        with pytest.raises(RuleError, match=message):
            svc.session_create(**base, **kw)
        assert _nothing_written(), kw
    # an open topic, or one the committee took to deliberation, is not a matter that needs the government
    from gongzhi.governance import services as topics
    open_topic = topics.topic_raise(place=world.comm_a, category="facilities", title="未答复", text="内容",
                                    by=world.community_worker_a, raised_as="committee")
    with pytest.raises(RuleError, match="不属于本社区"):
        svc.session_create(**base, matter_ids=[open_topic.pk], department=key)
    with pytest.raises(RuleError, match="只有听证会"):
        svc.session_create(**{**base, "form": "deliberation"}, matter_ids=[m.pk], department=key)
    assert _nothing_written() and not Session.objects.exists()


def test_the_hearing_page(client, world):
    m = government_matter(world, world.comm_a, "公交站点迁移", handed=dt.date(YEAR, 3, 1))
    b = government_matter(world, world.comm_b, "南岳的事项", handed=dt.date(YEAR, 3, 1))
    client.force_login(world.community_worker_a)
    key = svc.department_key(m.handed_order.handling_place_id, TRANSPORT)
    # from the matter's page: 召开听证会, the form preset
    page = client.get(f"/governance/{m.pk}/").content.decode()
    assert 'data-testid="topic-hearings"' in page and "尚未召开听证会" in page and f"matter={m.pk}" in page
    form = client.get(f"/governance/sessions/new/?community={world.comm_a.code}&matter={m.pk}").content.decode()
    assert 'data-testid="hearing-matters"' in form and "公交站点迁移" in form and "南岳的事项" not in form
    assert f'<option value="{key}" selected>' in form
    good = {"community": world.comm_a.code, "form": "hearing", "title": "公交听证会", "deputies": "人大代表吴某",
            "starts_at": (timezone.localdate() + dt.timedelta(days=3)).strftime("%Y-%m-%dT19:00"),
            "matters": [str(m.pk)], "department": key}
    bad = [({"matters": []}, "至少一个听证事项"), ({"matters": [str(b.pk)]}, "不属于本社区"),
           ({"matters": [str(2 ** 63)]}, "不属于本社区"), ({"matters": ["１２"]}, "不属于本社区"),
           ({"matters": [f"{m.pk}\x00"]}, "不属于本社区"), ({"department": key + "\x00"}, "反馈部门"),
           ({"department": ""}, "反馈部门"), ({"title": "听证\x1b会"}, "控制字符"),
           ({"form": "deliberation"}, "只有听证会")]
    for change, message in bad:
        r = client.post("/governance/sessions/new/", {**good, **change})
        assert r.status_code == 422 and message in r.content.decode(), change
        assert _nothing_written(), change
    r = client.post("/governance/sessions/new/", good)
    assert r.status_code == 302
    s = Session.objects.get(form="hearing")
    page = client.get(f"/governance/sessions/{s.pk}/").content.decode()
    assert 'data-testid="hearing-matters"' in page and "公交站点迁移" in page and TRANSPORT in page
    topic_page = client.get(f"/governance/{m.pk}/").content.decode()
    assert "公交听证会" in topic_page and "尚未召开听证会" not in topic_page
    # the record form does not ask again for the department named when the hearing was called
    record = client.get(f"/governance/sessions/{s.pk}/record/").content.decode()
    assert 'name="department"' not in record and 'name="fed_back"' in record


def test_a_wrong_department_is_said_on_the_hearing_page(client, world, matters):
    client.force_login(world.community_worker_a)
    s = Session.objects.get(matters__topic=matters["wrong"])
    page = client.get(f"/governance/sessions/{s.pk}/").content.decode()
    assert "与本次反馈部门不同" in page
    s = Session.objects.get(matters__topic=matters["early"])
    assert "早于该议题转办之日" in client.get(f"/governance/sessions/{s.pk}/").content.decode()


def test_a_community_without_matters_says_so_on_the_form(client, world):
    client.force_login(world.community_worker_b)
    page = client.get(f"/governance/sessions/new/?community={world.comm_b.code}").content.decode()
    assert 'data-testid="no-matters"' in page


def test_the_demo_sends_handed_topics_on_to_a_department(world):
    """DemoPart 46: two topics handed to work orders are dispatched to a department at the district, through
    the work-order engine, so the demo has a matter heard and one not."""
    from gongzhi.governance import demo_meetings
    from gongzhi.governance import services as topics
    from gongzhi.workorders.models import Category
    made = []
    for title in ("公交站点迁移", "河道护栏缺失", "第三个"):
        t = topics.topic_raise(place=world.comm_a, category="facilities", title=title, text="内容",
                               by=world.community_worker_a, raised_as="committee")
        made.append(topics.answer(topic_id=t.pk, version=t.version, kind="order", text="转工单",
                                  by=world.community_worker_a, order_category=Category.objects.get(code="property")))
    sent = demo_meetings._to_department(world.comm_a, world.community_worker_a, TRANSPORT)
    assert [t.pk for t in sent] == [made[0].pk, made[1].pk]
    assert {(t.handed_order.handling_place_id, t.handed_order.handling_department) for t in sent} == \
        {(world.district.pk, TRANSPORT)}
    assert {t.pk for t in svc.government_matters(world.comm_a.pk)} == {made[0].pk, made[1].pk}
