"""The benchmark run: prepare the databases, start the servers, measure every row, print one table.

Each HTTP row measures an endpoint and its reference in alternating wrk slices at a fixed
number of connections, so the machine's drifting speed affects both alike. The ratio of the
two is the result. SQL queries per request come from one in-process request per endpoint (see
`apps.bench.prepare`). This module starts processes and never imports Django itself: the
parts that need the ORM run as subprocesses with the servers' environment.
"""

import json
import os
import platform
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import servers
from .report import Line, Section, markdown_table, ratio_text, unmet_goals
from .servers import ROOT, Process
from .wrk import Target, measure_alternating

# Sections of the table, in order; `--only` picks some of them.
SECTIONS = ["floor", "followees", "deep", "processes", "engines", "survey", "websocket", "scheduled"]

# Endpoints surveyed against the framework floor, after the goal rows.
SURVEY = [
    "posts", "post_detail", "profile", "user_posts", "hashtag_posts", "hashtags", "post_search", "user_search",
    "comments", "likes", "followers", "notifications",
]  # fmt: skip


@dataclass
class Settings:
    """Sizes and durations of one run; `--quick` picks the small set."""

    quick: bool
    preset: str
    seed: int
    reseed: bool
    rounds: int
    slice_seconds: float
    survey_rounds: int
    connections: int
    listeners: int
    ws_actions: int
    ws_rate: float
    scheduled_posts: int
    scheduled_lead: float
    port_base: int
    only: list[str]
    database_url: str
    redis_url: str
    compare_database_url: str
    out_dir: Path


@dataclass
class Database:
    """A prepared database: its URL and what `apps.bench.prepare` reported about it."""

    url: str
    info: dict

    @property
    def vendor(self) -> str:
        return self.info["vendor"]

    def endpoint(self, key: str) -> dict:
        return next(item for item in self.info["endpoints"] if item["key"] == key)

    def token(self, role: str) -> str:
        return self.info["users"][role]["token"]


