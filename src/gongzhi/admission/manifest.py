"""Work-item admission and burden reduction (准入与减负, P-DUTY-1..6): the two lists, admission requests, enforcement where work enters a community, certificates, purchased services, evaluations."""
from gongzhi.accounts.models import Role
from gongzhi.core.notices import NoticeKind
from gongzhi.core.modules import DemoPart, Module, NavEntry, PublicPage, capability, register

# the lists and what is asked of communities: every staff post, each for its own places
VIEW_DUTIES = capability("view_duties", "查看社区工作事项清单", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID,
                         Role.DEPARTMENT)
# the admin keeps the lists and acts for the legal office and the standing meeting / leading group
KEEP_DUTIES = capability("keep_duties", "维护清单、审批准入申请", Role.ADMIN)
VIEW_ADMISSION = capability("view_admission", "查看准入申请", Role.ADMIN, Role.DEPARTMENT)
APPLY_ADMISSION = capability("apply_admission", "提出准入申请", Role.DEPARTMENT)
# departments and streets ask communities for figures; communities answer
REQUEST_DATA = capability("request_data", "布置数据填报任务", Role.DEPARTMENT, Role.STREET, Role.ADMIN)
ANSWER_DATA = capability("answer_data", "填报数据", Role.COMMUNITY)
# who buys services outside the lists from a committee or social organisation (P-DUTY-3)
BUY_SERVICES = capability("buy_services", "购买社区服务", Role.ADMIN, Role.STREET, Role.DEPARTMENT)
# street and committee rate each other (and the departments) once a year (P-DUTY-6)
RATE_EVALUATION = capability("rate_evaluation", "参加双向评价", Role.STREET, Role.COMMUNITY)
ISSUE_CERTIFICATES = capability("issue_certificates", "出具社区证明", Role.COMMUNITY)
# meetings, ledgers, signboards, assessments, systems demanded of committees: registered on a list item
REGISTER_DEMANDS = capability("register_demands", "登记对社区的要求", Role.DEPARTMENT, Role.STREET, Role.ADMIN)
# a committee (or its grid worker) reports work pushed onto it outside the register; the admin checks it
REPORT_OFFLIST = capability("report_offlist", "反映清单外摊派", Role.COMMUNITY, Role.GRID)

MODULE = register(Module(
    name="admission", label="准入与减负",
    capabilities=(VIEW_DUTIES, KEEP_DUTIES, VIEW_ADMISSION, APPLY_ADMISSION, REQUEST_DATA, ANSWER_DATA, ISSUE_CERTIFICATES,
                  BUY_SERVICES, RATE_EVALUATION, REGISTER_DEMANDS, REPORT_OFFLIST),
    urls=(("duties/", "gongzhi.admission.urls"),),
    nav=(NavEntry("准入与减负", "admission:home", order=62, capability=VIEW_DUTIES),),
    public_pages=(PublicPage("社区工作事项清单", "admission:public_lists",
                             "各地区社区依法履行职责事项和依法协助政府工作事项两份清单,清单外事项不得摊派给社区。"),
                  PublicPage("社区证明核验", "admission:verify",
                             "输入社区证明上的核验码,核对证明是否由社区出具、是否有效(不显示个人信息)。"),),
    demo=(DemoPart(order=57, build="gongzhi.admission.demo.build", label="清单、准入申请与数据填报"),),
    extras={"category_checks": ("gongzhi.admission.services.check_category",),
            "dispatch_checks": ("gongzhi.admission.services.check_dispatch",),
            "metrics": ("gongzhi.admission.metrics.METRICS",),
            # its notice kinds, chosen per kind by each user (digests)
            "notice_kinds": (NoticeKind("admission", "准入申请", capability=VIEW_ADMISSION, order=70),
                             NoticeKind("datareq", "数据填报任务", capability=VIEW_DUTIES, order=71),
                             NoticeKind("demand", "对社区的要求", capability=VIEW_DUTIES, order=72),
                             NoticeKind("offlist", "清单外摊派", capability=VIEW_DUTIES, order=73))},
))
