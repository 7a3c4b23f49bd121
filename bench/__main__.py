"""`python -m bench [--quick]` (or `make bench`): every benchmark on SQLite and PostgreSQL,
the table written to docs/benchmarks.md with machine, versions and date.

Each measurement starts from a restored copy of the generated data (a file copy on SQLite,
CREATE DATABASE … TEMPLATE on PostgreSQL) in a fresh process; the median of the runs and the
peak memory of that process are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.generate import bench_now, generate, make_cold
from models.store.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN = os.environ.get("RATSFRIST_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def log(text: str) -> None:
    print(text, flush=True)


@contextmanager
def phase(results: dict[str, Any], name: str) -> Iterator[None]:
    """Where the run's minutes go, for the docs and for keeping `make bench` short."""
    t0 = time.perf_counter()
    yield
    results.setdefault("phases", {})[name] = time.perf_counter() - t0
    log(f"  [{name}: {results['phases'][name]:.1f} s]")


def child(*args: str, timeout: int = 900) -> dict[str, Any]:
    done = subprocess.run(
        [PY, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_naive(url: str, n: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PY, "-m", "bench.naive", url, str(n), "--wait"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
    )


def finish_naive(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate("go\n", timeout=900)
    if process.returncode != 0:
        raise RuntimeError(f"bench.naive: {err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


class Store:
    """A generated dataset and fresh copies of it."""

    def __init__(self, kind: str, work: Path) -> None:
        self.kind = kind
        self.work = work
        self.admin = (
            make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT") if kind == "postgres" else None
        )

    def url(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.work / (name + '.sqlite')}"
        return sa.engine.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.work / name}.sqlite{suffix}").unlink(missing_ok=True)
        else:
            assert self.admin is not None
            with self.admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def create(self, name: str, template: str | None = None) -> str:
        self.drop(name)
        if self.kind == "sqlite":
            if template:
                src = self.work / f"{template}.sqlite"
                engine = make_engine(self.url(template))
                with engine.connect() as c:
                    c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                engine.dispose()
                shutil.copy(src, self.work / f"{name}.sqlite")
        else:
            assert self.admin is not None
            with self.admin.connect() as c:
                clause = f' TEMPLATE "{template}"' if template else ""
                c.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
        return self.url(name)


COUNTS = ("escalations", "bodies", "rulesets", "body_reads", "rule_lookups", "statements")
"""What a sweep measurement counts besides its time (the same in every run)."""


def sweep_runs(store: Store, template: str, runs: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for what in ("sweep", "floor"):
        samples = []
        for _ in range(runs):
            url = store.create("bench_run", template)
            samples.append(child("-m", "bench.measure", what, url))
        result[what] = {
            "seconds": statistics.median(s["seconds"] for s in samples),
            "peak_mb": max(s["peak_mb"] for s in samples),
            "parts": {
                k: statistics.median(s["parts"][k] for s in samples) for k in samples[0]["parts"]
            },
            "missed": samples[0]["missed"],
            "due": samples[0]["due"],
            **{k: samples[0][k] for k in COUNTS if k in samples[0]},
        }
    return result


def run_database(kind: str, sizes: list[int], runs: int, work: Path) -> dict[str, Any]:
    store = Store(kind, work)
    out: dict[str, Any] = {}
    for n in sizes:
        t0 = time.perf_counter()
        engine = make_engine(store.create("bench_steady"))
        generate(engine, n, bench_now())
        engine.dispose()
        generated = time.perf_counter() - t0
        steady = sweep_runs(store, "bench_steady", runs)
        cold_url = store.create("bench_cold", "bench_steady")
        engine = make_engine(cold_url)
        backlog = make_cold(engine, bench_now())
        engine.dispose()
        cold = sweep_runs(store, "bench_cold", runs)
        plans = (
            child("-m", "bench.measure", "explain", store.url("bench_steady"))["plans"]
            if n == sizes[-1]
            else None
        )
        out[str(n)] = {
            "generated_s": generated,
            "steady": steady,
            "cold": cold,
            "backlog": backlog,
            "plans": plans,
            "wall_s": time.perf_counter() - t0,
        }
        log(
            f"{kind} {n:>9,}: steady {steady['sweep']['seconds']:.3f}s (floor "
            f"{steady['floor']['seconds']:.3f}s), cold {cold['sweep']['seconds']:.3f}s (floor "
            f"{cold['floor']['seconds']:.3f}s), generated in {generated:.0f}s, "
            f"{time.perf_counter() - t0:.0f}s in all, peak {max(steady['sweep']['peak_mb'], cold['sweep']['peak_mb']):.0f} MB"
        )
        for name in ("bench_run", "bench_cold"):
            store.drop(name)
    store.drop("bench_steady")
    return out


def cli_start(work: Path, runs: int) -> dict[str, float]:
    url = f"sqlite:///{work / 'cli.sqlite'}"
    env = {**os.environ, "RATSFRIST_DATABASE_URL": url, "RATSFRIST_CONFIG": str(work / "none")}
    exe = str(Path(PY).parent / "ratsfrist")
    subprocess.run(
        [exe, "import", str(ROOT / "flows/examples/vorschlag-A-21-0500-01.txt")],
        env=env,
        capture_output=True,
        check=True,
    )
    # Bytecode compiled, as an installed package has it (pip compiles at install; an editable
    # checkout under PYTHONDONTWRITEBYTECODE=1 would otherwise compile on every start).
    subprocess.run(
        [PY, "-m", "compileall", "-q", "flows", "models", "notifications"], cwd=ROOT, check=True
    )
    result = {}
    # The floor under `show`: a process that only imports the ORM every read goes through.
    commands = {
        "help": [exe, "--help"],
        "show": [exe, "show", "A 21/0500-01"],
        "import_sqlmodel": [PY, "-c", "import sqlmodel"],
    }
    for name, command in commands.items():
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(command, env=env, capture_output=True, check=True)
            samples.append(time.perf_counter() - t0)
        result[name] = statistics.median(samples)
    return result


def intake(n: int, work: Path) -> dict[str, float]:
    return child("-m", "bench.intake", f"sqlite:///{work / 'intake.sqlite'}", str(n))


def oparl_bench(work: Path, quick: bool, postgres: bool) -> dict[str, Any]:
    """Hürtgenwald's archive synced from a local HTTP server, with its raw floor; the
    default run also times the one-by-one path (about half a minute more per database)."""
    extra = [] if quick else ["--one-by-one"]
    sqlite = f"sqlite:///{work / 'oparl.sqlite'}"
    out = {"sqlite": child("-m", "bench.oparl", str(work), sqlite, *extra)}
    if postgres and not quick:
        out["postgres"] = child("-m", "bench.oparl", str(work), PG_ADMIN, *extra)
    return out


def dispatch_bench(work: Path, n: int, levels: str) -> dict[str, Any]:
    return child("-m", "bench.dispatch", str(work), str(n), levels, timeout=1200)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}"


def sweeps_only(results: dict[str, Any], no_postgres: bool, out: Path, started: float) -> None:
    """The sweeps alone (`--sweeps-only`): for measuring the sweep at one size without the
    rest of the quarter hour; JSON to `out`, which must not be docs/benchmarks.md."""
    with tempfile.TemporaryDirectory(prefix="ratsfrist-bench-") as tmp:
        for kind in ("sqlite",) if no_postgres else ("sqlite", "postgres"):
            with phase(results, f"{kind} sweeps"):
                results[kind] = run_database(kind, results["sizes"], results["runs"], Path(tmp))
    results["total_s"] = time.perf_counter() - started
    out.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    log(f"written {out} in {results['total_s']:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--sizes", help="deadlines per database, comma-separated (default 10000,100000,1000000)"
    )
    parser.add_argument(
        "--sweeps-only",
        action="store_true",
        help="only the sweeps and their floors; results printed and written as JSON to --out "
        "(docs/benchmarks.md is left as it is)",
    )
    args = parser.parse_args()
    sizes = [1_000, 10_000] if args.quick else [10_000, 100_000, 1_000_000]
    if args.sizes:
        try:
            sizes = [int(n.replace("_", "")) for n in args.sizes.split(",")]
        except ValueError:
            parser.error(f"--sizes {args.sizes!r}: Zahlen mit Komma getrennt, z. B. 1000,10000")
    if args.sweeps_only and not args.out.endswith(".json"):
        parser.error(f"--out {args.out}: mit --sweeps-only eine .json-Datei angeben")
    runs = 1 if args.quick else 3
    started = time.perf_counter()
    results: dict[str, Any] = {"sizes": sizes, "runs": runs, "quick": args.quick}
    if args.sweeps_only:
        sweeps_only(results, args.no_postgres, Path(args.out), started)
        return
    with tempfile.TemporaryDirectory(prefix="ratsfrist-bench-") as tmp:
        work = Path(tmp)
        naive_n = 50 if args.quick else 1000
        naive_url = Store("sqlite", work).create("naive")
        engine = make_engine(naive_url)
        generate(engine, naive_n * 4, bench_now())
        engine.dispose()
        # Quick mode starts the task-per-motion process (Prefect import and ephemeral server,
        # ~12 s, not timed) now, so that it overlaps the sweeps; it times its flow run only
        # after them, when nothing else runs. The default run starts it when its turn comes.
        early = start_naive(naive_url, naive_n) if args.quick else None
        with phase(results, "sqlite sweeps"):
            results["sqlite"] = run_database("sqlite", sizes, runs, work)
        if not args.no_postgres:
            with phase(results, "postgres sweeps"):
                results["postgres"] = run_database("postgres", sizes, runs, work)
        with phase(results, "task-per-motion baseline"):
            measured = (
                finish_naive(early)
                if early
                else child("-m", "bench.naive", naive_url, str(naive_n))
            )
            results["naive"] = {"motions": naive_n, **measured}
        log(f"naive: {results['naive']['per_motion'] * 1000:.1f} ms per motion")
        with phase(results, "CLI start"):
            results["cli"] = cli_start(work, 2 if args.quick else 5)
        log(f"cli: {results['cli']}")
        with phase(results, "intake"):
            results["intake"] = intake(100 if args.quick else 2000, work)
        log(f"intake: {results['intake']}")
        with phase(results, "OParl sync"):
            results["oparl"] = oparl_bench(work, args.quick, not args.no_postgres)
        log(f"oparl: {results['oparl']}")
        with phase(results, "dispatch"):
            results["dispatch"] = dispatch_bench(
                work, 50 if args.quick else 1000, "1,4" if args.quick else "1,2,4"
            )
        log(f"dispatch: {results['dispatch']}")
        if not args.quick:
            with phase(results, "make demo"):
                t0 = time.perf_counter()
                subprocess.run(
                    [str(Path(PY).parent / "ratsfrist"), "demo", "--db", str(work / "demo.sqlite")],
                    cwd=work,
                    capture_output=True,
                    check=True,
                    env={
                        **os.environ,
                        "PREFECT_HOME": str(work / "prefect"),
                        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                    },
                )
                results["demo_s"] = time.perf_counter() - t0
    results["total_s"] = time.perf_counter() - started
    from bench.report import write

    write(
        results,
        Path(args.out),
        machine=machine(),
        versions={
            p: version(p) for p in ("prefect", "sqlalchemy", "sqlmodel", "psycopg", "apprise")
        }
        | {"python": platform.python_version()},
        date=datetime.now(UTC),
    )
    log(f"written {args.out} in {results['total_s']:.0f} s")


if __name__ == "__main__":
    main()