def machine_description() -> dict:
    """Return the facts of the machine and software that the numbers depend on."""
    model = ""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")), "")
    except OSError:
        pass
    memory_kb = next(
        (int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0
    )
    packages = ["Django", "daphne", "djangorestframework", "adrf", "channels", "channels-redis", "psycopg"]
    versions = subprocess.run(
        [sys.executable, "-c", f"from importlib.metadata import version; print(*(version(name) for name in {packages!r}))"],
        capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        **dict(zip(packages, versions, strict=False)),
        "wrk": (wrk_version.stdout or wrk_version.stderr).split("[")[0].strip(),
        "commit": commit.stdout.strip(),
    }


def server_environment(settings: Settings, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        API_THROTTLING="off",
        BENCH_ENDPOINTS="1",
        VAR_DIR=str(settings.out_dir.parent / "var"),
        PUBLIC_URL=f"http://127.0.0.1:{settings.port_base}",
    )
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def prepare(settings: Settings, database_url: str, name: str) -> Database:
    """Migrate, seed if needed, and describe one database through `apps.bench.prepare`."""
    output = settings.out_dir / f"prepare-{name}.json"
    command = [sys.executable, "-m", "apps.bench.prepare", "--preset", settings.preset, "--seed", str(settings.seed),
               "--output", str(output)]  # fmt: skip
    if settings.reseed:
        command.append("--reseed")
    env = server_environment(settings, database_url)
    env["LOG_LEVEL"] = "WARNING"
    started = time.monotonic()
    with open(settings.out_dir / f"prepare-{name}.log", "wb") as log:
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
    info = json.loads(output.read_text())
    seeded = "seeded" if info["seeded_now"] else "reused"
    print(f"bench: {name} database ({info['vendor']}) ready in {time.monotonic() - started:.0f} s, {seeded}: {info['rows']}", flush=True)
    return Database(database_url, info)


class Bench:
    """One benchmark run: the databases, the servers and the sections of the table."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.log_dir = settings.out_dir / "logs"
        self.processes: list[Process] = []
        self.sections: list[Section] = []
        self.primary: Database | None = None
        self.compare: Database | None = None

    # Processes.

    def start_daphne(self, name: str, application: str, port: int, database_url: str) -> Process:
        env = server_environment(self.settings, database_url)
        process = servers.daphne(name, application, port, env, self.log_dir)
        process.start()
        self.processes.append(process)
        servers.wait_http_ok(process, f"http://127.0.0.1:{port}/healthz" if application == "asgi:application" else f"http://127.0.0.1:{port}/")
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()

    def url(self, port: int, path: str) -> str:
        return f"http://127.0.0.1:{port}{path}"

    # Rows.

    def target(self, database: Database, key: str, port: int, **kwargs: object) -> Target:
        endpoint = database.endpoint(key)
        return Target(endpoint["label"], self.url(port, endpoint["path"]), database.token(endpoint["role"]), **kwargs)  # type: ignore[arg-type]

    def unavailable(self, database: Database, *keys: str) -> str | None:
        """Return why an endpoint cannot be measured (missing, or failing in process), or None."""
        for key in keys:
            endpoint = database.endpoint(key)
            if not endpoint["exists"]:
                return "n/a (endpoint missing)"
            if endpoint["status"] != 200:
                return f"error (status {endpoint['status']} in process)"
        return None

    def measure(self, targets: list[Target], rounds: int | None = None) -> list:
        return measure_alternating(
            targets,
            rounds=rounds or self.settings.rounds,
            seconds=self.settings.slice_seconds,
            connections=self.settings.connections,
        )

    def section(self, key: str, title: str, body: Callable[[Section], None]) -> None:
        """Run one section unless `--only` leaves it out; a failure becomes an error line, not the end of the run."""
        if self.settings.only and key not in self.settings.only:
            return
        section = Section(title)
        started = time.monotonic()
        print(f"bench: {title} ...", flush=True)
        try:
            body(section)
        except Exception as error:  # noqa: BLE001 - one failing row must not lose the others
            section.lines.append(Line("error", note=f"{type(error).__name__}: {str(error)[:300]}"))
        print(f"bench: {title} done in {time.monotonic() - started:.0f} s", flush=True)
        for line in section.lines:
            print(f"    {line.label}: {line.requests_per_second or 0:.0f} req/s, p50 {line.p50_ms} ms, "
                  f"p99 {line.p99_ms} ms, SQL {line.queries}, {line.ratio} {line.note}", flush=True)  # fmt: skip
        self.sections.append(section)

    def queries(self, database: Database, key: str) -> int | None:
        return database.endpoint(key)["queries"]

    def row_floor(self, section: Section) -> None:
        database = self.primary
        port = self.settings.port_base
        if reason := self.unavailable(database, "floor", "feed"):
            section.lines.append(Line("feed page vs framework floor", note=reason))
            return
        feed, floor, bare = self.measure(
            [
                self.target(database, "feed", port),
                self.target(database, "floor", port),
                Target("bare ASGI app under Daphne", self.url(port + 1, "/")),
            ]
        )
        ratio = feed.requests_per_second / floor.requests_per_second
        section.lines += [
            Line.measured(feed.target.name, feed, self.queries(database, "feed"),
                          ratio=ratio_text(ratio, "floor req/s"), goal="≥ 0.5", met=ratio >= 0.5),
            Line.measured(floor.target.name, floor, self.queries(database, "floor"),
                          ratio=ratio_text(floor.requests_per_second / bare.requests_per_second, "bare req/s")),
            Line.measured(bare.target.name, bare, 0, ratio="ceiling"),
        ]  # fmt: skip

    def row_p50(self, section: Section, measured_key: str, reference_key: str, limit: float, what: str) -> None:
        """Measure two endpoints alternately and compare their median latency against `limit`."""
        database = self.primary
        port = self.settings.port_base
        if reason := self.unavailable(database, measured_key, reference_key):
            section.lines.append(Line(database.endpoint(measured_key)["label"], note=reason))
            return
        measured, reference = self.measure([self.target(database, measured_key, port), self.target(database, reference_key, port)])
        ratio = measured.percentile_ms(50) / reference.percentile_ms(50)
        section.lines += [
            Line.measured(measured.target.name, measured, self.queries(database, measured_key),
                          ratio=ratio_text(ratio, f"{what} p50"), goal=f"≤ {limit}", met=ratio <= limit),
            Line.measured(reference.target.name, reference, self.queries(database, reference_key), ratio="reference"),
        ]  # fmt: skip

    def row_processes(self, section: Section) -> None:
        database = self.primary
        port = self.settings.port_base
        if reason := self.unavailable(database, "feed"):
            section.lines.append(Line("feed, two processes vs one", note=reason))
            return
        self.start_daphne("web-second", "asgi:application", port + 2, database.url)
        endpoint = database.endpoint("feed")
        token = database.token(endpoint["role"])
        url = self.url(port, endpoint["path"])
        two, one = self.measure(
            [
                Target("feed, two Daphne processes", url, token, ports=(port, port + 2), threads=2),
                Target("feed, one Daphne process", url, token, ports=(port,), threads=2),
            ]
        )
        ratio = two.requests_per_second / one.requests_per_second
        section.lines += [
            Line.measured(two.target.name, two, endpoint["queries"], ratio=ratio_text(ratio, "one process req/s"),
                          goal="≥ 1.5", met=ratio >= 1.5),
            Line.measured(one.target.name, one, endpoint["queries"], ratio="reference"),
        ]  # fmt: skip

    def row_engines(self, section: Section) -> None:
        if self.compare is None:
            section.lines.append(Line("feed, PostgreSQL pooled vs SQLite", note="n/a (needs both engines: see --help)"))
            return
        postgres, sqlite = (self.primary, self.compare) if self.primary.vendor == "postgresql" else (self.compare, self.primary)
        if reason := self.unavailable(postgres, "feed") or self.unavailable(sqlite, "feed"):
            section.lines.append(Line("feed, PostgreSQL pooled vs SQLite", note=reason))
            return
        ports = {id(self.primary): self.settings.port_base, id(self.compare): self.settings.port_base + 3}
        self.start_daphne("web-compare", "asgi:application", self.settings.port_base + 3, self.compare.url)
        measured, reference = self.measure(
            [
                Target("feed, PostgreSQL (pool)", self.url(ports[id(postgres)], "/api/v1/feed"), postgres.token("typical")),
                Target("feed, SQLite", self.url(ports[id(sqlite)], "/api/v1/feed"), sqlite.token("typical")),
            ]
        )
        ratio = measured.requests_per_second / reference.requests_per_second
        section.lines += [
            Line.measured(measured.target.name, measured, postgres.endpoint("feed")["queries"],
                          ratio=ratio_text(ratio, "SQLite req/s"), goal="≥ 0.9", met=ratio >= 0.9),
            Line.measured(reference.target.name, reference, sqlite.endpoint("feed")["queries"], ratio="reference"),
        ]  # fmt: skip

    def row_survey(self, section: Section) -> None:
        """Measure every other endpoint against the floor, and check the query budget of list pages."""
        database = self.primary
        port = self.settings.port_base
        for key in SURVEY:
            endpoint = database.endpoint(key)
            queries = endpoint["queries"]
            budget = {"goal": "≤ 3 SQL", "met": queries <= 3} if endpoint["is_list"] and queries is not None else {}
            if reason := self.unavailable(database, key, "floor"):
                section.lines.append(Line(endpoint["label"], queries=queries, note=reason, **budget))
                continue
            measured, floor = self.measure([self.target(database, key, port), self.target(database, "floor", port)],
                                           rounds=self.settings.survey_rounds)  # fmt: skip
            ratio = measured.requests_per_second / floor.requests_per_second
            section.lines.append(Line.measured(endpoint["label"], measured, queries, ratio=ratio_text(ratio, "floor req/s"), **budget))

    def row_websocket(self, section: Section) -> None:
        settings = self.settings
        # A fresh process, so the memory per socket is not hidden in heap that earlier
        # HTTP load left free.
        port = settings.port_base + 4
        server = self.start_daphne("web-ws", "asgi:application", port, self.primary.url)
        output = settings.out_dir / "ws-probe.json"
        env = server_environment(settings, self.primary.url)
        env["LOG_LEVEL"] = "WARNING"
        # With Redis the likes go to the main server, so every event crosses the channel layer
        # between processes as in production. The in-memory layer reaches only its own
        # process, so there the listeners' server takes the likes too.
        action_port = settings.port_base if settings.redis_url else port
        command = [sys.executable, "-m", "apps.bench.ws_probe", "--base-url", self.url(port, ""),
                   "--action-url", self.url(action_port, ""),
                   "--server-pid", str(server.pid), "--listeners", str(settings.listeners),
                   "--actions", str(settings.ws_actions), "--rate", str(settings.ws_rate), "--output", str(output)]  # fmt: skip
        with open(self.log_dir / "ws-probe.log", "wb") as log:
            subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=True, timeout=900)
        result = json.loads(output.read_text())
        layer = "Redis, likes via another process" if settings.redis_url else "in-memory layer, likes via the same process"
        met = (
            result["p99_ms"] is not None and result["p99_ms"] <= 100 and result["lost"] == 0
            and result["kb_per_connection"] <= 40
        )  # fmt: skip
        section.lines.append(
            Line(
                f"{result['listeners']:,} listeners, {result['rate']:.0f} likes/s over {layer}: like response → frame",
                p50_ms=result["p50_ms"],
                p99_ms=result["p99_ms"],
                ratio=f"lost {result['lost']}/{result['inbox']}, {result['kb_per_connection']} KB/socket",
                goal="p99 ≤ 100 ms, 0 lost, ≤ 40 KB",
                met=met if settings.listeners >= 1000 else None,
                note=f"p99 from the like's request {result['p99_from_request_ms']:.0f} ms; "
                f"{result['frame_before_response']} of {result['delivered']} frames came before the like's response; "
                f"like statuses {result['statuses']}",
            )
        )

    def row_scheduled(self, section: Section) -> None:
        settings = self.settings
        env = server_environment(settings, self.primary.url)
        worker = servers.celery_worker(env, self.log_dir)
        beat = servers.celery_beat(env, self.log_dir, settings.out_dir / "celerybeat-schedule")
        for process in (worker, beat):
            process.start()
            self.processes.append(process)
        servers.wait_log_line(worker, "ready.", timeout=90)
        output = settings.out_dir / "schedule-probe.json"
        probe_env = dict(env, LOG_LEVEL="WARNING")
        command = [sys.executable, "-m", "apps.bench.schedule_probe", "--base-url", self.url(settings.port_base, ""),
                   "--posts", str(settings.scheduled_posts), "--lead", str(settings.scheduled_lead),
                   "--worker-log", str(worker.log_path), "--output", str(output)]  # fmt: skip
        try:
            with open(self.log_dir / "schedule-probe.log", "wb") as log:
                subprocess.run(command, cwd=ROOT, env=probe_env, stdout=log, stderr=subprocess.STDOUT, check=True, timeout=900)
        finally:
            for process in (beat, worker):
                process.stop(timeout=30)
                self.processes.remove(process)
        result = json.loads(output.read_text())
        after = result["all_published_after_s"]
        met = after is not None and after <= 5 and result["published_twice"] == 0 and not result["created_after_due"]
        section.lines.append(
            Line(
                f"{result['posts']:,} posts due in the same second",
                ratio=("not all published" if after is None else f"all published {after:.1f} s after due")
                + f", {result['published_twice']} twice",
                goal="≤ 5 s, none twice",
                met=met if settings.scheduled_posts >= 1000 else None,
                note=f"{result['published_by_task']} by task, {result['published_by_sweep']} by sweep; "
                f"created in {result['create_seconds']} s" + (" (after the due time)" if result["created_after_due"] else ""),
            )
        )

    # The run.

    def run(self) -> list[Section]:
        settings = self.settings
        self.primary = prepare(settings, settings.database_url, "primary")
        if settings.compare_database_url:
            self.compare = prepare(settings, settings.compare_database_url, "compare")
        port = settings.port_base
        try:
            self.start_daphne("web", "asgi:application", port, self.primary.url)
            self.start_daphne("bare", "apps.bench.bare_asgi:application", port + 1, self.primary.url)
            reader = {role: f"{user['username']} ({user['following_count']:,} followees)"
                      for role, user in self.primary.info["users"].items()}  # fmt: skip
            self.section("floor", f"Feed vs the framework floor and bare Daphne ({reader['typical']})", self.row_floor)
            self.section(
                "followees",
                "Feed by followees",
                lambda section: self.row_p50(section, "feed_heavy", "feed_light", 1.5, reader["light"].split(" (")[0]),
            )
            self.section("deep", "Deep pages by cursor", self._deep_rows)
            self.section("processes", "Processes", self.row_processes)
            self.section("engines", "Database engines", self.row_engines)
            self.section("survey", "Other endpoints vs the framework floor", self.row_survey)
            self.section("websocket", "WebSocket notifications (one Daphne process)", self.row_websocket)
            self.section("scheduled", "Scheduled posts (Celery worker and beat)", self.row_scheduled)
        finally:
            self.stop_all()
        return self.sections

    def _deep_rows(self, section: Section) -> None:
        self.row_p50(section, "posts_deep", "posts", 1.2, "page 1")
        self.row_p50(section, "feed_deep", "feed_heavy", 1.2, "page 1")


def write_results(settings: Settings, machine: dict, sections: list[Section], started: float, seconds: float) -> str:
    """Write results.json and table.md into the output folder and return the table with its header line."""
    table = markdown_table(sections)
    header = (
        f"Run of {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}, {seconds:.0f} s; "
        f"preset {settings.preset}; {settings.connections} connections; {settings.rounds} rounds of "
        f"{settings.slice_seconds:g} s per target; database {settings.database_url.split('@')[-1]}; "
        f"Redis {'on' if settings.redis_url else 'off'}."
    )
    (settings.out_dir / "table.md").write_text(f"{header}\n\n{table}\n")
    results = {
        "settings": {key: str(value) for key, value in vars(settings).items()},
        "machine": machine,
        "sections": [
            {"title": section.title, "lines": [vars(line) for line in section.lines]} for section in sections
        ],
    }
    (settings.out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return f"{header}\n\n{table}"


def summary(sections: list[Section]) -> str:
    unmet = unmet_goals(sections)
    if not unmet:
        return "Every goal measured in this run is met."
    return "Goals not met:\n" + "\n".join(f"- {item}" for item in unmet)
