"""Self-governance, links 2 and 3 of the chain: deliberation sessions (协商) and decisions by the
residents' (villagers') meeting or its representatives' meeting (决策), with the residents' posts
(representatives, group representatives, group leaders, building heads) the rolls read.

A `Session` moves 已通知 (notice sent, comments open) → 已召开 (a worker recorded attendance,
options, views and the 协商成果; a ledgers.Meeting row is written) or 已取消.
A `ResidentMeeting` moves 已通知 (roll built from the registry on its date) → 投票中 (online votes
accepted) → 已结束 (paper tally recorded, the result computed from the quorum rule it was called
under: 通过 / 未通过 / 不足法定人数) or 已取消. Nothing about a held session or a closed meeting
is edited afterwards.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

SESSION_TEXT_MAX = 4000
COMMENT_MAX = 500


# -- residents' posts (居民代表, 居民小组代表, 居民小组长, 门栋长) --------------------------------
class PostKind(models.TextChoices):
    REPRESENTATIVE = "representative", "居民(村民)代表"
    GROUP_REP = "group_rep", "居民小组推选的会议代表"
    GROUP_LEADER = "group_leader", "居民小组长"
    BUILDING_HEAD = "building_head", "门栋长"
    SUBCOMMITTEE = "subcommittee", "下属委员会成员"


class ResidentGroup(models.Model):
    """A residents' group (居民小组, about 200–300 households), bound to a community and one of its grids."""
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    grid = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="网格")
    name = models.CharField("名称", max_length=40)
    households = models.PositiveIntegerField("户数", default=0)
    since = models.DateField("设立日期", default=timezone.localdate)
    until = models.DateField("撤销日期", null=True, blank=True)

    class Meta:
        verbose_name = "居民小组"
        ordering = ["community", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="resident_group_name")]

    def __str__(self):
        return self.name


