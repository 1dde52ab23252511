"""The community-worker yearly review (P-EVAL-3): the residents' score counted by the database from
work-order ratings (grid or community) and satisfaction responses, the sample limit, the weights from the
pack or the platform default, the pack check that keeps residents the main weight, the street's scope,
the worker's own page, stale forms, hostile input and the Excel export."""
import datetime as dt
import textwrap
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.standards import packs
from gongzhi.standards import worker_review as wr
from gongzhi.standards.models import Survey, SurveyResponse, WorkerReview
from gongzhi.workorders import services as orders
from gongzhi.workorders.models import Action, Category, Channel, WorkOrder, WorkOrderEvent
from tests.factories import user, user_with_posts

YEAR = timezone.localdate().year - 1


def at(month=6, day=15, year=YEAR, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def rated(world, *, community, grid=None, rating, when=None, actor=None):
    """A closed order rated `rating`, with the RATE event order_rate writes (actor: who recorded it)."""
    when = when or at()
    category = Category.objects.get(code="sanitation")
    order = WorkOrder.objects.create(category=category, kind=category.kind, title="路灯", description="路灯坏了",
                                     channel=Channel.WEB, district=world.district, street=community.parent,
                                     community=community, grid=grid, state="closed", closed_at=when, rating=rating)
    WorkOrderEvent.objects.create(order=order, action=Action.RATE, at=when, actor=actor or world.admin,
                                  data={"rating": rating, "by_reporter": False})
    return order


_surveys = {}


def answered(world, *, community, resident, score, kind="satisfaction", when=None, entered_by=None):
    """A response of `score` (the mean of its answers); each in its own survey, so one resident may give many."""
    survey = Survey.objects.create(title="满意度调查", kind=kind, place=community, questions=["满意吗?"],
                                   opens_on=dt.date(YEAR, 1, 1), closes_on=dt.date(YEAR, 12, 31), state="closed")
    return SurveyResponse.objects.create(survey=survey, resident=resident, community=community, answers=[round(score)],
                                         score=score, positive=score >= 3, submitted_at=when or at(),
                                         entered_by=entered_by)


def samples(world, *posts):
    return wr.residents_samples(year=YEAR, posts=[(u.pk, p) for u, p in posts])


def weights(**kw):
    return wr.Weights(**{"residents": 0.6, "street": 0.4, "min_responses": 10, **kw})


# -- the residents' score ----------------------------------------------------------------------------
def test_residents_score_counts_ratings_of_the_grid_or_community_and_the_community_surveys(world):
    rated(world, community=world.comm_a, grid=world.grid_a1, rating=5)
    rated(world, community=world.comm_a, grid=world.grid_a1, rating=4)
    rated(world, community=world.comm_a, grid=world.grid_a2, rating=1)           # the neighbouring grid
    rated(world, community=world.comm_a, rating=2, when=at(year=YEAR - 1))        # rated the year before
    rated(world, community=world.comm_a, rating=3, when=at(month=1, day=1, year=YEAR + 1, hour=0))  # the year after
    rated(world, community=world.comm_b, grid=world.grid_b1, rating=1)            # another street
    answered(world, community=world.comm_a, resident=world.res_a1, score=3.0)
    answered(world, community=world.comm_a, resident=world.res_a2, score=4.5)
    answered(world, community=world.comm_a, resident=world.res_a1, score=1.0, kind="security")  # not satisfaction
    answered(world, community=world.comm_b, resident=world.res_b1, score=1.0)
    got = samples(world, (world.grid_worker_a1, world.grid_a1), (world.community_worker_a, world.comm_a),
                  (world.community_worker_b, world.comm_b))
    grid = got[(world.grid_worker_a1.pk, world.grid_a1.pk)]
    assert (grid.n, grid.score()) == (4, wr.Decimal("82.5"))      # (5 + 4 + 3 + 4.5) / 4 × 20
    community = got[(world.community_worker_a.pk, world.comm_a.pk)]
    assert (community.n, community.score()) == (5, wr.Decimal("70.0"))  # (5 + 4 + 1 + 3 + 4.5) / 5 × 20
    b = got[(world.community_worker_b.pk, world.comm_b.pk)]
    assert (b.n, b.score()) == (2, wr.Decimal("20.0"))


def test_ratings_recorded_through_the_order_lifecycle_count_once_and_not_for_whoever_typed_them(world):
    """A real order: reported, handled, closed and rated by the community worker (a phone follow-up):
    it counts for the grid worker, not in the community worker's own review; so does a paper questionnaire."""
    cw, gw = world.community_worker_a, world.grid_worker_a1
    o = orders.order_report(category=Category.objects.get(code="sanitation"), description="垃圾", by=gw,
                            channel=Channel.GRID, grid=world.grid_a1, now=at(3, 2))
    o = orders.order_accept(order=o, by=cw, version=o.version, now=at(3, 2, hour=11))
    o = orders.order_dispatch(order=o, by=cw, version=o.version, place=world.comm_a, now=at(3, 2, hour=11))
    o = orders.order_reply(order=o, by=cw, version=o.version, reply="已清理", now=at(3, 3))
    o = orders.order_verify(order=o, by=gw, version=o.version, passed=True, now=at(3, 3))
    o = orders.order_close(order=o, by=cw, version=o.version, now=at(3, 3))
    orders.order_rate(order=o, by=cw, version=o.version, rating=4, now=at(3, 4))
    answered(world, community=world.comm_a, resident=world.res_a1, score=5.0, entered_by=cw)
    got = samples(world, (gw, world.grid_a1), (cw, world.comm_a))
    assert got[(gw.pk, world.grid_a1.pk)] == wr.Sample(total=9.0, n=2)
    assert got[(cw.pk, world.comm_a.pk)] == wr.Sample(total=0.0, n=0)


def test_the_query_count_does_not_grow_with_the_workers(world):
    rated(world, community=world.comm_a, grid=world.grid_a1, rating=5)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            wr.street_rows(street=world.street_a, year=YEAR, weights=weights())
        return len(ctx.captured_queries)

    few = count()
    for i in range(6):
        user(f"gw_extra{i}", "grid", world.grid_a2 if i % 2 else world.grid_a1)
        user(f"cw_extra{i}", "community", world.comm_a)
    assert count() == few


def test_below_min_responses_the_residents_score_is_not_given(world):
    for rating in (5, 4, 3):
        rated(world, community=world.comm_a, grid=world.grid_a1, rating=rating)
    wr.review_save(year=YEAR, worker=world.grid_worker_a1, place=world.grid_a1, street_score="90", comment="",
                   version=0, by=world.street_officer_a)
    (row,) = [r for r in wr.street_rows(street=world.street_a, year=YEAR, weights=weights())
              if r["worker"] == world.grid_worker_a1]
    assert (row["n"], row["sufficient"], row["residents_score"], row["combined"]) == (3, False, None, None)
    (row,) = [r for r in wr.street_rows(street=world.street_a, year=YEAR, weights=weights(min_responses=3))
              if r["worker"] == world.grid_worker_a1]
    assert (row["sufficient"], row["residents_score"], row["combined"]) == (True, wr.Decimal("80.0"),
                                                                            wr.Decimal("84.0"))  # 80×.6 + 90×.4


# -- weights and the pack check ---------------------------------------------------------------------------
PACK = textwrap.dedent("""\
    format: 1
    id: test-pack
    title: 测试包
    source: {document: x.txt, locality: 某市, year: 2020}
    indicators:
      - id: area
        rule: P-FAC-2
        title: 面积
        metric: facility_area_per_100_households
        compare: {op: ">=", value: 40}
        weight: 10
    worker_review:
      residents: 0.7
      street: 0.3
      min_responses: 2
    """)


def _pack(tmp_path, text):
    path = tmp_path / "test-pack.yaml"
    path.write_text(text, encoding="utf-8")
    return packs.load_pack(path)


def test_weights_come_from_the_pack_or_the_platform_default(tmp_path):
    babu = wr.weights_for(packs.load("babu-2019"))
    assert (babu.residents, babu.street, babu.min_responses, babu.from_pack) == (0.6, 0.4, 10, True)
    assert any(r["rule"] == "P-EVAL-3" for r in packs.load("babu-2019").readings)
    yixing = wr.weights_for(packs.load("yixing-2019"))  # its source says nothing of workers' reviews
    assert (yixing.residents, yixing.min_responses, yixing.from_pack, yixing.pack_title) == \
        (0.6, 10, False, packs.load("yixing-2019").title)
    assert wr.weights_for(None).snapshot()["source"] == "default"
    own = wr.weights_for(_pack(tmp_path, PACK))
    assert (own.residents, own.street, own.min_responses) == (0.7, 0.3, 2)
    assert wr.combined(wr.Decimal("80"), wr.Decimal("90"), own) == wr.Decimal("83.0")


@pytest.mark.parametrize("section, line, message", [
    ("residents: 0.5\n  street: 0.5", 13, "worker_review.residents」为 0.5:群众满意度须占主要权重"),
    ("residents: 0.4\n  street: 0.6", 13, "must be > 0.5"),
    ("residents: 0.7\n  street: 0.2", 14, "之和应为 1"),
    ("residents: 0.7\n  street: 0.3\n  min_responses: 0", 15, "min_responses」应为正整数"),
    ("residents: 0.7\n  street: 0.3\n  weight: 1", 15, "不认识「weight」"),
    ("residents: 六成\n  street: 0.4", 13, "「residents」应为数字"),
])
def test_a_pack_that_makes_residents_not_the_main_weight_is_refused(tmp_path, section, line, message):
    text = PACK.replace("residents: 0.7\n  street: 0.3\n  min_responses: 2", section)
    with pytest.raises(packs.PackError) as err:
        _pack(tmp_path, text)
    assert str(err.value).startswith(f"{tmp_path / 'test-pack.yaml'}:{line}: "), str(err.value)
    assert message in str(err.value)
    if section.startswith(("residents: 0.5", "residents: 0.4")):
        assert "test-pack" in str(err.value).split(":", 2)[2]  # the message names the pack and the field


# -- pages: the street's table -----------------------------------------------------------------------------
def _url(world, who, place):
    return f"/standards/workers/{who.pk}/{place.code}/"


def _post(client, world, who, place, **data):
    body = {"year": YEAR, "street_score": "88", "comment": "工作扎实", "version": 0, "action": "save", "pack": "-",
            **data}
    return client.post(_url(world, who, place), body)


def test_street_scores_finalises_and_the_result_stays(client, world):
    for rating in (5, 5, 4):
        rated(world, community=world.comm_a, grid=world.grid_a1, rating=rating)
    client.force_login(world.street_officer_a)
    page = client.get(f"/standards/workers/?year={YEAR}")
    text = page.content.decode()
    assert page.status_code == 200 and "gw_a1" in text and "cw_a" in text and "cw_b" not in text
    assert "平台默认" in text and "样本不足" in text
    r = _post(client, world, world.grid_worker_a1, world.grid_a1, street_score="92.5")
    assert r.status_code == 302
    review = WorkerReview.objects.get()
    assert (review.street_score, review.state, review.version, review.reviewed_by) == \
        (wr.Decimal("92.5"), "draft", 1, world.street_officer_a)
    # finalising with a pack whose sample limit is met stores the residents' figure and the weights
    r = _post(client, world, world.grid_worker_a1, world.grid_a1, street_score="90", version=1, action="final",
              pack="babu-2019")
    assert r.status_code == 302
    review.refresh_from_db()
    assert (review.state, review.residents_n, review.residents_score, review.combined_score) == \
        ("final", 3, None, None)  # babu: 10 responses needed, 3 given
    assert review.weights == {"residents": 0.6, "street": 0.4, "min_responses": 10, "pack": "babu-2019",
                              "pack_title": packs.load("babu-2019").title, "source": "pack"}
    # a final review is not edited: 422, nothing written
    r = _post(client, world, world.grid_worker_a1, world.grid_a1, street_score="10", version=review.version)
    assert r.status_code == 422 and "已定稿,不能再修改" in r.content.decode()
    assert WorkerReview.objects.get().street_score == wr.Decimal("90.0")


def test_finalised_scores_do_not_move_when_more_ratings_come(client, world):
    for _ in range(10):
        rated(world, community=world.comm_a, rating=4)
    client.force_login(world.street_officer_a)
    assert _post(client, world, world.community_worker_a, world.comm_a, street_score="70", action="final").status_code \
        == 302
    review = WorkerReview.objects.get()
    assert (review.residents_score, review.residents_n, review.combined_score) == \
        (wr.Decimal("80.0"), 10, wr.Decimal("76.0"))  # 80×.6 + 70×.4
    for _ in range(10):
        rated(world, community=world.comm_a, rating=1)
    text = client.get(f"/standards/workers/?year={YEAR}").content.decode()
    assert "76.0" in text and "80.0" in text
    client.force_login(world.community_worker_a)
    text = client.get("/standards/workers/mine/").content.decode()
    assert "76.0" in text and "80.0" in text and "10 份" in text and "70.0" in text


def test_a_stale_form_is_refused_with_409(client, world):
    client.force_login(world.street_officer_a)
    assert _post(client, world, world.community_worker_a, world.comm_a).status_code == 302
    r = _post(client, world, world.community_worker_a, world.comm_a, street_score="50", version=0)
    assert r.status_code == 409 and "已被他人修改" in r.content.decode()
    assert _post(client, world, world.community_worker_a, world.comm_a, street_score="50", version=1,
                 action="final").status_code == 302
    r = _post(client, world, world.community_worker_a, world.comm_a, street_score="60", version=1, action="final")
    assert r.status_code == 409
    review = WorkerReview.objects.get()
    assert (review.street_score, review.version, review.state) == (wr.Decimal("50.0"), 3, "final")


@pytest.mark.parametrize("data, message", [
    ({"street_score": "八十"}, "街道评分应为 0 到 100 之间的数字"),
    ({"street_score": "101"}, "街道评分应为 0 到 100"),
    ({"street_score": "-0.5"}, "街道评分应为 0 到 100"),
    ({"street_score": "NaN"}, "街道评分应为 0 到 100"),
    ({"street_score": "Infinity"}, "街道评分应为 0 到 100"),
    ({"street_score": "1e2\x00"}, "街道评分应为 0 到 100"),
    ({"street_score": ""}, "街道评分应为 0 到 100"),
    ({"street_score": "9" * 400}, "街道评分应为 0 到 100"),
    ({"comment": "好\x1b[31m"}, "控制字符"),
    ({"comment": "长" * 501}, "不能超过 500 个字"),
    ({"year": "1999"}, "年度应为 2000 到"),
    ({"year": str(YEAR + 2)}, "年度应为 2000 到"),
    ({"year": "２０２５"}, "年度应为 2000 到"),
    ({"year": "2025; DROP TABLE"}, "年度应为 2000 到"),
    ({"pack": "../../etc/passwd"}, "没有政策包"),
])
def test_hostile_input_is_a_chinese_message_and_writes_nothing(client, world, data, message):
    client.force_login(world.street_officer_a)
    r = _post(client, world, world.community_worker_a, world.comm_a, **data)
    assert r.status_code == 422, r.status_code
    assert message in r.content.decode()
    assert not WorkerReview.objects.exists()


def test_a_worker_not_posted_there_is_refused(client, world):
    client.force_login(world.street_officer_a)
    # community B's worker named with community A's code: not a worker of that post (422)
    r = _post(client, world, world.community_worker_b, world.comm_a)
    assert r.status_code == 422 and wr.ERR_NOT_WORKER in r.content.decode()
    r = client.post(f"/standards/workers/99999999999999999999/{world.comm_a.code}/", {"year": YEAR, "street_score": 1})
    assert r.status_code == 422
    # a post outside the caller's street looks absent (404), like every record outside the scope
    assert _post(client, world, world.community_worker_b, world.comm_b).status_code == 404
    assert client.get(f"/standards/workers/?street={world.street_b.code}").status_code == 404
    assert client.get(f"/standards/workers/?street={world.comm_a.code}").status_code == 404
    assert client.get("/standards/workers/?year=abc").status_code == 422
    assert not WorkerReview.objects.exists()


def test_a_street_post_grants_the_review_only_for_its_own_street(client, world):
    """Two posts: street officer of A and grid worker in B. The street post reviews A's workers; the grid
    post in B reviews nobody (and sees only the user's own results)."""
    both = user_with_posts("street_a_grid_b", ("street", world.street_a, ""), ("grid", world.grid_b1, ""))
    client.force_login(both)
    text = client.get(f"/standards/workers/?year={YEAR}").content.decode()
    assert "东虹社区" in text and "南岳社区" not in text and "cw_b" not in text
    assert client.get(f"/standards/workers/?street={world.street_b.code}").status_code == 404
    assert client.get(f"/standards/workers/export.xlsx?street={world.street_b.code}").status_code == 404
    assert _post(client, world, world.community_worker_b, world.comm_b).status_code == 404
    assert _post(client, world, world.community_worker_a, world.comm_a).status_code == 302
    assert client.get("/standards/workers/mine/").status_code == 200  # the grid post: own results
    for refused in (world.community_worker_a, world.grid_worker_a1, world.department, world.resident_user):
        client.force_login(refused)
        assert client.get("/standards/workers/").status_code == 403
        assert _post(client, world, world.community_worker_a, world.comm_a, version=1).status_code == 403
    assert WorkerReview.objects.count() == 1


def test_the_admin_picks_any_street_of_the_district(client, world):
    client.force_login(world.admin)
    text = client.get(f"/standards/workers/?street={world.street_b.code}&year={YEAR}").content.decode()
    assert "cw_b" in text and "南岳社区" in text


def test_the_worker_sees_only_their_own_final_results(client, world):
    wr.review_save(year=YEAR, worker=world.community_worker_a, place=world.comm_a, street_score="81", comment="肯干",
                   version=0, by=world.street_officer_a)
    wr.review_save(year=YEAR - 1, worker=world.community_worker_a, place=world.comm_a, street_score="64",
                   comment="草稿中", version=0, by=world.street_officer_a)  # a draft: not shown
    officer_b = user("street_b", "street", world.street_b)
    b = wr.review_save(year=YEAR, worker=world.community_worker_b, place=world.comm_b, street_score="77.7",
                       comment="南岳评语", version=0, by=officer_b)
    wr.review_finalise(review_id=b.pk, version=b.version, weights=weights(), by=officer_b)
    a = WorkerReview.objects.get(worker=world.community_worker_a, year=YEAR)
    wr.review_finalise(review_id=a.pk, version=a.version, weights=weights(), by=world.street_officer_a)
    client.force_login(world.community_worker_a)
    r = client.get("/standards/workers/mine/")
    text = r.content.decode()
    assert r.status_code == 200 and "81.0" in text and "肯干" in text and "样本不足" in text
    assert "77.7" not in text and "南岳" not in text and "64.0" not in text and "草稿中" not in text
    assert "张三" not in text and "李四" not in text  # no resident's name anywhere
    client.force_login(world.grid_worker_a1)
    assert "81.0" not in client.get("/standards/workers/mine/").content.decode()
    client.force_login(world.street_officer_a)
    assert client.get("/standards/workers/mine/").status_code == 403


def test_the_excel_holds_the_page_rows(client, world):
    for _ in range(10):
        rated(world, community=world.comm_a, grid=world.grid_a1, rating=5)
    answered(world, community=world.comm_a, resident=world.res_a1, score=4.0)
    wr.review_save(year=YEAR, worker=world.grid_worker_a1, place=world.grid_a1, street_score="80",
                   comment="=1+1 好", version=0, by=world.street_officer_a)
    client.force_login(world.street_officer_a)
    r = client.get(f"/standards/workers/export.xlsx?year={YEAR}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    content = b"".join(r.streaming_content)
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("年度", "社区", "网格", "姓名", "岗位")
    from tests.core.test_spreadsheets import assert_written_as_text
    assert_written_as_text(content, "=1+1 好")  # the street's comment stays text
    by_name = {row[3]: row for row in rows[1:]}
    assert set(by_name) == {"cw_a", "gw_a1"}
    grid = by_name["gw_a1"]
    # (10 × 5 + 4) / 11 × 20 = 98.2; combined 98.2 × .6 + 80 × .4 = 90.9
    assert (grid[5], grid[6], grid[7], grid[8], grid[10], grid[13], grid[14]) == \
        (98.2, 11, "充足", 80, 90.9, "平台默认", "草稿")
    assert by_name["cw_a"][7] == "充足" and by_name["cw_a"][8] is None
    cells = "".join(str(c) for row in rows for c in row)
    assert "张三" not in cells and "南岳" not in cells
    assert client.get("/standards/workers/export.xlsx?year=1900").status_code == 422


def test_the_pack_viewer_shows_the_weights(client, world):
    client.force_login(world.street_officer_a)
    text = client.get("/standards/packs/babu-2019/").content.decode()
    assert "社区工作者年度评价" in text and "群众满意度占 60%" in text and "本包未规定" not in text
    text = client.get("/standards/packs/yixing-2019/").content.decode()
    assert "本包未规定,按平台默认:群众满意度占 60%" in text


@pytest.mark.parametrize("value", ["x" * 100_000, "99999999999999999999", "١٢٣", "1e309", "a\x00b", "\u202eevil"])
def test_hostile_query_parameters_never_break_the_pages(client, world, value):
    client.force_login(world.admin)
    for params in ({"year": value}, {"street": value}, {"pack": value}):
        for url in ("/standards/workers/", "/standards/workers/export.xlsx"):
            r = client.get(url, params)
            # 400: the middleware's answer to a NUL in the query string
            assert r.status_code in (200, 400, 404, 422), (url, params, r.status_code)
    r = client.post(f"/standards/workers/{world.community_worker_a.pk}/{world.comm_a.code}/",
                    {"year": value, "street_score": value, "comment": value, "version": value, "pack": value})
    assert r.status_code in (400, 409, 422), r.status_code
    assert not WorkerReview.objects.exists()
