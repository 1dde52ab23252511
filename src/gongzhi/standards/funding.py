"""What a community is due under its pack's funding rules (P-FUND-*): yearly
work funds with their breakdown, and the one-off grants it may qualify for.
Works for a community that exists and for one that is only planned."""
from __future__ import annotations

import math
from dataclasses import dataclass

from gongzhi.standards.packs import Pack

ERR_HOUSEHOLDS = "户数应为不小于 0 的整数"
ERR_AREA = "城乡属性应为 urban(城市)或 rural(农村)"


@dataclass
class Community:
    households: int
    area: str  # urban | rural
    street: str = ""


def _applies(rule: dict, c: Community) -> bool:
    where = rule["applies_to"]
    if c.area not in where["area"]:
        return False
    if where["streets"] and c.street not in where["streets"]:
        return False
    if where["not_streets"] and c.street in where["not_streets"]:
        return False
    return True


def _amount(rule: dict, households: int) -> tuple[float, str]:
    """The rule's amount and how it was reached, in words."""
    if "amount" in rule:
        return rule["amount"], f"定额 {rule['amount']:,.0f} 元"
    if "per_100_households" in rule:
        hundreds = households / 100 if rule["pro_rata"] else math.ceil(households / 100)
        how = "按实际户数折算" if rule["pro_rata"] else "不足百户按百户计"
        return round(rule["per_100_households"] * hundreds, 2), \
            f"每百户 {rule['per_100_households']:,.0f} 元 × {hundreds:g}({how})"
    for band in rule["tiers"]:
        if households >= band["from"] and (band["to"] is None or households < band["to"]):
            upper = "以上" if band["to"] is None else f"至 {band['to'] - 1:g} 户"
            return band["amount"], f"{band['from']:g} 户{upper}一档:{band['amount']:,.0f} 元"
    return 0, "不在任何一档"


def funding_for(pack: Pack, community: Community) -> dict:
    """{"total": yearly yuan, "annual": [...], "one_off": [...], "shares": {...}}."""
    if not isinstance(community.households, int) or community.households < 0:
        raise ValueError(ERR_HOUSEHOLDS)
    if community.area not in ("urban", "rural"):
        raise ValueError(ERR_AREA)
    annual, one_off, shares = [], [], {}
    for rule in pack.funding:
        if not _applies(rule, community):
            continue
        amount, how = _amount(rule, community.households)
        item = {"id": rule["id"], "rule": rule["rule"], "title": rule["title"], "amount": amount, "how": how,
                "condition": rule["condition"] or None, "clause": rule["clause"] or None}
        if rule["kind"] == "one_off":
            one_off.append(item)
            continue
        annual.append(item)
        for payer, share in rule.get("shares", {}).items():
            shares[payer] = round(shares.get(payer, 0) + amount * share, 2)
    total = round(sum(i["amount"] for i in annual), 2)
    return {"pack": pack.id, "households": community.households, "area": community.area,
            "street": community.street or None, "total": total, "annual": annual, "one_off": one_off,
            "shares": shares}
