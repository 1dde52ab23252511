"""The territory: district → street → community → grid → estate → building → dwelling."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, NavEntry, Panel, capability, register

STAFF = (Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID, Role.DEPARTMENT)

# the territory holds no personal data: every staff post may look at it
VIEW_PLACES = capability("view_places", "查看区划网格", *STAFF)
EDIT_PLACES = capability("edit_places", "维护区划网格", Role.ADMIN, Role.COMMUNITY)
# grid workers' mobile numbers: for the civil-affairs line that works with them, not for departments
VIEW_STAFF_CONTACTS = capability("view_staff_contacts", "查看网格员联系电话", Role.ADMIN, Role.STREET, Role.COMMUNITY,
                                 Role.GRID)

MODULE = register(Module(
    name="places", label="区划网格",
    capabilities=(VIEW_PLACES, EDIT_PLACES, VIEW_STAFF_CONTACTS),
    urls=(("places/", "gongzhi.places.urls"),),
    api_routers=(("", "gongzhi.places.api.router"),),
    nav=(NavEntry("区划网格", "places:tree", order=10, capability=VIEW_PLACES),
         NavEntry("网格地图", "places:map", order=11, capability=VIEW_PLACES)),
    home_panels=(Panel("places/panel_understaffed.html", "gongzhi.places.panels.understaffed", order=50,
                       capability=VIEW_PLACES),),
    # the facilities come after the people part: that is where the shared generator reaches them
    demo=(DemoPart(order=10, build="gongzhi.places.demo.build", label="区划、网格人员与房屋"),
          DemoPart(order=25, build="gongzhi.places.demo.build_facilities", label="服务设施")),
    extras={"metrics": ("gongzhi.places.metrics.METRICS",),
            "demo_counts": (("gongzhi.places.demo.build", "gongzhi.places.demo.count_existing"),
                            ("gongzhi.places.demo.build_facilities",
                             "gongzhi.places.demo.count_existing_facilities"))},
))
