"""The half-yearly democratic review: the roll, the window, self-rating, one rating per rater and cadre,
the versioned edit, closing with the pack's line, and bad input changing nothing."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.cadres import rules, services
from gongzhi.cadres.models import Rater, Rating, ReviewRound, RoundState, Subject
from gongzhi.core.errors import ConflictError, RuleError
from tests.cadres.conftest import account

TODAY = dt.date(2026, 6, 28)


def _open(w, **kw):
    args = dict(village=w.village, year=2026, half=1, opens_on=dt.date(2026, 6, 10), closes_on=dt.date(2026, 6, 20),
                note="述职后评议", by=w.town_officer)
    args.update(kw)
    return services.round_open(**args)


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _rate(w, rnd, rater, cadre_name, verdict="satisfied", **kw):
    subject = rnd.subjects.get(name=cadre_name)
    kw.setdefault("now", _at(dt.date(2026, 6, 12)))
    return services.rate(subject=subject, resident=rater, by=account(w, rater), verdict=verdict, **kw)


def test_round_takes_the_ledger_cadres_and_the_roll_from_the_registry(vil):
    w = vil
    rnd = _open(w)
    assert sorted(rnd.subjects.values_list("name", flat=True)) == ["吴副主任", "周书记", "陈委员"]  # not 郑专职
    subject = rnd.subjects.get(name="周书记")
    assert subject.resident == w.sec and subject.posts == "党组织书记、主任"
    roll = {r.resident.name: r.basis for r in Rater.objects.filter(round=rnd).select_related("resident")}
    assert roll == {"周书记": "cadre,party", "吴副主任": "cadre,party", "陈委员": "cadre", "钱党员": "party",
                    "孙代表": "representative"}  # 郑群众 is neither
    assert rnd.raters == 5
    # the line comes from the village-organisation pack and is kept with the round
    assert rnd.approval_line == Decimal(60) and rnd.counts_basic and rnd.pack_id == "village-organisation"


def test_the_line_is_read_from_the_pack_through_the_extension_point(vil):
    lines = rules.lines_for(vil.village)
    assert (lines.flag_at_most, lines.activist_at_most, lines.pack_id) == (Decimal(60), Decimal(60),
                                                                           "village-organisation")


@pytest.mark.parametrize("kw, message", [
    ({"opens_on": dt.date(2026, 7, 2), "closes_on": dt.date(2026, 7, 10)}, "应在 2026 年上半年内"),
    ({"closes_on": dt.date(2026, 6, 1)}, "不能早于「评议开始」"),
    ({"closes_on": dt.date(2026, 7, 30)}, "评议窗口最长 31 天"),
    ({"year": 1999}, "「年度」"),
    ({"note": "a\x00b"}, "控制字符"),
])
def test_bad_rounds_are_refused_and_nothing_is_made(vil, kw, message):
    with pytest.raises(RuleError, match=message):
        _open(vil, **kw)
    assert not ReviewRound.objects.exists() and not Subject.objects.exists()


def test_one_round_per_village_and_half_year(vil):
    _open(vil)
    with pytest.raises(RuleError, match="已经组织过"):
        _open(vil)


def test_urban_community_has_no_cadre_review(vil):
    with pytest.raises(RuleError, match="不是村"):
        _open(vil, village=vil.comm_a)


def test_two_villagers_of_a_cadres_name_must_be_told_apart(vil):
    from tests.factories import household, resident
    w = vil
    twin = resident(household(w.vgrid), "陈委员")
    with pytest.raises(RuleError, match="2 名同名居民"):
        _open(w)
    services.cadre_link(worker=w.w_mem, resident=twin, by=w.town_officer)
    rnd = _open(w)
    assert rnd.subjects.get(name="陈委员").resident == twin


def test_rating_rules(vil):
    w = vil
    rnd = _open(w)
    # nobody rates themselves
    with pytest.raises(RuleError, match="不能评议自己"):
        _rate(w, rnd, w.sec, "周书记")
    # a villager off the roll
    with pytest.raises(RuleError, match="不在本次评议的参评名单中"):
        _rate(w, rnd, w.outsider, "周书记")
    # outside the window, before and after
    for day in (dt.date(2026, 6, 9), dt.date(2026, 6, 21)):
        with pytest.raises(RuleError, match="不在评议时间内"):
            _rate(w, rnd, w.party, "周书记", now=_at(day))
    # bad verdict, control characters, too long
    for kw, message in (({"verdict": "great"}, "评议意见"), ({"comment": "好\x1b[31m"}, "控制字符"),
                        ({"comment": "长" * 201}, "最多 200 字")):
        with pytest.raises(RuleError, match=message):
            _rate(w, rnd, w.party, "周书记", **kw)
    assert not Rating.objects.exists()
    # one rating per rater and cadre: a second is refused, an explicit versioned edit replaces it
    first = _rate(w, rnd, w.party, "周书记", "basic", comment="多听群众意见")
    with pytest.raises(RuleError, match="已评议过「周书记」"):
        _rate(w, rnd, w.party, "周书记", "unsatisfied")
    with pytest.raises(ConflictError):
        _rate(w, rnd, w.party, "周书记", "unsatisfied", version=first.version + 1)
    edited = _rate(w, rnd, w.party, "周书记", "satisfied", version=first.version)
    assert edited.pk == first.pk and edited.version == 2 and Rating.objects.count() == 1
    assert list(edited.history.order_by("history_id").values_list("verdict", flat=True)) == ["basic", "satisfied"]
    # a cadre rates the other cadres
    _rate(w, rnd, w.sec, "陈委员", "unsatisfied")


def test_closing_fixes_results_and_flags_at_the_line_inclusive(vil):
    w = vil
    rnd = _open(w)
    # 陈委员: 3 of 5 approving = exactly 60 % → flagged (the line includes 60)
    for rater, verdict in ((w.sec, "satisfied"), (w.dep, "basic"), (w.party, "basic"), (w.rep, "unsatisfied")):
        _rate(w, rnd, rater, "陈委员", verdict)
    # 周书记: 4 of 4 approving
    for rater in (w.dep, w.mem, w.party, w.rep):
        _rate(w, rnd, rater, "周书记", "satisfied")
    with pytest.raises(RuleError, match="截止日 2026-06-20 之后"):
        services.round_close(rnd=rnd, version=rnd.version, by=w.town_officer, today=dt.date(2026, 6, 20))
    with pytest.raises(ConflictError):
        services.round_close(rnd=rnd, version=rnd.version + 5, by=w.town_officer, today=TODAY)
    assert ReviewRound.objects.get().state == RoundState.OPEN
    # one more: 陈委员 gets 3 approving out of 5
    _rate(w, rnd, w.mem, "吴副主任", "satisfied")
    services.rate(subject=rnd.subjects.get(name="陈委员"), resident=w.dep, by=account(w, w.dep), verdict="basic",
                  version=Rating.objects.get(subject__name="陈委员", rater__resident=w.dep).version,
                  now=_at(dt.date(2026, 6, 13)))
    closed = services.round_close(rnd=rnd, version=rnd.version, by=w.town_officer, today=TODAY)
    assert closed.state == RoundState.CLOSED
    chen = Subject.objects.get(name="陈委员")
    assert (chen.satisfied, chen.basic, chen.unsatisfied, chen.approval, chen.flagged) == (1, 2, 1, Decimal("75.0"),
                                                                                           False)
    zhou = Subject.objects.get(name="周书记")
    assert (zhou.approval, zhou.flagged) == (Decimal("100.0"), False)
    assert Subject.objects.get(name="吴副主任").approval == Decimal("100.0")
    # the window is over: nobody rates any more
    with pytest.raises(RuleError, match="已结束"):
        _rate(w, rnd, w.rep, "周书记")


def test_exactly_sixty_percent_is_flagged():
    rnd = ReviewRound(approval_line=Decimal(60), counts_basic=True)
    assert services.result_of(rnd, 2, 1, 2) == (Decimal("60.0"), True)
    assert services.result_of(rnd, 3, 0, 2) == (Decimal("60.0"), True)
    assert services.result_of(rnd, 4, 0, 2)[1] is False  # 66.7 %
    # counted exactly: 1501 of 2500 is 60.04 %, shown 60.0, above the line
    assert rules.at_or_under(1501, 2500, Decimal(60)) is False
    assert services.result_of(ReviewRound(approval_line=Decimal(60), counts_basic=False), 1, 5, 0)[1] is True
    assert services.result_of(rnd, 0, 0, 0) == (None, False)


def test_void_keeps_the_round_with_its_reason(vil):
    w = vil
    rnd = _open(w)
    with pytest.raises(RuleError, match="作废原因"):
        services.round_void(rnd=rnd, reason=" ", version=rnd.version, by=w.town_officer)
    services.round_void(rnd=rnd, reason="述职材料未提前公示", version=rnd.version, by=w.town_officer)
    assert ReviewRound.objects.get().state == RoundState.VOIDED
    _open(w)  # the half-year may be reviewed again
    assert ReviewRound.objects.count() == 2


def test_raters_with_an_account_hear_that_the_round_opened(vil):
    from gongzhi.workorders.models import Notification
    w = vil
    from gongzhi.accounts.models import User
    User.objects.filter(pk=account(w, w.mem).pk).update(is_active=False)  # a closed account hears nothing
    rnd = _open(w)
    told = Notification.objects.filter(kind=services.NOTICE_ROUND)
    assert set(told.values_list("user_id", flat=True)) == {account(w, r).pk for r in (w.sec, w.dep, w.party, w.rep)}
    assert not told.filter(user=account(w, w.outsider)).exists()  # 郑群众 is not on the roll
    assert all("2026-06-10 至 2026-06-20" in n.text and rnd.community.name in n.text for n in told)
    # a refused round tells nobody
    with pytest.raises(RuleError):
        _open(w)
    assert told.count() == 4
