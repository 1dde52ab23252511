"""What a community is due under its pack's funding rules (P-FUND-*): yearly
work funds with their breakdown, and the one-off grants it may qualify for.
Works for a community that exists and for one that is only planned.

Names are matched exactly: a street or town the pack pays by name must be one
of the pack's list or a street of the registry, else a Chinese error names the
nearest matches (a typo such as 宜城 for 宜城街道 would otherwise fall into
"other towns" and be paid the wrong amount). A community whose urban/rural
class is not recorded is `unknown`: only rules that apply to both classes are
counted, and the result says so (`unknown_area`)."""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

from gongzhi.standards.packs import POSTS, Pack

ERR_HOUSEHOLDS = "户数应为不小于 0 的整数"
ERR_AREA = "城乡属性应为 urban(城市)、rural(农村)或 unknown(未登记)"
ERR_STREET = "街道(镇)「{name}」不在政策包「{pack}」的名单中,也不是已登记的街道(镇)。{hint}请从列表中选择。"
ERR_STREET_NEEDED = "政策包「{pack}」按街道(镇)区分经费标准,请选择所属街道(镇)"
ERR_POSTS = "岗位人数应为不小于 0 的整数"
AREA_UNKNOWN_NOTE = "城乡属性未登记:只计入不分城乡的经费规则,分城乡的规则未计入;请在区划中补登城乡属性"
__all__ = ["POSTS", "Community", "check_street", "funding_for", "pack_streets"]
POST_TITLES = {"one_shoulder": "书记、主任一肩挑", "secretary_or_director": "书记或主任", "deputy_director": "副主任"}
POST_METRICS = {"one_shoulder": "posts_one_shoulder", "secretary_or_director": "posts_secretary_or_director",
                "deputy_director": "posts_deputy_director"}


@dataclass
class Community:
    households: int
    area: str  # urban | rural | unknown
    street: str = ""
    new: bool = False  # formed in the funding year (P-FUND-1: 当年组建社区的由区财政负担全部经费)
    posts: dict | None = field(default=None)  # post → number of people, for pay by post (P-FUND-4)


def pack_streets(pack: Pack) -> list[str]:
    """The streets and towns the pack's funding rules name, in the pack's order."""
    names = []
    for rule in pack.funding:
        for name in rule["applies_to"]["streets"] + rule["applies_to"]["not_streets"]:
            if name not in names:
                names.append(name)
    return names


def check_street(pack: Pack, street: str, known: list[str] | tuple = ()) -> str:
    """`street` when the pack's list or the registry (`known`) has it exactly; else ValueError
    naming the nearest matches. A pack that pays by street needs one."""
    listed = pack_streets(pack)
    if not listed:
        return street
    if not street:
        raise ValueError(ERR_STREET_NEEDED.format(pack=pack.title))
    choices = list(dict.fromkeys(listed + list(known)))
    if street in choices:
        return street
    near = [c for c in choices if street in c or c in street]
    near += [c for c in difflib.get_close_matches(street, choices, n=3, cutoff=0.4) if c not in near]
    hint = f"是不是「{'」「'.join(near[:3])}」?" if near else ""
    raise ValueError(ERR_STREET.format(name=street, pack=pack.title, hint=hint))


def _applies(rule: dict, c: Community) -> bool:
    where = rule["applies_to"]
    if c.area == "unknown":
        if set(where["area"]) != {"urban", "rural"}:
            return False
    elif c.area not in where["area"]:
        return False
    if where["streets"] and c.street not in where["streets"]:
        return False
    if where["not_streets"] and c.street in where["not_streets"]:
        return False
    return True


def _amount(rule: dict, c: Community) -> tuple[float, str]:
    """The rule's amount and how it was reached, in words."""
    households = c.households
    if "amount" in rule:
        return rule["amount"], f"定额 {rule['amount']:,.0f} 元"
    if "per_post" in rule:
        if c.posts is None:
            return 0, "需要各岗位人数(一肩挑、书记或主任、副主任),未填写,未计入"
        bits, total = [], 0
        for post, yearly in rule["per_post"].items():
            n = c.posts.get(post, 0)
            total += n * yearly
            bits.append(f"{POST_TITLES[post]} {n} 人 × {yearly:,.0f} 元")
        return round(total, 2), ";".join(bits)
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


def funding_for(pack: Pack, community: Community, *, known_streets: list[str] | tuple = ()) -> dict:
    """{"total": yearly yuan, "annual": [...], "one_off": [...], "shares": {...}, "unknown_area", "notes"}."""
    if not isinstance(community.households, int) or isinstance(community.households, bool) \
            or community.households < 0:
        raise ValueError(ERR_HOUSEHOLDS)
    if community.area not in ("urban", "rural", "unknown"):
        raise ValueError(ERR_AREA)
    if community.posts is not None and any(not isinstance(n, int) or n < 0 for n in community.posts.values()):
        raise ValueError(ERR_POSTS)
    check_street(pack, community.street, known_streets)
    annual, one_off, shares, notes = [], [], {}, []
    if community.area == "unknown":
        notes.append(AREA_UNKNOWN_NOTE)
    for rule in pack.funding:
        if not _applies(rule, community):
            continue
        amount, how = _amount(rule, community)
        item = {"id": rule["id"], "rule": rule["rule"], "title": rule["title"], "amount": amount, "how": how,
                "condition": rule["condition"] or None, "clause": rule["clause"] or None}
        if rule["kind"] == "one_off":
            one_off.append(item)
            continue
        if "per_post" in rule and community.posts is None:
            notes.append(f"{rule['title']}:{how}")
        annual.append(item)
        split = rule.get("shares", {})
        if community.new and rule.get("new_community_shares"):
            split = rule["new_community_shares"]
            item["how"] += ";当年组建的社区:" + "、".join(f"{k}负担 {v:.0%}" for k, v in split.items())
        for payer, share in split.items():
            shares[payer] = round(shares.get(payer, 0) + amount * share, 2)
    total = round(sum(i["amount"] for i in annual), 2)
    return {"pack": pack.id, "households": community.households, "area": community.area,
            "street": community.street or None, "new": community.new, "total": total, "annual": annual,
            "one_off": one_off, "shares": shares, "unknown_area": community.area == "unknown", "notes": notes}
