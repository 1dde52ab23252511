"""Property services (P-PROP-1..3): estates and management modes, property firms and managers, contracts, owners' committees, four-party coordination, evaluations, credit scores and the blacklist."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, NavEntry, PublicPage, capability, register
from gongzhi.core.notices import NoticeKind

# the estates of the caller's places, their firms, contracts, committees, meetings and complaints
VIEW_ESTATES = capability("view_estates", "查看小区物业信息", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID)
# the community registers how an estate is managed, its firm's contract, and calls meetings
MANAGE_ESTATES = capability("manage_estates", "登记小区管理方式、物业企业和合同", Role.COMMUNITY, Role.STREET)
RUN_ESTATE_MEETINGS = capability("run_estate_meetings", "召集四方协调会议、记录议定事项", Role.COMMUNITY)
# the street files owners' committees (业委会备案); the city/district keeps the credit records and the
# blacklist with its appeals (one register for every estate of the district)
FILE_COMMITTEES = capability("file_owners_committees", "业主委员会备案", Role.STREET)
MANAGE_BLACKLIST = capability("manage_property_blacklist", "物业黑名单列入、申诉处理和信用计算", Role.ADMIN)
# residents rate their estate's property services once a year, one per household
RATE_PROPERTY = capability("rate_property", "评价小区物业服务", Role.RESIDENT)
# a household without an account answers on paper; the community or grid worker types it in
ENTER_PAPER_RATINGS = capability("enter_property_ratings", "录入住户的纸质物业评价", Role.COMMUNITY, Role.GRID)
# a property firm's own account (a provider post bound to the firm, estates.firms): its estates under
# contract in its post's places, their complaints, its credit, and its blacklist entries to appeal online
ACT_FOR_FIRM = capability("act_for_property_firm", "物业企业查看本企业服务小区、投诉、信用,在线申诉", Role.PROVIDER)

MODULE = register(Module(
    name="estates", label="物业服务",
    capabilities=(VIEW_ESTATES, MANAGE_ESTATES, RUN_ESTATE_MEETINGS, FILE_COMMITTEES, MANAGE_BLACKLIST,
                  RATE_PROPERTY, ENTER_PAPER_RATINGS, ACT_FOR_FIRM),
    urls=(("estates/", "gongzhi.estates.urls"),),
    nav=(NavEntry("小区物业", "estates:list", order=36, capability=VIEW_ESTATES, audience="staff"),
         NavEntry("本物业企业", "estates:firm_home", order=37, capability=ACT_FOR_FIRM, audience="staff"),
         NavEntry("物业评价", "estates:rate", order=8, audience="resident")),
    public_pages=(PublicPage("物业黑名单", "estates:public_blacklist",
                             "列入黑名单的物业企业和项目经理(项目经理只显示姓氏)、原因、日期和申诉结果。"),),
    demo=(DemoPart(order=54, build="gongzhi.estates.demo.build", label="小区物业、业委会、评价与信用"),),
    extras={"metrics": ("gongzhi.estates.metrics.METRICS",),
            # the yearly rating is answered on the estate's page, one per household, never on the survey page
            "own_surveys": ("gongzhi.estates.evaluations.own_surveys",),
            # a firm's online appeal reaches the district; the decision reaches the firm's accounts
            "notice_kinds": (NoticeKind("blkappeal", "物业黑名单:企业在线申诉", capability=MANAGE_BLACKLIST, order=75),
                             NoticeKind("blkdecided", "物业黑名单:申诉处理结果", capability=ACT_FOR_FIRM, order=76)),
            # a held four-party or owners' committee meeting writes its ledgers.Meeting row
            "ledger_sources": (("estates.meeting", ("小区协调会议", "estates:meeting")),)},
))
