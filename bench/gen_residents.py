"""Deterministic generator of valid resident rows for the import benchmark.

    python bench/gen_residents.py N OUT.csv [OUT2.xlsx …] [--seed S] [--territory bench/out/territory.json]

Writes N rows in the import template's columns (header from
gongzhi.people.template_columns) to each OUT (.csv: UTF-8; .xlsx: openpyxl
write_only, streaming — slow for a million rows, so generate once and reuse;
NAME-sst.xlsx: shared strings as Excel saves them, see SharedStringsXlsxOut).
With the same N, seed and territory the rows are the same every time and in
every output.

The rows refer to the communities, comprehensive grids and dwellings of the
demo territory (territory.json, written by `python bench/territory.py
sqlite`), spread over the communities in proportion to the demo's planned
households. Households of 1–5 people are composed as the demo composes them
(couples, children, three generations, …; cut at 5), with the demo's
frequency-weighted surnames and era-dependent given names. ID numbers are
valid (gongzhi.core.idcard.make) and unique across the file and against the
ID numbers the demo already registered. Household numbers are 20 digits
(community code + 8), never the demo's "code-NNNNNN" form.

Every row is valid: an import of the file into the territory accepts all N.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

import common

common.django_setup()  # settings only (template_columns reads the models' choices); no query is made

from gongzhi.core import codes, demo  # noqa: E402
from gongzhi.people import demo as people_demo  # noqa: E402
from gongzhi.people import template_columns as tc  # noqa: E402
from gongzhi.people.models import BUILTIN_CARE_TAGS, ResidenceStatus  # noqa: E402

HEADERS = list(tc.HEADERS)
KEYS = [c.key for c in tc.COLUMNS]
RESIDENCE_LABEL = dict(ResidenceStatus.choices)
SIZE_CAP = 5


class Generator:
    def __init__(self, territory: dict, seed: int):
        self.rng = random.Random(seed)
        # The demo's household composer (people) and name makers (the demo context), driven by our
        # own generator; the maker is not initialised from the database (no care tags needed here).
        self.ctx = demo.DemoContext(rng=self.rng)
        self.maker = people_demo.PeopleMaker.__new__(people_demo.PeopleMaker)
        self.maker.ctx, self.maker.rng = self.ctx, self.rng
        self.maker.used_ids = set(territory["existing_id_numbers"])
        self.communities = territory["communities"]
        self.tag_names = dict(BUILTIN_CARE_TAGS)

    def quotas(self, n: int) -> list[int]:
        weights = [c["households"] for c in self.communities]
        total = sum(weights)
        q = [n * w // total for w in weights]
        q[0] += n - sum(q)  # the largest-first remainder goes to the first community
        return q

    def rows(self, n: int):
        """Yield (row values in template order) for n residents."""
        rng = self.rng
        for c, quota in zip(self.communities, self.quotas(n)):
            grids = [g for g in c["grids"] if g["kind"] == "comprehensive" and g["dwellings"]]
            left, seq, gi = quota, 0, 0
            while left > 0:
                grid = grids[gi % len(grids)]
                gi += 1
                seq += 1
                household = f"{c['code']}{seq:08d}"
                dwelling = "" if rng.random() < 0.05 else rng.choice(grid["dwellings"])
                rows = self.household(c, grid["code"], household, dwelling, left)
                left -= len(rows)
                yield from rows

    def household(self, c: dict, grid: str, number: str, dwelling: str, room: int) -> list[list]:
        """The rows of one household of at most `room` (and 5) people."""
        rng, ctx, maker = self.rng, self.ctx, self.maker
        rows = []
        roll = rng.random()
        status = (ResidenceStatus.REGISTERED if roll < 0.74 else
                  ResidenceStatus.RESIDENT if roll < 0.89 else ResidenceStatus.FLOATING)
        _kind, members = maker.compose(c["rural"], status)
        members = members[:min(SIZE_CAP, room)]
        if status == ResidenceStatus.REGISTERED:
            region = people_demo.LOCAL_REGION
            settled = ctx.date_between(dt.date(1985, 1, 1), dt.date(2025, 12, 31))
        elif status == ResidenceStatus.RESIDENT:
            region = rng.choice(people_demo.JIANGSU_REGIONS) if rng.random() < 0.6 else rng.choice(people_demo.OTHER_REGIONS)
            settled = ctx.date_between(dt.date(2006, 1, 1), dt.date(2025, 12, 31))
        else:
            region = rng.choice(people_demo.OTHER_REGIONS) if rng.random() < 0.85 else rng.choice(people_demo.JIANGSU_REGIONS)
            settled = ctx.date_between(dt.date(2016, 1, 1), dt.date(2026, 6, 30))
        minority = rng.random() < (0.06 if status == ResidenceStatus.FLOATING else 0.01)
        ethnicity = codes.ETHNICITIES[rng.choice(people_demo.MINORITIES)] if minority else "汉族"
        single = len(members) == 1
        for rel, sex, age, surname in members:
            birth = maker.birth(age)
            number_id = maker.id_number(region, birth, sex)
            name = ctx.full_name(sex, birth.year, surname)
            if age >= 16 and rng.random() < (0.5 if age >= 80 else 0.93):
                phone = ctx.phone() if rng.random() < 0.95 else f"0510-8{rng.randrange(10 ** 7):07d}"
            else:
                phone = ""
            tags = []
            if age >= 80:
                tags.append("very_old")
            if single and age >= 60:
                tags.append("living_alone")
            if rng.random() < (0.04 if age >= 60 else 0.012):
                tags.append("disabled")
            if status == ResidenceStatus.REGISTERED and rng.random() < 0.015:
                tags.append("minimum_living")
            moved_in = None if rng.random() < 0.1 else max(settled, birth)
            party = "" if rng.random() < 0.3 else ("是" if age >= 18 and rng.random() < 0.09 else "否")
            relation = codes.RELATIONS[rel] if rng.random() < 0.9 else rel  # names mostly, codes sometimes
            values = {
                "name": name, "id_number": number_id, "ethnicity": ethnicity, "phone": phone, "household": number,
                "relation": relation, "community": c["code"], "grid": grid, "dwelling": dwelling,
                "residence_status": RESIDENCE_LABEL[status], "tags": "、".join(self.tag_names[t] for t in tags),
                "moved_in_on": moved_in, "party_member": party,
            }
            rows.append([values[k] for k in KEYS])
        return rows


class CsvOut:
    def __init__(self, path: Path):
        self.f = path.open("w", newline="", encoding="utf-8")
        self.w = csv.writer(self.f)
        self.w.writerow(HEADERS)

    def write(self, row: list) -> None:
        self.w.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])

    def close(self) -> None:
        self.f.close()


class XlsxOut:
    """openpyxl write_only: rows stream to a temporary file, then zipped on save.
    Dates are real date cells (as Excel users type them), codes and numbers text."""

    def __init__(self, path: Path):
        from openpyxl import Workbook
        self.path = path
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet("居民")
        self.ws.append(HEADERS)

    def write(self, row: list) -> None:
        self.ws.append([v if v != "" else None for v in row])

    def close(self) -> None:
        self.wb.save(self.path)


class SharedStringsXlsxOut:
    """The same rows as Excel (or WPS) saves them: every text cell a shared
    string (t="s"), the table of strings in xl/sharedStrings.xml, dates as
    serial numbers with a date style, a <dimension>. openpyxl's write_only
    mode writes inline strings instead, which no reader has to hold in memory:
    this form is the one that tests a reader's memory. Written by hand,
    streaming the sheet to a temporary file."""

    def __init__(self, path: Path):
        import tempfile
        self.path = path
        self.strings: dict[str, int] = {}
        self.sheet = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.n = 0
        self.write(HEADERS)

    @staticmethod
    def _col(i: int) -> str:
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s

    def write(self, row: list) -> None:
        self.n += 1
        r = self.n
        cells = []
        for i, v in enumerate(row):
            if v is None or v == "":
                continue
            ref = f"{self._col(i)}{r}"
            if isinstance(v, dt.date):
                cells.append(f'<c r="{ref}" s="1"><v>{(v - dt.date(1899, 12, 30)).days}</v></c>')
            else:
                idx = self.strings.setdefault(str(v), len(self.strings))
                cells.append(f'<c r="{ref}" t="s"><v>{idx}</v></c>')
        self.sheet.write(f'<row r="{r}">{"".join(cells)}</row>')

    def close(self) -> None:
        import zipfile
        from xml.sax.saxutils import escape
        ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
        ct = "http://schemas.openxmlformats.org/package/2006/content-types"
        sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        parts = {
            "[Content_Types].xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{ct}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sml}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sml}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{sml}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{sml}.sharedStrings+xml"/></Types>',
            "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{ns}" '
            f'xmlns:r="{rel}"><sheets><sheet name="居民" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
            .replace("{rel}", rel),
            "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{ns}">'
            '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        }
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for name, text in parts.items():
                z.writestr(name, text)
            with z.open("xl/sharedStrings.xml", "w") as f:
                f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{ns}" '
                        f'count="{len(self.strings)}" uniqueCount="{len(self.strings)}">'.encode())
                buf = []
                for text in self.strings:  # insertion order = index order
                    buf.append(f"<si><t>{escape(text)}</t></si>")
                    if len(buf) >= 10000:
                        f.write("".join(buf).encode())
                        buf = []
                f.write(("".join(buf) + "</sst>").encode())
            with z.open("xl/worksheets/sheet1.xml", "w") as f:
                f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{ns}">'
                        f'<dimension ref="A1:{self._col(len(HEADERS) - 1)}{self.n}"/><sheetData>'.encode())
                self.sheet.seek(0)
                while block := self.sheet.read(1 << 20):
                    f.write(block.encode())
                f.write(b"</sheetData></worksheet>")
        self.sheet.close()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("n", type=int)
    p.add_argument("out", nargs="+", type=Path)
    p.add_argument("--seed", type=int, default=20260630)
    p.add_argument("--territory", type=Path, default=common.TERRITORY_JSON)
    args = p.parse_args(argv)
    if not args.territory.exists():
        raise SystemExit(f"{args.territory} is missing: run `python bench/territory.py sqlite` first")
    territory = json.loads(args.territory.read_text(encoding="utf-8"))
    outs = []
    for path in args.out:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".csv":
            outs.append(CsvOut(path))
        elif path.suffix == ".xlsx" and path.stem.endswith("-sst"):
            outs.append(SharedStringsXlsxOut(path))
        elif path.suffix == ".xlsx":
            outs.append(XlsxOut(path))
        else:
            raise SystemExit(f"{path}: only .csv and .xlsx")
    t0 = time.perf_counter()
    count = 0
    for row in Generator(territory, args.seed).rows(args.n):
        for out in outs:
            out.write(row)
        count += 1
        if count % 100_000 == 0:
            print(f"{count} rows, {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    t1 = time.perf_counter()
    for out in outs:
        out.close()
    t2 = time.perf_counter()
    assert count == args.n, (count, args.n)
    print(f"{count} rows → {', '.join(map(str, args.out))}: rows {t1 - t0:.1f} s, save {t2 - t1:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
