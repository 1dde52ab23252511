"""Village cadre supervision (P-GOV-10, P-GOV-11): the town's half-yearly democratic review of the village
cadres with the villagers' ratings, the 经管站's half-yearly audits and the town leaders' quarterly talks with
their follow-up, the cadres' public pledges, and the branch's review of party-activist candidates."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, LinkGrant, Module, NavEntry, Panel, capability, register
from gongzhi.core.notices import NoticeKind

# the district and the town see their villages; a village committee its own (never who rated whom)
VIEW_CADRES = capability("view_cadre_supervision", "查看村干部监督", Role.ADMIN, Role.STREET, Role.COMMUNITY)
# the town (a street post at the town) runs the reviews, schedules and records audits and talks
RUN_CADRE_SUPERVISION = capability("run_cadre_supervision", "组织村干部民主评议、审计和谈话", Role.STREET)
# the village records its cadres' pledges and how they were kept; the town may too
KEEP_PLEDGES = capability("keep_cadre_pledges", "登记村干部公开承诺和兑现情况", Role.STREET, Role.COMMUNITY)
# the village party branch records the “一评” of a party-activist candidate (P-GOV-10)
PROPOSE_ACTIVISTS = capability("propose_activists", "登记入党积极分子民主评议", Role.COMMUNITY)
# villagers on a round's roll rate the cadres through their own resident account
RATE_CADRES = capability("rate_cadres", "民主评议村干部", Role.RESIDENT)

MODULE = register(Module(
    name="cadres", label="村干部监督",
    capabilities=(VIEW_CADRES, RUN_CADRE_SUPERVISION, KEEP_PLEDGES, PROPOSE_ACTIVISTS, RATE_CADRES),
    urls=(("cadres/", "gongzhi.cadres.urls"),),
    nav=(NavEntry("村干部监督", "cadres:home", order=63, capability=VIEW_CADRES),),
    home_panels=(Panel("cadres/panel.html", "gongzhi.cadres.panels.overdue", order=18, capability=VIEW_CADRES),),
    demo=(DemoPart(order=59, build="gongzhi.cadres.demo.build", label="村干部民主评议、审计谈话与公开承诺"),),
    extras={"metrics": ("gongzhi.cadres.metrics.METRICS",),
            # the village's pledges and audit conclusions on its disclosure board (disclosure)
            "disclosure_sections": ("gongzhi.cadres.board.pledges", "gongzhi.cadres.board.audits"),
            # the villagers on a round's roll hear that it opened (inbox, and SMS or digest as each chose)
            "notice_kinds": (NoticeKind("cadrereview", "村干部民主评议", capability=RATE_CADRES, order=72),),
            "demo_counts": (("gongzhi.cadres.demo.build", "gongzhi.cadres.demo.count_existing"),),
            # 评议村干部 in a resident's header only while an open round has them on its roll (not for town
            # residents, who are never on one)
            "link_grants": (LinkGrant("评议村干部", "cadres:mine", holds="gongzhi.cadres.selectors.holds_review",
                                      order=9),)},
))
