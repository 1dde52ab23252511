"""Export of residents to xlsx, in the import template's columns.

Streaming both ways: the rows are read with a database cursor in batches and
written with openpyxl's write-only mode, so memory stays flat. Sensitive
fields are masked unless the caller may see them; every export is logged.
An unmasked export is the template exactly (plus 出生日期/性别), so it can be
imported again.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q

from gongzhi.core import codes, crypto
from gongzhi.core.access_log import access_log_write
from gongzhi.core.models import AccessAction
from gongzhi.core.exports import write_xlsx
from gongzhi.people import template_columns as tc
from gongzhi.people.manifest import EXPORT, UNMASK
from gongzhi.people.selectors import resident_filter_text, residents_from_query
from gongzhi.people.models import CareTag, PersonStatus, ResidenceStatus, Resident, Sex
from gongzhi.places.models import Level, Place

ERR_NO_EXPORT = "您没有导出居民信息的权限"
ERR_NO_UNMASK = "您没有查看完整敏感信息的权限,不能导出未脱敏的数据"
TARGET_ALL = "全部"
DETAIL = "导出居民 {count} 人,{mode}"
FILTERED = ";筛选:{filter}"
MASKED, UNMASKED = "已脱敏", "未脱敏"
BATCH = 2000
# a page's export of more rows than this runs as a job with a progress bar (the browser never waits on it)
BACKGROUND_ROWS = 20_000
JOB_KIND = "export_residents"
JOB_DIR = "exports"  # a queued export's filters and file: jobs/exports/ in the storage (core/job_files.py)

_RESIDENCE = dict(ResidenceStatus.choices)
_SEX = dict(Sex.choices)


def _allowed_everywhere(scope, capability) -> bool:
    """The capability must hold at every place the scope reaches: a street
    officer who may only view in one street must not export it unmasked
    because of a role held elsewhere."""
    places = scope.staff_places
    return bool(places) and all(scope.can(capability, place) for place in places)


def _place_q(place: Place) -> Q:
    if place.level == Level.GRID:
        return Q(grid=place)
    if place.level == Level.COMMUNITY:
        return Q(community=place)
    return Q(community__path__startswith=place.path)


def _queryset(scope, place: Place | None, include_inactive: bool):
    qs = Resident.objects.all() if include_inactive else Resident.objects.filter(status=PersonStatus.ACTIVE)
    if scope is not None:
        qs = scope.filter_people(qs)
    if place is not None:
        qs = qs.filter(_place_q(place))
    return qs.order_by("household_id", "relation", "id")  # a household's members together


def _rows(qs, unmasked: bool) -> Iterator[tuple[tuple, list[str]]]:
    """(resident fields, care-tag names), fetching tags once per batch (no N+1)."""
    id_field, phone_field = ("id_number_enc", "phone_enc") if unmasked else ("id_number_masked", "phone_masked")
    fields = ("id", "name", id_field, "ethnicity", phone_field, "household__number", "relation", "community_id",
              "grid_id", "dwelling__code", "residence_status", "moved_in_on", "party_member", "birth_date", "sex")
    tag_names = dict(CareTag.objects.values_list("id", "name"))
    through = Resident.care_tags.through
    size = min(BATCH, connection.features.max_query_params or BATCH)
    batch: list[tuple] = []

    def flush():
        tags: dict[int, list[str]] = {}
        for resident_id, tag_id in through.objects.filter(resident_id__in=[r[0] for r in batch]).order_by(
                "caretag__sort", "caretag_id").values_list("resident_id", "caretag_id"):
            tags.setdefault(resident_id, []).append(tag_names[tag_id])
        for r in batch:
            yield r, tags.get(r[0], [])
        batch.clear()

    for row in qs.values_list(*fields).iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) >= size:
            yield from flush()
    if batch:
        yield from flush()


def _cells(row: tuple, tags: list[str], places: dict[int, str], unmasked: bool) -> list:
    (_, name, id_number, ethnicity, phone, household, relation, community_id, grid_id, dwelling, residence,
     moved_in_on, party_member, birth_date, sex) = row
    if unmasked:
        id_number, phone = crypto.decrypt(id_number), crypto.decrypt(phone)
    values = {
        "name": name, "id_number": id_number, "ethnicity": codes.ETHNICITIES.get(ethnicity, ethnicity),
        "phone": phone, "household": household, "relation": codes.RELATIONS.get(relation, relation),
        "community": places.get(community_id, ""), "grid": places.get(grid_id, ""), "dwelling": dwelling or "",
        "residence_status": _RESIDENCE.get(residence, residence), "tags": "、".join(tags),
        "moved_in_on": moved_in_on, "party_member": "是" if party_member else "否",
    }
    # beside a masked number only the birth year: with the full date the mask could be completed
    born = birth_date if unmasked or birth_date is None else birth_date.year
    return [values[c.key] for c in tc.COLUMNS] + [born, _SEX.get(sex, "")]


def _target(scope, place: Place | None) -> str:
    if place is not None:
        return f"{place.name}({place.code})"
    if scope is not None:
        return "、".join(f"{p.name}({p.code})" for p in scope.staff_places) or TARGET_ALL
    return TARGET_ALL


def export_scope(scope, *, unmasked: bool):
    """`scope` narrowed to EXPORT, refused (PermissionDenied) where the caller may not export
    (or, `unmasked`, unmask) at every place of it."""
    scope = scope.for_capability(EXPORT)
    if not _allowed_everywhere(scope, EXPORT):
        raise PermissionDenied(ERR_NO_EXPORT)
    if unmasked and not _allowed_everywhere(scope, UNMASK):
        raise PermissionDenied(ERR_NO_UNMASK)
    return scope


def filtered_queryset(scope, params):
    """The rows of the resident list filtered by `params` (its query string), within `scope`
    narrowed to EXPORT: the same selector the list page reads, a household's members together."""
    return residents_from_query(scope=scope, params=params).order_by("household_id", "relation", "id")


