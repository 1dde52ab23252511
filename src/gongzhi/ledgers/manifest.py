"""The community's books (台账)."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, Panel, capability, register

# departments get no community ledgers (P-DUTY-5: fewer ledgers demanded of communities)
VIEW_LEDGERS = capability("view_ledgers", "查看社区台账", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID)
EDIT_LEDGERS = capability("edit_ledgers", "记社区台账", Role.ADMIN, Role.COMMUNITY)

MODULE = register(Module(
    name="ledgers", label="社区台账",
    capabilities=(VIEW_LEDGERS, EDIT_LEDGERS),
    urls=(("ledgers/", "gongzhi.ledgers.urls"),),
    place_panels=(Panel("ledgers/panel_place.html", "gongzhi.ledgers.panels.place_ledgers", order=60,
                        capability=VIEW_LEDGERS),),
    demo=(DemoPart(order=50, build="gongzhi.ledgers.demo.build", label="社区台账"),),
    extras={"metrics": ("gongzhi.ledgers.metrics.METRICS",),
            "ledger_kinds": tuple(f"gongzhi.ledgers.books.{k}" for k in (
                "WORKERS", "TRAININGS", "MEETINGS", "DISCLOSURES", "VOLUNTEERS", "ACTIVITIES", "ELECTIONS"))},
))
