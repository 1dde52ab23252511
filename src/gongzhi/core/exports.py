"""Excel exports of the lists, written the same way everywhere.

A list page and its export read the same queryset (the module's `*_from_query`
selector, given the request's query string), so the file holds exactly the rows
the filtered list shows. The rows are written with openpyxl's write-only mode into
a temporary file beside the data directory (memory stays flat whatever the
count), every row through `spreadsheets.text_row` (formula-like text stays text,
characters xlsx cannot hold are dropped), then streamed with FileResponse.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from openpyxl import Workbook

from gongzhi.core.spreadsheets import text_row

EXPORT_DIR_NAME = "exports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the access log names the filter: at most this many characters of it
FILTER_MAX = 300
NO_FILTER = "无筛选"


def export_dir() -> Path:
    d = Path(settings.DATA_DIR) / EXPORT_DIR_NAME
    d.mkdir(parents=True, exist_ok=True)
    return d


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], *,
               progress: Callable[[int], None] | None = None, every: int = 2000) -> int:
    """Write `sheets` ((title, header, rows), ...) to `path` (written beside and renamed, so a
    reader never sees half a file). Returns the number of rows of the first sheet.
    `progress(n)` is called every `every` rows of the first sheet."""
    workbook = Workbook(write_only=True)
    first_count = None
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(text_row(sheet, list(header)))
        count = 0
        append = sheet.append
        for row in rows:
            append(text_row(sheet, row))
            count += 1
            if progress is not None and first_count is None and count % every == 0:
                progress(count)
        if first_count is None:
            first_count = count
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    workbook.save(partial)
    os.replace(partial, path)
    return first_count or 0


# an export job's finished file waits this long for its one download, then is deleted
KEEP_HOURS = 24


def purge_stale(hours: float = KEEP_HOURS) -> int:
    """Delete export files (and job leftovers, local and in the storage) older than `hours`:
    personal data is not kept."""
    import time

    from gongzhi.core import job_files

    cutoff = time.time() - hours * 3600
    removed = 0
    for path in export_dir().iterdir():
        try:
            if path.is_file() and path.suffix in (".xlsx", ".json", ".partial") and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed + len(job_files.purge(EXPORT_DIR_NAME, hours))


def temp_path(prefix: str) -> Path:
    """A fresh, private file name in the export directory (mode 0600: personal data)."""
    fd, name = tempfile.mkstemp(prefix=f"{prefix}-", suffix=".xlsx", dir=export_dir())
    os.close(fd)
    return Path(name)


def file_response(path: Path, filename: str) -> FileResponse:
    """Stream the file and remove its name at once: the open handle keeps the data until sent."""
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename, content_type=XLSX)
    Path(path).unlink(missing_ok=True)
    return response


def xlsx_response(*, filename: str, sheets, prefix: str = "export",
                  before_send: Callable[[int], None] | None = None) -> FileResponse:
    """Write `sheets` to a temporary file and stream it; `before_send(count)` runs once the
    file is complete (the access-log row, written only for an export that succeeded)."""
    path = temp_path(prefix)
    try:
        count = write_xlsx(path, sheets)
        if before_send is not None:
            before_send(count)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return file_response(path, filename)


def query_without_page(params) -> str:
    """The list's query string without its page number: what the export link carries."""
    params = params.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode()


def describe_filter(params: Mapping[str, str], labels: Mapping[str, str],
                    values: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The filter as the access log names it, e.g. "人员标签=独居老人;状态=在册"
    (the keys of `labels` that are set, each value through `values` when given)."""
    values = values or {}
    parts = []
    for key, label in labels.items():
        value = (params.get(key) or "").strip()
        if value:
            parts.append(f"{label}={values.get(key, {}).get(value, value)}")
    text = ";".join(parts) or NO_FILTER
    return text if len(text) <= FILTER_MAX else text[:FILTER_MAX - 1] + "…"
