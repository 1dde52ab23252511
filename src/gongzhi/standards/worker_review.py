"""The community-worker yearly review (P-EVAL-3, 000 六(三): "建立群众满意度占主要权重的社区工作者评价机制").

Each year the street scores every worker of its communities (a COMMUNITY or GRID post) from 0 to 100;
the residents' score is computed by the database from what residents said during the year:

- ratings (1–5) of work orders in the worker's grid (a grid post: orders with grid = that grid) or
  community (a community post: orders with community = that community), counted in the year of their
  RATE event (an order is rated once: workorders' rating step refuses a second one);
- satisfaction-survey responses (each the mean of its 1–5 answers) submitted in the worker's community
  (a grid worker's too: a response keeps the community it was given in, not the grid).

Every rating and every response counts once: the residents' score is their mean × 20 (0–100), with
the number n. A rating or questionnaire the reviewed worker typed in themselves (a phone follow-up, a
paper questionnaire) does not count in their own review. Below the pack's `min_responses` the score is
"样本不足" and no combined score is given. The combined score is residents × w + street × (1 − w), the
weights from the policy pack's `worker_review` section or the platform default (DEFAULT_WEIGHTS), with
the residents' weight always above one half (packs.py refuses a pack that breaks this).

While a review is a draft its residents' figure is live; finalising stores the figure, n, the weights
and the combined score, so the result never changes afterwards. Nobody sees single ratings: only the
mean and the count leave this module, never a resident's name.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment
from gongzhi.core.errors import ConflictError, RuleError, lock_version
from gongzhi.core.validators import has_control_characters
from gongzhi.places.models import Level, Place
from gongzhi.places.selectors import lineage_names
from gongzhi.standards import packs
from gongzhi.standards.models import ReviewState, SurveyKind, SurveyResponse, WorkerReview
from gongzhi.workorders.models import Action, WorkOrderEvent

# None of the seeds gives numbers: the platform's reading of 主要权重 (docs/standards.md)
DEFAULT_WEIGHTS = packs.DEFAULT_WORKER_REVIEW
WORKER_ROLES = (Role.COMMUNITY, Role.GRID)
COMMENT_LIMIT = 500
FIRST_YEAR = 2000
TENTH = Decimal("0.1")

ERR_YEAR = "年度应为 {first} 到 {year} 之间的整数"
ERR_SCORE = "街道评分应为 0 到 100 之间的数字(如 85 或 92.5)"
ERR_COMMENT_LONG = "街道评语不能超过 {n} 个字"
ERR_COMMENT_CONTROL = "街道评语含有不可见的控制字符,请删除后重试"
ERR_NOT_WORKER = "所选人员在该社区(网格)没有在岗的社区工作者或网格员岗位,不在本街道的评价范围内"
ERR_FINAL = "{name} {year} 年在{place}的评价已定稿,不能再修改"
ERR_CONFLICT = "这条评价已被他人修改,请刷新页面后重试"
ERR_NO_STREET_SCORE = "请先填写街道评分,再定稿"
ERR_PACK = "没有政策包「{pack}」"


class ReviewError(RuleError):
    pass


# -- input ------------------------------------------------------------------------------
def check_year(value) -> int:
    """A year from 2000 to this year (a form's text or an int); ReviewError otherwise."""
    this_year = timezone.localdate().year
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or not FIRST_YEAR <= int(text) <= this_year:
        raise ReviewError(ERR_YEAR.format(first=FIRST_YEAR, year=this_year))
    return int(text)


def parse_score(value) -> Decimal:
    """The street's score: a number from 0 to 100, kept to one decimal."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 10 or has_control_characters(text):
        raise ReviewError(ERR_SCORE)
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ReviewError(ERR_SCORE) from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise ReviewError(ERR_SCORE)
    return score.quantize(TENTH, rounding=ROUND_HALF_UP)


def clean_comment(value) -> str:
    text = (value or "").strip()
    if len(text) > COMMENT_LIMIT:
        raise ReviewError(ERR_COMMENT_LONG.format(n=COMMENT_LIMIT))
    # line breaks and tabs are fine in a comment; every other control character is refused
    if has_control_characters(text):
        raise ReviewError(ERR_COMMENT_CONTROL)
    return text


# -- weights ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Weights:
    residents: float
    street: float
    min_responses: int
    pack_id: str = ""
    pack_title: str = ""

    @property
    def from_pack(self) -> bool:
        return bool(self.pack_id) and self.pack_id != "-"

    def snapshot(self) -> dict:
        return {"residents": self.residents, "street": self.street, "min_responses": self.min_responses,
                "pack": self.pack_id, "pack_title": self.pack_title,
                "source": "pack" if self.from_pack else "default"}

    @property
    def residents_percent(self) -> int:
        return round(self.residents * 100)

    @property
    def street_percent(self) -> int:
        return round(self.street * 100)


def weights_for(pack) -> Weights:
    """The pack's `worker_review` weights, or the platform default when it has none (or there is no pack).
    A pack without the section is still named (pack_title) so the page can say whose rules apply."""
    section = getattr(pack, "worker_review", None)
    if section:
        return Weights(residents=section["residents"], street=section["street"],
                       min_responses=section["min_responses"], pack_id=pack.id, pack_title=pack.title)
    return Weights(residents=DEFAULT_WEIGHTS["residents"], street=DEFAULT_WEIGHTS["street"],
                   min_responses=DEFAULT_WEIGHTS["min_responses"], pack_id="",
                   pack_title=pack.title if pack is not None else "")


def local_pack(street: Place):
    """The pack of the street's own locality (its name or a name above it), or None."""
    names = lineage_names([street])
    return next((p for p in (packs.load_pack(path) for path in sorted(packs.PACK_DIR.glob("*.yaml")))
                 if p.source.get("locality") in names), None)


def weights_from_snapshot(data: dict) -> Weights:
    return Weights(residents=data.get("residents", DEFAULT_WEIGHTS["residents"]),
                   street=data.get("street", DEFAULT_WEIGHTS["street"]),
                   min_responses=data.get("min_responses", DEFAULT_WEIGHTS["min_responses"]),
                   pack_id=data.get("pack", ""), pack_title=data.get("pack_title", ""))


# -- the residents' score -------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    """What residents said about one post in one year: the sum of the ratings (1–5) and their number."""
    total: float = 0.0
    n: int = 0

    def score(self) -> Decimal | None:
        if not self.n:
            return None
        return (Decimal(repr(float(self.total))) / self.n * 20).quantize(TENTH, rounding=ROUND_HALF_UP)

    def sufficient(self, weights: Weights) -> bool:
        return self.n >= weights.min_responses


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year in the platform's time zone, as [start, end)."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _post_field(place: Place) -> str:
    return "grid" if place.level == Level.GRID else "community"


def _post_community_id(place: Place) -> int:
    return place.parent_id if place.level == Level.GRID else place.pk


def residents_samples(*, year: int, posts: list[tuple[int, Place]]) -> dict[tuple[int, int], Sample]:
    """{(worker id, place id): Sample} for every (worker, post place) given, in a fixed number of
    grouped queries whatever the number of posts: ratings per grid and per community, satisfaction
    responses per community, and the parts of them the listed workers typed in themselves
    (subtracted from their own figure)."""
    start, end = year_bounds(year)
    worker_ids = {w for w, _ in posts}
    ids = {"grid": {p.pk for _, p in posts if p.level == Level.GRID},
           "community": {p.pk for _, p in posts if p.level == Level.COMMUNITY}}
    rated = WorkOrderEvent.objects.filter(action=Action.RATE, at__gte=start, at__lt=end,
                                          order__rating__isnull=False)
    totals: dict[tuple, tuple] = {}
    for field, place_ids in ids.items():
        if not place_ids:
            continue
        key = f"order__{field}_id"
        events = rated.filter(**{f"{key}__in": place_ids})
        for r in events.values(key).annotate(total=Sum("order__rating"), n=Count("id")).order_by():
            totals[(field, r[key], None)] = (r["total"], r["n"])
        for r in events.filter(actor_id__in=worker_ids).values(key, "actor_id") \
                .annotate(total=Sum("order__rating"), n=Count("id")).order_by():
            totals[(field, r[key], r["actor_id"])] = (r["total"], r["n"])
    communities = {_post_community_id(p) for _, p in posts}
    responses = SurveyResponse.objects.filter(survey__kind=SurveyKind.SATISFACTION, community_id__in=communities,
                                              submitted_at__gte=start, submitted_at__lt=end)
    for r in responses.values("community_id").annotate(total=Sum("score"), n=Count("id")).order_by():
        totals[("survey", r["community_id"], None)] = (r["total"], r["n"])
    for r in responses.filter(entered_by_id__in=worker_ids).values("community_id", "entered_by_id") \
            .annotate(total=Sum("score"), n=Count("id")).order_by():
        totals[("survey", r["community_id"], r["entered_by_id"])] = (r["total"], r["n"])

    out = {}
    for worker_id, place in posts:
        total, n = 0.0, 0
        for key in ((_post_field(place), place.pk), ("survey", _post_community_id(place))):
            all_t, all_n = totals.get((*key, None), (0, 0))
            own_t, own_n = totals.get((*key, worker_id), (0, 0))
            total += float(all_t or 0) - float(own_t or 0)
            n += all_n - own_n
        out[(worker_id, place.pk)] = Sample(total=round(total, 6), n=n)
    return out


def combined(residents_score: Decimal | None, street_score: Decimal | None, weights: Weights) -> Decimal | None:
    if residents_score is None or street_score is None:
        return None
    value = residents_score * Decimal(repr(weights.residents)) + street_score * Decimal(repr(weights.street))
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


# -- who is reviewed --------------------------------------------------------------------------
def worker_posts(street: Place):
    """The active community and grid posts of active users under `street` (the workers it reviews)."""
    return (RoleAssignment.objects.filter(active=True, user__is_active=True, role__in=WORKER_ROLES,
                                          place__path__startswith=street.path)
            .select_related("user", "place", "place__parent").order_by("place__path", "user_id"))


def holds_post(worker, place: Place) -> bool:
    return RoleAssignment.objects.filter(user=worker, place=place, role__in=WORKER_ROLES, active=True,
                                         user__is_active=True).exists()


def street_rows(*, street: Place, year: int, weights: Weights) -> list[dict]:
    """One row per worker post under `street` (and per review of the year kept for a post since left):
    the residents' score and n (stored when final, live otherwise), the street's score, the combined score."""
    reviews = {(r.worker_id, r.place_id): r for r in WorkerReview.objects.filter(
        year=year, place__path__startswith=street.path).select_related("worker", "place", "place__parent")}
    posts = [(a.user, a.place, True) for a in worker_posts(street)]
    seen = {(u.pk, p.pk) for u, p, _ in posts}
    posts += [(r.worker, r.place, False) for key, r in sorted(reviews.items(), key=lambda kv: kv[1].place.path)
              if key not in seen]
    samples = residents_samples(year=year, posts=[(u.pk, p) for u, p, _ in posts])
    rows = []
    for user, place, active in posts:
        review = reviews.get((user.pk, place.pk))
        rows.append(_row(user, place, active, review, samples[(user.pk, place.pk)], weights))
    return rows


def _row(user, place, active, review, sample: Sample, weights: Weights) -> dict:
    final = review is not None and review.state == ReviewState.FINAL
    if final:
        used = weights_from_snapshot(review.weights)
        residents, n = review.residents_score, review.residents_n or 0
        sufficient = residents is not None
    else:
        used = weights
        n = sample.n
        sufficient = sample.sufficient(weights)
        residents = sample.score() if sufficient else None
    street_score = review.street_score if review else None
    return {
        "worker": user, "name": str(user), "place": place, "active": active,
        "community": place.parent if place.level == Level.GRID else place,
        "post": "网格员" if place.level == Level.GRID else "社区工作者",
        "review": review, "final": final, "version": review.version if review else 0,
        "residents_score": residents, "n": n, "sufficient": sufficient,
        "street_score": street_score, "comment": review.street_comment if review else "",
        "combined": review.combined_score if final else combined(residents, street_score, used),
        "weights": used,
    }


# -- writes ------------------------------------------------------------------------------------
@transaction.atomic
def review_save(*, year, worker, place: Place, street_score, comment: str, version: int, by,
                now: dt.datetime | None = None) -> WorkerReview:
    """Enter or change the street's score and comment of a draft review. `version` is the one the form
    was loaded with (0: no review yet); a stale one is ConflictError, a final review ReviewError."""
    year = check_year(year)
    score = parse_score(street_score)
    comment = clean_comment(comment)
    if worker is None or place.level not in (Level.COMMUNITY, Level.GRID) or not holds_post(worker, place):
        raise ReviewError(ERR_NOT_WORKER)
    now = now or timezone.now()
    existing = WorkerReview.objects.filter(year=year, worker=worker, place=place).values_list("pk", flat=True).first()
    if existing is None:
        if version != 0:
            raise ConflictError(ERR_CONFLICT)
        try:
            with transaction.atomic():
                return WorkerReview.objects.create(year=year, worker=worker, place=place, street_score=score,
                                                   street_comment=comment, reviewed_by=by, reviewed_at=now)
        except IntegrityError:
            raise ConflictError(ERR_CONFLICT) from None
    review = lock_version(WorkerReview.objects, existing, version, ERR_CONFLICT)
    if review.state == ReviewState.FINAL:
        raise ReviewError(ERR_FINAL.format(name=worker, year=year, place=place.name))
    review.street_score, review.street_comment = score, comment
    review.reviewed_by, review.reviewed_at = by, now
    review.version += 1
    review.save(update_fields=["street_score", "street_comment", "reviewed_by", "reviewed_at", "version"])
    return review


@transaction.atomic
def review_finalise(*, review_id: int, version: int, weights: Weights, by,
                    now: dt.datetime | None = None) -> WorkerReview:
    """Fix the review: the residents' score and n as the database counts them now, the weights and the
    combined score are stored and never recomputed."""
    review = lock_version(WorkerReview.objects.select_related("worker", "place"), review_id, version, ERR_CONFLICT)
    if review.state == ReviewState.FINAL:
        raise ReviewError(ERR_FINAL.format(name=review.worker, year=review.year, place=review.place.name))
    if review.street_score is None:
        raise ReviewError(ERR_NO_STREET_SCORE)
    sample = residents_samples(year=review.year, posts=[(review.worker_id, review.place)])[
        (review.worker_id, review.place_id)]
    residents = sample.score() if sample.sufficient(weights) else None
    review.residents_score, review.residents_n = residents, sample.n
    review.weights = weights.snapshot()
    review.combined_score = combined(residents, review.street_score, weights)
    review.state = ReviewState.FINAL
    review.finalised_by, review.finalised_at = by, now or timezone.now()
    review.version += 1
    review.save()
    return review


# -- the worker's own page -----------------------------------------------------------------------
def own_reviews(user):
    """The caller's own final reviews, newest year first (drafts may still change: not shown)."""
    return (WorkerReview.objects.filter(worker=user, state=ReviewState.FINAL)
            .select_related("place", "place__parent").order_by("-year", "place__code"))


def own_rows(user) -> list[dict]:
    rows = []
    for r in own_reviews(user):
        used = weights_from_snapshot(r.weights)
        rows.append({"review": r, "year": r.year, "place": r.place, "weights": used,
                     "community": r.place.parent if r.place.level == Level.GRID else r.place,
                     "post": "网格员" if r.place.level == Level.GRID else "社区工作者",
                     "residents_score": r.residents_score, "n": r.residents_n or 0,
                     "sufficient": r.residents_score is not None, "street_score": r.street_score,
                     "comment": r.street_comment, "combined": r.combined_score})
    return rows
