"""The pages: who sees and does what, refusals with their messages and nothing changed."""
import datetime as dt

from django.utils import timezone

from gongzhi.cadres import services
from gongzhi.cadres.models import ActivistReview, Oversight, Pledge, Rating, ReviewRound, RoundState
from tests.cadres.conftest import account


def _login(client, u):
    client.force_login(u)


def _round(w, *, opens=None, closes=None):
    today = timezone.localdate()
    opens = opens or today - dt.timedelta(days=1)
    closes = closes or today + dt.timedelta(days=1)
    half = 1 if opens.month <= 6 else 2
    return services.round_open(village=w.village, year=opens.year, half=half, opens_on=opens, closes_on=closes,
                               by=w.town_officer)


def test_town_opens_a_round_and_bad_input_changes_nothing(client, vil):
    w = vil
    _login(client, w.town_officer)
    assert client.get("/cadres/").status_code == 200
    today = timezone.localdate()
    half = 1 if today.month <= 6 else 2
    bad = client.post("/cadres/rounds/new/", {"village": w.village.code, "year": today.year, "half": half,
                                              "opens_on": today.isoformat(), "closes_on": "2020-01-01"})
    assert bad.status_code == 422 and "不能早于「评议开始」" in bad.content.decode()
    for year in ("99999999999999999999", "x", ""):
        r = client.post("/cadres/rounds/new/", {"village": w.village.code, "year": year, "half": half,
                                                "opens_on": today.isoformat(), "closes_on": today.isoformat()})
        assert r.status_code == 422 and "年度" in r.content.decode()
    assert not ReviewRound.objects.exists()
    r = client.post("/cadres/rounds/new/", {"village": w.village.code, "year": today.year, "half": half,
                                            "opens_on": today.isoformat(), "closes_on": today.isoformat()})
    assert r.status_code == 302
    rnd = ReviewRound.objects.get()
    page = client.get(f"/cadres/rounds/{rnd.pk}/").content.decode()
    assert "周书记" in page and "谁评议了谁" in page and "钱党员" in page  # the roll, for the town
    # another town's officer: 404 on the round, 403/404 on writes
    _login(client, w.street_officer_a)
    assert client.get(f"/cadres/rounds/{rnd.pk}/").status_code == 404
    assert client.post(f"/cadres/rounds/{rnd.pk}/void/", {"reason": "x", "version": rnd.version}).status_code == 404
    assert client.post("/cadres/rounds/new/", {"village": w.village.code, "year": today.year, "half": half,
                                               "opens_on": today.isoformat(),
                                               "closes_on": today.isoformat()}).status_code == 404
    assert client.get("/cadres/rounds/99999999999999999999/").status_code == 404


def test_villager_rates_through_their_account(client, vil):
    w = vil
    rnd = _round(w)
    _login(client, account(w, w.sec))
    page = client.get("/cadres/mine/").content.decode()
    assert "本人,不参加对自己的评议" in page and "陈委员" in page
    own = rnd.subjects.get(name="周书记")
    r = client.post(f"/cadres/mine/{own.pk}/", {"verdict": "satisfied", "version": 0})
    assert r.status_code == 422 and "不能评议自己" in r.content.decode()
    chen = rnd.subjects.get(name="陈委员")
    assert client.post(f"/cadres/mine/{chen.pk}/", {"verdict": "basic", "comment": "多下田头",
                                                    "version": 0}).status_code == 302
    again = client.post(f"/cadres/mine/{chen.pk}/", {"verdict": "unsatisfied", "version": 0})
    assert again.status_code == 422 and "已评议过「陈委员」" in again.content.decode()
    stale = client.post(f"/cadres/mine/{chen.pk}/", {"verdict": "unsatisfied", "version": 7})
    assert stale.status_code == 409
    rating = Rating.objects.get()
    assert (rating.verdict, rating.version) == ("basic", 1)
    assert client.post(f"/cadres/mine/{chen.pk}/", {"verdict": "unsatisfied", "version": 1}).status_code == 302
    assert Rating.objects.get().verdict == "unsatisfied"
    # a villager off the roll finds no round and cannot reach a subject
    _login(client, account(w, w.outsider))
    assert "目前没有请您参加的民主评议" in client.get("/cadres/mine/").content.decode()
    assert client.post(f"/cadres/mine/{chen.pk}/", {"verdict": "basic", "version": 0}).status_code == 404
    # staff cannot rate as residents
    _login(client, w.town_officer)
    assert client.get("/cadres/mine/").status_code == 403


