"""Every read of cadre supervision, through the caller's scope (a post sees the villages at and under
its place: the town its villages, the village committee its own, the district all). Out of scope looks
exactly like absent (404). Residents read only the rounds whose roll holds them (`rounds_for`)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from gongzhi.cadres.models import (
    ActivistReview, Oversight, CheckKind, FollowUp, Pledge, Rater, Rating, ReviewRound, RoundState, Subject,
)
from gongzhi.core.validators import MAX_ID
from gongzhi.ledgers.models import Worker
from gongzhi.places.models import AreaKind, Level, Place

NOT_FOUND = "未找到或无权访问"


def _q(scope, prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for place in scope.staff_places:
        q |= Q(**{f"{prefix}path__startswith": place.path})
    return q


def villages_in(scope) -> QuerySet[Place]:
    return Place.objects.filter(_q(scope), level=Level.COMMUNITY, area_kind=AreaKind.RURAL).order_by("path")


def access_village(scope, code: str) -> Place:
    village = villages_in(scope).filter(code=(code or "")[:20]).select_related("parent").first()
    if village is None:
        raise Http404(NOT_FOUND)
    return village


def _pk(pk) -> int:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    if not 0 < pk <= MAX_ID:
        raise Http404(NOT_FOUND)
    return pk


def rounds_in(scope) -> QuerySet[ReviewRound]:
    return ReviewRound.objects.filter(_q(scope, "community__")).select_related("community", "community__parent")


def access_round(scope, pk) -> ReviewRound:
    rnd = rounds_in(scope).filter(pk=_pk(pk)).first()
    if rnd is None:
        raise Http404(NOT_FOUND)
    return rnd


def checks_in(scope) -> QuerySet[Oversight]:
    return Oversight.objects.filter(_q(scope, "community__")).select_related("community")


def access_check(scope, pk) -> Oversight:
    check = checks_in(scope).filter(pk=_pk(pk)).first()
    if check is None:
        raise Http404(NOT_FOUND)
    return check


def overdue(qs: QuerySet[Oversight], day: dt.date) -> QuerySet[Oversight]:
    return qs.filter(void_reason="", held_on__isnull=True, due_on__lt=day)


def check_counts(qs: QuerySet[Oversight], day: dt.date) -> dict:
    """Scheduled, overdue, held and follow-ups still open, per kind, in one grouped query."""
    live = Q(void_reason="")
    rows = qs.values("kind").annotate(
        waiting=Count("pk", filter=live & Q(held_on__isnull=True, due_on__gte=day)),
        overdue=Count("pk", filter=live & Q(held_on__isnull=True, due_on__lt=day)),
        held=Count("pk", filter=live & Q(held_on__isnull=False)),
        follow_up=Count("pk", filter=live & Q(follow_up=FollowUp.PENDING))).order_by()
    out = {k: {"waiting": 0, "overdue": 0, "held": 0, "follow_up": 0} for k in CheckKind.values}
    for r in rows:
        out[r["kind"]] = {k: r[k] for k in ("waiting", "overdue", "held", "follow_up")}
    return out


def pledges_in(scope) -> QuerySet[Pledge]:
    return Pledge.objects.filter(_q(scope, "community__")).select_related("community", "worker")


def access_pledge(scope, pk) -> Pledge:
    pledge = pledges_in(scope).filter(pk=_pk(pk)).first()
    if pledge is None:
        raise Http404(NOT_FOUND)
    return pledge


def activists_in(scope) -> QuerySet[ActivistReview]:
    return ActivistReview.objects.filter(_q(scope, "community__")).select_related("community")


def cadres_in(scope) -> QuerySet[Worker]:
    return Worker.objects.filter(~Q(committee_post="") | ~Q(party_post=""), community__in=villages_in(scope))


def access_cadre(scope, pk) -> Worker:
    worker = cadres_in(scope).filter(pk=_pk(pk)).select_related("community").first()
    if worker is None:
        raise Http404(NOT_FOUND)
    return worker


def history_of(worker: Worker) -> QuerySet[Subject]:
    """The cadre's results across closed rounds, newest first."""
    return Subject.objects.filter(worker=worker, round__state=RoundState.CLOSED) \
        .select_related("round").order_by("-round__year", "-round__half")


def flagged_in(scope) -> QuerySet[Subject]:
    """Cadres flagged in each village's latest closed round (the latest found per village by a subquery)."""
    latest = ReviewRound.objects.filter(community_id=OuterRef("round__community_id"), state=RoundState.CLOSED) \
        .order_by("-year", "-half", "-pk").values("pk")[:1]
    return Subject.objects.filter(round__in=rounds_in(scope).filter(state=RoundState.CLOSED), flagged=True) \
        .filter(round_id=Subquery(latest)).select_related("round", "round__community")


def comments(rnd: ReviewRound) -> QuerySet[Rating]:
    """Comments of a round without who wrote them (what the village committee may read)."""
    return Rating.objects.filter(round=rnd).exclude(comment="").select_related("subject").order_by("subject_id", "pk")


def ratings_with_raters(rnd: ReviewRound) -> QuerySet[Rating]:
    """Who rated whom (the town's view)."""
    return Rating.objects.filter(round=rnd).select_related("subject", "rater__resident").order_by("subject_id", "pk")


# -- the resident ------------------------------------------------------------------------------------
def rounds_for(user) -> QuerySet[Rater]:
    """The roll entries of the signed-in resident in open rounds (none without a registry record)."""
    resident = getattr(user, "resident", None)
    if resident is None:
        return Rater.objects.none()
    return Rater.objects.filter(resident=resident, round__state=RoundState.OPEN) \
        .select_related("round", "round__community").order_by("round__closes_on")


def holds_review(user) -> bool:
    """The header's 评议村干部 (a link grant): an open round has this resident on its roll."""
    return rounds_for(user).exists()


def access_my_subject(user, pk) -> tuple[Subject, Rater]:
    resident = getattr(user, "resident", None)
    subject = Subject.objects.filter(pk=_pk(pk)).select_related("round").first()
    rater = Rater.objects.filter(round_id=subject.round_id, resident=resident).first() if subject and resident \
        else None
    if subject is None or rater is None:
        raise Http404(NOT_FOUND)
    return subject, rater


ERR_NO_VILLAGER = "「人选姓名」本村没有在册的登记居民「{name}」"
ERR_SAME_NAME = "「人选姓名」本村有 {n} 名「{name}」,请填写身份证号后四位"


def find_villager(village: Place, name: str, id_tail: str = ""):
    """The living registered villager of that name (and ID tail, when two share the name)."""
    from gongzhi.core.errors import RuleError
    from gongzhi.people.models import PersonStatus, Resident
    qs = Resident.objects.filter(community=village, status=PersonStatus.ACTIVE, name=(name or "").strip())
    if id_tail:
        qs = qs.filter(id_tail=id_tail.upper())
    found = list(qs.order_by("pk")[:3])
    if not found:
        raise RuleError(ERR_NO_VILLAGER.format(name=(name or "").strip()[:50]))
    if len(found) > 1:
        raise RuleError(ERR_SAME_NAME.format(n=len(found), name=name.strip()))
    return found[0]
