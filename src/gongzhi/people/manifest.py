"""People: households, residents, care tags, organisations; import and export."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, NavEntry, Panel, capability, register

VIEW_PEOPLE = capability("view_people", "查看人员信息", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID)
EDIT_PEOPLE = capability("edit_people", "维护人员信息", Role.ADMIN, Role.COMMUNITY, Role.GRID)
UNMASK = capability("unmask", "查看完整敏感信息", Role.ADMIN, Role.COMMUNITY)
IMPORT = capability("import", "导入", Role.ADMIN, Role.COMMUNITY)
EXPORT = capability("export", "导出", Role.ADMIN, Role.STREET, Role.COMMUNITY)
# counts by place and care group, no one person: departments plan with these (data minimisation)
VIEW_FIGURES = capability("view_people_figures", "查看人口统计", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID,
                          Role.DEPARTMENT)
# a community worker opens a resident's account at the desk (an elder without a phone of their own)
OPEN_RESIDENT_ACCOUNTS = capability("open_resident_accounts", "代居民开通账号", Role.COMMUNITY)

MODULE = register(Module(
    name="people", label="人口",
    capabilities=(VIEW_PEOPLE, EDIT_PEOPLE, UNMASK, IMPORT, EXPORT, VIEW_FIGURES, OPEN_RESIDENT_ACCOUNTS),
    urls=(("people/", "gongzhi.people.urls"),),
    api_routers=(("", "gongzhi.people.api.router"),),
    nav=(NavEntry("居民", "people:residents", order=50, capability=VIEW_PEOPLE),
         NavEntry("导入", "people:import", order=51, capability=IMPORT),
         NavEntry("首页", "people:resident_home", order=0, audience="resident"),
         NavEntry("我的家庭", "people:my_household", order=1, audience="resident")),
    home_panels=(Panel("people/panel_counts.html", "gongzhi.people.panels.counts", order=10,
                       capability=VIEW_FIGURES),),
    place_panels=(Panel("people/panel_organisations.html", "gongzhi.people.panels.place_organisations", order=40,
                        capability=VIEW_PEOPLE),
                  Panel("people/panel_residents.html", "gongzhi.people.panels.place_residents", order=90,
                        capability=VIEW_PEOPLE)),
    demo=(DemoPart(order=20, build="gongzhi.people.demo.build", label="户籍、居民与组织"),),
    extras={"metrics": ("gongzhi.people.metrics.METRICS",),
            # the resident's home page (people.resident_account_views.resident_home) is made of these `Panel`s;
            # any module adds its own here (its context gets the scope narrowed to the panel's capability)
            "resident_panels": (Panel("people/resident_panel_household.html",
                                      "gongzhi.people.resident_panels.household", order=10),),
            "place_counts": ("gongzhi.people.panels.place_counts",),
            "demo_counts": (("gongzhi.people.demo.build", "gongzhi.people.demo.count_existing"),),
            # core.crypto tokens, re-encrypted by `gongzhi rotate_keys` (core.key_rotation); history copies them
            "encrypted_fields": (("people.Resident", ("id_number_enc", "phone_enc")),
                                 ("people.HistoricalResident", ("id_number_enc", "phone_enc")))},
))