class ResidentPost(models.Model):
    """A resident serving as representative, group representative, group leader, building head or
    sub-committee member, from `since` until `until` (history: rows end, they are not deleted)."""
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    kind = models.CharField("职务", max_length=16, choices=PostKind.choices)
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name="居民")
    group = models.ForeignKey(ResidentGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="posts",
                              verbose_name="居民小组")
    building = models.ForeignKey("places.Building", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="楼栋")
    note = models.CharField("说明", max_length=60, blank=True)
    since = models.DateField("任职日期")
    until = models.DateField("离任日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = "居民骨干职务"
        ordering = ["community", "kind", "since", "pk"]
        indexes = [models.Index(fields=["community", "kind", "since"], name="resident_post_roll")]
        constraints = [models.UniqueConstraint(fields=["community", "kind", "resident"], condition=Q(until__isnull=True),
                                               name="one_open_post_per_kind")]


# -- deliberation sessions (协商) -------------------------------------------------------------
class SessionForm(models.TextChoices):
    DELIBERATION = "deliberation", "议事协商会议"
    TALK = "talk", "民情恳谈"
    HEARING = "hearing", "听证会"
    FORUM = "forum", "社区论坛"
    REVIEW = "review", "居民评议"


class SessionState(models.TextChoices):
    NOTIFIED = "notified", "已通知"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class Session(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    topic = models.ForeignKey("governance.Topic", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="sessions", verbose_name="议题")
    form = models.CharField("协商形式", max_length=14, choices=SessionForm.choices)
    title = models.CharField("协商事项", max_length=60)
    agenda = models.TextField("协商内容", blank=True)
    venue = models.CharField("地点", max_length=60, blank=True)
    starts_at = models.DateTimeField("召开时间")
    comments_until = models.DateTimeField("网上意见截止")
    state = models.CharField("状态", max_length=10, choices=SessionState.choices, default=SessionState.NOTIFIED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("通知时间", default=timezone.now)
    # the record of the day
    held_on = models.DateField("召开日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    attendance = models.PositiveIntegerField("到会人数", default=0)
    options = models.TextField("讨论的方案", blank=True)
    views_for = models.TextField("赞成意见", blank=True)
    views_against = models.TextField("反对意见", blank=True)
    outcome = models.TextField("协商成果", blank=True)
    # a hearing's result: what was fed back to the department, and its answer. A hearing called here
    # names its department when it is called (the handling unit of the matters it hears: `department_place`
    # and the department's name, as a work order's handling_place / handling_department); older hearings
    # have the name only, typed when they were recorded.
    department_place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name="反馈部门所在单位")
    department = models.CharField("反馈部门", max_length=60, blank=True)
    fed_back = models.TextField("反馈部门的意见", blank=True)
    department_answer = models.TextField("部门答复", blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    ledger_row = models.ForeignKey("ledgers.Meeting", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "协商会"
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["community", "-starts_at"], name="session_list")]

    def __str__(self):
        return self.title

    @property
    def comments_open(self) -> bool:
        return self.state != SessionState.CANCELLED and timezone.now() <= self.comments_until


class ParticipantKind(models.TextChoices):
    COMMITTEE = "committee", "居委会成员"
    REPRESENTATIVE = "representative", "居民代表"
    STAKEHOLDER = "stakeholder", "利益相关居民"
    DEPUTY = "deputy", "党代表、人大代表"
    UNIT = "unit", "驻区单位"


class Participant(models.Model):
    """Who is called to a session: a registered resident, a committee member (ledgers.Worker), a
    co-resident unit (people.Organisation), or a deputy by name. Residents never see others' names."""
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField("身份", max_length=16, choices=ParticipantKind.choices)
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey("ledgers.Worker", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    name = models.CharField("姓名 / 名称", max_length=60, blank=True)
    attended = models.BooleanField("到会", null=True)

    class Meta:
        verbose_name = "协商参加人"
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "resident"], condition=Q(resident__isnull=False),
                                    name="participant_resident_once"),
            models.UniqueConstraint(fields=["session", "worker"], condition=Q(worker__isnull=False),
                                    name="participant_worker_once"),
            models.UniqueConstraint(fields=["session", "organisation"], condition=Q(organisation__isnull=False),
                                    name="participant_org_once"),
        ]


class HearingMatter(models.Model):
    """A matter a hearing (听证会) hears: a residents' topic handed to a work order that a government
    department handles (002(2) 二(三)2(4): 对涉及政府部门解决的事项,及时召开社区社会事务听证会,
    向政府部门反馈居民意见). The matter counts as heard (metric `government_matters_heard_share`) when the
    hearing was held, on or after the day the topic was handed, with the department handling its order."""
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="matters")
    topic = models.ForeignKey("governance.Topic", on_delete=models.PROTECT, related_name="hearings",
                              verbose_name="听证事项")

    class Meta:
        verbose_name = "听证事项"
        constraints = [models.UniqueConstraint(fields=["session", "topic"], name="hearing_matter_once")]
        indexes = [models.Index(fields=["topic", "session"], name="hearing_matter_topic")]


