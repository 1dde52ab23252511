"""What-if for the slow kinds of the resident list: the queries the page runs
now (count + one page, as resident_list builds them) against rewritten ones,
on the same database, for the community list_bench.py uses. Nothing in src/
changes: this only shows what a change to selectors.resident_search_q /
the paginator / an index would buy.

    python bench/list_whatif.py --backend sqlite|pg [--db bench_import_csv] [--index]

--index first creates, on the benchmark database only, the index a proposal
needs (people_resident (community_id, status, name, id)); without it the
proposals run on the indexes the models declare today.

Each figure: median of 7 runs of count() + the 30 rows of one page with
select_related, a new database connection each time (as a request has).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import common


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--backend", choices=("sqlite", "pg"), required=True)
    p.add_argument("--db", default="bench_import_csv")
    p.add_argument("--index", action="store_true")
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args(argv)
    common.django_setup(common.db_url(args.backend, args.db))
    from django.db import connection
    from django.db.models import Count, Q

    from gongzhi.people.models import Household, Resident
    from gongzhi.people.selectors import resident_search_q
    from gongzhi.places.models import Dwelling

    if args.index:
        with connection.cursor() as c:
            c.execute("CREATE INDEX IF NOT EXISTS bench_resident_list_idx "
                      "ON people_resident (community_id, status, name, id)")
            if connection.vendor == "postgresql":
                c.execute("ANALYZE people_resident")
    cid = (Resident.objects.filter(status="active").values("community_id").annotate(n=Count("id"))
           .order_by("-n").first()["community_id"])
    related = ("household", "grid", "community", "dwelling")
    base = Resident.objects.filter(community_id=cid, status="active")
    n_active = base.count()
    deep_offset = (n_active // 30 - 1) * 30

    def page(qs, offset=0):
        qs = qs.select_related(*related).order_by("name", "id")
        return qs.count(), list(qs[offset:offset + 30])

    def deferred(qs, offset=0):
        """Page ids from the index alone, then the 30 rows with their joins."""
        ids = list(qs.order_by("name", "id").values_list("id", flat=True)[offset:offset + 30])
        rows = list(Resident.objects.filter(id__in=ids).select_related(*related).order_by("name", "id"))
        return qs.count(), rows

    def prefix(field, q):
        return Q(**{f"{field}__gte": q, f"{field}__lt": q + "\uffff"})

    households = Household.objects.filter(community_id=cid)
    dwellings = Dwelling.objects.filter(community_id=cid)

    def text_q(q):  # the proposal for text: name prefix (index range), address and household by subquery
        return (prefix("name", q) | Q(dwelling_id__in=dwellings.filter(address__contains=q).values("id"))
                | Q(household_id__in=households.filter(number__contains=q).values("id")))

    def text_ids_q(q):
        """The proposal: name contains as now, but the address and household
        matches looked up first (few rows: the community's dwellings and
        households) and passed as id lists, so no join is evaluated per resident;
        household numbers only searched when the text has a digit."""
        cond = Q(name__contains=q)
        dw = list(dwellings.filter(address__contains=q).values_list("id", flat=True))
        if dw:
            cond |= Q(dwelling_id__in=dw)
        if any(ch.isdigit() for ch in q):
            hh = list(households.filter(number__contains=q).values_list("id", flat=True))
            if hh:
                cond |= Q(household_id__in=hh)
        return cond

    def id4_ids_q(q):
        cond = Q(id_tail=q)
        hh = list(households.filter(number__endswith=q).values_list("id", flat=True))
        return cond | Q(household_id__in=hh) if hh else cond

    cases = [
        ("deep", "now: OFFSET over the joined rows", lambda: page(base, deep_offset)),
        ("deep", "ids from the index, then 30 rows", lambda: deferred(base, deep_offset)),
        ("name 陈国", "now: name/address/household contains, joined", lambda: page(base.filter(resident_search_q("陈国")))),
        ("name 陈国", "name contains only (no joined ORs)", lambda: page(base.filter(name__contains="陈国"))),
        ("name 陈国", "name prefix + address/household subqueries", lambda: page(base.filter(text_q("陈国")))),
        ("name 陈国", "name contains + address/household as id lists", lambda: page(base.filter(text_ids_q("陈国")))),
        ("name 张", "now", lambda: page(base.filter(resident_search_q("张")))),
        ("name 张", "name contains + address/household as id lists", lambda: page(base.filter(text_ids_q("张")))),
        ("name 张", "name prefix + address/household subqueries", lambda: page(base.filter(text_q("张")))),
        ("address 阳光花园", "now", lambda: page(base.filter(resident_search_q("阳光花园")))),
        ("address 阳光花园", "name prefix + address/household subqueries",
         lambda: page(base.filter(text_q("阳光花园")))),
        ("address 阳光花园", "name contains + address/household as id lists",
         lambda: page(base.filter(text_ids_q("阳光花园")))),
        ("id4 6832", "now: id_tail endswith OR household number endswith, joined",
         lambda: page(base.filter(resident_search_q("6832")))),
        ("id4 6832", "id_tail = q OR household in (subquery)",
         lambda: page(base.filter(Q(id_tail="6832") | Q(household_id__in=households.filter(
             number__endswith="6832").values("id"))))),
        ("id4 6832", "id_tail = q OR household_id in (id list)", lambda: page(base.filter(id4_ids_q("6832")))),
        ("pinyin zs", "now: initials/pinyin LIKE 'zs%'", lambda: page(base.filter(resident_search_q("zs")))),
        ("pinyin zs", "initials/pinyin as index ranges",
         lambda: page(base.filter(prefix("name_initials", "zs") | prefix("name_pinyin", "zs")))),
        ("pinyin wang", "now", lambda: page(base.filter(resident_search_q("wang")))),
        ("pinyin wang", "initials/pinyin as index ranges",
         lambda: page(base.filter(prefix("name_initials", "wang") | prefix("name_pinyin", "wang")))),
    ]
    rows = []
    for kind, label, fn in cases:
        times, found = [], None
        for _ in range(args.runs):
            connection.close()
            t0 = time.perf_counter()
            count, page_rows = fn()
            times.append((time.perf_counter() - t0) * 1000)
            found = count
        rows.append({"case": kind, "variant": label, "median_ms": round(statistics.median(times), 1),
                     "max_ms": round(max(times), 1), "count": found})
        print(f"| {kind} | {label} | {rows[-1]['median_ms']} | {rows[-1]['max_ms']} | {found:,} |", file=sys.stderr)
    common.record({"kind": "list-whatif", "backend": args.backend, "db": args.db, "extra_index": args.index,
                   "community_active": n_active, "cases": rows})


if __name__ == "__main__":
    main()
