"""The demo's volunteers part (order 51) in a small build: volunteers from the books, a year of
activities (at least six per community), confirmed hours that equal the volunteers' totals, star
levels among the regulars, balances that are what the entries say, and the demo resident."""
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from gongzhi.core import demo
from gongzhi.core.demo import ACCOUNT_COMMUNITY
from gongzhi.ledgers import models as ledger_models
from gongzhi.places.models import Level, Place
from gongzhi.volunteers import stars
from gongzhi.volunteers.models import Activity, Certificate, PointAccount, PointEntry, SignUp, Volunteer

pytestmark = pytest.mark.django_db


def _build_up_to_this_part(scale=0.02):
    """The demo's parts up to and including this one (51), as build_demo runs them."""
    import random

    from django.utils.module_loading import import_string

    from gongzhi.core import modules
    ctx = demo.DemoContext(rng=random.Random(demo.SEED), scale=scale)
    for part in modules.demo_parts():
        if part.order <= 51:
            import_string(part.build)(ctx)
    return ctx.summary


def test_demo_part_is_consistent():
    summary = _build_up_to_this_part()
    assert summary.volunteer_profiles > 0 and summary.volunteer_records > 0
    communities = Place.objects.filter(level=Level.COMMUNITY)
    held = dict(SignUp.objects.filter(hours__gt=0).values("community_id")
                .annotate(n=Count("activity_id", distinct=True)).values_list("community_id", "n"))
    assert all(held.get(c.pk, 0) >= 6 for c in communities if Volunteer.objects.filter(community=c).count() >= 10)
    for v in Volunteer.objects.all():
        assert v.hours == (SignUp.objects.filter(volunteer=v, hours__isnull=False).aggregate(h=Sum("hours"))["h"]
                           or Decimal(0))
    account_community = Place.objects.get(code=ACCOUNT_COMMUNITY)
    assert any(stars.star_of(v.hours) >= 1 for v in Volunteer.objects.filter(community=account_community))
    # every volunteer is in the community's volunteer ledger; activities with hours wrote their ledger rows
    assert not Volunteer.objects.exclude(resident__volunteer__isnull=False).exists()
    assert ledger_models.Activity.objects.filter(source="volunteers.activity").count() == \
        Activity.objects.filter(signups__hours__isnull=False).distinct().count()
    for account in PointAccount.objects.all():
        credits = PointEntry.objects.filter(credit=account).aggregate(n=Sum("amount"))["n"] or 0
        debits = PointEntry.objects.filter(debit=account).aggregate(n=Sum("amount"))["n"] or 0
        assert account.balance == credits - debits
        assert account.kind != "person" or account.balance >= 0
    assert sum(PointAccount.objects.values_list("balance", flat=True)) == 0
    assert PointEntry.objects.filter(kind="spend").exists()
    me = Volunteer.objects.get(resident__account__username="resident")
    assert me.hours > 0 and Certificate.objects.filter(volunteer=me).exists()
    assert Activity.objects.filter(community=account_community, starts_at__lte=timezone.now(),
                                   ends_at__gt=timezone.now()).exists()
    # the yearly rollup equals the records; trainings, evaluations and commendations, the demo resident's too
    from gongzhi.volunteers.models import Commendation, Evaluation, TrainingAttendance
    from gongzhi.volunteers.selectors import rollup_drift
    assert rollup_drift() == []
    assert TrainingAttendance.objects.filter(volunteer=me).exists() and Commendation.objects.filter(volunteer=me).exists()
    assert Evaluation.objects.exists() and Commendation.objects.filter(level="community").exists()
