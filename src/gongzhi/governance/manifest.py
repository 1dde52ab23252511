"""Self-governance (居民自治): topics residents and staff raise, supports, the committee's answer,
and the public disclosure board of each community."""
from gongzhi.accounts.models import Role
from gongzhi.governance import notices
from gongzhi.core.modules import DemoPart, Module, NavEntry, Panel, PublicPage, capability, register

# residents see their own community's topics; staff those of their places (a grid worker: the grid's community)
VIEW_TOPICS = capability("view_topics", "查看议题", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID, Role.RESIDENT)
RAISE_TOPICS = capability("raise_topics", "提出议题", Role.RESIDENT, Role.GRID, Role.COMMUNITY)
SUPPORT_TOPICS = capability("support_topics", "附议议题", Role.RESIDENT)
# the community's committee answers; the street steps in when an answer is overdue
ANSWER_TOPICS = capability("answer_topics", "答复议题", Role.COMMUNITY, Role.STREET)
EDIT_TOPIC_RULES = capability("edit_topic_rules", "设置议题附议人数和答复时限", Role.COMMUNITY)
# deliberation sessions and residents' meetings: residents see their community's (never others' names)
VIEW_MEETINGS = capability("view_meetings", "查看协商会和居民会议", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID,
                           Role.RESIDENT)
RUN_MEETINGS = capability("run_meetings", "召集协商会和居民会议、记录结果", Role.COMMUNITY)
TAKE_PART = capability("take_part_meetings", "网上发表协商意见和投票", Role.RESIDENT)
# P-GOV-1: the residents' meeting at the start and the end of each year, due and overdue
WATCH_ANNUAL_MEETINGS = capability("watch_annual_meetings", "查看年初年末居民会议召开情况", Role.ADMIN, Role.STREET,
                                   Role.COMMUNITY)
# the table of topics, sessions, decisions, projects and disclosure per community (governance/overview.py)
VIEW_OVERVIEW = capability("view_selfgov_overview", "查看居民自治概况", Role.ADMIN, Role.STREET, Role.COMMUNITY)
# the residents' mailbox (书记主任信箱, P-GOV-12): residents write; the committee answers, the street
# steps in once a letter is overdue (a finer rule in governance/mailbox.py); street and district watch
WRITE_LETTERS = capability("write_letters", "给书记、主任写信", Role.RESIDENT)
READ_LETTERS = capability("read_letters", "查看书记主任信箱来信", Role.ADMIN, Role.STREET, Role.COMMUNITY)
ANSWER_LETTERS = capability("answer_letters", "答复书记主任信箱来信", Role.COMMUNITY, Role.STREET)

MODULE = register(Module(
    name="governance", label="居民自治",
    capabilities=(VIEW_TOPICS, RAISE_TOPICS, SUPPORT_TOPICS, ANSWER_TOPICS, EDIT_TOPIC_RULES, VIEW_MEETINGS,
                  RUN_MEETINGS, TAKE_PART, WATCH_ANNUAL_MEETINGS, VIEW_OVERVIEW, WRITE_LETTERS, READ_LETTERS,
                  ANSWER_LETTERS),
    urls=(("governance/", "gongzhi.governance.urls"),),
    nav=(NavEntry("议题", "governance:topics", order=30, capability=VIEW_TOPICS, audience="staff"),
         NavEntry("议题", "governance:topics", order=4, audience="resident"),
         NavEntry("协商与表决", "governance:meetings", order=31, capability=VIEW_MEETINGS, audience="staff"),
         NavEntry("自治概况", "governance:overview", order=32, capability=VIEW_OVERVIEW, audience="staff"),
         NavEntry("书记信箱", "governance:mailbox", order=33, capability=READ_LETTERS, audience="staff"),
         NavEntry("会议表决", "governance:mine", order=5, audience="resident"),
         NavEntry("书记信箱", "governance:mailbox_mine", order=7, audience="resident")),
    home_panels=(Panel("governance/panel_desk.html", "gongzhi.governance.panels.answer_desk", order=15,
                       capability=ANSWER_TOPICS),
                 Panel("governance/panel_annual.html", "gongzhi.governance.panels.annual_meetings", order=16,
                       capability=WATCH_ANNUAL_MEETINGS),
                 Panel("governance/panel_letters.html", "gongzhi.governance.panels.letters", order=17,
                       capability=READ_LETTERS)),
    public_pages=(PublicPage("社区公开栏", "governance:boards",
                             "各社区居民议题的答复和办理结果(近 12 个月,不含个人信息)。"),),
    demo=(DemoPart(order=45, build="gongzhi.governance.demo.build", label="居民议题与附议"),
          DemoPart(order=46, build="gongzhi.governance.demo_meetings.build", label="协商会与居民会议表决"),
          DemoPart(order=49, build="gongzhi.governance.demo_mailbox.build", label="书记主任信箱来信")),
    extras={"demo_counts": (("gongzhi.governance.demo.build", "gongzhi.governance.demo.count_existing"),
                            ("gongzhi.governance.demo_mailbox.build", "gongzhi.governance.demo_mailbox.count_existing")),
            "metrics": ("gongzhi.governance.metrics.METRICS",),
            # the answered topics on every community's disclosure board and poster (disclosure)
            "disclosure_sections": ("gongzhi.governance.board.answered_topics",),
            # the resident's home page (people): the open topics of their community
            "resident_panels": (Panel("governance/resident_panel_topics.html",
                                      "gongzhi.governance.resident_panels.community_topics", order=30,
                                      capability=VIEW_TOPICS),
                                Panel("governance/panel_mine.html", "gongzhi.governance.panels.my_meetings",
                                      order=25, capability=TAKE_PART)),
            # overdue topic answers escalate to the street, then the district (governance/escalation.py)
            "periodic": (("gongzhi.governance.tasks.topic_sweep", None),),
            # its notices, chosen per kind (instant, daily/weekly digest, off), and topics residents follow (digests)
            "notice_kinds": notices.kinds(VIEW_TOPICS, VIEW_MEETINGS),
            "followables": (notices.FOLLOW_TOPIC,),
            # held sessions and meetings write their ledgers.Meeting rows (ledgers.services.write_from)
            "ledger_sources": (("governance.session", ("协商会", "governance:session")),
                               ("governance.meeting", ("居民(村民)会议", "governance:meeting")))},
))
