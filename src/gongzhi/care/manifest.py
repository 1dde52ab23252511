"""Care for key groups (P-CARE-1..6): groups derived from the registry, ability assessments and care plans, service orders, stations and the 30-minute circle, the visit network, hardship reports, disabled residents."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, LinkGrant, Module, NavEntry, Panel, PublicPage, capability, register
from gongzhi.core.notices import NoticeKind

# care data is sensitive: names and details only for the caring community's staff (community and grid
# workers); the street and the district read counts per community, never a person
VIEW_CARE = capability("view_care", "查看关爱对象", Role.COMMUNITY, Role.GRID)
KEEP_CARE = capability("keep_care", "核实关爱对象、登记外出和残疾、关爱走访", Role.COMMUNITY, Role.GRID)
# the staff of a care station or social organisation: only the orders of their own stations (checked per order)
DELIVER_CARE = capability("deliver_care", "提供居家养老服务", Role.PROVIDER)
# hardship reports: the community reports and routes, the street (or district) office decides
DECIDE_HARDSHIP = capability("decide_hardship", "困难上报和救助办理", Role.ADMIN, Role.STREET, Role.COMMUNITY,
                             Role.GRID)
MANAGE_STATIONS = capability("manage_stations", "管理居家养老服务站点", Role.ADMIN, Role.STREET, Role.COMMUNITY)
OVERSEE_CARE = capability("oversee_care", "查看关爱服务统计", Role.ADMIN, Role.STREET, Role.COMMUNITY)
# 结对走访: the community worker pairs a volunteer or a neighbour with a person on the visit list
ASSIGN_VISITORS = capability("assign_visitors", "安排志愿者、邻居结对走访", Role.COMMUNITY)
# the paired visitor (a resident account): their data scope is their open pairings only (care/pairings.py)
VISIT_PAIRED = capability("visit_paired", "结对关爱走访", Role.RESIDENT)
# 家属: the community worker links a relative living elsewhere to an elder, with the elder's consent (care/family.py)
LINK_FAMILY = capability("link_family", "关联老人的家属账号", Role.COMMUNITY)
# the staff of a 残疾人之家: the people enrolled at their own homes and the day's attendance (care/disabled.py)
STAFF_HOME = capability("staff_disability_home", "残疾人之家出勤登记", Role.PROVIDER)
# setting up, editing and closing a 残疾人之家 at the post's place or under it (care/homes.py); no person data
MANAGE_HOMES = capability("manage_disability_homes", "设置和停办残疾人之家", Role.STREET, Role.COMMUNITY)

MODULE = register(Module(
    name="care", label="关爱服务",
    capabilities=(VIEW_CARE, KEEP_CARE, DELIVER_CARE, DECIDE_HARDSHIP, MANAGE_STATIONS, OVERSEE_CARE,
                  ASSIGN_VISITORS, VISIT_PAIRED, LINK_FAMILY, STAFF_HOME, MANAGE_HOMES),
    urls=(("care/", "gongzhi.care.urls"),),
    nav=(NavEntry("关爱对象", "care:groups", order=37, capability=VIEW_CARE),
         NavEntry("关爱统计", "care:overview", order=38, capability=OVERSEE_CARE, unless=VIEW_CARE),
         NavEntry("服务工单", "care:orders", order=39, capability=DELIVER_CARE),
         NavEntry("残疾人之家出勤", "care:home_staff", order=39, capability=STAFF_HOME),
         NavEntry("困难上报", "care:hardships", order=40, capability=DECIDE_HARDSHIP, unless=VIEW_CARE),
         NavEntry("养老服务站点", "care:stations", order=41, capability=MANAGE_STATIONS, unless=VIEW_CARE),
         NavEntry("残疾人之家", "care:homes", order=42, capability=MANAGE_HOMES, unless=VIEW_CARE),
         NavEntry("居家养老", "care:my", order=8, audience="resident")),
    # a relative outside the registry opens the family account the community linked them to (care/family_join.py)
    public_pages=(PublicPage("家属开通账号", "care:family_join",
                             "老人所在社区已关联您为家属的,在这里用本人手机开通家属账号"),),
    demo=(DemoPart(order=53, build="gongzhi.care.demo.build", label="关爱服务"),),
    extras={"metrics": ("gongzhi.care.metrics.METRICS",),
            # 家属: rights by a link, not a post; an account outside the registry holds nothing else
            "link_grants": (LinkGrant("家属关爱", "care:family", holds="gongzhi.care.family.holds_link", order=9,
                                      role_label="老人家属"),),
            # 关爱走访 reminders and escalations (the paired visitor, the grid, the community, the street)
            "notice_kinds": (NoticeKind("care_visit", "关爱走访提醒", order=75),),
            # overdue visits remind, then escalate to the community and the street (care/escalation.py)
            "periodic": (("gongzhi.care.tasks.visit_sweep", 3600.0),),
            # the resident's home: the people paired with them who are due or overdue (nothing when none)
            "resident_panels": (Panel("care/resident_panel_paired.html", "gongzhi.care.pairing_views.panel",
                                      order=45, capability=VISIT_PAIRED),
                                Panel("care/resident_panel_family.html", "gongzhi.care.family_views.panel", order=46))},
))
