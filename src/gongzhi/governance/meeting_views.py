"""Pages of links 2 and 3: deliberation sessions (协商) and residents' / villagers' meetings (决策),
the resident's own page of meetings and votes, and the P-GOV-1 page of start- and end-of-year
meetings. Thin: reads through meeting_selectors, writes through governance.meetings."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.forms import first_error, posted_version
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import requires
from gongzhi.governance import meeting_selectors as sel
from gongzhi.governance import meetings as svc
from gongzhi.governance import groups, selectors
from gongzhi.governance.manifest import (
    RUN_MEETINGS, TAKE_PART, VIEW_MEETINGS, VIEW_OVERVIEW, WATCH_ANNUAL_MEETINGS,
)
from gongzhi.governance.meeting_forms import (
    CloseForm, CommentForm, DepartmentAnswerForm, MeetingNewForm, PaperForm, SessionNewForm, SessionRecordForm,
    VoteForm,
)
from gongzhi.governance.models import (
    MeetingBody, MeetingForm, MeetingState, Participant, ParticipantKind, RollEntry, SessionForm,
    SessionState, Topic, TopicState, Vote, VoteChoice,
)
from gongzhi.places.models import Place

PER_PAGE = 20
NOT_FOUND = "未找到或无权访问"


def _run_communities(request) -> list[Place]:
    return list(selectors.communities_in(request.scope.for_capability(RUN_MEETINGS))[:200])


def _may_run(request, community_id) -> bool:
    return any(c.pk == community_id for c in _run_communities(request))


def _pick_community(request, communities: list[Place] | None = None) -> Place:
    communities = _run_communities(request) if communities is None else communities
    if not communities:
        raise PermissionDenied("您没有可以召集会议的社区")
    code = request.GET.get("community") or request.POST.get("community") or ""
    if not code:
        return communities[0]
    for c in communities:
        if c.code == code:
            return c
    raise Http404(NOT_FOUND)


def _is_staff(scope) -> bool:
    return bool(scope.staff_places)


# -- sessions --------------------------------------------------------------------------------------
@requires(VIEW_MEETINGS)
def session_list(request):
    qs = sel.sessions_in(request.scope).order_by("-starts_at", "-pk")
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE, related=("community",))
    return render(request, "governance/sessions.html", {
        "page": page, "can_run": bool(_run_communities(request)), "querystring_prefix": ""})


@requires(RUN_MEETINGS)
def session_new(request):
    community = _pick_community(request)
    form = SessionNewForm(request.POST or None, initial={"committee": True, "form": SessionForm.DELIBERATION})
    topics = list(Topic.objects.filter(community=community, state=TopicState.DELIBERATION)
                  .order_by("-answered_at")[:100])
    form.fields["topic"].choices = [("", "不关联议题")] + [(str(t.pk), t.title) for t in topics]
    from gongzhi.people.models import OrgKind, Organisation
    from gongzhi.places.models import Building, Level
    form.fields["grids"].choices = [(str(g.pk), g.name) for g in
                                    Place.objects.filter(parent=community, level=Level.GRID).order_by("code")]
    form.fields["buildings"].choices = [(str(b.pk), f"{b.estate.name}{b.number}幢") for b in
                                        Building.objects.filter(community=community).select_related("estate")
                                        .order_by("estate__name", "number")[:500]]
    form.fields["units"].choices = [(str(o.pk), o.name) for o in Organisation.objects.filter(
        community=community, kind=OrgKind.RESIDENT_UNIT, active=True).order_by("name")[:200]]
    matters = list(svc.government_matters(community.pk)[:200])
    form.fields["matters"].choices = [(str(t.pk), _matter_label(t)) for t in matters]
    form.fields["department"].choices = [("", "请选择")] + svc.matter_departments(community.pk)
    if request.method == "GET" and request.GET.get("topic"):
        form.initial["topic"] = request.GET["topic"]
        chosen = next((t for t in topics if str(t.pk) == request.GET["topic"]), None)
        if chosen:
            form.initial["title"] = chosen.title
    if request.method == "GET" and request.GET.get("matter"):  # 召开听证会 from a matter's page
        chosen = next((t for t in matters if str(t.pk) == request.GET["matter"]), None)
        if chosen:
            order = chosen.handed_order
            form.initial.update(form=SessionForm.HEARING, matters=[str(chosen.pk)], title=chosen.title,
                                department=svc.department_key(order.handling_place_id, order.handling_department))
    error = ""
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            topic = next((t for t in topics if str(t.pk) == d.get("topic")), None)
            try:
                session = svc.session_create(
                    community=community, form=d["form"], title=d["title"], agenda=d["agenda"], venue=d["venue"],
                    starts_at=d["starts_at"], comments_until=d.get("comments_until"), topic=topic, by=request.user,
                    committee=d["committee"], representatives=d["representatives"],
                    grid_ids=[int(x) for x in d["grids"]], building_ids=[int(x) for x in d["buildings"]],
                    unit_ids=[int(x) for x in d["units"]], deputies=d["deputies"],
                    matter_ids=d["matters"], department=d["department"])
            except RuleError as exc:
                error = str(exc)
            else:
                messages.success(request, f"协商会已通知 {session.participants.count()} 位参加人")
                return redirect("governance:session", session.pk)
        else:
            error = first_error(form)
    return render(request, "governance/session_new.html", {
        "form": form, "error": error, "community": community, "communities": _run_communities(request)},
        status=422 if error else 200)


def _matter_label(t) -> str:
    order = t.handed_order
    unit = f"{order.handling_place.name if order.handling_place_id else ''}{order.handling_department}"
    handed = f",{timezone.localtime(t.answered_at):%Y-%m-%d} 转办" if t.answered_at else ""
    return f"{t.title}(工单 {order.number},{unit}承办{handed})"


def _participants_view(session, staff: bool):
    """Staff see who was called; residents only how many of each kind (never others' names)."""
    rows = list(Participant.objects.filter(session=session).select_related("resident", "worker", "organisation")
                .order_by("kind", "pk")[:1000]) if staff else []
    counts = {}
    for kind, n in [(k, Participant.objects.filter(session=session, kind=k).count()) for k in ParticipantKind.values]:
        if n:
            counts[ParticipantKind(kind).label] = n
    return rows, counts


@requires(VIEW_MEETINGS)
def session_detail(request, pk, *, comment_form=None, error="", status=200):
    session = sel.access_session(request.scope, pk)
    staff = _is_staff(request.scope)
    rows, counts = _participants_view(session, staff)
    me = svc.resident_of(request.user, session.community_id)
    can_comment = me is not None and session.comments_open and request.scope.can(TAKE_PART)
    invited = me is not None and Participant.objects.filter(session=session, resident=me).exists()
    return render(request, "governance/session.html", {
        "session": session, "participants": rows, "counts": counts, "staff": staff, "invited": invited,
        "comments": session.comments.select_related("resident")[:300], "can_comment": can_comment,
        "comment_form": comment_form or CommentForm(), "error": error,
        "may_run": _may_run(request, session.community_id),
        "answer_form": DepartmentAnswerForm(initial={"version": session.version}),
        "meetings": session.meetings.select_related("adopted_option")[:20],
        "hearing_matters": svc.hearing_matters(session) if session.form == SessionForm.HEARING else []},
        status=status)


@requires(TAKE_PART)
@require_POST
def session_comment(request, pk):
    session = sel.access_session(request.scope, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _session_again(request, pk, form, first_error(form))
    try:
        svc.comment_add(session=session, by=request.user, text=form.cleaned_data["text"])
    except RuleError as exc:
        return _session_again(request, pk, form, str(exc))
    messages.success(request, "您的意见已提交,其他居民看不到您的姓名")
    return redirect("governance:session", session.pk)


def _session_again(request, pk, form, error, status=422):
    request.scope = request.scope.for_capability(VIEW_MEETINGS)
    return session_detail.__wrapped__(request, pk, comment_form=form, error=error, status=status)


@requires(RUN_MEETINGS)
def session_record(request, pk):
    session = sel.access_session(request.scope, pk)
    if not _may_run(request, session.community_id):
        raise Http404(NOT_FOUND)
    participants = list(Participant.objects.filter(session=session).select_related("resident", "worker",
                                                                                    "organisation")[:2000])
    form = SessionRecordForm(request.POST or None, initial={"version": session.version,
                                                            "held_on": timezone.localdate(), "walk_ins": 0})
    form.fields["attended"].choices = [(str(p.pk), f"{p.get_kind_display()} {_who(p)}") for p in participants]
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.session_record(session_id=session.pk, version=d["version"], by=request.user,
                                   held_on=d["held_on"], outcome=d["outcome"], attended_ids=d["attended"],
                                   walk_ins=d.get("walk_ins") or 0, options=d["options"], views_for=d["views_for"],
                                   views_against=d["views_against"], department=d["department"],
                                   fed_back=d["fed_back"], department_answer=d["department_answer"])
            except ConflictError as exc:
                error, status = str(exc), 409
            except RuleError as exc:
                error, status = str(exc), 422
            else:
                messages.success(request, "协商结果已记录,已写入会议台账,参加的居民会收到消息")
                return redirect("governance:session", session.pk)
        else:
            error, status = first_error(form), 422
    if session.state != SessionState.NOTIFIED and not error:
        return redirect("governance:session", session.pk)
    return render(request, "governance/session_record.html", {"session": session, "form": form, "error": error},
                  status=status)


def _who(p) -> str:
    if p.resident_id:
        return p.resident.name
    if p.worker_id:
        return p.worker.name
    if p.organisation_id:
        return p.organisation.name
    return p.name


@requires(RUN_MEETINGS)
@require_POST
def session_answer(request, pk):
    session = sel.access_session(request.scope, pk)
    if not _may_run(request, session.community_id):
        raise Http404(NOT_FOUND)
    form = DepartmentAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("governance:session", session.pk)
    try:
        svc.session_answer(session_id=session.pk, version=form.cleaned_data["version"], by=request.user,
                           department_answer=form.cleaned_data["department_answer"])
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "部门答复已登记")
    return redirect("governance:session", session.pk)


# -- meetings ----------------------------------------------------------------------------------------
@requires(VIEW_MEETINGS)
def meeting_list(request):
    qs = sel.meetings_in(request.scope).order_by("-held_on", "-pk")
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE, related=("community",))
    return render(request, "governance/meetings.html", {
        "page": page, "can_run": bool(_run_communities(request)), "querystring_prefix": "",
        "can_watch": request.scope.can(WATCH_ANNUAL_MEETINGS)})


