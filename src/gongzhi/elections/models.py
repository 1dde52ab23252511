"""Committee elections (换届选举), run from the registry.

An `Election` is one community's term election, opened by its street with the dates of every step
and the seats. Its election committee (`CommitteeMember`), voter roll (`Voter`, built from the
registry on election day; published as frozen `RollVersion`s; later changes in `RollChange`),
candidates (`Candidate`, published as frozen `CandidateList`s), polling stations (`Station`) with
their per-station `Tally` (counts only) and the result live here. Every step is an `ElectionEvent`.

Secrecy: a `Voter` row records *that* the person voted (turnout, the station where they signed) and
for whom they carried a proxy; a `TallyLine` records how many votes a candidate got at a station.
No table, column or event ties a voter to a choice (tests/elections/test_secrecy.py looks for one).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Body(models.TextChoices):
    RESIDENTS = "residents", "居民委员会"
    VILLAGERS = "villagers", "村民委员会"
    PARTY = "party", "村党支部"


class Method(models.TextChoices):
    """The ledger's methods (ledgers.models.ElectionMethod), same codes."""
    DIRECT = "direct", "直接选举"
    HOUSEHOLD = "household", "户代表选举"
    REPRESENTATIVE = "representative", "居民代表选举"


class State(models.TextChoices):
    PLANNING = "planning", "筹备中"
    ROLL_PUBLISHED = "roll_published", "选民名单已公布"
    CANDIDATES_PUBLISHED = "candidates_published", "候选人已公布"
    VOTING = "voting", "投票中"
    RUNOFF = "runoff", "另行选举"
    DONE = "done", "选举有效"
    INVALID = "invalid", "选举无效"


OPEN_STATES = (State.PLANNING, State.ROLL_PUBLISHED, State.CANDIDATES_PUBLISHED, State.VOTING, State.RUNOFF)


class Post(models.TextChoices):
    DIRECTOR = "director", "主任"
    DEPUTY = "deputy", "副主任"
    MEMBER = "member", "委员"


class Election(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="term_elections")
    street = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    term = models.PositiveSmallIntegerField("届次年份")
    body = models.CharField("选举对象", max_length=10, choices=Body.choices, default=Body.RESIDENTS)
    method = models.CharField("选举方式", max_length=16, choices=Method.choices, default=Method.DIRECT)
    state = models.CharField("状态", max_length=24, choices=State.choices, default=State.PLANNING)
    # step dates (planned)
    committee_on = models.DateField("推选选举委员会日期")
    roll_on = models.DateField("选民名单公布日期")
    candidates_on = models.DateField("候选人名单公布日期")
    election_day = models.DateField("选举日")
    # seats
    seats_director = models.PositiveSmallIntegerField("主任名额", default=1)
    seats_deputy = models.PositiveSmallIntegerField("副主任名额", default=1)
    seats_member = models.PositiveSmallIntegerField("委员名额", default=3)
    # the locality's rules, copied from its defaults when the election is opened
    roll_notice_days = models.PositiveSmallIntegerField("选民名单公布天数", default=20)
    candidate_notice_days = models.PositiveSmallIntegerField("候选人公示天数", default=5)
    proxy_limit = models.PositiveSmallIntegerField("每人受托上限", default=3)
    residence_days = models.PositiveSmallIntegerField("候选人居住天数", default=365)
    joint_nominators = models.PositiveSmallIntegerField("联名提名人数", default=10)
    margin = models.PositiveSmallIntegerField("差额数", default=1)
    party_nomination = models.BooleanField("允许党组织推荐", default=True)
    # born on or before this date: 18 on election day (set at opening, read by the set-based roll build)
    born_by = models.DateField(editable=False)
    round = models.PositiveSmallIntegerField("轮次", default=1)
    voting_opened_at = models.DateTimeField(null=True, blank=True)
    result_published_at = models.DateTimeField(null=True, blank=True)
    voters = models.PositiveIntegerField("登记选民数", default=0)
    turnout = models.PositiveIntegerField("参加投票人数", default=0)
    ballots = models.PositiveIntegerField("收回选票", default=0)
    invalid_reason = models.CharField("无效原因", max_length=100, blank=True)
    ledger_row_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-term", "community__path"]
        constraints = [models.UniqueConstraint(fields=["community", "term", "body"], name="election_one_per_term")]
        indexes = [models.Index(fields=["street", "term"], name="election_street_term")]

    def __str__(self):
        return f"{self.community.name}{self.term}年{self.get_body_display()}换届选举"

    @property
    def seats(self) -> int:
        return self.seats_director + self.seats_deputy + self.seats_member

    def seats_for(self, post: str) -> int:
        return {Post.DIRECTOR: self.seats_director, Post.DEPUTY: self.seats_deputy,
                Post.MEMBER: self.seats_member}[post]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class EventKind(models.TextChoices):
    OPENED = "opened", "开启换届"
    COMMITTEE_MEMBER = "committee_member", "选举委员会成员"
    COMMITTEE_REPLACED = "committee_replaced", "选举委员会成员退出并递补"
    ROLL_BUILT = "roll_built", "生成选民名单"
    ROLL_PUBLISHED = "roll_published", "公布选民名单"
    ROLL_CHANGED = "roll_changed", "选民名单变更"
    APPLICATION = "application", "登记申请决定"
    EXCLUSION = "exclusion", "不列入选民名单决定"
    OBJECTION = "objection", "异议"
    OBJECTION_ANSWERED = "objection_answered", "异议答复"
    NOMINATED = "nominated", "提名候选人"
    CANDIDATES_PUBLISHED = "candidates_published", "公布候选人名单"
    STATION = "station", "设立投票站"
    VOTING_OPENED = "voting_opened", "开始投票"
    TURNOUT = "turnout", "登记投票"
    TALLY = "tally", "录入计票结果"
    WRITE_IN = "write_in", "核实另选他人"
    PROBATION = "probation", "试用期考察"
    COUNTED = "counted", "计票结果"
    RUNOFF = "runoff", "另行选举"
    RESULT_PUBLISHED = "result_published", "公布选举结果"