class SessionComment(models.Model):
    """A resident's online view on a session, before or after the day. Shown without the name."""
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="comments")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("意见")
    after = models.BooleanField("会后意见", default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


# -- decisions (决策): residents' / villagers' meetings and their representatives' meetings ----
class MeetingBody(models.TextChoices):
    RESIDENTS = "residents", "居民会议"
    REPRESENTATIVES = "representatives", "居民代表会议"
    VILLAGERS = "villagers", "村民会议"
    VILLAGE_REPS = "village_reps", "村民代表会议"


class MeetingForm(models.TextChoices):
    ADULTS = "adults", "18周岁以上居民(村民)参加"
    HOUSEHOLDS = "households", "每户派代表参加"
    GROUP_REPS = "group_reps", "居民小组推选代表参加"
    REPRESENTATIVES = "representatives", "居民(村民)代表参加"


class QuorumRule(models.Model):
    """How a body in one form holds and decides, as data: present must be more than (strict) or at
    least `quorum_num/quorum_den` of the roll; a decision needs more than (strict) or at least
    `pass_num/pass_den` of those present voting 同意. A row for a place (district, street or
    community) overrides the organic laws' defaults (`services.DEFAULT_RULES`) below it."""
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="适用地区")
    body = models.CharField("会议", max_length=16, choices=MeetingBody.choices)
    form = models.CharField("组成形式", max_length=16, choices=MeetingForm.choices)
    quorum_num = models.PositiveSmallIntegerField(default=1)
    quorum_den = models.PositiveSmallIntegerField(default=2)
    quorum_strict = models.BooleanField("须超过", default=True)
    pass_num = models.PositiveSmallIntegerField(default=1)
    pass_den = models.PositiveSmallIntegerField(default=2)
    pass_strict = models.BooleanField("须超过", default=True)
    basis = models.CharField("依据", max_length=120, blank=True)

    class Meta:
        verbose_name = "会议法定人数规则"
        constraints = [
            models.UniqueConstraint(fields=["place", "body", "form"], name="quorum_rule_once"),
            models.CheckConstraint(condition=Q(quorum_den__gte=1) & Q(pass_den__gte=1)
                                   & Q(quorum_num__lte=models.F("quorum_den")) & Q(pass_num__lte=models.F("pass_den")),
                                   name="quorum_rule_fractions"),
        ]


class MeetingState(models.TextChoices):
    NOTIFIED = "notified", "已通知"
    VOTING = "voting", "投票中"
    CLOSED = "closed", "已结束"
    CANCELLED = "cancelled", "已取消"


class Outcome(models.TextChoices):
    PENDING = "pending", "待表决"
    ADOPTED = "adopted", "通过"
    REJECTED = "rejected", "未通过"
    NO_QUORUM = "no_quorum", "不足法定人数,未通过"


class ResidentMeeting(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    body = models.CharField("会议", max_length=16, choices=MeetingBody.choices)
    form = models.CharField("组成形式", max_length=16, choices=MeetingForm.choices)
    title = models.CharField("表决事项", max_length=60)
    motion = models.TextField("决定内容", blank=True)
    venue = models.CharField("地点", max_length=60, blank=True)
    held_on = models.DateField("会议日期")
    online = models.BooleanField("允许网上投票", default=True)
    closes_at = models.DateTimeField("网上投票截止", null=True, blank=True)
    topic = models.ForeignKey("governance.Topic", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="meetings", verbose_name="议题")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings",
                                verbose_name="协商会")
    state = models.CharField("状态", max_length=10, choices=MeetingState.choices, default=MeetingState.NOTIFIED)
    # the rule the meeting was called under (copied, so a later change of the rule changes no result)
    quorum_num = models.PositiveSmallIntegerField(default=1)
    quorum_den = models.PositiveSmallIntegerField(default=2)
    quorum_strict = models.BooleanField(default=True)
    pass_num = models.PositiveSmallIntegerField(default=1)
    pass_den = models.PositiveSmallIntegerField(default=2)
    pass_strict = models.BooleanField(default=True)
    rule_basis = models.CharField("依据", max_length=120, blank=True)
    roll_size = models.PositiveIntegerField("应到人数(户数)", default=0)
    roll_built_at = models.DateTimeField(null=True, blank=True)
    online_votes = models.PositiveIntegerField("网上投票数", default=0)
    # the paper record of the day (by a worker): present in person, and the tally per option
    paper_present = models.PositiveIntegerField("现场到会", default=0)
    paper_yes = models.PositiveIntegerField("现场同意", default=0)
    paper_no = models.PositiveIntegerField("现场反对", default=0)
    paper_abstain = models.PositiveIntegerField("现场弃权", default=0)
    # the result
    present = models.PositiveIntegerField("实到人数(户数)", default=0)
    yes = models.PositiveIntegerField("同意", default=0)
    no = models.PositiveIntegerField("反对", default=0)
    abstain = models.PositiveIntegerField("弃权", default=0)
    quorum_met = models.BooleanField("达到法定人数", null=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_reason = models.TextField("结果说明", blank=True)
    minutes = models.TextField("会议记录", blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    ledger_row = models.ForeignKey("ledgers.Meeting", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # a choice between plans: the option adopted, when one was (see MotionOption)
    adopted_option = models.ForeignKey("governance.MotionOption", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name="通过的方案")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "居民(村民)会议"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["community", "-held_on"], name="resident_meeting_list"),
                   models.Index(fields=["community", "body", "held_on"], name="resident_meeting_due")]

    def __str__(self):
        return self.title

    @property
    def adopted(self) -> bool:
        return self.outcome == Outcome.ADOPTED

    @property
    def outcome_label(self) -> str:
        """通过 / 未通过, naming the plan adopted on a choice between plans."""
        option = self.adopted_option if self.adopted_option_id else None
        return f"通过{option.name}「{option.label}」" if option else self.get_outcome_display()

    @property
    def voting_open(self) -> bool:
        return self.state == MeetingState.VOTING and (self.closes_at is None or timezone.now() < self.closes_at)


class MotionOption(models.Model):
    """One of the plans a meeting chooses between (方案一、方案二…). A meeting with options is a choice:
    each voter names one option, 都不同意 or 弃权; the option with the most votes is adopted when it
    alone reaches the pass fraction of those present (a tie at the top adopts none)."""
    meeting = models.ForeignKey(ResidentMeeting, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField("序号")
    label = models.CharField("方案", max_length=60)
    paper_votes = models.PositiveIntegerField("现场票数", default=0)
    votes = models.PositiveIntegerField("得票", default=0)

    class Meta:
        verbose_name = "表决方案"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="motion_option_position_once")]

    def __str__(self):
        return f"方案{NUMERALS[self.position]}:{self.label}"

    @property
    def name(self) -> str:
        return f"方案{NUMERALS[self.position]}"


