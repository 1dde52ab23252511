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

# 关爱走访 overdue: the steps of reminders and escalation, like work orders' (超时 · 升级 · 督办). A person
# overdue by more than `after_days` days takes the step: 0 tells their paired visitors and the grid's workers,
# 1 the community's workers, 2 the street's officers (counts per community, no names).
DEFAULTS["visit_escalation"] = (
    {"step": 0, "after_days": 0, "to": "visitor"},
    {"step": 1, "after_days": 7, "to": "community"},
    {"step": 2, "after_days": 21, "to": "street"},
)

LOCALITIES = {
    # Yixing (宜兴). The seeds ask for a visit network for left-behind, very old and empty-nest elders (000 四(六))
    # but name no frequency and no escalation days: these are the platform's settings for the locality to confirm
    # (weekly for those living alone, as the example), not a rule of the seed; docs/care.md says so
    "320282": {"visit_rules": (
        {"groups": (Group.LIVING_ALONE, Group.VERY_OLD), "days": 7, "label": "独居且高龄:每周一次"},
        {"groups": (Group.LIVING_ALONE,), "days": 7, "label": "独居老人:每周一次"},
        {"groups": (Group.LEFT_BEHIND_ELDER,), "days": 7, "label": "留守老人:每周一次"},
        {"groups": (Group.LEFT_BEHIND_CHILD,), "days": 14, "label": "留守儿童:每两周一次"},
        {"groups": (Group.VERY_OLD,), "days": 30, "label": "高龄老人:每月一次"},
        {"groups": (Group.ELDERS_ONLY,), "days": 30, "label": "空巢老人:每月一次"},
        {"groups": (Group.DISABLED,), "days": 30, "label": "残疾人:每月一次"},
    ),
        # a weekly visit missed for three more days goes to the community, ten more to the street (our setting)
        "visit_escalation": (
            {"step": 0, "after_days": 0, "to": "visitor"},
            {"step": 1, "after_days": 3, "to": "community"},
            {"step": 2, "after_days": 10, "to": "street"},
        )},
}


def rules_for(code: str) -> dict:
    """The defaults overridden by every locality whose code `code` starts with (shorter codes first)."""
    rules = dict(DEFAULTS)
    for prefix in sorted(LOCALITIES, key=len):
        if code.startswith(prefix):
            rules.update(LOCALITIES[prefix])
    return rules


def visit_escalation(code: str) -> list[dict]:
    """The locality's steps for overdue visits, first step first."""
    return sorted(rules_for(code)["visit_escalation"], key=lambda s: s["step"])


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


# -- assistance schemes (困难上报的政策比对), per locality ---------------------------------------
# Each condition names a registry fact (care.hardship.FACTS) and what it must be; a fact the registry does not
# hold (income, assets) is "unknown" and the check says so. `office` decides, within `days`.
DEFAULTS["schemes_assistance"] = (
    {"code": "minimum_living", "name": "最低生活保障(低保)", "office": "街道社会救助窗口", "days": 30,
     "conditions": ({"fact": "registered_here", "label": "户籍在本地"},
                    {"fact": "not_tagged_minimum_living", "label": "尚未享受低保"},
                    {"fact": "income_below_standard", "label": "家庭人均收入低于当地低保标准"})},
    {"code": "extreme_poverty", "name": "特困人员救助供养", "office": "街道社会救助窗口", "days": 30,
     "conditions": ({"fact": "elder_disabled_or_minor", "label": "老年人、重度残疾人或未成年人"},
                    {"fact": "no_supporter_at_home", "label": "家中无劳动年龄的赡养、抚养人"},
                    {"fact": "income_below_standard", "label": "无劳动能力、无生活来源"})},
    {"code": "temporary", "name": "临时救助", "office": "街道社会救助窗口", "days": 10,
     "conditions": ({"fact": "sudden_hardship", "label": "因重病、意外、灾害或失去收入突发困难"},
                    {"fact": "lives_here", "label": "户籍或常住在本地"})},
    {"code": "medical", "name": "医疗救助", "office": "区医疗保障局", "days": 20,
     "conditions": ({"fact": "illness", "label": "因病就医"},
                    {"fact": "assisted_already", "label": "低保或特困对象"})},
)
