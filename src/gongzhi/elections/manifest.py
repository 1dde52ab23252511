"""Committee elections (换届选举): plan, election committee, voter roll, candidates, voting tallies, results; writes the ledger's election row."""
from gongzhi.accounts.models import Role
from gongzhi.elections import notices
from gongzhi.core.modules import DemoPart, Module, NavEntry, capability, register

# the street (town) and the district see every community's election; the community's workers keep its records
VIEW_ELECTIONS = capability("view_elections", "查看换届选举", Role.ADMIN, Role.STREET, Role.COMMUNITY)
# the street (town) opens the term elections of its communities
PLAN_ELECTIONS = capability("plan_elections", "部署换届选举", Role.STREET)
# the election committee's records, typed by the community's workers or the street's officers
RUN_ELECTIONS = capability("run_elections", "办理换届选举", Role.STREET, Role.COMMUNITY)
# residents: their own community's published roll and candidate list, their own entry, the result
SEE_MY_ELECTION = capability("see_my_election", "查看本社区选举公告", Role.RESIDENT)

MODULE = register(Module(
    name="elections", label="换届选举",
    capabilities=(VIEW_ELECTIONS, PLAN_ELECTIONS, RUN_ELECTIONS, SEE_MY_ELECTION),
    urls=(("elections/", "gongzhi.elections.urls"),),
    nav=(NavEntry("换届选举", "elections:list", order=62, capability=VIEW_ELECTIONS, audience="staff"),
         NavEntry("选举公告", "elections:mine", order=8, audience="resident")),
    demo=(DemoPart(order=55, build="gongzhi.elections.demo.build", label="换届选举"),),
    extras={"ledger_sources": (("elections.election", ("换届选举", "elections:detail")),
                               ("elections.seat", ("换届选举当选", ""))),
            "demo_counts": (("gongzhi.elections.demo.build", "gongzhi.elections.demo.count_existing"),),
            # its steps reach the residents who follow an election (digests)
            "notice_kinds": notices.NOTICE_KINDS, "followables": (notices.FOLLOW_ELECTION,)},
))