@requires(RUN_MEETINGS)
def meeting_new(request):
    community = _pick_community(request)
    bodies = svc.bodies_for(community)
    form = MeetingNewForm(request.POST or None, initial={"body": bodies[0], "form": MeetingForm.ADULTS,
                                                         "online": True, "held_on": timezone.localdate()})
    form.fields["body"].choices = [(b, MeetingBody(b).label) for b in bodies]
    form.fields["form"].choices = [(f, MeetingForm(f).label) for b in bodies for f in svc.BODY_FORMS[b]
                                   if f not in [x for bb in bodies[:bodies.index(b)] for x in svc.BODY_FORMS[bb]]]
    topics = list(Topic.objects.filter(community=community, state=TopicState.DELIBERATION)
                  .order_by("-answered_at")[:100])
    form.fields["topic"].choices = [("", "不关联议题")] + [(str(t.pk), t.title) for t in topics]
    sessions = list(sel.sessions_in(request.scope).filter(community=community, state=SessionState.HELD)
                    .order_by("-held_on")[:50])
    form.fields["session"].choices = [("", "不关联协商会")] + [(str(s.pk), s.title) for s in sessions]
    if request.method == "GET":  # called from a held session or a topic: carry it over
        chosen = next((s for s in sessions if str(s.pk) == request.GET.get("session")), None)
        if chosen is not None:
            form.initial.update(session=str(chosen.pk), title=chosen.title, motion=chosen.outcome,
                                topic=str(chosen.topic_id or ""))
        topic = next((t for t in topics if str(t.pk) == request.GET.get("topic")), None)
        if topic is not None:
            form.initial.update(topic=str(topic.pk), title=topic.title)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                meeting = svc.meeting_create(
                    community=community, body=d["body"], form=d["form"], title=d["title"], motion=d["motion"],
                    held_on=d["held_on"], venue=d["venue"], online=d["online"], closes_at=d.get("closes_at"),
                    options=d["options"],
                    topic=next((t for t in topics if str(t.pk) == d.get("topic")), None),
                    session=next((s for s in sessions if str(s.pk) == d.get("session")), None), by=request.user)
            except RuleError as exc:
                error = str(exc)
            else:
                messages.success(request, f"会议已通知,名册 {meeting.roll_size} {'户' if meeting.form == 'households' else '人'}")
                return redirect("governance:meeting", meeting.pk)
        else:
            error = first_error(form)
    return render(request, "governance/meeting_new.html", {
        "form": form, "error": error, "community": community, "communities": _run_communities(request),
        "village": svc.is_village(community)}, status=422 if error else 200)


