"""Every read of the topics, through the caller's scope (narrowed to the page's capability).

A post sees the topics of its community (a grid post: its grid's community, since a community's
topics are public to everyone living there), a street or district post those of every community
under it; a resident post its own community's."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core.scope import Scope
from gongzhi.governance.models import ANSWERED_STATES, Topic, TopicCategory, TopicState
from gongzhi.places.models import Level, Place

BOARD_DAYS = 365


def _community_of(place: Place) -> int | None:
    if place.level == Level.COMMUNITY:
        return place.pk
    if place.level == Level.GRID:
        return place.parent_id
    return None


def topic_q(scope: Scope) -> Q:
    if scope.capability is None:
        raise RuntimeError("scope not narrowed")
    ids, paths = [], []
    for a in scope.assignments:
        community = _community_of(a.place)
        if community is not None:
            ids.append(community)
        elif a.place.level in (Level.STREET, Level.DISTRICT):
            paths.append(a.place.path)
    if paths:  # the communities under a street or district, as ids: no join per topic row
        path_q = Q(pk__in=[])
        for path in paths:
            path_q |= Q(path__startswith=path)
        ids.extend(Place.objects.filter(path_q, level=Level.COMMUNITY).values_list("pk", flat=True))
    return Q(community_id__in=sorted(set(ids)))


def topics_in(scope: Scope) -> QuerySet[Topic]:
    return Topic.objects.filter(topic_q(scope))


def communities_in(scope: Scope) -> QuerySet[Place]:
    """The communities the scope's posts reach."""
    q = Q(pk__in=[])
    for a in scope.assignments:
        community = _community_of(a.place)
        if community is not None:
            q |= Q(pk=community)
        else:
            q |= Q(path__startswith=a.place.path)
    return Place.objects.filter(q, level=Level.COMMUNITY).order_by("path")


def access_topic(scope: Scope, pk) -> Topic:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("未找到或无权访问") from None
    topic = topics_in(scope).filter(pk=pk).select_related(
        "community", "grid", "raised_by", "merged_into", "handed_order", "answered_by", "source_order").first()
    if topic is None:
        raise Http404("未找到或无权访问")
    return topic


SORTS = {"new": ("-created_at", "-pk"), "support": ("-support_count", "-created_at", "-pk"),
         "due": ("answer_due_at", "pk")}


def topics_from_query(scope: Scope, params) -> tuple[QuerySet[Topic], dict, dict[str, int]]:
    """The list's rows from its query string (state, category, community, sort), the filter as
    read, and the count of each state under the other filters. The state counts are the list's
    only COUNT: the paginator's total is one of them (or their sum), so the page asks the database
    for one GROUP BY instead of a GROUP BY and a COUNT (on PostgreSQL each walked the index)."""
    qs = topics_in(scope)
    state = params.get("state", "")
    category = params.get("category", "")
    community = params.get("community", "")
    sort = params.get("sort", "new")
    if category in TopicCategory.values:
        qs = qs.filter(category=category)
    else:
        category = ""
    if community:
        qs = qs.filter(community__code=community)
    counts = state_counts(qs)
    if state in TopicState.values:
        qs = qs.filter(state=state)
    else:
        state = ""
    if sort not in SORTS:
        sort = "new"
    return (qs.order_by(*SORTS[sort]), {"state": state, "category": category, "sort": sort, "community": community},
            counts)


def state_counts(qs: QuerySet[Topic]) -> dict[str, int]:
    # COUNT(*), not COUNT(id): the (community, state, …) index alone answers it (PostgreSQL's
    # index-only scan; with 100,000 topics COUNT(id) read the table: 90 ms instead of 10)
    return dict(qs.order_by().values_list("state").annotate(n=Count("*")))


def desk(scope: Scope) -> QuerySet[Topic]:
    """Topics waiting for an answer within the scope, the oldest deadline first. A street post
    sees only the overdue ones of its communities (it steps in where the committee did not)."""
    now = timezone.now()
    q = Q(pk__in=[])
    ids = []
    for a in scope.assignments:
        community = _community_of(a.place)
        if community is not None:
            ids.append(community)
        else:
            q |= Q(community__path__startswith=a.place.path, answer_due_at__lt=now)
    if ids:
        q |= Q(community_id__in=ids)
    return Topic.objects.filter(q, state=TopicState.WAITING).order_by("answer_due_at", "pk")


def desk_counts(scope: Scope) -> dict[str, int]:
    now = timezone.now()
    return desk(scope).order_by().aggregate(waiting=Count("pk"), overdue=Count("pk", filter=Q(answer_due_at__lt=now)))


def board(community: Place, *, now: dt.datetime | None = None) -> QuerySet[Topic]:
    """What the community's public board shows: topics answered in the last 12 months."""
    since = (now or timezone.now()) - dt.timedelta(days=BOARD_DAYS)
    return Topic.objects.filter(community=community, state__in=ANSWERED_STATES, answered_at__gte=since) \
        .select_related("merged_into", "grid").order_by("-answered_at", "-pk")
