"""Wait for wrk running the "-post.lua" script (open311_load.py run); print the CPU cores used per process
group (wrk, postgres, server = gongzhi serve/gunicorn tree, other) over its lifetime, and the machine busy/idle.
Run it in the background just before `open311_load.py run`. utime+stime per process; a group root also counts
its reaped children (recycled gunicorn workers, exited postgres backends)."""
import os, time, json
TCK = os.sysconf("SC_CLK_TCK")
def procs():
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit(): continue
        try:
            raw = open(f"/proc/{d}/stat").read()
            comm = raw[raw.index("(")+1:raw.rindex(")")]
            f = raw.rsplit(")", 1)[1].split()
            cmd = open(f"/proc/{d}/cmdline").read().replace("\0", " ")
            out[int(d)] = dict(comm=comm, ppid=int(f[1]), own=(int(f[11])+int(f[12]))/TCK,
                               kids=(int(f[13])+int(f[14]))/TCK, cmd=cmd)
        except Exception: pass
    return out
def group(p, ps):
    if p["comm"] == "wrk": return "wrk"
    if p["comm"] == "postgres": return "postgres"
    q = p; seen = 0
    while q and seen < 10:
        if "gongzhi serve" in q["cmd"] or "gunicorn" in q["cmd"]: return "server"
        q = ps.get(q["ppid"]); seen += 1
    return "other"
def snap():
    ps = procs(); g = {}
    for pid, p in ps.items():
        gr = group(p, ps)
        parent = ps.get(p["ppid"])
        root = parent is None or group(parent, ps) != gr
        g[gr] = g.get(gr, 0) + p["own"] + (p["kids"] if root else 0)
    st = open("/proc/stat").readline().split()[1:]
    busy = sum(int(x) for x in st[:3]) + sum(int(x) for x in st[5:8]); idle = int(st[3]) + int(st[4])
    return g, busy / TCK, idle / TCK, ps
while True:
    w = [pid for pid, p in procs().items() if p["comm"] == "wrk" and "-post.lua" in p["cmd"]]
    if w: break
    time.sleep(0.05)
g0, b0, i0, _ = snap(); t0 = time.time()
while os.path.exists(f"/proc/{w[0]}"): time.sleep(0.05)
g1, b1, i1, _ = snap(); dtm = time.time() - t0
res = {k: round((g1.get(k, 0) - g0.get(k, 0)) / dtm, 2) for k in set(g0) | set(g1)}
res.update(wall_s=round(dtm, 1), machine_busy_cores=round((b1 - b0) / dtm, 2), machine_idle_cores=round((i1 - i0) / dtm, 2))
print(json.dumps(res))
