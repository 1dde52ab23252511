"""Case collection (P-EVAL-8): a call with a deadline → cases written by
districts and streets (text about 2000 characters, attachments) → expert
review on scientific, innovative and practical merit → site visits on
authenticity, effect and residents' satisfaction → the selected cases
compiled into one document. One function per step, each checking who may
take it through the capability the step needs (`standards.manifest`), so a
post of another role held beside widens nothing; reads go through `visible_*`
with the scope narrowed to VIEW_CASES, so nobody sees another street's drafts.
Expert review is tied to the call's expert list (people, not a role)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from gongzhi.core import uploads
from gongzhi.core.errors import RuleError, lock_version
from gongzhi.core.scope import Scope
from gongzhi.places.models import Level, Place
from gongzhi.standards.manifest import ORGANISE_CASES, SUBMIT_CASES
from gongzhi.standards.models import (
    CallState, CaseAttachment, CaseCall, CaseState, CaseSubmission, ExpertScore, SiteVisit,
)

ERR_DEADLINE = "案例征集已于 {date} 截止"
ERR_CALL_STATE = "本次征集当前为「{state}」,不能{action}"
ERR_PLACE = "案例单位须为本次征集范围内、您所辖的区(县)、街道(镇)或社区(村)"
ERR_SUBMITTER = "案例由区(县)和街道(镇)报送"
ERR_TEXT = "请填写案例正文"
ERR_TOPIC = "请选择通知列出的内容方向"
ERR_NOT_EXPERT = "您不是本次征集的评审专家"
ERR_SCORE = "「{label}」应为 0 到 10 的整数"
ERR_ORGANISER = "只有征集单位可以进行此操作"
ERR_CASE_STATE = "案例当前为「{state}」,不能{action}"
ERR_CONFLICT = "案例已被他人处理,请刷新后重试"
ERR_VISIT = "只有入围实地察看的案例才能登记察看情况"
ERR_SATISFACTION = "群众满意度应为 0 到 100"
ERR_NOTHING_SELECTED = "还没有入选汇编的案例"

CRITERIA = (("scientific", "科学性"), ("innovative", "创新性"), ("practical", "实践性"))
MOVES = {  # state → (allowed from, what the action is called)
    CaseState.SHORTLISTED: ({CaseState.SUBMITTED}, "入围实地察看"),
    CaseState.SELECTED: ({CaseState.SHORTLISTED}, "入选汇编"),
    CaseState.REJECTED: ({CaseState.SUBMITTED, CaseState.SHORTLISTED}, "不予入选"),
}
_WORDS = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]+")


class CaseError(RuleError):
    pass


def count_words(text: str) -> int:
    """字数 as Chinese offices count them: each Han character, plus each run of letters or digits."""
    return len(_WORDS.findall(text or ""))


# -- who ------------------------------------------------------------------------------
def is_organiser(scope: Scope, call: CaseCall) -> bool:
    """A post that may organise case collection covers the call's place."""
    return scope.for_capability(ORGANISE_CASES).contains(call.place)


def is_expert(user, call: CaseCall) -> bool:
    return bool(user and user.is_authenticated) and call.experts.filter(pk=user.pk).exists()


def visible_calls(scope: Scope):
    """Calls issued at or above one of the caller's places, and calls they review."""
    q = Q(experts=scope.user) if scope.user and scope.user.is_authenticated else Q(pk__in=[])
    for place in scope.staff_places:
        q |= Q(place__code__in=place.path.strip("/").split("/")) | Q(place__path__startswith=place.path)
    return CaseCall.objects.filter(q).distinct().select_related("place")


def visible_submissions(scope: Scope, call: CaseCall):
    """Organisers and experts see every case of the call; others only their own places' cases."""
    qs = call.submissions.select_related("place", "submitted_by")
    if is_organiser(scope, call) or is_expert(scope.user, call):
        return qs
    return qs.filter(place__in=scope.places())


# -- the steps ------------------------------------------------------------------------
def call_create(*, place: Place, title: str, deadline: dt.date, topics: list[str], notice: str = "",
                words: int = 2000, experts=(), by) -> CaseCall:
    call = CaseCall.objects.create(place=place, title=title.strip(), deadline=deadline, notice=notice,
                                   topics=[t.strip() for t in topics if t.strip()], words=words, created_by=by)
    call.experts.set(experts)
    return call


@transaction.atomic
def case_submit(*, call: CaseCall, scope: Scope, place: Place, title: str, topic: str, text: str, files=(),
                by, today: dt.date | None = None) -> CaseSubmission:
    today = today or timezone.localdate()
    if call.state != CallState.OPEN:
        raise CaseError(ERR_CALL_STATE.format(state=call.get_state_display(), action="报送"))
    if today > call.deadline:
        raise CaseError(ERR_DEADLINE.format(date=call.deadline))
    submitting = scope.for_capability(SUBMIT_CASES)  # only the posts that may submit cases count
    if not submitting:
        raise CaseError(ERR_SUBMITTER)
    if place.level not in (Level.DISTRICT, Level.STREET, Level.COMMUNITY) or not submitting.contains(place) \
            or not place.is_within(call.place):
        raise CaseError(ERR_PLACE)
    if not (text or "").strip():
        raise CaseError(ERR_TEXT)
    if call.topics and topic not in call.topics:
        raise CaseError(ERR_TOPIC)
    try:
        checked = uploads.check_files(files)
    except uploads.UploadError as exc:
        raise CaseError(str(exc)) from None
    case = CaseSubmission.objects.create(call=call, place=place, title=title.strip(), topic=topic, text=text.strip(),
                                         words=count_words(text), submitted_by=by)
    for f, content_type in checked:
        CaseAttachment.objects.create(submission=case, file=f, name=f.name[:120], content_type=content_type,
                                      size=f.size)
    return case