def test_village_committee_sees_results_not_raters(client, vil):
    w = vil
    rnd = _round(w)
    services.rate(subject=rnd.subjects.get(name="周书记"), resident=w.party, by=account(w, w.party),
                  verdict="unsatisfied", comment="村务公开不及时")
    _login(client, w.village_committee)
    page = client.get(f"/cadres/rounds/{rnd.pk}/").content.decode()
    assert "村务公开不及时" in page and "钱党员" not in page and "谁评议了谁" not in page
    assert client.post(f"/cadres/rounds/{rnd.pk}/close/", {"version": rnd.version}).status_code == 403
    assert _sheets(client, rnd) == {"评议结果": ""}  # no who-rated-whom for the village
    client.force_login(w.town_officer)
    detail = _sheets(client, rnd)
    assert "钱党员" in detail["评议明细"] and "不满意" in detail["评议明细"]


def _sheets(client, rnd):
    from io import BytesIO

    from openpyxl import load_workbook
    response = client.get(f"/cadres/rounds/{rnd.pk}/results.xlsx")
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    return {ws.title: "".join(str(c) for row in ws.iter_rows(min_row=2, values_only=True) for c in row if c)
            for ws in book.worksheets}


def test_close_before_the_window_ends_is_refused(client, vil):
    w = vil
    rnd = _round(w)
    _login(client, w.town_officer)
    r = client.post(f"/cadres/rounds/{rnd.pk}/close/", {"version": rnd.version})
    assert r.status_code == 422 and "之后才能结束评议" in r.content.decode()
    r = client.post(f"/cadres/rounds/{rnd.pk}/close/", {"version": "abc"})
    assert r.status_code == 409
    assert ReviewRound.objects.get().state == RoundState.OPEN