@requires(VIEW_MEETINGS)
def meeting_detail(request, pk, *, error="", status=200, paper_form=None):
    meeting = sel.access_meeting(request.scope, pk)
    entry = svc.entry_for(meeting, request.user) if request.scope.can(TAKE_PART) else None
    my_vote = Vote.objects.filter(meeting=meeting, entry=entry).first() if entry else None
    resident = svc.resident_of(request.user, meeting.community_id)
    household_entry = None
    if resident is not None and entry is None and meeting.form == MeetingForm.HOUSEHOLDS:
        household_entry = RollEntry.objects.filter(meeting=meeting, household_id=resident.household_id).exists()
    may_run = _may_run(request, meeting.community_id) and meeting.state in (MeetingState.NOTIFIED,
                                                                            MeetingState.VOTING)
    rule = svc.Rule(meeting.quorum_num, meeting.quorum_den, meeting.quorum_strict, meeting.pass_num,
                    meeting.pass_den, meeting.pass_strict, meeting.rule_basis)
    unit = "户" if meeting.form == MeetingForm.HOUSEHOLDS else "人"
    need_present = svc._needed(meeting.roll_size, rule.quorum_num, rule.quorum_den, rule.quorum_strict)
    options = list(meeting.options.all())
    return render(request, "governance/meeting.html", {
        "meeting": meeting, "entry": entry, "my_vote": my_vote, "my_vote_text": _vote_text(my_vote, options),
        "resident": resident, "household_entry": household_entry, "vote_form": VoteForm(options=options),
        "may_run": may_run, "error": error, "unit": unit, "need_present": need_present,
        "options": [{"option": o, "share": round(100 * o.votes / max(meeting.present, 1))} for o in options],
        "quorum_text": svc._fraction(rule.quorum_num, rule.quorum_den, rule.quorum_strict),
        "pass_text": svc._fraction(rule.pass_num, rule.pass_den, rule.pass_strict),
        "paper_form": paper_form or PaperForm(options=options, initial={
            "version": meeting.version, "present": meeting.paper_present, "yes": meeting.paper_yes,
            "no": meeting.paper_no, "abstain": meeting.paper_abstain,
            **{f"option_{o.pk}": o.paper_votes for o in options}}),
        "close_form": CloseForm(initial={"version": meeting.version})},
        status=status)


