"""The lines of the democratic reviews, from the policy pack.

The packs belong to the standards engine, which sits above this module: it hands each village's
`cadre_review` section down through this module's extension point extras["cadre_rules"] (functions
f(village) -> dict | None, gongzhi.standards.cadre_rules.for_village). Without a pack that has the section,
the platform default applies: the seed's one figure, 60 % with “不超过” read as including it, and 基本满意
counted as approval — said so on every page that shows a line."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.module_loading import import_string

from gongzhi.core import modules

EXTENSION = "cadre_rules"
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Lines:
    flag_at_most: Decimal
    activist_at_most: Decimal
    counts_basic: bool
    pack_id: str = ""
    pack_title: str = ""

    @property
    def source(self) -> str:
        return f"政策包「{self.pack_title}」" if self.pack_id else "平台默认(未找到设定此线的政策包)"


DEFAULT = Lines(flag_at_most=Decimal(60), activist_at_most=Decimal(60), counts_basic=True)


def lines_for(village) -> Lines:
    for entry in modules.extras(EXTENSION):
        func = import_string(entry) if isinstance(entry, str) else entry
        found = func(village)
        if found:
            return Lines(flag_at_most=Decimal(str(found["flag_at_most"])),
                         activist_at_most=Decimal(str(found["activist_at_most"])),
                         counts_basic=bool(found["counts_basic"]), pack_id=found.get("pack_id", ""),
                         pack_title=found.get("pack_title", ""))
    return DEFAULT


def share(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal (None when nobody counted)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def at_or_under(part: int, whole: int, line: Decimal) -> bool:
    """part ÷ whole ≤ line %, compared exactly (60.04 % is above a 60 % line even if it shows as 60.0)."""
    return whole > 0 and Decimal(part) * 100 <= line * whole
