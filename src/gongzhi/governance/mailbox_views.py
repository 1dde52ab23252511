"""Pages of the residents' mailbox (书记主任信箱): the resident's own letters and the form to write
one; the committee's (and the street's) list and one letter with its three answers. Thin: reads
and writes through governance.mailbox."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core import crypto
from gongzhi.core.forms import posted_version
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import requires
from gongzhi.governance import mailbox
from gongzhi.governance.manifest import ANSWER_LETTERS, READ_LETTERS, WRITE_LETTERS
from gongzhi.governance.models import (
    LETTER_SUBJECT_MAX, LETTER_TEXT_MAX, REPLY_MAX, Addressee, LetterState, TopicCategory, TopicRules,
)
from gongzhi.workorders.models import Category

PER_PAGE = 20
NOT_FOUND = "未找到或无权访问"


def _writer_name(letter, scope) -> str:
    resident = getattr(letter.writer, "resident", None)
    name = resident.name if resident is not None else letter.writer.get_username()
    own_community = any(a.place_id == letter.community_id for a in scope.assignments)
    return name if own_community else crypto.mask_name(name)  # the street: a surname, the committee answers


@requires(WRITE_LETTERS)
def mine(request):
    """A resident's letters (with the answers) and the form to write a new one."""
    resident = mailbox.writer_resident(request.user)
    values = {"to": request.POST.get("to", Addressee.SECRETARY), "subject": request.POST.get("subject", ""),
              "text": request.POST.get("text", "")}
    error = ""
    if request.method == "POST":
        try:
            letter = mailbox.letter_send(by=request.user, to=values["to"], subject=values["subject"],
                                         text=values["text"])
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, f"来信已送达,居委会将在 {timezone.localtime(letter.due_at):%m月%d日} 前答复")
            return redirect("governance:mailbox_mine")
    letters = list(mailbox.letters_of(request.user).select_related("topic", "order").order_by("-written_at")[:50])
    return render(request, "governance/mailbox_mine.html", {
        "letters": letters, "resident": resident, "values": values, "error": error,
        "addressees": Addressee.choices, "subject_max": LETTER_SUBJECT_MAX, "text_max": LETTER_TEXT_MAX,
        "days": mailbox.letter_days(resident.community) if resident else TopicRules.DEFAULT_LETTER_DAYS, "now": timezone.now()}, status=422 if error else 200)


@requires(READ_LETTERS)
def letter_list(request):
    now = timezone.now()
    qs = mailbox.letters_in(request.scope)
    counts = mailbox.counts(qs, now)
    state = request.GET.get("state", "")
    if state == "overdue":
        qs = qs.filter(state=LetterState.OPEN, due_at__lt=now)
    elif state in LetterState.values:
        qs = qs.filter(state=state)
    else:
        state = ""
    page = paginate_by_ids(qs.order_by("state", "due_at", "pk") if state in ("", "open", "overdue")
                           else qs.order_by("-answered_at", "-pk"),
                           request.GET.get("page"), PER_PAGE, related=("community", "grid"))
    return render(request, "governance/mailbox_list.html", {
        "page": page, "counts": counts, "state": state, "states": LetterState.choices, "now": now,
        "querystring_prefix": f"state={state}&" if state else ""})


def _letter(request, pk):
    letter = mailbox.letters_in(request.scope).filter(pk=pk).select_related(
        "community", "grid", "writer", "writer__resident", "topic", "order", "answered_by").first()
    if letter is None:
        raise Http404(NOT_FOUND)
    return letter


@requires(READ_LETTERS)
def letter_detail(request, pk: int, error: str = "", status: int = 200):
    letter = _letter(request, pk)
    answer_scope = request.scope.for_capability(ANSWER_LETTERS)
    return render(request, "governance/mailbox_letter.html", {
        "letter": letter, "writer_name": _writer_name(letter, request.scope),
        "overdue": letter.overdue(), "may_answer": letter.is_open and mailbox.may_answer(answer_scope, letter),
        "categories": TopicCategory.choices,
        "order_categories": Category.objects.filter(active=True, locality__isnull=True).order_by("sort", "pk")[:300],
        "reply_max": REPLY_MAX, "error": error}, status=status)


@require_POST
@requires(ANSWER_LETTERS)
def letter_answer(request, pk: int):
    letter = _letter(request, pk)
    action, version = request.POST.get("action", ""), posted_version(request.POST.get("version"))
    common = {"scope": request.scope, "letter_id": letter.pk, "version": version, "by": request.user}
    try:
        if action == "reply":
            mailbox.letter_reply(text=request.POST.get("text", ""), **common)
            messages.success(request, "已答复,来信人会在消息中看到")
        elif action == "topic":
            mailbox.letter_to_topic(category=request.POST.get("category", ""), **common)
            messages.success(request, "已转为社区议题")
        elif action == "order":
            code = request.POST.get("order_category", "")[:40]
            category = Category.objects.filter(code=code, active=True).first() if code else None
            mailbox.letter_to_order(category=category, **common)
            messages.success(request, "已转为工单")
        else:
            raise RuleError("请选择处理方式:答复、转为议题或转为工单")
    except ConflictError as exc:
        return letter_detail.__wrapped__(request, pk, error=str(exc), status=409)
    except RuleError as exc:
        return letter_detail.__wrapped__(request, pk, error=str(exc), status=422)
    return redirect("governance:letter", pk=letter.pk)
