"""The layers of docs/architecture.md hold in the code: imports run downward only
(site → standards → ledgers | workorders → people → kernel), and no modules import
each other in a loop. Uses import-linter's contract in pyproject.toml and its graph (grimp)."""
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def test_imports_run_downward_only():
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), migrations left out."""
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(m):
        index[m] = low[m] = len(index)
        stack.append(m)
        on_stack.add(m)
        for n in sorted(graph.find_modules_directly_imported_by(m)):
            if ".migrations" in n:
                continue
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on_stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = []
            while True:
                n = stack.pop()
                on_stack.discard(n)
                group.append(n)
                if n == m:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10000)
    for m in modules:
        if m not in index:
            visit(m)
    return found


def test_no_import_loops():
    graph = grimp.build_graph("gongzhi")
    assert _cycles(graph) == []
