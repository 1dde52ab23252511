"""The elder ability assessment's domains and levels (GB/T 42195-2022), read from
`care/data/gbt_42195_2022.json`: four first-level domains with their maximum scores (90 in all) and
five levels by the total. Checked when loaded: a malformed file is an error naming the file."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from gongzhi.core.errors import RuleError

FILE = Path(__file__).parent / "data" / "gbt_42195_2022.json"
ERR_MISSING = "评估缺少以下一级指标的得分:{names}(GB/T 42195-2022 的四项一级指标都要评)"
ERR_SCORE = "“{name}”的得分应为 0 至 {max} 的整数"


@lru_cache(maxsize=1)
def standard() -> dict:
    data = json.loads(FILE.read_text(encoding="utf-8"))
    codes = [d["code"] for d in data["domains"]]
    if len(set(codes)) != len(codes) or any(int(d["max"]) <= 0 for d in data["domains"]):
        raise ValueError(f"{FILE}: 一级指标代码重复或满分不是正数")
    mins = [lv["min"] for lv in data["levels"]]
    if mins != sorted(mins, reverse=True) or mins[-1] != 0:
        raise ValueError(f"{FILE}: 等级的下限应从高到低排列,最后一级从 0 分起")
    return data


def domains() -> list[dict]:
    return standard()["domains"]


def check_scores(raw: dict) -> dict[str, int]:
    """Every domain scored, each within its range; a missing domain is named."""
    missing = [d["name"] for d in domains() if str(raw.get(d["code"], "")).strip() == ""]
    if missing:
        raise RuleError(ERR_MISSING.format(names="、".join(missing)))
    scores = {}
    for d in domains():
        value = str(raw[d["code"]]).strip()
        if not (value.isascii() and value.isdigit()) or int(value) > int(d["max"]):
            raise RuleError(ERR_SCORE.format(name=d["name"], max=d["max"]))
        scores[d["code"]] = int(value)
    return scores


def level_of(total: int) -> tuple[str, str]:
    for lv in standard()["levels"]:
        if total >= lv["min"]:
            return lv["code"], lv["name"]
    raise ValueError(total)
