"""The community's disclosure board (居务公开, P-GOV-4): categories, published items, quarterly freshness and the printable poster; other modules publish through its services."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, NavEntry, Panel, PublicPage, capability, register

# staff read the items of their places (withdrawn ones too, with the reason)
VIEW_DISCLOSURE = capability("view_disclosure", "查看居务公开", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID)
# the community's committee publishes on its own board and takes items down
PUBLISH_DISCLOSURE = capability("publish_disclosure", "发布和撤下居务公开", Role.COMMUNITY)
# which categories are not refreshed within their period: the committee, the street, the district
VIEW_FRESHNESS = capability("view_disclosure_freshness", "查看居务公开更新情况", Role.ADMIN, Role.STREET, Role.COMMUNITY)
# a resident reads their own community's board from their home
READ_BOARD = capability("read_board", "查看本社区公开栏", Role.RESIDENT)

MODULE = register(Module(
    name="disclosure", label="居务公开",
    capabilities=(VIEW_DISCLOSURE, PUBLISH_DISCLOSURE, VIEW_FRESHNESS, READ_BOARD),
    urls=(("disclosure/", "gongzhi.disclosure.urls"),),
    nav=(NavEntry("居务公开", "disclosure:items", order=35, capability=VIEW_DISCLOSURE, audience="staff"),
         NavEntry("公开栏", "disclosure:mine", order=6, audience="resident")),
    home_panels=(Panel("disclosure/panel_freshness.html", "gongzhi.disclosure.panels.freshness", order=17,
                       capability=VIEW_FRESHNESS),),
    public_pages=(PublicPage("居务公开栏", "disclosure:boards",
                             "各社区公开的工作计划、工作成果、财务收支和重大事项(不含个人信息),可打印 A3 海报。"),),
    demo=(DemoPart(order=48, build="gongzhi.disclosure.demo.build", label="居务公开"),),
    extras={"metrics": ("gongzhi.disclosure.metrics.METRICS",),
            # the resident's home page (people): the latest items of their community's board
            "resident_panels": (Panel("disclosure/panel_board.html", "gongzhi.disclosure.panels.my_board", order=35,
                                      capability=READ_BOARD),),
            # a published item writes its ledgers.Disclosure row (ledgers.services.write_from)
            "ledger_sources": (("disclosure.item", ("居务公开栏", "disclosure:item")),),
            "demo_counts": (("gongzhi.disclosure.demo.build", "gongzhi.disclosure.demo.count_existing"),)},
))
