"""Volunteers (P-VOL-1..3): self sign-up and registration, teams, activities with QR check-in/out, confirmed hours, star levels, certificates with public verification, the neighbourly time bank (double-entry points)."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, NavEntry, PublicPage, capability, register

# staff read the volunteers and activities of their places
VIEW_VOLUNTEERS = capability("view_volunteers", "查看志愿者和志愿活动", Role.ADMIN, Role.STREET, Role.COMMUNITY,
                             Role.GRID)
# the community registers volunteers, forms teams, publishes activities and confirms hours (as organiser)
RUN_VOLUNTEERING = capability("run_volunteering", "登记志愿者、发布志愿活动、确认服务时长", Role.COMMUNITY)
# residents sign themselves up, join activities, check in with the QR code and spend points
VOLUNTEER_SELF = capability("volunteer_self", "志愿服务报名、签到和积分兑换", Role.RESIDENT)
# the yearly hours per community (aggregated), for the street and the district too
VIEW_VOLUNTEER_REPORT = capability("view_volunteer_report", "查看志愿服务时长年报", Role.ADMIN, Role.STREET,
                                   Role.COMMUNITY)
# the time bank's offers and redemptions at the community's desk
KEEP_TIME_BANK = capability("keep_time_bank", "管理时间银行兑换", Role.COMMUNITY)

MODULE = register(Module(
    name="volunteers", label="志愿服务",
    capabilities=(VIEW_VOLUNTEERS, RUN_VOLUNTEERING, VOLUNTEER_SELF, VIEW_VOLUNTEER_REPORT, KEEP_TIME_BANK),
    urls=(("volunteers/", "gongzhi.volunteers.urls"),),
    nav=(NavEntry("志愿服务", "volunteers:activities", order=50, capability=VIEW_VOLUNTEERS, audience="staff"),
         NavEntry("志愿服务", "volunteers:mine", order=6, audience="resident")),
    public_pages=(PublicPage("志愿服务证明核验", "volunteers:verify",
                             "输入志愿服务证明上的核验码,核对证明是否有效、记载的服务时长(只显示隐去部分的姓名)。"),),
    demo=(DemoPart(order=51, build="gongzhi.volunteers.demo.build", label="志愿者、志愿活动与时间银行"),),
    extras={"metrics": ("gongzhi.volunteers.metrics.METRICS",),
            "demo_counts": (("gongzhi.volunteers.demo.build", "gongzhi.volunteers.demo.count_existing"),),
            # an activity with confirmed hours writes its ledgers.Activity row (ledgers.services.write_from)
            "ledger_sources": (("volunteers.activity", ("志愿活动", "volunteers:activity")),)},
))
