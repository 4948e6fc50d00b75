"""Benchmark the API in one run and print one table: `python scripts/bench.py [--quick]`.

The database comes from DATABASE_URL (unset: a SQLite file under bench-results/var) and the
channel layer, Celery broker and cache from REDIS_URL, as for the server. The run seeds the
database unless it already holds the preset, starts Daphne (and, for some rows, a second
Daphne, a server on the other database engine, and a Celery worker with beat) on
127.0.0.1 from `--port-base` on, measures each row against its reference in alternating
wrk slices, stops every process it started, and writes table.md and results.json into
bench-results/<time>/. Needs `wrk` on the PATH (Debian: `apt-get install wrk`).

`--quick` is sized for CI: the small preset, short slices, 100 WebSocket listeners and 100
scheduled posts; a couple of minutes on the embedded default. The full run uses the large
preset of 1,000,000 posts, which takes a few minutes to seed the first time, and then about
a quarter of an hour.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.bench.harness import SECTIONS, Bench, Settings, machine_description, summary, write_results  # noqa: E402
from apps.bench.wrk import wrk_available  # noqa: E402

RESULTS_DIR = ROOT / "bench-results"
# Sizes per mode: (preset, rounds, slice seconds, survey rounds, listeners, WebSocket likes,
# likes per second, scheduled posts, seconds until they are due).
MODES = {
    "quick": ("small", 2, 2.0, 1, 100, 200, 20.0, 100, 20.0),
    "full": ("large", 4, 4.0, 2, 1000, 1000, 50.0, 1000, 45.0),
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--quick", action="store_true", help="CI-sized run: small data, short slices")
    parser.add_argument("--preset", choices=["tiny", "small", "large"], help="seed preset (default: small with --quick, else large)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default: 1)")
    parser.add_argument("--reseed", action="store_true", help="seed again even when the database holds the preset")
    parser.add_argument("--rounds", type=int, help="alternating slices per target in each goal row")
    parser.add_argument("--slice", type=float, dest="slice_seconds", help="seconds per slice")
    parser.add_argument("--connections", type=int, default=16, help="open HTTP connections during a slice (default: 16)")
    parser.add_argument("--listeners", type=int, help="WebSocket listeners (default: 1000, 100 with --quick)")
    parser.add_argument("--scheduled-posts", type=int, help="posts due in the same second (default: 1000, 100 with --quick)")
    parser.add_argument(
        "--port-base",
        type=int,
        default=int(os.environ.get("BENCH_PORT_BASE", "8601")),
        help="first of five consecutive ports on 127.0.0.1 (default: $BENCH_PORT_BASE or 8601)",
    )
    parser.add_argument(
        "--compare-database-url",
        default=os.environ.get("BENCH_COMPARE_DATABASE_URL", ""),
        help="the other engine for the PostgreSQL vs SQLite row (default with PostgreSQL: a SQLite file "
        "under bench-results/var; with SQLite: $BENCH_COMPARE_DATABASE_URL, else the row is skipped)",
    )
    parser.add_argument("--no-compare", action="store_true", help="skip the PostgreSQL vs SQLite row")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=[], help="measure only these sections")
    parser.add_argument("--out", type=Path, help="output folder (default: bench-results/<time>)")
    return parser.parse_args(argv)


def build_settings(args: argparse.Namespace) -> Settings:
    mode = MODES["quick" if args.quick else "full"]
    preset, rounds, slice_seconds, survey_rounds, listeners, ws_actions, ws_rate, scheduled, lead = mode
    preset = args.preset or preset
    var_dir = RESULTS_DIR / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    sqlite_url = f"sqlite:///{var_dir / f'bench-{preset}.sqlite3'}"
    database_url = os.environ.get("DATABASE_URL") or sqlite_url
    compare = args.compare_database_url
    if not compare and database_url.startswith(("postgres://", "postgresql://")) and (not args.only or "engines" in args.only):
        compare = sqlite_url
    listeners = args.listeners or listeners
    out_dir = args.out or RESULTS_DIR / time.strftime("%Y%m%d-%H%M%S")
    (out_dir / "logs").mkdir(parents=True, exist_ok=True)
    return Settings(
        quick=args.quick,
        preset=preset,
        seed=args.seed,
        reseed=args.reseed,
        rounds=args.rounds or rounds,
        slice_seconds=args.slice_seconds or slice_seconds,
        survey_rounds=survey_rounds,
        connections=args.connections,
        listeners=listeners,
        ws_actions=max(ws_actions, listeners),
        ws_rate=ws_rate,
        scheduled_posts=args.scheduled_posts or scheduled,
        scheduled_lead=lead,
        port_base=args.port_base,
        only=args.only,
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL", ""),
        compare_database_url="" if args.no_compare else compare,
        out_dir=out_dir,
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not wrk_available():
        print("bench: wrk is not installed; install it (Debian: apt-get install wrk) and run again.", file=sys.stderr)
        return 2
    settings = build_settings(args)
    started_wall, started = time.time(), time.monotonic()
    print(f"bench: results go to {settings.out_dir}", flush=True)
    machine = machine_description()
    sections = Bench(settings).run()
    table = write_results(settings, machine, sections, started_wall, time.monotonic() - started)
    print()
    print(table)
    print()
    print(summary(sections))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
