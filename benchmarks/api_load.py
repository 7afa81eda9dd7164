"""Latency and throughput of the auditor's lookups against a real `consentry serve` under a fixed load.

The script builds a fresh SQLite registry in a temporary folder the way an operator does, through the
command line (`consentry publish examples/fsview/privacy.yaml`, `consentry record
examples/fsview/undeclared/app-release.apk --app fsview`, `consentry token create --role auditor`),
starts `consentry serve` on a free port of 127.0.0.1, waits for `/api/v1/health`, and then loads two
lookups, one after the other:

  * findings: `GET /api/v1/apps/fsview/releases/{id}/findings` of the recorded release;
  * catalog:  `GET /api/v1/catalog/sdks?q=...`, the queries taking turns (穿山甲, bugly, com.qq.e, ...).

The load is open-loop at a fixed rate (`--rate`, default 200 requests/s) for a fixed time (`--seconds`,
default 20): request i is due at start + i / rate whatever happened to the requests before it, and its
latency is counted from that due time, not from when the client got round to sending it. A server that
stalls therefore shows its stall in every request that was due meanwhile (no "coordinated omission").
Debian's `wrk` 4.1 cannot do this (it is closed-loop: each connection sends its next request when the
last one is answered; the fixed-rate `-R` option is wrk2's, which Debian does not ship), so the client
is Python: asyncio streams in this process, a fixed set of HTTP/1.1 keep-alive connections
(`--connections`), each request written and its answer read by a few lines of code. (An
`httpx.AsyncClient` was tried first: it spent about a full CPU of its own at 200 req/s, on a machine
whose server needs the other one.) The client shares the machine's CPUs with the server; how late the
client itself was in handing each request to a connection ("client lag": its timer and event loop,
not the server) is reported apart, as is the CPU time of both sides.

Before each lookup's timed run, a warm-up at the same rate (`--warmup`, default 2 s) is sent and not
counted. The load is bounded: rate x seconds requests, each with a time-out (`--timeout`), nothing
sent after the schedule ends, and whatever is still in flight `--timeout` seconds after the last due
time is abandoned and counted as an error. The server is always stopped at the end.

Usage: .venv/bin/python benchmarks/api_load.py [--rate 200] [--seconds 20] [--workers 1]
Exit code 0 when both lookups have p99 <= 20 ms and no error, 1 otherwise, 2 when the set-up fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_speed import table

PROJECT = Path(__file__).resolve().parent.parent
DECLARATIONS = PROJECT / "examples" / "fsview" / "privacy.yaml"
RELEASE_APK = PROJECT / "examples" / "fsview" / "undeclared" / "app-release.apk"
APP = "fsview"
API = "/api/v1"
HOST = "127.0.0.1"  # loopback only, never anything else

# Real catalog searches, in both languages and by package: each must find at least one SDK.
CATALOG_QUERIES = ("穿山甲", "bugly", "com.qq.e", "firebase", "友盟", "jpush", "com.huawei.hms", "百度")

TARGET_P99_MS = 20.0
STARTUP_SECONDS = 60
STOP_SECONDS = 15
CLI_SECONDS = 120


# --- set-up: the registry, the token and the server ---------------------------------------------------


class SetupError(Exception):
    """The registry, the token or the server could not be made ready: nothing was measured."""


def cli(database: str, *args: str) -> str:
    """The real command line against `database`: its stdout, or SetupError with its stderr."""
    env = {**os.environ, "CONSENTRY_DATABASE_URL": database}
    done = subprocess.run(
        [sys.executable, "-m", "registry.cli", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise SetupError(f"`consentry {' '.join(args)}` exited with {done.returncode}:\n{done.stderr.strip()}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def running_server(database: str, folder: Path, workers: int, log_level: str) -> Iterator[Server]:
    """`consentry serve` on a free loopback port until the block ends; stopped (killed if need be) after."""
    port = free_port()
    log = folder / "server.log"
    env = {**os.environ, "CONSENTRY_DATABASE_URL": database, "CONSENTRY_UPLOAD_DIR": str(folder)}
    command = [
        sys.executable,
        "-m",
        "registry.cli",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        log_level,
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = Server(f"http://{HOST}:{port}", process, log)
    try:
        wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SetupError(f"consentry serve exited with {server.process.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.url}{API}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise SetupError(f"consentry serve did not answer in {STARTUP_SECONDS} s:\n{server.log_tail()}")


def release_id(server: Server, token: str) -> int:
    """The id of the recorded release, looked up by its sha256 as an auditor does."""
    sha = hashlib.sha256(RELEASE_APK.read_bytes()).hexdigest()
    answer = httpx.get(
        f"{server.url}{API}/apps/{APP}/releases",
        params={"sha256": sha},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    answer.raise_for_status()
    items = answer.json()["items"]
    if len(items) != 1:
        raise SetupError(f"expected one release with sha256 {sha}, got {len(items)}")
    return int(items[0]["id"])


def check_answers(server: Server, token: str, lookups: Sequence[Lookup]) -> None:
    """Each request of the load answers 200 with something in it: the figures are of real work."""
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        for lookup in lookups:
            for path in lookup.paths:
                answer = client.get(path)
                if answer.status_code != 200 or not answer.json().get("items"):
                    raise SetupError(f"GET {path} answered {answer.status_code} with no items: {answer.text[:300]}")


# --- the load -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    name: str
    paths: tuple[str, ...]  # taken in turn


@dataclass
class Outcome:
    lookup: str
    rate: float
    seconds: float
    sent: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds from due time to the whole answer read
    lags: list[float] = field(default_factory=list)  # seconds the client itself was late to queue each request
    errors: dict[str, int] = field(default_factory=dict)
    first_due: float = 0.0
    last_done: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    machine_cpu: float = 0.0  # CPU seconds of every process on the machine, this one and the server included
    bytes_read: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def achieved_rate(self) -> float:
        span = self.last_done - self.first_due
        return self.completed / span if span > 0 else 0.0

    def percentile_ms(self, p: float) -> float | None:
        return percentile(self.latencies, p)

    @property
    def passed(self) -> bool:
        p99 = self.percentile_ms(99)
        return p99 is not None and p99 <= TARGET_P99_MS and self.error_count == 0 and self.completed == self.sent


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile, in ms."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


class Connection:
    """One keep-alive HTTP/1.1 connection to the server, one request at a time: a few lines of asyncio
    streams instead of a full client, so that the client's own CPU cost per request stays small."""

    def __init__(self, host: str, port: int, headers: bytes) -> None:
        self.host, self.port, self.headers = host, port, headers
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, int]:
        """(status, body length) of `GET target`; the whole body is read."""
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.reader, self.writer
        writer.write(b"GET " + target.encode("ascii") + b" HTTP/1.1\r\n" + self.headers)
        await writer.drain()
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        lines = head.split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        fields = {name.strip(): value.strip() for name, value in fields.items()}
        if "content-length" in fields:
            body = len(await reader.readexactly(int(fields["content-length"])))
        elif fields.get("transfer-encoding") == "chunked":
            body = 0
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                body += len(await reader.readexactly(size + 2)) - 2
            await reader.readuntil(b"\r\n")  # no trailers are sent
        else:
            raise ConnectionError("an answer without Content-Length or chunked framing")
        if fields.get("connection") == "close":
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def drive(server: Server, token: str, lookup: Lookup, args: argparse.Namespace, outcome: Outcome) -> None:
    """Open loop: request i is due at start + i / rate and is handed then to the first free connection of a
    fixed set (`--connections`); its latency runs from its due time to the last byte of the answer, so any
    wait for a connection, or for the client itself, counts. Nothing is sent after the last due time;
    whatever is unanswered `--timeout` seconds later is abandoned (counted as an error)."""
    loop = asyncio.get_running_loop()
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    headers = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    jobs: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()

    async def worker(connection: Connection) -> None:
        while (job := await jobs.get()) is not None:
            due, target = job
            try:
                async with asyncio.timeout(args.timeout):
                    status, size = await connection.get(target)
            except TimeoutError:
                connection.close()
                outcome.error("timeout")
                continue
            except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
                connection.close()
                outcome.error(type(error).__name__)
                continue
            done = loop.time()
            if status != 200:
                outcome.error(f"HTTP {status}")
                continue
            outcome.bytes_read += size
            outcome.latencies.append(done - due)
            outcome.last_done = max(outcome.last_done, done)
        connection.close()

    connections = [Connection(host, int(port), headers.encode("ascii")) for _ in range(args.connections)]
    workers = [asyncio.create_task(worker(connection)) for connection in connections]
    count = max(1, round(outcome.rate * outcome.seconds))
    start = loop.time() + 0.05
    outcome.first_due = start
    for i in range(count):
        due = start + i / outcome.rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        outcome.lags.append(loop.time() - due)
        jobs.put_nowait((due, lookup.paths[i % len(lookup.paths)]))
        outcome.sent += 1
    for _ in workers:
        jobs.put_nowait(None)
    _, pending = await asyncio.wait(workers, timeout=args.timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for connection in connections:
        connection.close()
    unanswered = outcome.sent - outcome.completed - outcome.error_count
    if unanswered:
        outcome.errors["abandoned"] = unanswered


def machine_busy_seconds() -> float:
    """CPU seconds spent by the whole machine (all CPUs, not idle) since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and every process below it (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for process, seconds in times.items():
        ancestor = process
        while ancestor not in (0, 1, pid) and ancestor in parents:
            ancestor = parents[ancestor]
        if ancestor == pid:
            total += seconds
    return total


async def run_lookup(server: Server, token: str, lookup: Lookup, args: argparse.Namespace) -> Outcome:
    if args.warmup > 0:
        await drive(server, token, lookup, args, Outcome(lookup.name, args.rate, args.warmup))
    outcome = Outcome(lookup.name, args.rate, args.seconds)
    server_before, client_before = cpu_seconds(server.process.pid), time.process_time()
    machine_before = machine_busy_seconds()
    await drive(server, token, lookup, args, outcome)
    outcome.server_cpu = cpu_seconds(server.process.pid) - server_before
    outcome.client_cpu = time.process_time() - client_before
    outcome.machine_cpu = machine_busy_seconds() - machine_before
    return outcome


# --- the report ---------------------------------------------------------------------------------------


def machine() -> list[str]:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "absent"

    packages = ", ".join(
        f"{name} {installed(name)}" for name in ("consentry", "litestar", "uvicorn", "sqlalchemy", "httpx")
    )
    speedups = ", ".join(f"{name} {installed(name)}" for name in ("uvloop", "httptools"))
    return [
        f"machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {model}, "
        f"{platform.system()} {platform.release()}",
        f"python {platform.python_version()}; {packages}; {speedups}",
        f"load average at start: {' '.join(f'{value:.2f}' for value in os.getloadavg())}",
    ]


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def report(outcomes: Sequence[Outcome]) -> None:
    header = (
        "lookup",
        "sent",
        "completed",
        "errors",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "client lag p99 ms",
        "server CPU ms/req",
        "server CPU %",
        "client CPU %",
        "other CPU %",
    )
    rows = [
        (
            outcome.lookup,
            str(outcome.sent),
            str(outcome.completed),
            str(outcome.error_count),
            f"{outcome.achieved_rate:.1f}",
            fmt(outcome.percentile_ms(50), ".2f"),
            fmt(outcome.percentile_ms(90), ".2f"),
            fmt(outcome.percentile_ms(99), ".2f"),
            fmt(outcome.percentile_ms(100), ".2f"),
            fmt(percentile(outcome.lags, 99), ".2f"),
            fmt(1000 * outcome.server_cpu / outcome.completed if outcome.completed else None, ".2f"),
            f"{100 * outcome.server_cpu / outcome.seconds:.0f}",
            f"{100 * outcome.client_cpu / outcome.seconds:.0f}",
            f"{max(0.0, 100 * (outcome.machine_cpu - outcome.server_cpu - outcome.client_cpu) / outcome.seconds):.0f}",
        )
        for outcome in outcomes
    ]
    print(table(rows, header))
    print("  (CPU % of one CPU over the timed run; other = every other process on the machine, kernel work included)")
    for outcome in outcomes:
        if outcome.errors:
            kinds = ", ".join(f"{kind} x{count}" for kind, count in sorted(outcome.errors.items()))
            print(f"  {outcome.lookup} errors: {kinds}")
    print(f"load average at end: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print()
    for outcome in outcomes:
        p99 = outcome.percentile_ms(99)
        errors = f", {outcome.error_count} errors" if outcome.error_count else ""
        print(
            f"  {'PASS' if outcome.passed else 'FAIL'}  {outcome.lookup}: p99 {fmt(p99, '.2f')} ms "
            f"<= {TARGET_P99_MS:.0f} ms at {outcome.rate:g} req/s{errors}"
        )


# --- main ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second (default 200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="timed load per lookup (default 20)")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed load before each lookup (default 2 s)")
    parser.add_argument("--timeout", type=float, default=5.0, help="time-out of each request (default 5 s)")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections (default 16)")
    parser.add_argument("--workers", type=int, default=1, help="`consentry serve --workers` (default 1)")
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="`consentry serve --log-level` (default info, which logs every request, as deployed)",
    )
    parser.add_argument(
        "--lookup", choices=("findings", "catalog"), action="append", help="only this lookup (repeatable)"
    )
    args = parser.parse_args()
    if not (0 < args.rate <= 2000 and 0 < args.seconds <= 600 and 0 <= args.warmup <= 60):
        parser.error("--rate must be in (0, 2000], --seconds in (0, 600], --warmup in [0, 60]")
    if not (1 <= args.connections <= 256 and 0 < args.timeout <= 60 and 1 <= args.workers <= 8):
        parser.error("--connections must be in [1, 256], --timeout in (0, 60], --workers in [1, 8]")

    for line in machine():
        print(line)
    print(
        f"load: open loop, {args.rate:g} req/s for {args.seconds:g} s per lookup (+{args.warmup:g} s warm-up), "
        f"latency from each request's due time; server: consentry serve --workers {args.workers} "
        f"--log-level {args.log_level}, SQLite",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="consentry-load-") as scratch:
        folder = Path(scratch)
        database = f"sqlite:///{folder / 'consentry.db'}"
        try:
            cli(database, "publish", str(DECLARATIONS))
            cli(database, "record", str(RELEASE_APK), "--app", APP)
            token = cli(database, "token", "create", "--role", "auditor", "--name", "load benchmark").strip()
            with running_server(database, folder, args.workers, args.log_level) as server:
                release = release_id(server, token)
                lookups = [
                    Lookup("findings", (f"{API}/apps/{APP}/releases/{release}/findings",)),
                    Lookup("catalog", tuple(f"{API}/catalog/sdks?q={quote(q)}" for q in CATALOG_QUERIES)),
                ]
                lookups = [lookup for lookup in lookups if not args.lookup or lookup.name in args.lookup]
                check_answers(server, token, lookups)
                print(f"server: {server.url} (pid {server.process.pid}), release {release}", flush=True)
                outcomes = []
                for lookup in lookups:
                    print(f"loading {lookup.name} ...", flush=True)
                    outcomes.append(asyncio.run(run_lookup(server, token, lookup, args)))
                if server.process.poll() is not None:
                    raise SetupError(f"consentry serve died under load:\n{server.log_tail()}")
        except (SetupError, httpx.HTTPError, subprocess.TimeoutExpired) as error:
            print(f"set-up failed: {error}", file=sys.stderr)
            return 2
    print()
    report(outcomes)
    return 0 if all(outcome.passed for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
