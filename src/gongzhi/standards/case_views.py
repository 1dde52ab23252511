"""Case collection pages: calls, a call with its cases and the submit form,
a case with its expert reviews and site visits, the compiled book (PDF; a large one on the job queue,
with its page and its one download: standards/case_book.py)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import User
from gongzhi.core import job_files, jobs
from gongzhi.core.errors import ConflictError
from gongzhi.core.exports import KEEP_HOURS
from gongzhi.core.models import Job, JobStatus
from gongzhi.core.permissions import requires
from gongzhi.places.models import Level
from gongzhi.places.selectors import access_place
from gongzhi.standards import case_book, cases
from gongzhi.standards.access import posted_version
from gongzhi.standards.manifest import ORGANISE_CASES, SUBMIT_CASES, VIEW_CASES
from gongzhi.standards.models import Authenticity, CaseState

DATE = forms.DateInput(attrs={"type": "date"})
ERR_DEPARTMENT = "案例征集由民政部门和街道(镇)组织,职能部门不参与"
TOPICS_XUZHOU = ["优化社区治理结构", "改进社区治理方式", "完善社区服务体系", "健全基层协商民主机制",
                 "深化“三社联动”内涵建设", "加强社区文化和法治建设"]


class CallForm(forms.Form):
    title = forms.CharField(label="标题", max_length=100, initial="城乡社区治理和服务创新优秀案例征集")
    deadline = forms.DateField(label="截止日期", widget=DATE)
    topics = forms.CharField(label="案例内容方向(每行一个)", widget=forms.Textarea(attrs={"rows": 6}),
                             initial="\n".join(TOPICS_XUZHOU))
    words = forms.IntegerField(label="建议字数", initial=2000, min_value=200, max_value=20000)
    notice = forms.CharField(label="通知正文", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    experts = forms.ModelMultipleChoiceField(label="评审专家", queryset=User.objects.none(), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the panel comes from the organiser's own staff accounts (the bureau's and its streets'):
        # people holding, at a place the organiser covers, a post that may view case collection
        staff = User.objects.filter(is_active=True, assignments__active=True,
                                    assignments__place__in=scope.places(),
                                    assignments__role__in=sorted(VIEW_CASES.roles))
        self.fields["experts"].queryset = staff.distinct().order_by("username")


class SubmitForm(forms.Form):
    place = forms.ChoiceField(label="案例单位")
    title = forms.CharField(label="案例标题", max_length=100)
    topic = forms.ChoiceField(label="内容方向")
    text = forms.CharField(label="案例正文", widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, *args, places=(), topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.code, p.name) for p in places]
        self.fields["topic"].choices = [(t, t) for t in topics]


class ScoreForm(forms.Form):
    scientific = forms.IntegerField(label="科学性(0—10)", min_value=0, max_value=10)
    innovative = forms.IntegerField(label="创新性(0—10)", min_value=0, max_value=10)
    practical = forms.IntegerField(label="实践性(0—10)", min_value=0, max_value=10)
    comment = forms.CharField(label="评审意见", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="察看日期", widget=DATE)
    authenticity = forms.ChoiceField(label="真实性", choices=Authenticity.choices)
    effect = forms.IntegerField(label="实施成效(0—10)", min_value=0, max_value=10)
    satisfaction = forms.IntegerField(label="群众满意度(%)", min_value=0, max_value=100)
    findings = forms.CharField(label="察看情况", widget=forms.Textarea(attrs={"rows": 3}))


# Cases are the civil-affairs line's (VIEW_CASES): departments take no part, and a
# department post held beside another role widens nothing. Every view reads through
# `request.scope`, narrowed by its `@requires` to the capability it declares.
def _call(request, call_id):
    call = cases.visible_calls(request.scope).filter(pk=call_id).first()
    if call is None:
        raise Http404("未找到或无权访问")
    return call


def _case(request, call, case_id):
    return get_object_or_404(cases.visible_submissions(request.scope, call), pk=case_id)


@requires(VIEW_CASES, refusal=ERR_DEPARTMENT)
def call_list(request):
    scope = request.scope
    organising = scope.for_capability(ORGANISE_CASES)
    may_issue = bool(organising)
    form = CallForm(request.POST or None, scope=organising)
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied(cases.ERR_ORGANISER)
        if form.is_valid():
            data = form.cleaned_data
            own = organising.staff_places
            place = next((p for p in own if p.level == Level.DISTRICT), own[0])
            call = cases.call_create(place=place, title=data["title"], deadline=data["deadline"],
                                     topics=data["topics"].splitlines(), notice=data["notice"], words=data["words"],
                                     experts=data["experts"], by=request.user)
            messages.success(request, "案例征集已发布")
            return redirect("standards:case_call", call_id=call.pk)
    return render(request, "standards/case_calls.html", {"calls": cases.visible_calls(scope), "form": form,
                                                         "may_issue": may_issue},
                  status=400 if request.method == "POST" else 200)


@requires(VIEW_CASES, refusal=ERR_DEPARTMENT)
def call_detail(request, call_id):
    scope = request.scope
    call = _call(request, call_id)
    # cases are submitted for the places of the posts that may submit them, within the call's place
    submitting = scope.for_capability(SUBMIT_CASES)
    places = [p for p in submitting.places().filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY],
                                                    path__startswith=call.place.path).order_by("code")[:300]]
    form = SubmitForm(request.POST or None, request.FILES or None, places=places, topics=call.topics)
    status = 200
    if request.method == "POST":
        if not submitting:
            raise PermissionDenied(cases.ERR_SUBMITTER)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = cases.case_submit(call=call, scope=submitting,
                                         place=access_place(submitting, data["place"]),
                                         title=data["title"], topic=data["topic"], text=data["text"],
                                         files=request.FILES.getlist("files"), by=request.user)
            except (cases.CaseError, ConflictError) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"案例「{case.title}」已报送({case.words} 字)")
                return redirect("standards:case", call_id=call.pk, case_id=case.pk)
    return render(request, "standards/case_call.html", {
        "call": call, "cases": cases.ranked(cases.visible_submissions(scope, call)), "form": form,
        "may_submit": bool(submitting) and call.state == "open"
        and timezone.localdate() <= call.deadline,
        "organiser": cases.is_organiser(scope, call)}, status=status)


@requires(VIEW_CASES, refusal=ERR_DEPARTMENT)
def case_detail(request, call_id, case_id):
    scope = request.scope
    call = _call(request, call_id)
    case = _case(request, call, case_id)
    expert = cases.is_expert(request.user, call)  # the call's expert list, whatever the reviewer's role
    organiser = cases.is_organiser(scope, call)
    mine = case.scores.filter(expert=request.user).first()
    score_form = ScoreForm(request.POST if request.POST.get("form") == "score" else None,
                           initial={k: getattr(mine, k) for k in ("scientific", "innovative", "practical", "comment")}
                           if mine else None)
    visit_form = VisitForm(request.POST if request.POST.get("form") == "visit" else None)
    status = 200
    if request.method == "POST":
        status = 400
        form = score_form if request.POST.get("form") == "score" else visit_form
        if form.is_valid():
            try:
                if form is score_form:
                    cases.case_score(case=case, expert=request.user, **form.cleaned_data)
                    messages.success(request, "评审意见已保存")
                else:
                    cases.case_visit(case=case, scope=scope, by=request.user, **form.cleaned_data)
                    messages.success(request, "实地察看情况已登记")
            except (cases.CaseError, ConflictError) as exc:
                messages.error(request, str(exc))  # shown above the page: the form may not be on it
            else:
                return redirect("standards:case", call_id=call.pk, case_id=case.pk)
    ranked = cases.ranked(call.submissions.filter(pk=case.pk)).first()
    return render(request, "standards/case_detail.html", {
        "call": call, "case": case, "ranked": ranked, "expert": expert, "organiser": organiser,
        "scores": case.scores.select_related("expert") if organiser or expert else [],
        "visits": case.visits.all(), "score_form": score_form, "visit_form": visit_form,
        "moves": [(s, label) for s, (allowed, label) in cases.MOVES.items() if case.state in allowed]},
        status=status)


@requires(ORGANISE_CASES, refusal=cases.ERR_ORGANISER)
@require_POST
def case_move(request, call_id, case_id, state):
    call = _call(request, call_id)
    case = _case(request, call, case_id)
    if state not in cases.MOVES:
        raise Http404("没有这个操作")
    try:
        cases.case_move(case=case, scope=request.scope, state=CaseState(state),
                        version=posted_version(request))
        messages.success(request, f"案例已{cases.MOVES[state][1]}")
    except (cases.CaseError, ConflictError) as exc:
        if str(exc) == cases.ERR_ORGANISER:
            raise PermissionDenied(str(exc)) from None
        messages.error(request, str(exc))
    return redirect("standards:case", call_id=call.pk, case_id=case.pk)


@requires(VIEW_CASES, refusal=ERR_DEPARTMENT)
def case_file(request, call_id, case_id, file_id):
    call = _call(request, call_id)
    case = _case(request, call, case_id)
    attachment = get_object_or_404(case.attachments, pk=file_id)
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True,
                        filename=attachment.name)


@requires(ORGANISE_CASES, refusal=cases.ERR_ORGANISER)
@require_POST
def call_close(request, call_id):
    call = _call(request, call_id)
    try:
        cases.call_close(call=call, scope=request.scope)
    except (cases.CaseError, ConflictError) as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, "本次征集已定稿,入选案例汇编可随时下载")
    return redirect("standards:case_call", call_id=call.pk)


@requires(ORGANISE_CASES, refusal=cases.ERR_ORGANISER)
def call_book(request, call_id):
    """The book of the selected cases; a large one is typeset on the queue while a page shows its state."""
    call = _call(request, call_id)
    try:
        book = cases.book_cases(call=call, scope=request.scope)
    except (cases.CaseError, ConflictError) as exc:
        if str(exc) == cases.ERR_ORGANISER:
            raise PermissionDenied(str(exc)) from None
        messages.error(request, str(exc))
        return redirect("standards:case_call", call_id=call.pk)
    if case_book.queued(book):
        from gongzhi.standards.tasks import start_book_job
        job = start_book_job(user=request.user, call=call, cases=book)
        return redirect("standards:case_book_job", pk=job.pk)
    body = cases.render_book(call=call, cases=book)
    return HttpResponse(body, content_type="application/pdf",
                        headers={"Content-Disposition": content_disposition_header(True, case_book.filename(call))})


def _own_book_job(request, pk) -> Job:
    """The caller's own book jobs only: anyone else's looks absent."""
    job = jobs.owned(request.user, pk, case_book.JOB_KIND)
    if job is None:
        raise Http404("未找到该任务")
    return job


@requires(ORGANISE_CASES, refusal=cases.ERR_ORGANISER)
def book_job(request, pk):
    """The queued book's state (the page refreshes itself); its download once ready."""
    job = _own_book_job(request, pk)
    running = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    template = "standards/_case_book_progress.html" if request.htmx else "standards/case_book_job.html"
    return render(request, template, {
        "job": job, "running": running, "ready": job.status == JobStatus.DONE and job_files.exists(job.result_path),
        "estimate": max(1, round(case_book.SECONDS_BASE + (job.total or 0) * case_book.SECONDS_PER_CASE)),
        "call_id": case_book.call_id(job), "keep_hours": KEEP_HOURS})


@requires(ORGANISE_CASES, refusal=cases.ERR_ORGANISER)
def book_download(request, pk):
    """The book, once: it is deleted from the storage as it is handed over."""
    job = _own_book_job(request, pk)
    if job.status != JobStatus.DONE or not job_files.exists(job.result_path):
        raise Http404("文件已下载,或已超过保留期限被删除,请回到征集页面重新生成")
    return FileResponse(job_files.download_once(job.result_path), as_attachment=True, filename=job.input_name,
                        content_type="application/pdf")
