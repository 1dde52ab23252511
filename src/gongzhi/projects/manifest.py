"""Implementation and supervision (执行、协助、监督): projects carrying out adopted results, milestones, costs,
helpers, and the supervision committee's sign-offs."""
from gongzhi.accounts.models import Role
from gongzhi.projects import notices
from gongzhi.core.modules import DemoPart, Module, NavEntry, Panel, PublicPage, capability, register

# staff of the project's places; a resident their own community's projects (the same facts as the public page)
VIEW_PROJECTS = capability("view_projects", "查看项目", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID,
                           Role.RESIDENT)
# the community's committee opens projects, moves milestones, records costs and links helpers
MANAGE_PROJECTS = capability("manage_projects", "管理项目", Role.COMMUNITY)
# the community worker keeps the supervision committee's roll
KEEP_SUPERVISORS = capability("keep_supervisors", "管理监督委员会成员", Role.COMMUNITY)
# residents on the supervision committee sign off or object; membership is checked in the service
SUPERVISE_PROJECTS = capability("supervise_projects", "验收项目节点", Role.RESIDENT)

MODULE = register(Module(
    name="projects", label="项目执行与监督",
    capabilities=(VIEW_PROJECTS, MANAGE_PROJECTS, KEEP_SUPERVISORS, SUPERVISE_PROJECTS),
    urls=(("projects/", "gongzhi.projects.urls"),),
    nav=(NavEntry("项目", "projects:list", order=32, capability=VIEW_PROJECTS, audience="staff"),
         NavEntry("项目", "projects:list", order=6, audience="resident")),
    home_panels=(Panel("projects/panel.html", "gongzhi.projects.panels.schedule", order=17,
                       capability=VIEW_PROJECTS),),
    public_pages=(PublicPage("项目进展公开", "projects:public_index",
                             "各社区居民议题立项落实的项目、节点和进度(不含个人信息)。"),),
    demo=(DemoPart(order=47, build="gongzhi.projects.demo.build", label="项目执行与监督"),),
    extras={"metrics": ("gongzhi.projects.metrics.METRICS",),
            # its notices per kind, and projects residents follow (digests)
            "notice_kinds": notices.kinds(VIEW_PROJECTS), "followables": (notices.FOLLOW_PROJECT,),
            # the resident's home (people.resident_panels): the milestones waiting for a supervision member
            "resident_panels": (Panel("projects/resident_panel.html", "gongzhi.projects.panels.resident", order=40,
                                      capability=SUPERVISE_PROJECTS),),
            "demo_counts": (("gongzhi.projects.demo.build", "gongzhi.projects.demo.count_existing"),)},
))