def _vote_text(vote, options) -> str:
    if vote is None:
        return ""
    if vote.option_id:
        return str(next(o for o in options if o.pk == vote.option_id))
    return "都不同意" if options and vote.choice == VoteChoice.NO else vote.get_choice_display()


def _meeting_again(request, pk, error, status=422, paper_form=None):
    request.scope = request.scope.for_capability(VIEW_MEETINGS)
    return meeting_detail.__wrapped__(request, pk, error=error, status=status, paper_form=paper_form)


@requires(TAKE_PART)
@require_POST
def meeting_vote(request, pk):
    meeting = sel.access_meeting(request.scope, pk)
    options = list(meeting.options.all())
    form = VoteForm(request.POST, options=options)
    if not form.is_valid():
        return _meeting_again(request, pk, svc.ERR_OPTION_CHOICE if options else svc.ERR_CHOICE)
    choice, option_id = form.vote()
    try:
        svc.vote(meeting=meeting, by=request.user, choice=choice, option_id=option_id)
    except RuleError as exc:
        return _meeting_again(request, pk, str(exc), status=409 if str(exc) == svc.ERR_TWICE else 422)
    messages.success(request, "您的投票已计入")
    return redirect("governance:meeting", meeting.pk)


def _run_meeting(request, pk):
    meeting = sel.access_meeting(request.scope, pk)
    if not _may_run(request, meeting.community_id):
        raise Http404(NOT_FOUND)
    return meeting


