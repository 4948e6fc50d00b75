"""HTTP load slices with wrk, and latency percentiles merged across slices.

Each slice runs `wrk` with a generated Lua script that sends the bearer token and, in
`done()`, prints one `BENCH` line: the request count, the duration, the errors and the
latency at every 0.1 percentile. wrk's Lua API exposes percentiles but not its histogram,
so slices are merged by giving each of a slice's 1,000 quantile points an equal share of
its requests, which resolves p99 to within 0.1 percentile.
"""

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

QUANTILE_POINTS = 1000

LUA_TEMPLATE = """
{headers}
local ports = {{{ports}}}
local addresses = {{}}
local threads = 0

-- With several ports, thread i sends all of its connections to port i modulo the count,
-- so each server process gets an equal share of the connections.
function setup(thread)
  if #ports > 1 then
    if #addresses == 0 then
      for _, port in ipairs(ports) do
        table.insert(addresses, wrk.lookup("{host}", tostring(port))[1])
      end
    end
    thread.addr = addresses[threads % #addresses + 1]
  end
  threads = threads + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d", summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout))
  for i = 1, {points} do
    io.write(" ", latency:percentile(i * 100 / {points}))
  end
  io.write("\\n")
end
"""


@dataclass(frozen=True)
class Target:
    """A measured request: its URL, the token to send, and the ports of the servers behind it."""

    name: str
    url: str
    token: str | None = None
    ports: tuple[int, ...] = ()
    threads: int = 1


@dataclass
class Slice:
    """The result of one wrk run: counts, duration in microseconds, latency quantiles in microseconds."""

    requests: int
    duration_us: int
    errors: int
    non_2xx: int
    quantiles: list[float]


@dataclass
class Measurement:
    """Slices of one target merged: throughput, percentiles and error counts."""

    target: Target
    slices: list[Slice] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(item.requests for item in self.slices)

    @property
    def requests_per_second(self) -> float:
        duration = sum(item.duration_us for item in self.slices)
        return self.requests / (duration / 1e6) if duration else 0.0

    @property
    def errors(self) -> int:
        return sum(item.errors + item.non_2xx for item in self.slices)

    def percentile_ms(self, percent: float) -> float:
        """Return the merged latency at `percent` (0-100) in milliseconds."""
        points = sorted(
            (value, item.requests / QUANTILE_POINTS) for item in self.slices for value in item.quantiles
        )
        total = sum(weight for _, weight in points)
        if not total:
            return float("nan")
        wanted = total * percent / 100
        running = 0.0
        for value, weight in points:
            running += weight
            if running >= wanted:
                return value / 1000
        return points[-1][0] / 1000


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _lua_script(target: Target) -> str:
    host = urlsplit(target.url).hostname or "127.0.0.1"
    headers = f'wrk.headers["Authorization"] = "Bearer {target.token}"' if target.token else ""
    ports = ", ".join(str(port) for port in target.ports) if len(target.ports) > 1 else ""
    return LUA_TEMPLATE.format(headers=headers, ports=ports, host=host, points=QUANTILE_POINTS)


def parse_output(output: str) -> Slice:
    """Parse the `BENCH` line of a wrk run; raise RuntimeError when it is missing."""
    for line in output.splitlines():
        if line.startswith("BENCH "):
            numbers = line.split()[1:]
            requests, duration, connect, read, write, status, timeout = (int(value) for value in numbers[:7])
            return Slice(
                requests=requests,
                duration_us=duration,
                errors=connect + read + write + timeout,
                non_2xx=status,
                quantiles=[float(value) for value in numbers[7:]],
            )
    raise RuntimeError(f"wrk printed no BENCH line; its output was:\n{output}")


def run_slice(target: Target, *, seconds: float, connections: int) -> Slice:
    """Run wrk against `target` for `seconds` at a fixed number of open connections."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        script = Path(folder) / "target.lua"
        script.write_text(_lua_script(target))
        threads = max(1, min(target.threads, connections))
        command = [
            "wrk", f"--threads={threads}", f"--connections={connections}", f"--duration={max(1, round(seconds))}s",
            "--timeout=10s", f"--script={script}", target.url,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        raise RuntimeError(f"wrk exited with code {result.returncode}: {result.stderr.strip()}")
    return parse_output(result.stdout)


def measure_alternating(
    targets: list[Target], *, rounds: int, seconds: float, connections: int, warmup_seconds: float = 1.0
) -> list[Measurement]:
    """Measure the targets in alternating slices, so drift of the machine's speed hits each alike.

    Each target first gets one warm-up slice that is not counted.
    """
    for target in targets:
        run_slice(target, seconds=warmup_seconds, connections=connections)
    measurements = [Measurement(target) for target in targets]
    for _ in range(rounds):
        for measurement in measurements:
            measurement.slices.append(run_slice(measurement.target, seconds=seconds, connections=connections))
    return measurements
