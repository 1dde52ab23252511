"""Where the PostgreSQL sweep's time goes: the statement(s) vs the COMMIT (deferred FK checks).

On a fresh copy (bench_sweep_split) of the sweep template, `escalate_overdue(now=…)` runs inside an
outer `transaction.atomic()` (its own atomic becomes a savepoint), so the statement time and the
COMMIT time are measured apart. With `--explain` the sweep statement is first run under
`EXPLAIN (ANALYZE, BUFFERS)` in a savepoint that is rolled back (the plan goes to
bench/out/explain-sweep-pg-<case>-<label>.txt); the timings of that run are then warm, not comparable.

    python bench/sweep_split.py --case worst [--explain] [--label 80d]
"""
import argparse
import sys
import time

import common
import sweep_1m

DB = "bench_sweep_split"


def _child(case: str, explain: bool, label: str) -> dict:
    sweep_1m.setup_django()
    from django.db import connection, transaction

    from gongzhi.workorders.escalation import escalate_overdue

    now = sweep_1m.CASES[case]
    stmts = []
    plan = []

    def wrapper(execute, sql, params, many, context):
        t = time.perf_counter()
        if explain and "UPDATE workorders_escalation" in sql and not plan:
            cur = context["cursor"].cursor  # the DB-API cursor: no wrappers again
            cur.execute("SAVEPOINT bench_explain")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan.extend(r[0] for r in cur.fetchall())
            cur.execute("ROLLBACK TO SAVEPOINT bench_explain")
            t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            stmts.append((sql.strip().split()[0] + " " + " ".join(sql.split()[1:4]), round(time.perf_counter() - t, 3)))

    t0 = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        with transaction.atomic():
            escalated = escalate_overdue(now=now)
            t1 = time.perf_counter()
        t2 = time.perf_counter()
    if plan:
        out = common.OUT / f"explain-sweep-pg-{case}-{label}.txt"
        out.write_text("\n".join(plan) + "\n")
    return {"kind": "sweep_split", "backend": "pg", "case": case, "explain": explain, "escalated": escalated,
            "in_transaction_s": round(t1 - t0, 2), "commit_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2),
            "statements": stmts}


def main() -> None:
    if len(sys.argv) >= 5 and sys.argv[1] == "_child":
        common.emit(_child(sys.argv[2], sys.argv[3] == "1", sys.argv[4]))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--case", choices=sorted(sweep_1m.CASES), default="worst")
    p.add_argument("--explain", action="store_true")
    p.add_argument("--label", default="split")
    args = p.parse_args()
    url = common.clone_db("pg", sweep_1m.TEMPLATE, DB)
    try:
        result = common.run_child([__file__, "_child", args.case, "1" if args.explain else "0", args.label], url=url)
    finally:
        common.drop_db("pg", DB)
    common.record(result)


if __name__ == "__main__":
    main()
