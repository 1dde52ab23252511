"""Voter rolls at scale (issue 13): every community's roll built from the registry in one
INSERT … SELECT (elections.services.rolls_build), checked against a plain per-person reference;
then each community's two stations' tallies entered and every election counted.

    python bench/elections_roll.py --backend sqlite|pg [--residents 1000000] [--communities 300]

Build (not timed): migrate an empty database bench_elections, one district, 10 streets,
`--communities` communities of one grid each, households of three and `--residents` residents
(bulk inserts: 86 % registered here, 9 % living here without registration of whom a third applied
and were approved, 5 % floating; births 1930-2015; 1 % moved out; 0.1 % excluded by decision; 0.5 %
with no birth date), and one election per community (election day 2026-11-08).

Timed: `rolls_build` for all elections at once; the reference (every resident read into Python and
each rule applied to them one by one, the obviously-correct version) and a check that both give
the same (election, resident) pairs; then, with 5 candidates per election and 85 % of each roll
signed in at two stations (set-based, not timed), every station's tally in one batch
(`services.tallies_enter`) and every election counted in one batch (`services.counts`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time

import common

DB = "bench_elections"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=("sqlite", "pg"), default="sqlite")
    ap.add_argument("--residents", type=int, default=1_000_000)
    ap.add_argument("--communities", type=int, default=300)
    args = ap.parse_args()
    common.drop_db(args.backend, DB)
    if args.backend == "pg":
        common.psql(f'CREATE DATABASE "{DB}"')
    common.django_setup(common.db_url(args.backend, DB))

    from django.core.management import call_command
    from django.db import connection, transaction

    from gongzhi.elections import services
    from gongzhi.elections.models import Application, Candidate, Election, Exclusion, State, Station, Voter
    from gongzhi.people.models import Household, Resident
    from gongzhi.places.models import Level, Place

    call_command("migrate", verbosity=0)
    rng = random.Random(13)
    t0 = time.perf_counter()
    day = dt.date(2026, 11, 8)
    with transaction.atomic():
        district = Place.objects.create(code="320282", name="基准区", level=Level.DISTRICT)
        streets = [Place.objects.create(code=f"320282{900 + s:03d}", name=f"基准街道{s}", level=Level.STREET,
                                        parent=district) for s in range(10)]
        communities, grids = [], []
        for i in range(args.communities):
            street = streets[i % 10]
            c = Place.objects.create(code=f"{street.code}{i // 10 + 1:03d}", name=f"基准社区{i}",
                                     level=Level.COMMUNITY, parent=street)
            communities.append(c)
            grids.append(Place.objects.create(code=f"{c.code}001", name=f"基准社区{i}第1网格", level=Level.GRID,
                                              parent=c))
        n_hh = args.residents // 3 + 1
        batch = 20_000
        for start in range(0, n_hh, batch):
            Household.objects.bulk_create([Household(number=f"B{i:08d}", community=communities[i % len(communities)],
                                                     grid=grids[i % len(communities)])
                                           for i in range(start, min(n_hh, start + batch))])
        hh = list(Household.objects.order_by("pk").values_list("pk", "community_id", "grid_id"))
        for start in range(0, args.residents, batch):
            rows = []
            for i in range(start, min(args.residents, start + batch)):
                h, cid, gid = hh[i // 3]
                x = rng.random()
                status = "registered" if x < 0.86 else "resident" if x < 0.95 else "floating"
                rows.append(Resident(
                    name=f"居民{i}", residence_status=status, household_id=h, relation="01" if i % 3 == 0 else "20",
                    community_id=cid, grid_id=gid, id_number_hash=f"{i:032x}",
                    birth_date=None if rng.random() < 0.005 else dt.date(1930 + rng.randrange(86), rng.randint(1, 12),
                                                                        rng.randint(1, 28)),
                    moved_in_on=dt.date(2000 + rng.randrange(26), 1, 1),
                    status="moved_out" if rng.random() < 0.01 else "active"))
            Resident.objects.bulk_create(rows)
        elections = []
        for s in streets:
            elections += services.election_open(
                street=s, communities=[c for c in communities if c.parent_id == s.pk], term=2026,
                committee_on=dt.date(2026, 9, 1), roll_on=dt.date(2026, 10, 10), candidates_on=dt.date(2026, 10, 25),
                election_day=day, seats=(1, 0, 2))
        by_community = {e.community_id: e for e in elections}
        apps, excl = [], []
        for rid, cid, status in Resident.objects.values_list("pk", "community_id", "residence_status").iterator():
            if status == "resident" and rng.random() < 0.34:
                apps.append(Application(election=by_community[cid], resident_id=rid, decision="approved",
                                        decided_on=dt.date(2026, 10, 1)))
            elif rng.random() < 0.001:
                excl.append(Exclusion(election=by_community[cid], resident_id=rid, kind="deprived",
                                      basis_text="判决", decided_on=dt.date(2026, 10, 1)))
        Application.objects.bulk_create(apps, batch_size=20_000)
        Exclusion.objects.bulk_create(excl, batch_size=20_000)
    t_setup = time.perf_counter() - t0

    t1 = time.perf_counter()
    counts = services.rolls_build(elections=elections)
    t_build = time.perf_counter() - t1
    print(f"setup {t_setup:.1f} s; rolls_build {t_build:.2f} s for {sum(counts.values()):,} voters", flush=True)

    # the reference: every resident in Python, one by one
    t2 = time.perf_counter()
    approved = set(Application.objects.filter(decision="approved").values_list("election_id", "resident_id"))
    excluded = set(Exclusion.objects.values_list("election_id", "resident_id"))
    expected = set()
    for rid, cid, status, birth, state, key in Resident.objects.values_list(
            "pk", "community_id", "residence_status", "birth_date", "status", "id_number_hash").iterator(chunk_size=20_000):
        e = by_community.get(cid)
        if e is None or state != "active" or birth is None or birth > services.eighteen_by(e.election_day):
            continue
        if (e.pk, rid) in excluded:
            continue
        if status == "registered" or (e.pk, rid) in approved:
            expected.add((e.pk, rid))
    t_reference = time.perf_counter() - t2
    built = set(Voter.objects.values_list("election_id", "resident_id"))
    assert built == expected, (len(built), len(expected), len(built ^ expected))
    assert sum(counts.values()) == len(built)

    # voting (not timed): 5 candidates each, 85 % signed at two stations, voting open
    stations = []
    with transaction.atomic():
        cands = []
        for e in elections:
            for post, v in zip(("director", "director", "member", "member", "member"),
                               Voter.objects.filter(election=e).order_by("pk")[:5]):
                cands.append(Candidate(election=e, resident_id=v.resident_id, voter=v, name=f"候选{v.pk}", post=post,
                                       nomination="joint",
                                       nominators=10, nominated_on=dt.date(2026, 10, 25)))
        Candidate.objects.bulk_create(cands)
        for e in elections:
            stations += Station.objects.bulk_create([Station(election=e, kind="central", name="中心会场"),
                                                     Station(election=e, kind="mobile", name="流动票箱")])
        Election.objects.filter(pk__in=[e.pk for e in elections]).update(state=State.VOTING)
        with connection.cursor() as c:  # voters with an even id at the central meeting, one in 20 at the box
            c.execute("UPDATE elections_voter SET voted = %s, station_id = (SELECT s.id FROM elections_station s "
                      "WHERE s.election_id = elections_voter.election_id AND s.kind = "
                      "CASE WHEN elections_voter.id %% 20 = 0 THEN 'mobile' ELSE 'central' END) "
                      "WHERE elections_voter.id %% 7 <> 0", [True])
    # counting night comes hours after the sign-ins: the table as autovacuum leaves it, not just updated
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE elections_voter" if connection.vendor == "postgresql" else "ANALYZE")
    signed = dict((sid, n) for sid, n in Voter.objects.filter(voted=True).values_list("station_id")
                  .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")))
    by_election = {}
    for c in Candidate.objects.all():
        by_election.setdefault(c.election_id, []).append(c)
    entries = []
    for s in stations:
        n = signed.get(s.pk, 0)
        entries.append({"station": s, "ballots": n, "invalid": 0, "votes": {
            c.pk: int(n * (0.7 if i in (0, 2, 3) else 0.25))
            for i, c in enumerate(sorted(by_election[s.election_id], key=lambda c: c.pk))}})
    t3 = time.perf_counter()
    services.tallies_enter(entries=entries)
    t_tally = time.perf_counter() - t3
    t4 = time.perf_counter()
    done = [e.state for e in services.counts(elections=elections)]
    t_count = time.perf_counter() - t4
    result = {"kind": "elections_roll", "backend": args.backend, "residents": args.residents,
              "communities": args.communities, "voters": len(built), "setup_s": round(t_setup, 1),
              "rolls_build_s": round(t_build, 2), "reference_s": round(t_reference, 2), "equal": True,
              "tallies": len(stations), "tally_s": round(t_tally, 2), "count_s": round(t_count, 2),
              "valid": done.count(State.DONE)}
    common.record(result)


if __name__ == "__main__":
    main()
