"""The service network (三社联动, P-ORG-1..3): social organisations (registered/filed, filing steps, incubation), service projects from needs to evaluation (项目化运作), social-work teams, co-resident units (驻区单位) with commitments and evaluation."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, NavEntry, capability, register
from gongzhi.network import notices

# staff of the places, and service providers (who see their own organisations' records only: selectors)
VIEW_NETWORK = capability("view_network", "查看三社联动", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.PROVIDER)
# the community keeps its organisations' profiles and gives the filing opinion; the street files (services)
KEEP_SOCIAL_ORGS = capability("keep_social_orgs", "管理社区社会组织、备案与孵化", Role.STREET, Role.COMMUNITY)
# needs, project design, publication, assignment, contracts and evaluations
MANAGE_SERVICE_PROJECTS = capability("manage_service_projects", "设计、委托和评估服务项目", Role.STREET,
                                     Role.COMMUNITY)
# a provider applies for projects and records its team and sessions (its own organisation's: services)
DELIVER_SERVICE_PROJECTS = capability("deliver_service_projects", "申报和实施服务项目", Role.PROVIDER)
# residents see the community activities of service projects and sign up
JOIN_ACTIVITIES = capability("join_network_activities", "报名参加社区服务活动", Role.RESIDENT)
KEEP_RESIDENT_UNITS = capability("keep_resident_units", "管理驻区单位承诺、联席会议和评价", Role.STREET,
                                 Role.COMMUNITY)

MODULE = register(Module(
    name="network", label="三社联动",
    capabilities=(VIEW_NETWORK, KEEP_SOCIAL_ORGS, MANAGE_SERVICE_PROJECTS, DELIVER_SERVICE_PROJECTS,
                  KEEP_RESIDENT_UNITS, JOIN_ACTIVITIES),
    urls=(("network/", "gongzhi.network.urls"),),
    nav=(NavEntry("三社联动", "network:home", order=36, capability=VIEW_NETWORK, audience="staff"),
         NavEntry("社区活动", "network:activities", order=36, capability=JOIN_ACTIVITIES, audience="resident")),
    demo=(DemoPart(order=52, build="gongzhi.network.demo.build", label="三社联动"),),
    extras={"ledger_sources": (("network.session", ("服务项目活动", "network:session")),
                               ("network.joint_meeting", ("驻区单位联席会议", "network:meeting"))),
            "metrics": ("gongzhi.network.metrics.METRICS",),
            "record_links": ("gongzhi.network.links.need_links", "gongzhi.network.links.complaint_links"),
            "notice_kinds": notices.kinds(VIEW_NETWORK),
            "periodic": (("gongzhi.network.tasks.evaluation_due_sweep", None),)},
))