class ElectionEvent(models.Model):
    """One step, who and when. Turnout events carry counts only, never a voter next to a choice."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]


class CommitteeRole(models.TextChoices):
    CHAIR = "chair", "主任"
    MEMBER = "member", "委员"
    RESERVE = "reserve", "候补"


class CommitteeMember(models.Model):
    """The election committee (选举委员会), in list order; reserves step in, in order, when a member leaves."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="committee")
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("职务", max_length=8, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER)
    rank = models.PositiveSmallIntegerField("名次", default=1)
    chosen_by = models.CharField("推选方式", max_length=30, blank=True)
    joined_on = models.DateField("任职日期")
    left_on = models.DateField("退出日期", null=True, blank=True)
    left_reason = models.CharField("退出原因", max_length=100, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["role", "rank", "id"]


class Basis(models.TextChoices):
    REGISTERED = "registered", "户籍在本社区"
    APPLIED = "applied", "居住一年以上、申请登记"


class Voter(models.Model):
    """One person on one roll. `person` is the keyed hash of the ID number (people.Resident.id_number_hash,
    or the resident's id where the number is missing): the constraint keeps a person on one roll per term."""
    # A roll is one INSERT … SELECT of up to a million rows (services.rolls_build): its two foreign keys
    # are not checked by the database (the deferred per-row checks cost more than the insert, as for
    # governance's meeting rolls) and the election's own index is the (election, active) one below.
    # Rows are written only by the services from rows they have read; Django still cascades and protects.
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll", db_index=False,
                                 db_constraint=False)
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    person = models.CharField(max_length=40)
    term = models.PositiveSmallIntegerField()
    roll_kind = models.CharField(max_length=10)  # "committee" (residents'/villagers') or "party"
    basis = models.CharField("登记类别", max_length=12, choices=Basis.choices)
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField(null=True, blank=True)
    voted = models.BooleanField("已投票", default=False)
    # set only once voting opens: indexed where set, so building the roll writes no entry in them
    station = models.ForeignKey("Station", null=True, blank=True, on_delete=models.PROTECT, related_name="signed",
                                db_index=False)
    proxy = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried",
                              verbose_name="受托人", db_index=False)

    class Meta:
        ordering = ["election", "id"]
        constraints = [models.UniqueConstraint(fields=["term", "roll_kind", "person"], condition=Q(active=True),
                                               name="voter_one_roll")]
        indexes = [models.Index(fields=["election", "active"], name="voter_election"),
                   models.Index(fields=["station"], condition=Q(station__isnull=False), name="voter_station"),
                   models.Index(fields=["proxy"], condition=Q(proxy__isnull=False), name="voter_proxy")]


class Decision(models.TextChoices):
    APPROVED = "approved", "同意登记"
    REFUSED = "refused", "不同意"


class Application(models.Model):
    """A resident living here ≥ 1 year without registration asks to vote here; the committee decides."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="applications")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("决定", max_length=10, choices=Decision.choices)
    decided_on = models.DateField("决定日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "resident"], name="application_once")]


class ExclusionKind(models.TextChoices):
    DEPRIVED = "deprived", "依法被剥夺政治权利"
    ELSEWHERE = "elsewhere", "本人确认在户籍地以外参加选举"


class Exclusion(models.Model):
    """A recorded decision that keeps a person off the roll."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="exclusions")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=10, choices=ExclusionKind.choices)
    basis_text = models.CharField("依据", max_length=200)
    decided_on = models.DateField("决定日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "resident"], name="exclusion_once")]


class RollVersion(models.Model):
    """A published roll, frozen: the names and masked numbers as shown on the board that day."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll_versions")
    number = models.PositiveSmallIntegerField()
    published_on = models.DateField("公布日期")
    count = models.PositiveIntegerField()
    rows = models.JSONField()  # [[name, masked id, basis label], ...] in roll order
    sha256 = models.CharField(max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["election", "number"]
        constraints = [models.UniqueConstraint(fields=["election", "number"], name="roll_version_once")]


class RollChange(models.Model):
    """An addition or removal after publication, with its reason."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll_changes")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="+")
    added = models.BooleanField()
    reason = models.CharField("原因", max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)