NUMERALS = "〇一二三四五六七八九"


class RollEntry(models.Model):
    """One eligible person (or household, for the household form) on a meeting's roll, built from
    the registry on the meeting's date. `resident` is the person who votes (the household's head
    or delegate for the household form).

    A roll is written only by `meetings.build_roll`'s one INSERT … SELECT from the registry, in the
    transaction that creates its meeting, so its rows cannot point nowhere; the database's per-row
    foreign-key checks would be most of the time of a large roll (7 of 11 s for 854,204 adults,
    bench/RESULTS.md), so they are left out (db_constraint=False) while Django still cascades and
    protects on delete. For the same reason the meeting needs no index of its own (the unique
    (meeting, resident) index leads with it) and households are indexed only where set."""
    meeting = models.ForeignKey(ResidentMeeting, on_delete=models.CASCADE, related_name="roll", db_constraint=False,
                                db_index=False)
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", db_constraint=False, db_index=False)

    class Meta:
        verbose_name = "会议名册"
        indexes = [models.Index(fields=["household"], condition=Q(household__isnull=False), name="roll_household")]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "resident"], name="roll_resident_once"),
            models.UniqueConstraint(fields=["meeting", "household"], condition=Q(household__isnull=False),
                                    name="roll_household_once"),
        ]


class VoteChoice(models.TextChoices):
    YES = "yes", "同意"
    NO = "no", "反对"
    ABSTAIN = "abstain", "弃权"


class Vote(models.Model):
    """One online vote of one roll entry: the database keeps it to one, whatever the requests do."""
    meeting = models.ForeignKey(ResidentMeeting, on_delete=models.CASCADE, related_name="votes")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField("意见", max_length=8, choices=VoteChoice.choices)
    # on a meeting with options, 同意 names the option chosen; 反对 reads 都不同意
    option = models.ForeignKey(MotionOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "网上投票"
        constraints = [models.UniqueConstraint(fields=["meeting", "entry"], name="one_vote_per_roll_entry"),
                       models.CheckConstraint(condition=Q(option__isnull=True) | Q(choice="yes"),
                                              name="vote_option_only_with_yes")]