def test_checks_pages_overdue_and_future_held(client, vil):
    w = vil
    _login(client, w.town_officer)
    today = timezone.localdate()
    r = client.post("/cadres/checks/new/", {"village": w.village.code, "kind": "talk", "form": "regular",
                                            "due_on": (today - dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 302
    talk = Oversight.objects.get()
    assert "逾期未开展" in client.get("/cadres/checks/?state=overdue").content.decode()
    assert "谈话逾期" in client.get("/").content.decode()  # the home panel
    future = client.post(f"/cadres/checks/{talk.pk}/record/", {
        "held_on": (today + dt.timedelta(days=2)).isoformat(), "by_whom": "镇长", "cadres": [w.w_sec.pk],
        "version": talk.version})
    assert future.status_code == 422 and "不能登记为已开展" in future.content.decode()
    huge = client.post(f"/cadres/checks/{talk.pk}/record/", {"held_on": today.isoformat(), "by_whom": "镇长",
                                                             "cadres": ["99999999999999999999"],
                                                             "version": talk.version})
    assert huge.status_code == 422
    assert Oversight.objects.get().held_on is None
    ok = client.post(f"/cadres/checks/{talk.pk}/record/", {"held_on": today.isoformat(), "by_whom": "=1+2 镇长",
                                                           "cadres": [w.w_sec.pk], "version": talk.version})
    assert ok.status_code == 302 and Oversight.objects.get().held_on == today
    xlsx = client.get("/cadres/checks.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    from tests.core.test_spreadsheets import assert_written_as_text
    assert_written_as_text(b"".join(xlsx.streaming_content), "=1+2 镇长")  # typed text, never a formula
    # the village committee sees its checks, may not record them
    _login(client, w.village_committee)
    assert client.get(f"/cadres/checks/{talk.pk}/").status_code == 200
    assert client.post(f"/cadres/checks/{talk.pk}/void/", {"reason": "x", "version": 2}).status_code == 403


def test_pledges_and_activists_pages(client, vil):
    w = vil
    _login(client, w.village_committee)
    today = timezone.localdate()
    r = client.post("/cadres/pledges/new/", {"worker": w.w_sec.pk, "year": today.year,
                                             "made_on": dt.date(today.year, 1, 2).isoformat(), "text": "修路"})
    assert r.status_code == 302
    p = Pledge.objects.get()
    bad = client.post(f"/cadres/pledges/{p.pk}/", {"state": "kept", "note": "", "version": p.version})
    assert bad.status_code == 422 and "兑现说明" in bad.content.decode()
    assert client.post(f"/cadres/pledges/{p.pk}/", {"state": "kept", "note": "已完成",
                                                    "version": p.version}).status_code == 302
    assert client.post(f"/cadres/pledges/{p.pk}/", {"state": "kept", "note": "x",
                                                    "version": p.version}).status_code == 409
    # the activist review: refused at exactly 60 %, recorded
    held = (today - dt.timedelta(days=2)).isoformat()
    sum_bad = client.post("/cadres/activists/new/", {"village": w.village.code, "name": "郑群众", "recommended_by": "party",
                                                     "held_on": held, "attendees": 10, "votes_for": 6,
                                                     "votes_against": 1, "abstentions": 1})
    assert sum_bad.status_code == 422 and "票数对不上" in sum_bad.content.decode()
    nobody = client.post("/cadres/activists/new/", {"village": w.village.code, "name": "无此人", "recommended_by": "party",
                                                    "held_on": held, "attendees": 10, "votes_for": 6,
                                                    "votes_against": 2, "abstentions": 2})
    assert nobody.status_code == 422 and "本村没有在册的登记居民" in nobody.content.decode()
    assert not ActivistReview.objects.exists()
    r = client.post("/cadres/activists/new/", {"village": w.village.code, "name": "郑群众", "recommended_by": "party",
                                               "held_on": held, "attendees": 10, "votes_for": 6,
                                               "votes_against": 2, "abstentions": 2})
    assert r.status_code == 302 and ActivistReview.objects.get().outcome == "refused"
    assert "不能确定为入党积极分子" in client.get("/cadres/activists/").content.decode()
    # the town may see but not propose
    _login(client, w.town_officer)
    assert client.post("/cadres/activists/new/", {}).status_code == 403


def test_disclosure_board_shows_pledges_without_phones(client, vil):
    w = vil
    services.pledge_add(worker=w.w_sec, year=timezone.localdate().year,
                        made_on=dt.date(timezone.localdate().year, 1, 2), text="修路 1 公里", by=w.village_committee)
    from django.urls import reverse
    page = client.get(reverse("disclosure:board", args=[w.village.code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "村干部公开承诺及兑现" in text and "周书记(党组织书记、主任)" in text


def test_check_written_without_a_request_shows_its_history(client, vil):
    """A check recorded by a command or the demo has history rows without a user (the crawler's find)."""
    w = vil
    today = timezone.localdate()
    c = services.check_schedule(village=w.village, kind="audit", form="routine", due_on=today, by=w.town_officer)
    services.check_record(check=c, version=c.version, held_on=today, by_whom="经管站", cadre_ids=[w.w_sec.pk],
                          conclusion="收支合规", by=w.town_officer)
    client.force_login(w.town_officer)
    page = client.get(f"/cadres/checks/{c.pk}/")
    assert page.status_code == 200 and "修改记录" in page.content.decode()
