"""The pages: a street opens elections, the steps through the one POST view (each refusal shown in
Chinese, nothing changed), the coverage table and its xlsx, the A3 PDFs, a resident's own page."""
import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from gongzhi.elections.models import Election, State, Voter
from tests.elections.helpers import DAY, TODAY, nominated, published, voting
from tests.factories import user

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_street_officer_opens_elections_for_the_street(client, world):
    client.force_login(world.street_officer_a)
    assert client.get("/elections/plan/").status_code == 200
    r = client.post("/elections/plan/", {
        "street_code": world.street_a.code, "community_codes": [world.comm_a.code], "term": "2026", "body": "residents",
        "method": "direct", "committee_on": TODAY.isoformat(), "roll_on": (TODAY + dt.timedelta(days=3)).isoformat(),
        "candidates_on": (TODAY + dt.timedelta(days=10)).isoformat(), "election_day": DAY.isoformat()})
    assert r.status_code == 302
    assert Election.objects.get().community == world.comm_a
    # a roll date too late: the form says why, nothing is made
    r = client.post("/elections/plan/", {
        "street_code": world.street_a.code, "community_codes": [world.comm_a.code], "term": "2027",
        "committee_on": TODAY.isoformat(), "roll_on": (DAY - dt.timedelta(days=5)).isoformat(),
        "candidates_on": (DAY - dt.timedelta(days=6)).isoformat(), "election_day": DAY.isoformat()})
    assert r.status_code == 422 and "各步骤日期须依次排列" in r.content.decode()
    r = client.post("/elections/plan/", {"street_code": world.street_a.code, "community_codes": [world.comm_a.code],
                                         "term": "二〇二七", "committee_on": "x"})
    assert r.status_code == 422 and "届次年份" in r.content.decode()
    assert Election.objects.count() == 1


def test_community_worker_cannot_plan(client, world):
    client.force_login(world.community_worker_a)
    assert client.get("/elections/plan/").status_code == 403


def test_steps_through_the_page_show_chinese_refusals_and_change_nothing(client, world):
    e = published(world)
    client.force_login(world.community_worker_a)
    page = client.get(f"/elections/{e.pk}/").content.decode()
    assert "选民名单" in page and "公布候选人名单" in page
    # a candidate not on the roll (王五 lives in B): refused by name
    r = client.post(f"/elections/{e.pk}/act/nominate/", {"id_number": "", "post": "director"}, follow=True)
    assert "请填写公民身份号码" in _messages(r)[0]
    before = list(Voter.objects.values_list("pk", "active"))
    r = client.post(f"/elections/{e.pk}/act/voter_remove/", {"voter": "abc", "reason": "x"}, follow=True)
    assert "不在本次选举的选民名单上" in _messages(r)[0]
    r = client.post(f"/elections/{e.pk}/act/roll_publish/", follow=True)
    assert "不能公布选民名单" in _messages(r)[0]
    assert list(Voter.objects.values_list("pk", "active")) == before
    r = client.post(f"/elections/{e.pk}/act/objection/", {"raised_by": "李四", "text": "漏登"}, follow=True)
    assert "异议已登记" in _messages(r)[0]
    assert client.post(f"/elections/{e.pk}/act/nonsense/").status_code == 404


def test_tally_over_the_signed_voters_is_refused_on_the_page(client, world):
    e = voting(world)
    client.force_login(world.community_worker_a)
    r = client.post(f"/elections/{e.pk}/act/tally/", {"station": world.station.pk, "ballots": "5", "invalid": "0"},
                    follow=True)
    assert "第一投票站收回选票 5 张,多于在该处登记投票的 0 人" in _messages(r)[0]
    assert not e.stations.filter(tallies__isnull=False).exists()


def test_coverage_table_and_xlsx(client, world):
    nominated(world)
    client.force_login(world.street_officer_a)
    page = client.get("/elections/").content.decode()
    assert "东虹社区" in page and "候选人已公布" in page
    r = client.get("/elections/coverage.xlsx?term=2026")
    rows = list(load_workbook(BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "社区(村)" and rows[1][0] == "东虹社区" and rows[1][5] == "候选人已公布"


def test_board_pdfs_are_a3_with_embedded_cjk(client, world):
    e = nominated(world)
    client.force_login(world.community_worker_a)
    for url in (f"/elections/{e.pk}/roll.pdf", f"/elections/{e.pk}/candidates.pdf"):
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf", url
        reader = PdfReader(BytesIO(r.content))
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 1191), url  # A3 portrait
        text = "".join(p.extract_text() for p in reader.pages)
        assert "东虹社区" in text and "选民0" in text, url
        for font in reader.pages[0]["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"].get_object()
            assert "CJK" in font["/BaseFont"] and any(k.startswith("/FontFile") for k in descriptor), url
    assert client.get(f"/elections/{e.pk}/result.pdf").status_code == 404  # not counted yet
    from gongzhi.core.models import AccessLog
    assert AccessLog.objects.filter(detail__contains="选民名单 PDF").exists()


def test_resident_sees_own_entry_and_own_community_only(client, world):
    e = nominated(world)
    client.force_login(world.resident_user)  # 张三 of community A
    page = client.get("/elections/mine/").content.decode()
    assert "您已登记为选民" in page and "选民0" in page  # a candidate's name on the published list
    roll = client.get(f"/elections/mine/{e.pk}/roll/").content.decode()
    assert "张三" in roll and "李四" in roll
    assert client.get(f"/elections/{e.pk}/").status_code == 403  # the staff page is not theirs
    other = user("res_b", "resident", world.comm_b, resident=world.res_b1)
    client.force_login(other)
    page = client.get("/elections/mine/").content.decode()
    assert "东虹社区" not in page and "选民0" not in page
    assert client.get(f"/elections/mine/{e.pk}/roll/").status_code == 404
    assert e.state == State.CANDIDATES_PUBLISHED