def case_score(*, case: CaseSubmission, expert, comment: str = "", **marks) -> ExpertScore:
    """An expert's marks; a second review by the same expert replaces the first."""
    if not is_expert(expert, case.call):
        raise CaseError(ERR_NOT_EXPERT)
    if case.call.state == CallState.CLOSED:
        raise CaseError(ERR_CALL_STATE.format(state=case.call.get_state_display(), action="评审"))
    values = {}
    for key, label in CRITERIA:
        value = marks.get(key)
        if not isinstance(value, int) or not 0 <= value <= 10:
            raise CaseError(ERR_SCORE.format(label=label))
        values[key] = value
    values["comment"] = comment.strip()
    try:
        with transaction.atomic():
            score, _ = ExpertScore.objects.update_or_create(submission=case, expert=expert, defaults=values)
    except IntegrityError:  # the same expert's other tab saved first: this review replaces it
        ExpertScore.objects.filter(submission=case, expert=expert).update(**values)
        score = ExpertScore.objects.get(submission=case, expert=expert)
    return score


@transaction.atomic
def case_move(*, case: CaseSubmission, scope: Scope, state: str, version: int) -> CaseSubmission:
    if not is_organiser(scope, case.call):
        raise CaseError(ERR_ORGANISER)
    current = lock_version(CaseSubmission.objects, case.pk, version, ERR_CONFLICT)
    allowed, action = MOVES[state]
    if current.state not in allowed:
        raise CaseError(ERR_CASE_STATE.format(state=current.get_state_display(), action=action))
    if current.call.state == CallState.CLOSED:
        raise CaseError(ERR_CALL_STATE.format(state=current.call.get_state_display(), action=action))
    current.state = state
    current.version += 1
    current.save(update_fields=["state", "version"])
    return current


def call_close(*, call: CaseCall, scope: Scope) -> CaseCall:
    """定稿: the book is final; no more cases, reviews or moves."""
    if not is_organiser(scope, call):
        raise CaseError(ERR_ORGANISER)
    CaseCall.objects.filter(pk=call.pk).update(state=CallState.CLOSED)
    call.state = CallState.CLOSED
    return call


def case_visit(*, case: CaseSubmission, scope: Scope, visited_on: dt.date, authenticity: str, effect: int,
               satisfaction: int, findings: str, by) -> SiteVisit:
    if not is_organiser(scope, case.call):
        raise CaseError(ERR_ORGANISER)
    if case.state != CaseState.SHORTLISTED:
        raise CaseError(ERR_VISIT)
    if not 0 <= effect <= 10:
        raise CaseError(ERR_SCORE.format(label="实施成效"))
    if not 0 <= satisfaction <= 100:
        raise CaseError(ERR_SATISFACTION)
    return SiteVisit.objects.create(submission=case, visited_on=visited_on, authenticity=authenticity, effect=effect,
                                    satisfaction=satisfaction, findings=findings.strip(), visited_by=by)


def ranked(submissions):
    """Cases with their experts' average on each criterion and in total, best first (by the database)."""
    return submissions.annotate(
        reviews=Count("scores", distinct=True),
        avg_scientific=Avg("scores__scientific"), avg_innovative=Avg("scores__innovative"),
        avg_practical=Avg("scores__practical"),
        avg_total=Avg(F("scores__scientific") + F("scores__innovative") + F("scores__practical")),
    ).order_by(F("avg_total").desc(nulls_last=True), "place__code", "id")


def _only_these_fetcher():
    from weasyprint.urls import URLFetcher

    class OnlyThese(URLFetcher):
        """Loads the cases' own photos and nothing else: no network, no other files."""

        def __init__(self, allowed):
            super().__init__(allowed_protocols=["file"])
            self.allowed = allowed

        def fetch(self, url, headers=None):
            if url not in self.allowed:
                raise ValueError(f"不允许加载:{url}")
            return super().fetch(url, headers)
    return OnlyThese


def book_cases(*, call: CaseCall, scope: Scope) -> list[CaseSubmission]:
    """The cases of the call's book, best first, with their attachments: refused unless `scope` (narrowed
    to ORGANISE_CASES) organises the call, or when nothing is selected yet. Cheap: the page asks it before
    choosing to typeset the book at once or on the queue (standards/case_book.py)."""
    if not is_organiser(scope, call):
        raise CaseError(ERR_ORGANISER)
    cases = list(ranked(call.submissions.filter(state=CaseState.SELECTED).select_related("place")
                        .prefetch_related("attachments")))
    if not cases:
        raise CaseError(ERR_NOTHING_SELECTED)
    return cases


def render_book(*, call: CaseCall, cases: list[CaseSubmission]) -> bytes:
    """The book of `cases` (from `book_cases`): cover, contents, each case on its own pages."""
    from weasyprint import HTML

    allowed = set()
    for case in cases:  # photos go into the book; PDFs are named (they travel beside it)
        case.images = [(a.name, Path(a.file.path).as_uri()) for a in case.attachments.all()
                       if a.content_type != "application/pdf"]
        case.pdf_names = [a.name for a in case.attachments.all() if a.content_type == "application/pdf"]
        allowed.update(uri for _name, uri in case.images)
    html = render_to_string("standards/cases_book.html", {"call": call, "cases": cases,
                                                          "generated_at": timezone.localtime()})

    return HTML(string=html, url_fetcher=_only_these_fetcher()(allowed)).write_pdf()


def compile_pdf(*, call: CaseCall, scope: Scope) -> bytes:
    """The selected cases as one book, checked and typeset in one step."""
    return render_book(call=call, cases=book_cases(call=call, scope=scope))