class Objection(models.Model):
    """An objection to the published roll (or candidate list), recorded and answered."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="objections")
    raised_by = models.CharField("异议人", max_length=50)
    text = models.CharField("异议内容", max_length=300)
    raised_on = models.DateField("提出日期")
    answer = models.CharField("答复", max_length=300, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["raised_on", "id"]


class Nomination(models.TextChoices):
    JOINT = "joint", "选民联名提名"
    GROUP = "group", "居民小组提名"
    PARTY = "party", "党组织推荐"
    SELF = "self", "选民直接提名"
    WRITE_IN = "write_in", "另选他人(经核实)"


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    # who stands: any elector of the community (in a household or representatives' election not
    # necessarily one who votes); `voter` their entry on this roll when they have one
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    voter = models.ForeignKey(Voter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=10, choices=Post.choices)
    round = models.PositiveSmallIntegerField("轮次", default=1)
    nomination = models.CharField("提名方式", max_length=10, choices=Nomination.choices)
    nominators = models.PositiveSmallIntegerField("提名人数", default=0)
    local = models.BooleanField("本社区居民", default=True)
    nominated_on = models.DateField("提名日期")
    votes = models.PositiveIntegerField("得票", default=0)
    elected = models.BooleanField("当选", default=False)

    class Meta:
        ordering = ["round", "post", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "round", "resident"], name="candidate_once")]


class CandidateList(models.Model):
    """A published candidate list, frozen; voting of its round cannot open before `notice_ends`."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidate_lists")
    round = models.PositiveSmallIntegerField(default=1)
    published_on = models.DateField("公布日期")
    notice_ends = models.DateField("公示期满")
    rows = models.JSONField()  # [[post label, name, nomination label], ...]
    sha256 = models.CharField(max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "round"], name="candidate_list_once")]


class StationKind(models.TextChoices):
    STATION = "station", "投票站"
    CENTRAL = "central", "中心会场"
    MOBILE = "mobile", "流动票箱"


class Station(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="stations")
    kind = models.CharField("类别", max_length=10, choices=StationKind.choices)
    name = models.CharField("名称", max_length=50)

    class Meta:
        ordering = ["election", "id"]


class Tally(models.Model):
    """One station's count of one round, entered after counting (the paper ballots are the legal record)."""
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="tallies")
    round = models.PositiveSmallIntegerField(default=1)
    ballots = models.PositiveIntegerField("收回选票")
    invalid = models.PositiveIntegerField("无效票", default=0)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "round"], name="tally_once")]


class TallyLine(models.Model):
    """Votes for one candidate (or one written-in name) at one station: a count, never a ballot."""
    tally = models.ForeignKey(Tally, on_delete=models.CASCADE, related_name="lines")
    candidate = models.ForeignKey(Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    write_in = models.CharField("另选他人", max_length=50, blank=True)
    post = models.CharField(max_length=10, choices=Post.choices)
    votes = models.PositiveIntegerField()


class WriteIn(models.Model):
    """The election committee's decision on a name written in on the ballots (另选他人) of one round
    and post: confirmed as a voter of the roll (the name's votes then count for a `Candidate` of
    nomination WRITE_IN) or not (no such voter, or not eligible), with the reason. Counting waits for
    a decision on any written-in name whose votes alone would elect."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="write_in_decisions")
    round = models.PositiveSmallIntegerField()
    post = models.CharField(max_length=10, choices=Post.choices)
    name = models.CharField("另选他人", max_length=50)
    confirmed = models.BooleanField("核实为本选区选民")
    candidate = models.ForeignKey(Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("理由", max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "round", "post", "name"], name="write_in_once")]


class ProbationOutcome(models.TextChoices):
    CONFIRMED = "confirmed", "期满合格,正式任职"
    ENDED = "ended", "不合格,终止任职"


class Probation(models.Model):
    """A newly elected member of a village party branch serves a year on probation (P-GOV-9; 002(4) 三3):
    from election day to `ends_on`; when it has run, the town confirms the member or ends the post,
    or extends the probation (a new `ends_on`, recorded as an event). Re-elected members have none."""
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="probations")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    starts_on = models.DateField("试用期起")
    ends_on = models.DateField("试用期满")
    extended = models.BooleanField("已延长", default=False)
    outcome = models.CharField("考察结果", max_length=10, choices=ProbationOutcome.choices, blank=True)
    decided_on = models.DateField("考察日期", null=True, blank=True)
    note = models.CharField("考察意见", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["ends_on", "id"]
        constraints = [models.UniqueConstraint(fields=["candidate"], name="probation_once")]
        indexes = [models.Index(fields=["outcome", "ends_on"], name="probation_due")]
