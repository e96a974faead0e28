"""Peak memory and time of a sync over a 50 MB LiteLLM file, against the normal file.

    python bench/bench_big_upstream.py            # 20x the bundled file (~50 MB)
    python bench/bench_big_upstream.py --copies 5

The big file is LiteLLM's real price map (the backup bundled in the `litellm` wheel)
repeated with every key renamed (`<key>~copy<n>`), so every entry is a new row with the
real shapes, prices and quirks. Each file is synced by a child process running the real
CLI, `llm-intel sync litellm --offline --force`, with LLM_INTEL_LITELLM_URL pointing at
the file and DATABASE_URL at a fresh database of the script's own embedded Postgres (the
server is not a child of the measured process). The child's peak RSS is its `VmHWM`
(/proc/self/status, read at exit): the kernel's high-water mark of that process's own
address space, interpreter and imports included. Not `ru_maxrss` from wait4: Linux carries
the parent's high-water mark into a child across fork and exec, so it reported this
script's own ~360 MB (the big file parsed in memory) for every run. Time is the child's
wall time. The figures are medians of --rounds
runs, each into a fresh database. Prints a table, then one JSON line.

What to look for (issue 9): memory grows with the payload but linearly (the ratio of
peak RSS to file size should not grow with the size), and no row-level guard (decode
limits, row limits) costs more than a small share of the run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg
from bench_sync import _fresh_database

from llm_intelligence.collectors.fetch import NonFiniteNumber, decode_json
from llm_intelligence.collectors.limits import row_problem
from llm_intelligence.collectors.litellm import SNAPSHOT_FILENAME, parse_litellm
from llm_intelligence.db import embedded

DEFAULT_COPIES = 20  # 20 x 4,442 entries: 88,840 rows, ~50 MB (the size in issue 9)


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_rss_mb: float
    rows: int


def _backup() -> Path:
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("needs the litellm package (the bundled price map)")
    return Path(next(iter(spec.submodule_search_locations))) / SNAPSHOT_FILENAME


def write_big_file(path: Path, copies: int) -> int:
    """The bundled map with every entry repeated `copies` times under new keys; entries."""
    entries = json.loads(_backup().read_text())
    big: dict[str, object] = {}
    for n in range(copies):
        for key, entry in entries.items():
            big[key if n == 0 or key == "sample_spec" else f"{key}~copy{n}"] = entry
    path.write_text(json.dumps(big, indent=4))
    return len(big)


# The `llm-intel` entry point, run so that the process writes its VmHWM (KiB) to the file
# named by argv[1] when it exits, whatever the exit code.
_CLI_WITH_PEAK = """
import atexit, sys
def _peak(path=sys.argv[1]):
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    open(path, "w").write(status.split()[0])
atexit.register(_peak)
sys.argv = ["llm-intel", *sys.argv[2:]]
from llm_intelligence.cli import app
app()
"""


_SYNC_ARGS = ("sync", "litellm", "--offline", "--force")


def _sync_child(url: str, litellm_file: Path) -> Measure:
    """`llm-intel sync litellm --offline --force` in a child; its wall time and peak RSS."""
    env = os.environ | {"DATABASE_URL": url, "LLM_INTEL_LITELLM_URL": str(litellm_file)}
    peak_file = litellm_file.with_suffix(".peak")
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", _CLI_WITH_PEAK, str(peak_file), *_SYNC_ARGS],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"sync failed ({child.returncode}): {child.stderr.decode()[-2000:]}")
    peak_kib = int(peak_file.read_text())
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select rows_seen from collector_runs where source = 'litellm' order by id desc limit 1"
        ).fetchone()
    assert row is not None
    return Measure(seconds, peak_kib / 1024, int(row[0]))


def _median(measures: list[Measure]) -> Measure:
    return Measure(
        statistics.median(m.seconds for m in measures),
        statistics.median(m.peak_rss_mb for m in measures),
        measures[0].rows,
    )


def guard_costs(path: Path) -> dict[str, float]:
    """Seconds, in this process: the standard decode, the guarded one (number hooks and the
    depth walk), and the row limits check over every parsed row."""
    data = path.read_bytes()
    started = time.perf_counter()
    json.loads(data, parse_float=Decimal, parse_constant=NonFiniteNumber)
    plain = time.perf_counter() - started
    started = time.perf_counter()
    payload = decode_json(data, source="bench", where=str(path))
    guarded = time.perf_counter() - started
    rows = parse_litellm(payload).prices
    started = time.perf_counter()
    problems = sum(row_problem(row) is not None for row in rows)
    checked = time.perf_counter() - started
    assert problems == 0
    return {"decode_plain": plain, "decode_guarded": guarded, "row_limits": checked}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=DEFAULT_COPIES)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="llmib") as tmp:
        big = Path(tmp) / "big.json"
        entries = write_big_file(big, args.copies)
        costs = guard_costs(big)
        files = {"normal": _backup(), "big": big}
        sizes = {name: path.stat().st_size / 1e6 for name, path in files.items()}
        print(f"big file: {entries:,} entries, {sizes['big']:.1f} MB", file=sys.stderr)
        pgdata = Path(tmp) / "pgdata"
        admin_url = embedded.start(pgdata)
        try:
            runs: dict[str, list[Measure]] = {name: [] for name in files}
            for round_ in range(args.rounds):
                for name, path in files.items():  # alternating: both see the same load
                    url = _fresh_database(admin_url, f"bench_big_{name}")
                    runs[name].append(_sync_child(url, path))
                    print(f"round {round_ + 1} {name}: {runs[name][-1]}", file=sys.stderr)
        finally:
            embedded.stop(pgdata)

    normal, large = _median(runs["normal"]), _median(runs["big"])
    print(f"{'file':<8} {'MB':>6} {'rows':>7} {'seconds':>8} {'peak RSS MB':>12}")
    for name, m in (("normal", normal), ("big", large)):
        print(f"{name:<8} {sizes[name]:6.1f} {m.rows:7,} {m.seconds:8.2f} {m.peak_rss_mb:12.0f}")
    print(
        f"big / normal: size {sizes['big'] / sizes['normal']:.1f}x, rows "
        f"{large.rows / normal.rows:.1f}x, time {large.seconds / normal.seconds:.1f}x, "
        f"peak RSS {large.peak_rss_mb / normal.peak_rss_mb:.1f}x "
        f"(+{large.peak_rss_mb - normal.peak_rss_mb:.0f} MB)"
    )
    print(
        f"guards on the big file (in process): decode {costs['decode_plain']:.2f} s plain,"
        f" {costs['decode_guarded']:.2f} s guarded; row limits {costs['row_limits']:.2f} s"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        json.dumps(
            {
                "normal": {"mb": round(sizes["normal"], 2), **normal.__dict__},
                "big": {"mb": round(sizes["big"], 2), **large.__dict__},
                "rounds": {k: [m.__dict__ for m in v] for k, v in runs.items()},
                "guards": costs,
            }
        )
    )


if __name__ == "__main__":
    main()
