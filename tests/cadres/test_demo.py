"""The demo part on a small village: two closed reviews with a flagged cadre, the year's audits and talks
with one talk overdue and one follow-up open, two pledges, an activist refused at exactly 60 %."""
import random

from django.utils import timezone

from gongzhi.cadres import demo, selectors
from gongzhi.cadres.manifest import VIEW_CADRES
from gongzhi.cadres.models import ActivistReview, Oversight, Pledge, ReviewRound, Subject
from gongzhi.core.demo import DemoContext, DemoSummary
from gongzhi.core.scope import Scope


def test_demo_part_builds_a_year_of_supervision(vil):
    w = vil
    ctx = DemoContext(rng=random.Random(1))
    ctx.accounts = {"admin": w.admin}
    demo.build(ctx)
    rounds = ReviewRound.objects.filter(community=w.village)
    assert [r.state for r in rounds] == ["closed", "closed"]
    assert Subject.objects.filter(round__in=rounds, flagged=True).count() >= 1
    today = timezone.localdate()
    scope = Scope.for_user_capability(w.admin, VIEW_CADRES)
    late = list(selectors.overdue(selectors.checks_in(scope), today))
    assert len(late) == 1 and late[0].kind == "talk"
    assert Oversight.objects.filter(follow_up="pending").count() == 1
    assert sorted(Pledge.objects.values_list("state", flat=True)) == ["in_progress", "kept"]
    refused = ActivistReview.objects.get(outcome="refused")
    assert (refused.votes_for, refused.attendees, str(refused.approval)) == (9, 15, "60.0")
    summary = DemoSummary()
    demo.count_existing(summary, w.district)
    assert summary.counts == ctx.summary.counts == {"cadre_rounds": 2, "cadre_checks": 12}