@requires(RUN_MEETINGS)
@require_POST
def meeting_paper(request, pk):
    meeting = _run_meeting(request, pk)
    form = PaperForm(request.POST, options=meeting.options.all())
    if not form.is_valid():
        return _meeting_again(request, pk, first_error(form), paper_form=form)
    d = form.cleaned_data
    try:
        svc.record_paper(meeting_id=meeting.pk, version=d["version"], by=request.user, present=d["present"],
                         yes=d.get("yes", 0), no=d["no"], abstain=d["abstain"], option_votes=form.option_votes())
    except ConflictError as exc:
        return _meeting_again(request, pk, str(exc), status=409)
    except RuleError as exc:
        return _meeting_again(request, pk, str(exc), paper_form=form)
    messages.success(request, "现场计票已保存")
    return redirect("governance:meeting", meeting.pk)


@requires(RUN_MEETINGS)
@require_POST
def meeting_close(request, pk):
    meeting = _run_meeting(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _meeting_again(request, pk, first_error(form))
    try:
        done = svc.close(meeting_id=meeting.pk, version=form.cleaned_data["version"], by=request.user,
                         minutes=form.cleaned_data["minutes"])
    except ConflictError as exc:
        return _meeting_again(request, pk, str(exc), status=409)
    except RuleError as exc:
        return _meeting_again(request, pk, str(exc))
    messages.success(request, f"表决已结束:{done.outcome_label}")
    return redirect("governance:meeting", meeting.pk)


# -- the resident's page and P-GOV-1 -------------------------------------------------------------------
@requires(TAKE_PART)
def mine(request):
    data = sel.mine(request.user, request.scope.for_capability(VIEW_MEETINGS))
    return render(request, "governance/mine.html", data)


@requires(WATCH_ANNUAL_MEETINGS)
def annual(request):
    communities = {c.pk: c for c in selectors.communities_in(request.scope)}
    status = svc.annual_status(list(communities), timezone.localdate())
    rows = sorted(({"community": communities[cid], "items": items} for cid, items in status.items()),
                  key=lambda r: (not any(i["overdue"] for i in r["items"]), r["community"].path))
    return render(request, "governance/annual.html", {"rows": rows, "total": len(communities),
                                                      "today": timezone.localdate()})


# -- residents' groups and posts ----------------------------------------------------------------------------
def _post_forms(community, data=None):
    from gongzhi.governance.meeting_forms import GroupForm, PostForm
    from gongzhi.governance.models import PostKind, ResidentGroup
    from gongzhi.places.models import Building, Level
    post_form = PostForm(data, initial={"since": timezone.localdate()})
    post_form.fields["kind"].choices = PostKind.choices
    post_form.fields["group"].choices = [("", "不属于居民小组")] + [
        (str(g.pk), g.name) for g in ResidentGroup.objects.filter(community=community, until__isnull=True)]
    post_form.fields["building"].choices = [("", "不是门栋长")] + [
        (str(b.pk), f"{b.estate.name}{b.number}幢") for b in
        Building.objects.filter(community=community).select_related("estate").order_by("estate__name", "number")[:500]]
    group_form = GroupForm(data)
    group_form.fields["grid"].choices = [("", "不限")] + [
        (str(g.pk), g.name) for g in Place.objects.filter(parent=community, level=Level.GRID).order_by("code")]
    return post_form, group_form


@requires(VIEW_OVERVIEW)
def posts(request, *, error="", status=200, forms_=None):
    """The community's groups and posts: kept by its committee (RUN_MEETINGS), read by the street and
    the district (the standards runs link here for P-SIZE-5)."""
    from gongzhi.governance.models import ResidentGroup, ResidentPost
    readable = list(selectors.communities_in(request.scope.for_capability(VIEW_OVERVIEW))[:200])
    community = _pick_community(request, readable)
    may_run = _may_run(request, community.pk)
    post_form, group_form = forms_ or _post_forms(community)
    show_ended = request.GET.get("ended") == "1"
    today = timezone.localdate()
    rows = ResidentPost.objects.filter(community=community).select_related("resident", "group", "building__estate")
    if not show_ended:
        rows = rows.filter(until__isnull=True)
    from gongzhi.governance.meeting_forms import PostEndForm
    return render(request, "governance/posts.html", {
        "community": community, "communities": readable, "may_run": may_run,
        "posts": rows.order_by("kind", "since")[:500],
        "groups": [{"group": g, "gaps": groups.gaps(g), "heads_needed": groups.heads_needed(g.households)}
                   for g in groups.groups_on(today).filter(community=community).select_related("grid")],
        "ended_groups": ResidentGroup.objects.filter(community=community, until__lte=today),
        "group_rule": {"households": groups.GROUP_HOUSEHOLDS, "per_head": groups.HOUSEHOLDS_PER_HEAD},
        "post_form": post_form, "group_form": group_form, "end_form": PostEndForm(initial={"until": today}),
        "error": error, "show_ended": show_ended}, status=status)


@requires(RUN_MEETINGS)
@require_POST
def post_add(request):
    from gongzhi.governance.models import ResidentGroup
    from gongzhi.places.models import Building
    community = _pick_community(request)
    post_form, group_form = _post_forms(community, request.POST)
    if not post_form.is_valid():
        return posts.__wrapped__(request, error=first_error(post_form), status=422,
                                 forms_=(post_form, _post_forms(community)[1]))
    d = post_form.cleaned_data
    group = ResidentGroup.objects.filter(community=community, pk=d["group"]).first() if d.get("group") else None
    building = Building.objects.filter(community=community, pk=d["building"]).first() if d.get("building") else None
    try:
        post = svc.post_add(community=community, kind=d["kind"], id_number=d["id_number"], since=d["since"],
                            group=group, building=building, note=d["note"], by=request.user)
    except RuleError as exc:
        return posts.__wrapped__(request, error=str(exc), status=422, forms_=(post_form, _post_forms(community)[1]))
    messages.success(request, f"已登记 {post.resident.name} 为{post.get_kind_display()}")
    return redirect(f"{_posts_url(community)}")


def _posts_url(community) -> str:
    from django.urls import reverse
    return f"{reverse('governance:posts')}?community={community.code}"


@requires(RUN_MEETINGS)
@require_POST
def post_end(request, pk):
    from gongzhi.governance.meeting_forms import PostEndForm
    from gongzhi.governance.models import ResidentPost
    post = ResidentPost.objects.filter(pk=pk, community__in=_run_communities(request)).select_related(
        "community", "resident").first()
    if post is None:
        raise Http404(NOT_FOUND)
    form = PostEndForm(request.POST)
    try:
        if not form.is_valid():
            raise RuleError(first_error(form))
        svc.post_end(post=post, until=form.cleaned_data["until"], by=request.user)
    except RuleError as exc:
        messages.error(request, f"{post.resident.name}:{exc}")
    else:
        messages.success(request, f"{post.resident.name}的{post.get_kind_display()}职务已结束")
    return redirect(_posts_url(post.community))


@requires(RUN_MEETINGS)
@require_POST
def group_add(request):
    community = _pick_community(request)
    _, group_form = _post_forms(community, request.POST)
    if not group_form.is_valid():
        return posts.__wrapped__(request, error=first_error(group_form), status=422,
                                 forms_=(_post_forms(community)[0], group_form))
    d = group_form.cleaned_data
    from gongzhi.places.models import Level
    grid = Place.objects.filter(parent=community, level=Level.GRID, pk=d["grid"]).first() if d.get("grid") else None
    try:
        group = svc.group_add(community=community, name=d["name"], households=d.get("households") or 0, grid=grid)
    except RuleError as exc:
        return posts.__wrapped__(request, error=str(exc), status=422, forms_=(_post_forms(community)[0], group_form))
    low, high = groups.GROUP_HOUSEHOLDS
    note = "" if low <= group.households <= high else f"。{group.households} 户,不在 {low}—{high} 户的规模内,请核实"
    messages.success(request, f"已设立居民小组「{group.name}」{note}")
    return redirect(_posts_url(community))


# -- cancelling, and the roll ---------------------------------------------------------------------------
@requires(RUN_MEETINGS)
@require_POST
def session_cancel(request, pk):
    session = sel.access_session(request.scope, pk)
    if not _may_run(request, session.community_id):
        raise Http404(NOT_FOUND)
    try:
        svc.session_cancel(session_id=session.pk, version=posted_version(request.POST.get("version")),
                           by=request.user, reason=request.POST.get("reason", ""))
    except ConflictError as exc:
        return _session_again(request, pk, None, str(exc), status=409)
    except RuleError as exc:
        return _session_again(request, pk, None, str(exc))
    messages.success(request, "协商会已取消,受邀居民会收到消息")
    return redirect("governance:session", session.pk)


@requires(RUN_MEETINGS)
@require_POST
def meeting_cancel(request, pk):
    meeting = _run_meeting(request, pk)
    try:
        svc.meeting_cancel(meeting_id=meeting.pk, version=posted_version(request.POST.get("version")),
                           by=request.user, reason=request.POST.get("reason", ""))
    except ConflictError as exc:
        return _meeting_again(request, pk, str(exc), status=409)
    except RuleError as exc:
        return _meeting_again(request, pk, str(exc))
    messages.success(request, "会议已取消,已投票的居民会收到消息")
    return redirect("governance:meeting", meeting.pk)


ROLL_PER_PAGE = 50


@requires(RUN_MEETINGS)
def meeting_roll(request, pk):
    """The meeting's roll for its community's committee: who is on it (built from the registry on the
    meeting's date), searchable by name, with who voted online."""
    meeting = _run_meeting(request, pk)
    q = (request.GET.get("q") or "").strip()[:50]
    rows = RollEntry.objects.filter(meeting=meeting)
    if q:
        rows = rows.filter(resident__name__contains=q)
    page = paginate_by_ids(rows.order_by("resident__grid_id", "resident__household_id", "pk"),
                           request.GET.get("page"), ROLL_PER_PAGE,
                           related=("resident", "resident__grid", "resident__household"))
    voted = set(Vote.objects.filter(meeting=meeting, entry_id__in=[e.pk for e in page.object_list])
                .values_list("entry_id", flat=True))
    return render(request, "governance/meeting_roll.html", {
        "meeting": meeting, "page": page, "q": q, "voted": voted,
        "unit": "户" if meeting.form == MeetingForm.HOUSEHOLDS else "人",
        "querystring_prefix": f"q={q}&" if q else ""})
