"""The default catalogue (categories, service items, national calendar) as a
TOML data file, validated and loaded idempotently. After loading, the
catalogue is ordinary data that an admin edits per locality."""
from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from django.db import transaction

from gongzhi.workorders.models import CalendarDay, Category, Kind, RouteLevel, Window

DEFAULT_FILE = Path(__file__).with_name("data") / "catalogue.toml"
ATTRIBUTE_TYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
CATEGORY_FIELDS = {"code", "name", "kind", "description", "is_dispute", "is_public", "route_level",
                   "route_department", "window", "materials", "attributes", "accept_days", "handle_days",
                   "verify_days", "sort"}


class CatalogueError(ValueError):
    pass


def _check_category(entry: dict, where: str) -> dict:
    unknown = set(entry) - CATEGORY_FIELDS
    if unknown:
        raise CatalogueError(f"{where}: 未知字段 {', '.join(sorted(unknown))}")
    for required in ("code", "name", "kind"):
        if not entry.get(required):
            raise CatalogueError(f"{where}: 缺少字段 {required}")
    if entry["kind"] not in Kind.values:
        raise CatalogueError(f"{where}: kind 必须是 {'/'.join(Kind.values)}")
    if entry.get("route_level", "community") not in RouteLevel.values:
        raise CatalogueError(f"{where}: route_level 必须是 {'/'.join(RouteLevel.values)}")
    if entry.get("route_level") == RouteLevel.DEPARTMENT and not entry.get("route_department"):
        raise CatalogueError(f"{where}: 派往职能部门的类别须填写 route_department")
    if entry.get("window") and entry["window"] not in Window.values:
        raise CatalogueError(f"{where}: window 必须是 {'/'.join(Window.values)}")
    for days in ("accept_days", "handle_days", "verify_days"):
        value = entry.get(days, 1)
        if not isinstance(value, int) or not 0 <= value <= 365:
            raise CatalogueError(f"{where}: {days} 必须是 0–365 的整数")
    for i, attribute in enumerate(entry.get("attributes", []), start=1):
        check_attribute(attribute, f"{where} 附加字段 {i}")
    return entry


def check_attribute(attribute: dict, where: str) -> None:
    if not attribute.get("code") or not attribute.get("description"):
        raise CatalogueError(f"{where}: 附加字段须有 code 和 description")
    if attribute.get("datatype", "string") not in ATTRIBUTE_TYPES:
        raise CatalogueError(f"{where}: datatype 必须是 {'/'.join(sorted(ATTRIBUTE_TYPES))}")
    if attribute.get("datatype") in ("singlevaluelist", "multivaluelist") and not attribute.get("values"):
        raise CatalogueError(f"{where}: 列表型附加字段须列出 values")


def read(path: Path = DEFAULT_FILE) -> dict:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: 格式错误 {exc}") from exc
    categories = [_check_category(e, f"{path} 第 {i} 个类别 ({e.get('code', '?')})")
                  for i, e in enumerate(data.get("category", []), start=1)]
    codes = [c["code"] for c in categories]
    duplicates = {c for c in codes if codes.count(c) > 1}
    if duplicates:
        raise CatalogueError(f"{path}: 类别代码重复 {', '.join(sorted(duplicates))}")
    days = []
    for key, is_workday in (("holidays", False), ("workdays", True)):
        for i, (date, name) in enumerate(data.get("calendar", {}).get(key, []), start=1):
            try:
                days.append((dt.date.fromisoformat(date), is_workday, name))
            except ValueError as exc:
                raise CatalogueError(f"{path} calendar.{key} 第 {i} 项: 日期无效 {date}") from exc
    return {"categories": categories, "days": days}


@transaction.atomic
def load(path: Path = DEFAULT_FILE, *, locality=None, update: bool = False, category_model=Category,
         day_model=CalendarDay) -> tuple[int, int]:
    """Create missing categories and calendar days; existing rows are kept
    (an admin may have edited them) unless `update`. Returns (categories, days) created."""
    data = read(path)
    Category, CalendarDay = category_model, day_model  # noqa: N806 (historical models in migrations)
    created_categories = 0
    for entry in data["categories"]:
        fields = {k: v for k, v in entry.items() if k != "code"}
        if update:
            _, created = Category.objects.update_or_create(code=entry["code"],
                                                           defaults={**fields, "locality": locality})
        else:
            _, created = Category.objects.get_or_create(code=entry["code"], defaults={**fields, "locality": locality})
        created_categories += created
    created_days = 0
    for date, is_workday, name in data["days"]:
        _, created = CalendarDay.objects.get_or_create(date=date, defaults={"is_workday": is_workday, "name": name})
        created_days += created
    return created_categories, created_days
