"""Counting night's sheet (elections/tally_sheet.py): download the template of the stations not yet
counted, fill it, upload it: every station written at once, or nothing with the row and column named;
then every ready election counted at once, the caller's own only."""
import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gongzhi.elections import services
from gongzhi.elections.models import Election, State, Tally
from tests.elections.helpers import TODAY, voting
from tests.factories import household, id_number, resident

pytestmark = pytest.mark.django_db


def _signed(w, e, station, adults):
    ids = list(e.roll.filter(resident__in=adults).values_list("pk", flat=True))
    services.turnout_bulk(election=e, station=station, voter_ids=ids)


def _template(client) -> list[list]:
    r = client.get("/elections/tallies.xlsx")
    assert r.status_code == 200
    book = load_workbook(BytesIO(b"".join(r.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def _upload(client, rows, name="计票.xlsx"):
    from openpyxl import Workbook
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return client.post("/elections/tallies/", {"file": SimpleUploadedFile(name, out.getvalue())})


def _fill(rows, figures):
    """figures: {(station name, item or candidate name): votes}; returns the filled rows."""
    filled = [rows[0]]
    for row in rows[1:]:
        row = list(row)
        key = (row[2], row[6] if row[4] == "候选人" else row[4])
        if key in figures:
            row[9] = figures[key]
        filled.append(row)
    return filled


@pytest.fixture
def counting_night(world):
    e = voting(world)
    _signed(world, e, world.station, world.adults[:6])  # 6 sign at the station, 2 at the mobile box
    _signed(world, e, world.mobile, world.adults[6:8])
    return e


def test_the_sheet_round_trip_writes_every_station_then_counts(client, world, counting_night):
    e = counting_night
    client.force_login(world.street_officer_a)
    page = client.get("/elections/tallies/").content.decode()
    assert "东虹社区" in page and 'data-testid="pending">2<' in page
    rows = _template(client)
    assert rows[0][:5] == ["投票点编号", "社区(村)", "投票点", "轮次", "项目"]
    station_rows = [r for r in rows[1:] if r[2] == "第一投票站"]
    assert [r[4] for r in station_rows][:2] == ["收回选票", "无效票"]
    assert station_rows[0][8] == 6  # voters signed there, to check the count against
    assert sum(1 for r in station_rows if r[4] == "候选人") == 5
    names = [c.name for c in world.candidates]
    figures = {("第一投票站", "收回选票"): 6, ("第一投票站", "无效票"): 1, ("第一投票站", names[0]): 5,
               ("第一投票站", names[2]): 4, ("第一投票站", names[3]): 4,
               ("流动票箱", "收回选票"): 2, ("流动票箱", names[0]): 2, ("流动票箱", names[2]): 2,
               ("流动票箱", names[3]): "２"}  # full-width digits as an IME types them
    filled = _fill(rows, figures)
    filled.append([world.station.pk, "", "", 1, "另选他人", "委员", "赵六", None, None, 1])
    r = _upload(client, filled)
    assert r.status_code == 302, r.content.decode()[:2000]
    tallies = {t.station_id: t for t in Tally.objects.filter(station__election=e)}
    assert tallies[world.station.pk].ballots == 6 and tallies[world.station.pk].invalid == 1
    assert tallies[world.mobile.pk].ballots == 2
    assert {(ln.write_in, ln.votes) for ln in tallies[world.station.pk].lines.filter(candidate=None)} == {("赵六", 1)}
    # the same sheet again: those stations are in now, refused by row, nothing doubled
    r = _upload(client, filled)
    assert r.status_code == 422 and "第一投票站的第 1 轮计票结果已录入" in r.content.decode()
    assert Tally.objects.filter(station__election=e).count() == 2
    page = client.get("/elections/tallies/").content.decode()
    assert 'data-testid="ready">1<' in page
    r = client.post("/elections/tallies/count/", follow=True)
    assert "已计票 1 个选举:选举有效 1 个" in r.content.decode()
    e.refresh_from_db()
    assert e.state == State.DONE
    assert set(e.candidates.filter(elected=True).values_list("name", flat=True)) == {names[0], names[2], names[3]}


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(client, world, counting_night):
    client.force_login(world.community_worker_a)
    rows = _template(client)
    names = [c.name for c in world.candidates]
    filled = _fill(rows, {("第一投票站", "收回选票"): 6, ("第一投票站", names[0]): "五",
                          ("流动票箱", "收回选票"): -1})
    filled.append([world.station.pk, "", "", 2, "收回选票", "", "", None, None, 1])  # a later round's row
    filled.append([999999999, "", "", 1, "收回选票", "", "", None, None, 1])  # not a station of hers
    filled.append([world.station.pk, "", "", 1, "候选人", "主任", "冒名", 88888, None, 1])
    filled.append([world.station.pk, "", "", 1, "另选他人", "委员", "", None, None, 3])
    filled.append([world.station.pk, "", "", 1, "另选他人", "村长", "钱七", None, None, 1])
    filled.append([world.station.pk, "", "", 1, "补票", "", "", None, None, 1])
    filled.append([world.station.pk, "", "", 1, "收回选票", "", "", None, None, 6])  # twice
    filled.append([world.station.pk, "", "", 1, "另选他人", "委员", "=cmd|' /C calc'!A0", None, None, 1])
    r = _upload(client, filled)
    text = r.content.decode()
    assert r.status_code == 422
    row_of = {id(row): i + 1 for i, row in enumerate(filled)}
    five = next(row_of[id(row)] for row in filled if row[9] == "五")
    assert f"第 {five} 行「票数」:须为不小于 0 的整数" in text
    n = len(filled)
    for expected in (f"第 {n - 7} 行「轮次」:东虹社区当前是第 1 轮,本行是第 2 轮的", f"第 {n - 6} 行「投票点编号」:不是您可以录入的投票点",
                     f"第 {n - 5} 行「候选人编号」:不是东虹社区第 1 轮的候选人", f"第 {n - 4} 行「姓名」:另选他人有票数",
                     f"第 {n - 3} 行「职务」:请填写", f"第 {n - 2} 行「项目」:只能是",
                     f"第 {n - 1} 行「项目」:东虹社区第一投票站的「收回选票」出现了两次"):
        assert expected in text, expected
    assert not Tally.objects.exists()
    # a CSV saved from another program: a control character in a name is refused by row and column
    csv = "投票点编号,轮次,项目,职务,姓名,候选人编号,票数\n" + f"{world.station.pk},1,收回选票,,,,6\n" + \
        f"{world.station.pk},1,另选他人,委员,赵\x1b六,,1\n"
    r = client.post("/elections/tallies/", {"file": SimpleUploadedFile("计票.csv", csv.encode())})
    assert r.status_code == 422 and "第 3 行「姓名」:含有不可见的控制字符" in r.content.decode()
    assert not Tally.objects.exists()


def test_a_count_over_the_rules_names_the_station_and_its_rows(client, world, counting_night):
    client.force_login(world.community_worker_a)
    rows = _template(client)
    filled = _fill(rows, {("第一投票站", "收回选票"): 6, ("流动票箱", "收回选票"): 5})  # only 2 signed there
    r = _upload(client, filled)
    first = next(i + 1 for i, row in enumerate(filled) if row[2] == "流动票箱")
    assert r.status_code == 422
    assert f"东虹社区流动票箱(第 {first} 行起):流动票箱收回选票 5 张,多于在该处登记投票的 2 人" in r.content.decode()
    assert not Tally.objects.exists()


def test_files_that_are_not_the_sheet_are_refused_in_chinese(client, world, counting_night):
    client.force_login(world.community_worker_a)
    r = client.post("/elections/tallies/", {"file": SimpleUploadedFile("计票.xlsx", b"PK\x03\x04 not a zip")})
    assert r.status_code == 422 and "计票.xlsx" in r.content.decode()
    r = client.post("/elections/tallies/", {"file": SimpleUploadedFile("计票.xlsx", b"0" * (5 * 1024 * 1024 + 1))})
    assert r.status_code == 422 and "超过 5 MB" in r.content.decode()
    r = client.post("/elections/tallies/", {})
    assert r.status_code == 422 and "请选择填好的计票汇总表" in r.content.decode()
    r = _upload(client, [["姓名", "票数"], ["张三", 1]])
    assert r.status_code == 422 and "缺少列:投票点编号" in r.content.decode()
    # columns in another order, 票数 far to the right, rows that stop short of it: read, not a crash
    wide = ["备注"] * 20 + ["票数"]
    r = _upload(client, [["投票点编号", "轮次", "项目", "职务", "姓名", "候选人编号"] + wide,
                         [world.station.pk, 1, "收回选票"], [world.station.pk, 1, "候选人", "", "", 999]])
    assert r.status_code == 422 and "不是东虹社区第 1 轮的候选人" in r.content.decode()
    r = _upload(client, _template(client))  # downloaded and sent back untouched
    assert r.status_code == 422 and "没有填写收回选票的投票点" in r.content.decode()
    assert not Tally.objects.exists()


def test_count_all_counts_only_the_callers_own_ready_elections(client, world, counting_night):
    # community B (street B) has an election of its own, all stations counted
    hh = household(world.grid_b1)
    b_adults = [resident(hh, f"南岳选民{i}", id_number=id_number(dt.date(1960 + i, 5, 1)),
                         moved_in_on=dt.date(2000, 1, 1)) for i in range(3)]
    (b,) = services.election_open(street=world.street_b, communities=[world.comm_b], term=2026, committee_on=TODAY,
                                  roll_on=TODAY + dt.timedelta(days=1), candidates_on=TODAY + dt.timedelta(days=2),
                                  election_day=TODAY + dt.timedelta(days=30), seats=(1, 0, 0))
    Election.objects.filter(pk=b.pk).update(margin=0)
    b.refresh_from_db()
    services.roll_build(election=b)
    services.roll_publish(election=b, on=TODAY)
    c = services.candidate_nominate(election=b, resident=b_adults[0], post="director", nomination="party", on=TODAY)
    services.candidates_publish(election=b, on=TODAY)
    st = services.station_add(election=b, kind="station", name="南岳投票站")
    services.voting_open(election=b, on=TODAY + dt.timedelta(days=8))
    _signed(world, b, st, b_adults)
    services.tally_enter(election=b, station=st, ballots=3, invalid=0, votes={c.pk: 3})
    e = counting_night
    services.tallies_enter(entries=[{"station": world.station, "ballots": 6, "votes": {}},
                                    {"station": world.mobile, "ballots": 2, "votes": {}}])
    client.force_login(world.street_officer_a)
    page = client.get("/elections/tallies/").content.decode()
    assert "南岳社区" not in page
    r = client.post("/elections/tallies/count/", follow=True)
    assert "已计票 1 个选举" in r.content.decode()
    e.refresh_from_db()
    b.refresh_from_db()
    assert e.state != State.VOTING and b.state == State.VOTING
    # and street A's sheet cannot write B's station
    r = _upload(client, [["投票点编号", "轮次", "项目", "职务", "姓名", "候选人编号", "票数"],
                         [st.pk, 1, "收回选票", "", "", "", 3]])
    assert r.status_code == 422 and "不是您可以录入的投票点" in r.content.decode()
