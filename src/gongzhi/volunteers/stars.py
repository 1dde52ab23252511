"""The national star levels of volunteers by cumulative confirmed service hours (志愿者星级认定:
一星 100 小时、二星 300、三星 600、四星 1000、五星 1500; 中国志愿服务联合会《志愿服务记录与证明出具办法》
和全国志愿服务信息系统 use these thresholds). Kept as data: a locality with other rules changes this table."""
from __future__ import annotations

from decimal import Decimal

STAR_LEVELS: tuple[tuple[int, str, int], ...] = (
    (1, "一星志愿者", 100),
    (2, "二星志愿者", 300),
    (3, "三星志愿者", 600),
    (4, "四星志愿者", 1000),
    (5, "五星志愿者", 1500),
)


def star_of(hours) -> int:
    """The star level (0 = none yet) reached with `hours` cumulative confirmed hours."""
    hours = Decimal(hours or 0)
    level = 0
    for stars, _label, threshold in STAR_LEVELS:
        if hours >= threshold:
            level = stars
    return level


def star_label(level: int) -> str:
    return next((label for stars, label, _t in STAR_LEVELS if stars == level), "未达星级")


def next_star(hours) -> tuple[str, Decimal] | None:
    """The next level and the hours still needed, None at the top."""
    hours = Decimal(hours or 0)
    for _stars, label, threshold in STAR_LEVELS:
        if hours < threshold:
            return label, Decimal(threshold) - hours
    return None
