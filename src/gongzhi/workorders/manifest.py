"""Work orders: incidents, requests and one-window services; visits, disputes, Open311."""
from gongzhi.accounts.models import Role
from gongzhi.workorders.notices import NOTICE_KINDS
from gongzhi.core.modules import DemoPart, Module, NavEntry, Panel, PublicPage, capability, register

STAFF = (Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID, Role.DEPARTMENT)

# who sees which order is decided per post in selectors.order_q (a department its dispatched
# orders, a resident what they reported); these say which posts take part at all
VIEW_ORDERS = capability("view_orders", "查看工单", *STAFF, Role.RESIDENT)
REPORT_ORDERS = capability("report_orders", "上报工单", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID,
                           Role.RESIDENT)
SUPERVISE_ORDERS = capability("supervise_orders", "受理、派遣、督办工单", Role.ADMIN, Role.STREET, Role.COMMUNITY)
HANDLE_ORDERS = capability("handle_orders", "处置工单", *STAFF)
VERIFY_ORDERS = capability("verify_orders", "核查工单", Role.GRID)
VIEW_ORDER_REPORTS = capability("view_order_reports", "查看工单统计和纠纷月报", *STAFF)
VIEW_VISITS = capability("view_visits", "查看民情日记", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID)
KEEP_VISITS = capability("keep_visits", "记民情日记", Role.COMMUNITY, Role.GRID)
EDIT_CATALOGUE = capability("edit_catalogue", "维护工单目录和工作日历", Role.ADMIN)

MODULE = register(Module(
    name="workorders", label="工单",
    capabilities=(VIEW_ORDERS, REPORT_ORDERS, SUPERVISE_ORDERS, HANDLE_ORDERS, VERIFY_ORDERS, VIEW_ORDER_REPORTS,
                  VIEW_VISITS, KEEP_VISITS, EDIT_CATALOGUE),
    urls=(("orders/", "gongzhi.workorders.urls"), ("open311/v2/", "gongzhi.workorders.open311_urls")),
    nav=(NavEntry("工单", "workorders:list", order=20, capability=VIEW_ORDERS, audience="staff"),
         NavEntry("民情日记", "workorders:visits", order=21, capability=VIEW_VISITS),
         NavEntry("工单统计", "workorders:figures", order=22, capability=VIEW_ORDER_REPORTS),
         NavEntry("纠纷月报", "workorders:disputes", order=23, capability=VIEW_ORDER_REPORTS),
         NavEntry("工单目录", "workorders:catalogue", order=85, capability=EDIT_CATALOGUE),
         NavEntry("我的诉求", "workorders:list", order=2, audience="resident"),
         NavEntry("消息", "workorders:inbox", order=99, audience="everyone", badge="unread_count")),
    context_processors=("gongzhi.workorders.context_processors.inbox",),
    # first on every staff home: what waits for the caller, the day's buttons, visits due
    home_panels=(Panel("workorders/panel_desk.html", "gongzhi.workorders.panels.my_desk", order=1,
                       capability=HANDLE_ORDERS),),
    public_pages=(PublicPage("事件地图", "workorders:public_map",
                             "正在办理的群众诉求在地图上的位置和类别(约精确到 100 米,不含个人信息)。"),),
    demo=(DemoPart(order=40, build="gongzhi.workorders.demo.build", label="一年的工单"),),
    extras={"metrics": ("gongzhi.workorders.metrics.METRICS",),
            # the resident's home page (people): their own reports and their inbox
            "resident_panels": (Panel("workorders/resident_panel_reports.html",
                                      "gongzhi.workorders.resident_panels.my_reports", order=20,
                                      capability=VIEW_ORDERS),
                                Panel("workorders/resident_panel_inbox.html",
                                      "gongzhi.workorders.resident_panels.my_inbox", order=90)),
            "demo_counts": (("gongzhi.workorders.demo.build", "gongzhi.workorders.demo.count_existing"),),
            # core.crypto tokens, re-encrypted by `gongzhi rotate_keys` (core.key_rotation)
            "encrypted_fields": (("workorders.WorkOrder", ("reporter_phone_enc", "reporter_email_enc")),),
            # the overdue sweep, once per GONGZHI_SWEEP_EVERY across all workers (core.jobs)
            "periodic": (("gongzhi.workorders.tasks.overdue_sweep", None),),
            # its notice kinds, one per step, chosen per kind by each user (digests)
            "notice_kinds": NOTICE_KINDS},
))
