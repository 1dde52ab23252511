"""Service desks (P-SVC-2, P-SVC-3, P-SVC-4, P-SVC-7): each community's service station and each
street's service centre, with opening and staggered hours, the duty rota over the national calendar
with its swaps, the windows and the items each accepts, and every item's public guide and flow chart."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, NavEntry, Panel, PublicPage, capability, register

# the committee keeps its station's hours, windows and rota; the street its centre's and its communities'
MANAGE_DESKS = capability("manage_desks", "维护服务站时间、窗口和值班表", Role.ADMIN, Role.STREET, Role.COMMUNITY)
# the overview of stations, their hours and the gaps in the rota ahead
VIEW_DESKS = capability("view_desks", "查看服务站和值班情况", Role.ADMIN, Role.STREET, Role.COMMUNITY)

MODULE = register(Module(
    name="desks", label="服务站",
    capabilities=(MANAGE_DESKS, VIEW_DESKS),
    urls=(("desks/", "gongzhi.desks.urls"),),
    nav=(NavEntry("服务站", "desks:overview", order=36, capability=VIEW_DESKS, audience="staff"),),
    home_panels=(Panel("desks/panel_gaps.html", "gongzhi.desks.panels.gaps_ahead", order=18, capability=VIEW_DESKS),),
    place_panels=(Panel("desks/panel_place.html", "gongzhi.desks.panels.place_station", order=45,
                        capability=VIEW_DESKS),),
    public_pages=(PublicPage("服务站与办事指南", "desks:stations",
                             "各社区服务站和街道便民服务中心的开放时间、今日值班人员、服务窗口,"
                             "以及每个服务事项的办事指南和流程图(可打印)。"),),
    demo=(DemoPart(order=58, build="gongzhi.desks.demo.build", label="服务站时间、窗口和值班"),),
    extras={"metrics": ("gongzhi.desks.metrics.METRICS",),
            "demo_counts": (("gongzhi.desks.demo.build", "gongzhi.desks.demo.count_existing"),)},
))
