"""The locality's care rules, as data: how often each group is visited, how fast an elder walks
(the 30-minute circle). A locality overrides the defaults in `LOCALITIES` by the leading digits
of its code (the district's 6-digit code covers its streets and communities), the way
elections.rules does.

Visit rules: a person matching every group of a rule is visited at least every `days` days; of the
rules a person matches, the shortest interval counts (living alone and 80 or older: weekly).
"""
from __future__ import annotations

from gongzhi.care.models import Group

DEFAULTS = {
    "visit_rules": (
        {"groups": (Group.LIVING_ALONE, Group.VERY_OLD), "days": 7, "label": "独居且高龄:每周一次"},
        {"groups": (Group.LEFT_BEHIND_CHILD,), "days": 14, "label": "留守儿童:每两周一次"},
        {"groups": (Group.LIVING_ALONE,), "days": 14, "label": "独居老人:每两周一次"},
        {"groups": (Group.LEFT_BEHIND_ELDER,), "days": 14, "label": "留守老人:每两周一次"},
        {"groups": (Group.VERY_OLD,), "days": 30, "label": "高龄老人:每月一次"},
        {"groups": (Group.ELDERS_ONLY,), "days": 30, "label": "空巢老人:每月一次"},
        {"groups": (Group.DISABLED,), "days": 30, "label": "残疾人:每月一次"},
    ),
    # an elder's walking speed (metres per minute) and the home-care circle (minutes)
    "walk_m_per_min": 60,
    "circle_minutes": 30,
}

LOCALITIES = {
    # Yixing (宜兴): the 2019 opinion's 关爱走访 — living alone or left-behind elders every week
    "320282": {"visit_rules": (
        {"groups": (Group.LIVING_ALONE, Group.VERY_OLD), "days": 7, "label": "独居且高龄:每周一次"},
        {"groups": (Group.LIVING_ALONE,), "days": 7, "label": "独居老人:每周一次"},
        {"groups": (Group.LEFT_BEHIND_ELDER,), "days": 7, "label": "留守老人:每周一次"},
        {"groups": (Group.LEFT_BEHIND_CHILD,), "days": 14, "label": "留守儿童:每两周一次"},
        {"groups": (Group.VERY_OLD,), "days": 30, "label": "高龄老人:每月一次"},
        {"groups": (Group.ELDERS_ONLY,), "days": 30, "label": "空巢老人:每月一次"},
        {"groups": (Group.DISABLED,), "days": 30, "label": "残疾人:每月一次"},
    )},
}


def rules_for(code: str) -> dict:
    """The defaults overridden by every locality whose code `code` starts with (shorter codes first)."""
    rules = dict(DEFAULTS)
    for prefix in sorted(LOCALITIES, key=len):
        if code.startswith(prefix):
            rules.update(LOCALITIES[prefix])
    return rules


def visit_rules(code: str) -> list[dict]:
    """The visit rules of a locality, shortest interval first."""
    return sorted(rules_for(code)["visit_rules"], key=lambda r: r["days"])


# -- prices and paying schemes (per locality) ----------------------------------------------
DEFAULTS.update({
    # price of one service (yuan)
    "prices": {"meal": "12.00", "bath": "50.00", "cleaning": "40.00", "escort": "60.00", "rehab": "80.00",
               "emergency": "0.00"},
    # the government's share of each scheme
    "schemes": {"government": "1.00", "subsidised": "0.50", "own": "0.00"},
})
LOCALITIES["320282"].update({"schemes": {"government": "1.00", "subsidised": "0.60", "own": "0.00"}})
