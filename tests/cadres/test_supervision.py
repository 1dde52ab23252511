"""Audits and talks (scheduled, held with findings and follow-up, overdue), pledges with their follow-up,
the party-activist review at the pack's 60 % line, the metrics and the disclosure board."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.cadres import board, metrics, selectors, services
from gongzhi.cadres.models import ActivistOutcome, ActivistReview, Oversight, Pledge, ReviewRound, RoundState
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.metrics import Context
from gongzhi.core.scope import Scope
from gongzhi.cadres.manifest import VIEW_CADRES

TODAY = dt.date(2026, 8, 10)


def test_plan_the_year_and_overdue(vil):
    w = vil
    made = services.checks_plan_year(village=w.village, year=2026, by=w.town_officer)
    assert sorted((c.kind, c.due_on.isoformat()) for c in made) == [
        ("audit", "2026-06-30"), ("audit", "2026-12-31"), ("talk", "2026-03-31"), ("talk", "2026-06-30"),
        ("talk", "2026-09-30"), ("talk", "2026-12-31")]
    assert services.checks_plan_year(village=w.village, year=2026, by=w.town_officer) == []  # idempotent
    scope = Scope.for_user_capability(w.town_officer, VIEW_CADRES)
    late = selectors.overdue(selectors.checks_in(scope), TODAY)
    assert sorted(c.due_on.isoformat() for c in late) == ["2026-03-31", "2026-06-30", "2026-06-30"]
    counts = selectors.check_counts(selectors.checks_in(scope), TODAY)
    assert counts["audit"]["overdue"] == 1 and counts["talk"]["overdue"] == 2 and counts["talk"]["waiting"] == 2
    # another town sees none of it
    other = Scope.for_user_capability(w.street_officer_a, VIEW_CADRES)
    assert not selectors.checks_in(other).exists()


def test_record_a_held_audit_with_follow_up(vil):
    w = vil
    audit = services.check_schedule(village=w.village, kind="audit", form="routine", due_on=dt.date(2026, 6, 30),
                                    by_whom="经管站", by=w.town_officer)
    base = dict(check=audit, version=audit.version, by_whom="镇经管站", cadre_ids=[str(w.w_sec.pk)],
                findings="招待费无审批", conclusion="基本规范", by=w.town_officer, today=TODAY)
    # held in the future: refused, nothing changed
    with pytest.raises(RuleError, match="尚未发生的审计或谈话不能登记为已开展"):
        services.check_record(held_on=TODAY + dt.timedelta(days=1), **base)
    with pytest.raises(RuleError, match="请写明整改要求"):
        services.check_record(held_on=dt.date(2026, 6, 20), follow_up="pending", **base)
    with pytest.raises(RuleError, match="本村在任的村干部"):
        services.check_record(held_on=dt.date(2026, 6, 20), **{**base, "cadre_ids": [str(w.w_staff.pk)]})
    with pytest.raises(ConflictError):
        services.check_record(held_on=dt.date(2026, 6, 20), **{**base, "version": 9})
    assert Oversight.objects.get().held_on is None
    done = services.check_record(held_on=dt.date(2026, 6, 20), follow_up="pending",
                                 follow_up_note="补齐审批签字", follow_up_due=dt.date(2026, 7, 20), **base)
    assert done.held_on == dt.date(2026, 6, 20) and list(done.cadres.all()) == [w.w_sec]
    with pytest.raises(RuleError, match="不能再次登记"):
        services.check_record(held_on=dt.date(2026, 6, 21), **{**base, "version": done.version})
    services.check_follow_up(check=done, version=done.version, follow_up="done", follow_up_note="已补齐",
                             by=w.town_officer)
    assert Oversight.objects.get().follow_up == "done"


def test_a_talk_needs_a_cadre_and_a_form_of_its_kind(vil):
    w = vil
    with pytest.raises(RuleError, match="形式」与类别不符"):
        services.check_schedule(village=w.village, kind="talk", form="routine", due_on=TODAY, by=w.town_officer)
    talk = services.check_schedule(village=w.village, kind="talk", form="admonition", due_on=TODAY,
                                   by=w.town_officer)
    with pytest.raises(RuleError, match="至少要有一名"):
        services.check_record(check=talk, version=talk.version, held_on=TODAY, by_whom="镇党委书记", cadre_ids=[],
                              by=w.town_officer, today=TODAY)
    services.check_void(check=talk, reason="重复安排", version=talk.version, by=w.town_officer)
    assert Oversight.objects.get().void_reason == "重复安排"


def test_pledges_and_their_follow_up(vil):
    w = vil
    p = services.pledge_add(worker=w.w_sec, year=2026, made_on=dt.date(2026, 1, 15), text="修路 1 公里",
                            by=w.village_committee, today=TODAY)
    assert p.to_whom == "镇党委、政府和全体村民" and p.posts == "党组织书记、主任"
    q = services.pledge_add(worker=w.w_mem, year=2026, made_on=dt.date(2026, 1, 15), text="每季度公开村务",
                            by=w.village_committee, today=TODAY)
    assert q.to_whom == "村党支部和全体村民"
    with pytest.raises(RuleError, match="不是本村在任"):
        services.pledge_add(worker=w.w_staff, year=2026, made_on=dt.date(2026, 1, 15), text="x",
                            by=w.village_committee, today=TODAY)
    with pytest.raises(RuleError, match="承诺日期"):
        services.pledge_add(worker=w.w_sec, year=2026, made_on=dt.date(2025, 12, 1), text="x",
                            by=w.village_committee, today=TODAY)
    with pytest.raises(RuleError, match="兑现说明"):
        services.pledge_follow_up(pledge=p, version=p.version, state="kept", note="", checked_on=None,
                                  by=w.village_committee, today=TODAY)
    services.pledge_follow_up(pledge=p, version=p.version, state="kept", note="已完成", checked_on=None,
                              by=w.village_committee, today=TODAY)
    with pytest.raises(ConflictError):
        services.pledge_follow_up(pledge=p, version=p.version, state="not_kept", note="x", checked_on=None,
                                  by=w.village_committee, today=TODAY)
    assert Pledge.objects.get(pk=p.pk).history.count() == 2
    # the disclosure board: names and posts, never a phone
    section = board.pledges(w.village, now=timezone.now())
    text = " ".join(str(c) for row in section.rows for c in row)
    assert "周书记(党组织书记、主任):修路 1 公里" in text and "已兑现:已完成" in text
    assert "138" not in text and "phone" not in text


@pytest.mark.parametrize("votes, outcome", [((15, 9, 4, 2), ActivistOutcome.REFUSED),   # exactly 60 %
                                            ((20, 12, 5, 3), ActivistOutcome.REFUSED),  # 60 %
                                            ((20, 13, 5, 2), ActivistOutcome.CONFIRMED),  # 65 %
                                            ((3, 1, 1, 1), ActivistOutcome.REFUSED)])
def test_activist_at_sixty_percent_is_refused(vil, votes, outcome):
    w = vil
    review = services.activist_review(village=w.village, resident=w.outsider, recommended_by="party",
                                      held_on=dt.date(2026, 7, 1), attendees=votes[0], votes_for=votes[1],
                                      votes_against=votes[2], abstentions=votes[3], by=w.village_committee,
                                      today=TODAY)
    assert review.outcome == outcome and review.line == Decimal(60)


@pytest.mark.parametrize("kw, message", [
    ({"attendees": 15, "votes_for": 9, "votes_against": 4, "abstentions": 1}, "票数对不上"),
    ({"held_on": TODAY + dt.timedelta(days=1)}, "评议会日期"),
    ({"recommended_by": "boss"}, "推荐方式"),
    ({"attendees": 0, "votes_for": 0, "votes_against": 0, "abstentions": 0}, "参会人数"),
])
def test_activist_bad_input_changes_nothing(vil, kw, message):
    w = vil
    args = dict(village=w.village, resident=w.outsider, recommended_by="party", held_on=dt.date(2026, 7, 1),
                attendees=15, votes_for=10, votes_against=3, abstentions=2, by=w.village_committee, today=TODAY)
    args.update(kw)
    with pytest.raises(RuleError, match=message):
        services.activist_review(**args)
    assert not ActivistReview.objects.exists()


def test_party_member_is_no_candidate(vil):
    with pytest.raises(RuleError, match="已是党员"):
        services.activist_review(village=vil.village, resident=vil.party, recommended_by="party",
                                 held_on=dt.date(2026, 7, 1), attendees=3, votes_for=3, votes_against=0,
                                 abstentions=0, by=vil.village_committee, today=TODAY)


def test_metrics_count_periods_in_the_database(vil):
    w = vil
    for due, held in ((dt.date(2026, 3, 31), dt.date(2026, 3, 20)), (dt.date(2026, 6, 30), dt.date(2026, 5, 2)),
                      (dt.date(2026, 6, 30), dt.date(2026, 6, 2))):
        t = services.check_schedule(village=w.village, kind="talk", form="regular", due_on=due, by=w.town_officer)
        services.check_record(check=t, version=t.version, held_on=held, by_whom="镇长", cadre_ids=[w.w_sec.pk],
                              by=w.town_officer, today=TODAY)
    a = services.check_schedule(village=w.village, kind="audit", form="leaving", due_on=dt.date(2026, 7, 31),
                                by=w.town_officer)
    services.check_record(check=a, version=a.version, held_on=dt.date(2026, 7, 15), by_whom="经管站",
                          cadre_ids=[w.w_mem.pk], by=w.town_officer, today=TODAY)
    voided = services.check_schedule(village=w.village, kind="audit", form="routine", due_on=dt.date(2026, 3, 1),
                                     by=w.town_officer)
    services.check_record(check=voided, version=voided.version, held_on=dt.date(2026, 2, 1), by_whom="经管站",
                          cadre_ids=[], by=w.town_officer, today=TODAY)
    voided.refresh_from_db()
    services.check_void(check=voided, reason="录错", version=voided.version, by=w.town_officer)
    ReviewRound.objects.create(community=w.village, year=2026, half=1, opens_on=dt.date(2026, 6, 1),
                               closes_on=dt.date(2026, 6, 10), approval_line=60, state=RoundState.CLOSED,
                               created_by=w.town_officer)
    ReviewRound.objects.create(community=w.village, year=2026, half=2, opens_on=dt.date(2026, 12, 1),
                               closes_on=dt.date(2026, 12, 10), approval_line=60, state=RoundState.VOIDED,
                               created_by=w.town_officer)
    ctx = Context(year=2026, as_of=dt.date(2026, 12, 31))
    assert metrics.cadre_talk_quarters(ctx) == {w.village.pk: 2}
    assert metrics.cadre_audit_halves(ctx) == {w.village.pk: 1}
    assert metrics.cadre_review_halves(ctx) == {w.village.pk: 1}
    assert metrics.cadre_talk_quarters(Context(year=2025)) == {}