def export_count(scope, params) -> int:
    return filtered_queryset(export_scope(scope, unmasked=False), params).count()


def export_residents(*, path: Path, scope, by, unmasked: bool, request=None, place: Place | None = None,
                     include_inactive: bool = False, params=None,
                     progress: Callable[[int, int | None], None] | None = None) -> int:
    """Write the residents within `scope` (None: everyone — the command line) to an xlsx file:
    those the resident list shows for `params` (its query string) when given, otherwise all
    active ones (`include_inactive`: all) within `place` if given. Returns the row count;
    `progress(written, total)` is called as rows are written. Logged with the filter."""
    if scope is not None:
        scope = export_scope(scope, unmasked=unmasked)
    if params is not None:
        if scope is None:
            raise ValueError("params need a scope")
        qs = filtered_queryset(scope, params)
        filter_text = resident_filter_text(params)
    else:
        qs = _queryset(scope, place, include_inactive)
        filter_text = ""
    total = qs.count() if progress is not None else None
    places = dict(Place.objects.filter(level__in=[Level.COMMUNITY, Level.GRID]).values_list("id", "code"))
    header = tc.EXPORT_HEADERS if unmasked else tc.MASKED_EXPORT_HEADERS
    rows = (_cells(row, tags, places, unmasked) for row, tags in _rows(qs, unmasked))
    count = write_xlsx(path, [("居民", header, rows)],
                       progress=(lambda n: progress(n, total)) if progress is not None else None, every=BATCH)
    detail = DETAIL.format(count=count, mode=UNMASKED if unmasked else MASKED)
    if filter_text:
        detail += FILTERED.format(filter=filter_text)
    access_log_write(user=by, action=AccessAction.EXPORT, target=_target(scope, place), detail=detail,
                     request=request)
    return count
