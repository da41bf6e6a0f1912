"""Many dashboard viewers at once, measured from outside a running `streamlit run dashboard.py` server.

    python bench/viewers.py [--url http://127.0.0.1:8501] [--viewers 1,10,25,50] [--interval 5] [--duration 60]
                            [--pages overview,asb,...] [--timeout 60] [--server-pid PID] [--json]
    python bench/viewers.py --start --db PATH [--replicas N] [...]   # N servers of its own on free ports, ASB_DB=PATH
    python bench/viewers.py --url URL1,URL2 [...]     # servers already running (replicas of one database)
    ... --during-load [--db PATH] [--load-file FILE]  # command-line loads into the database while viewers run

Each simulated viewer holds its own websocket session on /_stcore/stream and speaks Streamlit's protocol as the
browser does: subprotocols ["streamlit", token], a BackMsg `rerun_script` (ClientState with the page's script hash),
ForwardMsgs back until `script_finished`, and the browser's message cache (hashes of cacheable messages sent with
each rerun, `ref_hash` answers resolved from it). A viewer opens the next page of its cycle every --interval
seconds (from the start of one page request to the start of the next; when a run takes longer, the next starts as
soon as it ends), beginning at a different page and time from the others.

Measured per level of viewers: page runs (time from sending rerun_script to that run's script_finished), p50 / p95 /
max per page and overall (over runs without errors), runs without errors per second, errors, the server's CPU
(cores used and CPU seconds per run; with --start or --server-pid, read from /proc) and this process's own CPU and
event-loop lag, so a saturated load generator shows. An error is: a script_finished other than success, an
exception element or an error alert (st.error) in the run, a page-not-found answer, a compile error, a dropped or
refused connection, or no script_finished within --timeout. After an error that leaves the session unusable, the
viewer reconnects on its next request. Exit status 1 when any measured run had an error.

With several servers (replicas serving one database), viewer i holds its session on server i mod N, as a load
balancer with sticky sessions spreads them. With --during-load, a command-line writer runs throughout each level:
`python -m analytics rollback` of --load-file's batch, then `python -m analytics ingest` of it again, in a loop
(each a write and a publish, at the lower CPU priority loads take: ASB_LOAD_NICE); its loads, their times and exit
statuses are reported beside the viewers' figures.

Not counted: waiting for /_stcore/health; the first run of the first session (which may load the demo data into an
empty database), followed by one run of every page (so the query caches are warm, as on a server in use); and each
viewer's first run (the dashboard opened at its root URL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.AppPage_pb2 import AppPage
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
STREAM = "_stcore/stream"
HEALTH = "_stcore/health"
# The browser's subprotocols: "streamlit", then the XSRF token (this placeholder when it has none), then the id of
# the session to resume (left out: every viewer is a new session).
SUBPROTOCOLS = ["streamlit", "PLACEHOLDER_AUTH_TOKEN"]
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


# ------------------------------------------------------------------------------------------------ pages


@dataclass(frozen=True)
class Page:
    """A page to request: by script hash when the navigation lists it, else by URL name (as a typed-in URL)."""

    key: str  # what --pages and the report call it: the URL path, or the title for the default page ("overview")
    title: str
    script_hash: str = ""
    url_name: str = ""


def page_key(page: AppPage) -> str:
    return page.url_pathname or re.sub(r"[^a-z0-9]+", "-", page.page_name.lower()).strip("-")


def pages_of(navigation: list[AppPage]) -> list[Page]:
    """The pages a viewer can open from the navigation the server sent (hidden and external pages left out)."""
    return [Page(page_key(p), p.page_name, p.page_script_hash) for p in navigation
            if not p.is_hidden and not p.HasField("external_url")]


def choose_pages(available: list[Page], wanted: list[str] | None) -> tuple[list[Page], list[str]]:
    """The pages named in `wanted` (by key or title, any case), or all of them; and the names not in the
    navigation, which are still requested by URL name so the server's answer (page not found) counts as an error."""
    if not wanted:
        return available, []
    chosen, unknown = [], []
    for name in wanted:
        found = next((p for p in available if name.lower() in (p.key.lower(), p.title.lower())), None)
        if found is None:
            unknown.append(name)
            found = Page(name, name, "", name)
        chosen.append(found)
    return chosen, unknown


# ------------------------------------------------------------------------------------------------ one session


@dataclass
class Run:
    page: str
    started: float  # time.monotonic()
    seconds: float
    error: str | None = None


class Session:
    """One viewer's websocket session, as a browser tab holds it."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        base = parts.path.rstrip("/")
        self.ws_url = f"{scheme}://{parts.netloc}{base}/{STREAM}"
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.page_url = f"{self.origin}{base}/"
        self.ws: Any = None
        self.navigation: list[AppPage] = []
        # the browser's ForwardMsg cache: hash -> (run count when last used, problem the message carried)
        self._cache: dict[str, tuple[int, str | None]] = {}
        self._run_count = 0
        self._max_age = 2

    async def connect(self) -> None:
        # No pings: a browser sends none, and a busy server answering late must not look like a dropped viewer.
        self.ws = await websockets.connect(self.ws_url, subprotocols=SUBPROTOCOLS, origin=self.origin,
                                           max_size=None, ping_interval=None, open_timeout=30)

    async def close(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            with suppress(Exception):
                await asyncio.wait_for(ws.close(), 5)

    def _rerun_message(self, page: Page | None) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = page.script_hash if page else ""
        state.page_name = page.url_name if page else ""
        state.cached_message_hashes.extend(self._cache)
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "Europe/London", 0, "en-GB"
        info.url, info.is_embedded, info.color_scheme = self.page_url, False, "light"
        return msg.SerializeToString()

    @staticmethod
    def _problem(msg: ForwardMsg) -> str | None:
        """What in this message makes the run an error for the viewer, if anything."""
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            shown = element.WhichOneof("type")
            if shown == "exception":
                return f"exception {element.exception.type}: {element.exception.message[:160]}"
            if shown == "alert" and element.alert.format == Alert.ERROR:
                return f"error alert: {element.alert.body[:160]}"
        elif kind == "page_not_found":
            return "page not found"
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            return f"compile error: {msg.session_event.script_compilation_exception.message[:160]}"
        return None

    def _finish_run(self) -> None:
        # as the browser: after each finished run, forget cached messages unused for more than max_age runs
        self._run_count += 1
        self._cache = {h: v for h, v in self._cache.items() if self._run_count - v[0] <= self._max_age}

    async def run(self, page: Page | None, timeout: float) -> tuple[float, str | None]:
        """Request `page` (None: the dashboard's root URL, as a browser first opens it) and wait for its run to
        finish; the seconds taken and the first problem seen (None when the run was clean)."""
        started = time.perf_counter()
        deadline = started + timeout
        problem: str | None = None
        run_id: str | None = None
        await self.ws.send(self._rerun_message(page))
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError
            data = await asyncio.wait_for(self.ws.recv(), left)
            msg = ForwardMsg.FromString(data)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                used = self._cache.get(msg.ref_hash)
                if used is None:
                    return time.perf_counter() - started, f"cache miss for ref_hash {msg.ref_hash}"
                self._cache[msg.ref_hash] = (self._run_count, used[1])
                found = used[1]
            else:
                found = self._problem(msg)
                if msg.metadata.cacheable and msg.hash and msg.hash not in self._cache:
                    self._cache[msg.hash] = (self._run_count, found)
            problem = problem or found
            if kind == "new_session":
                run_id = msg.metadata.run.script_run_id or None
                self._max_age = msg.new_session.config.max_cached_message_age or self._max_age
            elif kind == "navigation":
                self.navigation = list(msg.navigation.app_pages)
            elif kind == "script_finished":
                ended = msg.metadata.run.script_run_id
                if run_id and ended and ended != run_id:
                    continue  # the end of an earlier run of this session, not the one asked for
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    run_id = None  # st.rerun(): the page is drawn by the run that follows
                    continue
                self._finish_run()
                if msg.script_finished not in FINISHED:
                    name = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                    problem = problem or f"script_finished {name}"
                return time.perf_counter() - started, problem

    async def measure(self, page: Page | None, timeout: float) -> Run:
        """One page request as a Run; connects first when the session is not open (reconnecting after a failure),
        and the time includes connecting, as a viewer waits for it."""
        key = page.key if page else "(root)"
        started, clock = time.monotonic(), time.perf_counter()
        try:
            if self.ws is None:
                await self.connect()
        except (OSError, TimeoutError, websockets.InvalidHandshake, websockets.InvalidURI) as e:
            self.ws = None
            return Run(key, started, time.perf_counter() - clock, f"cannot connect: {type(e).__name__}: {e}"[:200])
        try:
            _, problem = await self.run(page, timeout - (time.perf_counter() - clock))
            return Run(key, started, time.perf_counter() - clock, problem)
        except TimeoutError:
            error = f"no script_finished within {timeout:g} s"
        except websockets.ConnectionClosed as e:
            error = f"connection dropped ({e.rcvd.code if e.rcvd else 'no close frame'})"
        await self.close()
        return Run(key, started, time.perf_counter() - clock, error)


# ------------------------------------------------------------------------------------------------ CPU


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by process `pid`, from /proc; None where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _loop_lag(samples: list[float], stop: asyncio.Event) -> None:
    # how late a 50 ms sleep wakes up: when this grows, the load generator itself is slowing the figures
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.05)
        samples.append(time.perf_counter() - before - 0.05)


# ------------------------------------------------------------------------------------------------ loads


@dataclass
class Load:
    command: str  # "rollback" or "ingest"
    seconds: float
    status: int
    message: str


def _load_summary(loads: list[Load]) -> dict[str, Any]:
    out: dict[str, Any] = {"commands": len(loads), "failed": sum(x.status != 0 for x in loads)}
    for kind in ("ingest", "rollback"):
        times = sorted(x.seconds for x in loads if x.command == kind)
        out[kind] = {"n": len(times), "p50_s": round(percentile(times, 0.5), 2) if times else None,
                     "max_s": round(times[-1], 2) if times else None}
    out["failures"] = [x.message for x in loads if x.status != 0][:5]
    return out


class LoadLoop:
    """The writer while viewers run: roll back `file`'s live batch in `db` and load it again, until a deadline."""

    def __init__(self, db: Path, file: Path) -> None:
        self.db, self.file = db, file

    async def _cli(self, *args: str) -> tuple[int, str, str]:
        # the job's own look-up of the batch runs at the priority its loads take (analytics.cli.yield_to_viewers)
        nice = ["nice", "-n", os.environ.get("ASB_LOAD_NICE", "10")] if args[0] not in {"ingest", "rollback"} else []
        proc = await asyncio.create_subprocess_exec(
            *nice, sys.executable, "-m", "analytics", *args, "--db", str(self.db), cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        return proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")

    async def _live_batch(self) -> int | None:
        status, out, _ = await self._cli("batches", "--json")
        if status:
            return None
        live = [b for b in json.loads(out) if b["file"] == self.file.name and b["status"] != "rolled back"]
        return int(live[0]["id"]) if live else None

    async def run(self, deadline: float) -> list[Load]:
        loads: list[Load] = []
        while time.monotonic() < deadline:
            batch = await self._live_batch()
            step = ("rollback", str(batch)) if batch is not None else ("ingest", str(self.file))
            started = time.perf_counter()
            status, _, err = await self._cli(*step)
            loads.append(Load(step[0], time.perf_counter() - started, status, err.strip()[-300:]))
            if status:
                await asyncio.sleep(1)
        return loads


# ------------------------------------------------------------------------------------------------ a level


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))]


def _times(runs: list[Run]) -> dict[str, Any]:
    ok = sorted(r.seconds for r in runs if r.error is None)
    out: dict[str, Any] = {"runs": len(runs), "errors": sum(r.error is not None for r in runs)}
    for name, q in (("p50_ms", 0.5), ("p95_ms", 0.95), ("max_ms", 1.0)):
        out[name] = round(percentile(ok, q) * 1000, 1) if ok else None
    return out


@dataclass
class Level:
    viewers: int
    interval: float
    duration: float
    runs: list[Run] = field(default_factory=list)
    warmup: list[Run] = field(default_factory=list)
    elapsed: float = 0.0
    server_cpu: float | None = None
    server_cpu_note: str = "use --start or --server-pid"
    own_cpu: float = 0.0
    lag: list[float] = field(default_factory=list)
    loads: list[Load] | None = None

    def summary(self, pages: list[Page]) -> dict[str, Any]:
        per_page = {p.key: _times([r for r in self.runs if r.page == p.key]) for p in pages}
        total = _times(self.runs)
        clean = total["runs"] - total["errors"]
        lag = sorted(self.lag) or [0.0]
        return {
            "viewers": self.viewers, "interval_s": self.interval, "duration_s": self.duration,
            "elapsed_s": round(self.elapsed, 2),
            "runs": total["runs"], "errors": total["errors"],
            "runs_per_s": round(clean / self.elapsed, 2) if self.elapsed else None,  # runs without errors
            "pages": per_page, "all": total,
            "error_kinds": dict(Counter(f"{r.page}: {r.error}" for r in self.runs if r.error).most_common()),
            "warmup": {"runs": len(self.warmup), "errors": [r.error for r in self.warmup if r.error],
                       "max_ms": round(max((r.seconds for r in self.warmup), default=0) * 1000, 1)},
            "server_cpu_cores": round(self.server_cpu / self.elapsed, 2)
            if self.server_cpu is not None and self.elapsed else None,
            "server_cpu_ms_per_run": round(self.server_cpu / clean * 1000, 1)
            if self.server_cpu is not None and clean else None,
            "server_cpu_note": None if self.server_cpu is not None else self.server_cpu_note,
            # viewers whose page runs, at this CPU per run and each viewer's rate, would fill one core
            "viewers_per_core": round(clean * self.interval / self.server_cpu)
            if self.server_cpu and clean and self.interval else None,
            "generator_cpu_cores": round(self.own_cpu / self.elapsed, 3) if self.elapsed else None,
            "generator_loop_lag_p95_ms": round(percentile(lag, 0.95) * 1000, 1),
            "generator_loop_lag_max_ms": round(lag[-1] * 1000, 1),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "during_load": None if self.loads is None else _load_summary(self.loads),
        }


async def _viewer(session: Session, pages: list[Page], first: int, start: float, level: Level,
                  timeout: float) -> None:
    end = start + level.duration
    index = first
    next_start = start
    while next_start < end:
        await asyncio.sleep(max(0.0, next_start - time.monotonic()))
        page = pages[index % len(pages)]
        index += 1
        run = await session.measure(page, timeout)
        level.runs.append(run)
        next_start = max(run.started + level.interval, time.monotonic())


def _cpu(pids: list[int]) -> float | None:
    used = [process_cpu(pid) for pid in pids]
    return None if not used or any(u is None for u in used) else sum(u for u in used if u is not None)


async def run_level(url: str | list[str], viewers: int, pages: list[Page], *, interval: float, duration: float,
                    timeout: float = 60, warmup_timeout: float = 300, server_pid: int | list[int] | None = None,
                    writer: LoadLoop | None = None) -> Level:
    """`viewers` sessions (viewer i on server i mod N when `url` lists N servers), each first opening the root URL
    (not counted), then cycling through `pages` for `duration` seconds. Runs started in that time are all waited
    for and counted. `writer`: command-line loads run while the viewers do."""
    urls = [url] if isinstance(url, str) else url
    pids = [server_pid] if isinstance(server_pid, int) else list(server_pid or [])
    level = Level(viewers, interval, duration)
    sessions = [Session(urls[i % len(urls)]) for i in range(viewers)]
    try:
        level.warmup = list(await asyncio.gather(*(s.measure(None, warmup_timeout) for s in sessions)))
        stop = asyncio.Event()
        lag = asyncio.create_task(_loop_lag(level.lag, stop))
        cpu_before = _cpu(pids) if pids else None
        own_before = time.process_time()
        start = time.monotonic() + 0.05
        loads = asyncio.create_task(writer.run(start + duration)) if writer else None
        # spread the viewers' first requests over one interval and their first pages over the cycle
        await asyncio.gather(*(_viewer(s, pages, i, start + interval * i / viewers, level, timeout)
                               for i, s in enumerate(sessions)))
        level.elapsed = time.monotonic() - start
        level.own_cpu = time.process_time() - own_before
        cpu_after = _cpu(pids) if pids else None
        if loads is not None:
            level.loads = await loads
        if cpu_before is not None and cpu_after is not None:
            level.server_cpu = cpu_after - cpu_before
        elif pids:
            level.server_cpu_note = f"process {pids} could not be read at the start or the end"
        stop.set()
        await lag
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    return level


@dataclass
class Warmup:
    healthy_s: float
    first_run: Run
    tour: list[Run]
    available: list[Page]


async def warm_up(url: str, wanted: list[str] | None, *, health_timeout: float = 300,
                  warmup_timeout: float = 300) -> tuple[Warmup, list[Page], list[str]]:
    """Wait for a healthy server, open the dashboard once (the first run may load the demo data), find the pages
    in its navigation and run each chosen page once so the figures' caches are warm. Nothing here is counted."""
    healthy = await asyncio.to_thread(wait_healthy, url, health_timeout)
    session = Session(url)
    try:
        first = await session.measure(None, warmup_timeout)
        if first.error:
            raise RuntimeError(f"the first page run failed: {first.error}")
        available = pages_of(session.navigation)
        pages, unknown = choose_pages(available, wanted)
        tour = [await session.measure(p, warmup_timeout) for p in pages]
    finally:
        await session.close()
    return Warmup(healthy, first, tour, available), pages, unknown


# ------------------------------------------------------------------------------------------------ a server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, timeout: float, server: subprocess.Popen[bytes] | None = None) -> float:
    """Seconds until GET /_stcore/health answers 200."""
    started = time.monotonic()
    while True:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url.rstrip('/')}/{HEALTH}", timeout=5) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{url} did not answer {HEALTH} within {timeout:g} s")
        time.sleep(0.25)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    healthy_s: float = 0.0


@contextmanager
def serve(db: Path, *, port: int | None = None, log: Path | None = None, timeout: float = 120) -> Iterator[Server]:
    """`streamlit run dashboard.py` on database `db` (ASB_DB) on 127.0.0.1; stopped afterwards."""
    port = port or free_port()
    log = log or ROOT / "bench" / "out" / "viewers-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, "ASB_DB": str(db)}, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        try:
            server.healthy_s = wait_healthy(server.url, timeout, process)
        except (RuntimeError, TimeoutError) as e:
            raise RuntimeError(f"{e}; its log ({log}) ends:\n{log.read_text(errors='replace')[-3000:]}") from e
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ------------------------------------------------------------------------------------------------ report


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def print_level(s: dict[str, Any]) -> None:
    cpu = (f"server CPU not measured ({s['server_cpu_note']})" if s["server_cpu_cores"] is None else
           f"server CPU {s['server_cpu_cores']:.2f} cores, {_ms(s['server_cpu_ms_per_run'])} ms per run")
    print(f"\n{s['viewers']} viewer(s), a page every {s['interval_s']:g} s each, for {s['duration_s']:g} s "
          f"(all runs done after {s['elapsed_s']:.1f} s)")
    print(f"  runs {s['runs']}, errors {s['errors']}; {s['runs_per_s']} runs without errors per s; {cpu}")
    if s.get("viewers_per_core"):
        print(f"  at that CPU per run, one core is full with about {s['viewers_per_core']} viewers each opening a "
              f"page every {s['interval_s']:g} s")
    print(f"  load generator CPU {s['generator_cpu_cores']:.2f} cores, event-loop lag p95 "
          f"{s['generator_loop_lag_p95_ms']:.0f} ms, max {s['generator_loop_lag_max_ms']:.0f} ms; "
          f"load average {s['load_average_1m']}")
    if s["warmup"]["errors"]:
        print(f"  warm-up errors (not counted): {Counter(s['warmup']['errors']).most_common()}")
    print(f"  {'page':18} {'runs':>5} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, t in [*s["pages"].items(), ("all pages", s["all"])]:
        print(f"  {name:18} {t['runs']:5} {t['errors']:6} {_ms(t['p50_ms']):>8} {_ms(t['p95_ms']):>8} "
              f"{_ms(t['max_ms']):>8}")
    for what, n in s["error_kinds"].items():
        print(f"  error ×{n}: {what}")
    if s["during_load"] is not None:
        d = s["during_load"]
        print(f"  during the level: {d['ingest']['n']} loads (p50 {d['ingest']['p50_s']} s, max "
              f"{d['ingest']['max_s']} s) and {d['rollback']['n']} roll-backs (p50 {d['rollback']['p50_s']} s), "
              f"{d['failed']} failed" + (f": {d['failures']}" if d["failures"] else ""))


def _levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--viewers takes a number or a list like 1,10,25,50, not {text!r}") from None
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("--viewers needs numbers of at least 1")
    return levels


async def bench(args: argparse.Namespace, url: str | list[str], server_pid: int | list[int] | None,
                started_s: float | None = None) -> dict[str, Any]:
    """The whole benchmark: warm-up, then each level of viewers in turn; the results, printed unless --json."""
    wanted = [p.strip() for p in args.pages.split(",") if p.strip()] if args.pages else None
    urls = [url] if isinstance(url, str) else url
    warm, pages, unknown = await warm_up(urls[0], wanted, health_timeout=args.health_timeout,
                                         warmup_timeout=args.warmup_timeout)
    for other in urls[1:]:  # each replica's caches warm too
        await warm_up(other, wanted, health_timeout=args.health_timeout, warmup_timeout=args.warmup_timeout)
    writer = LoadLoop(args.db.resolve(), args.load_file.resolve()) if args.during_load else None
    for name in unknown:
        print(f"page {name!r} is not in the navigation ({', '.join(p.key for p in warm.available)}); it is requested "
              "by URL name, and the server's answer is counted", file=sys.stderr)
    result: dict[str, Any] = {
        "url": url, "replicas": len(urls), "during_load": bool(writer), "pages": [p.key for p in pages],
        "warmup": {"server_start_s": None if started_s is None else round(started_s, 2),
                   "healthy_after_s": round(warm.healthy_s, 2),
                   "first_run_ms": round(warm.first_run.seconds * 1000, 1),
                   "page_tour_ms": {r.page: round(r.seconds * 1000, 1) for r in warm.tour},
                   "page_tour_errors": {r.page: r.error for r in warm.tour if r.error}},
        "levels": [],
    }
    if not args.json:
        tour = ", ".join(f"{r.page} {r.seconds * 1000:.0f}" + (f" ({r.error})" if r.error else "") for r in warm.tour)
        start = "" if started_s is None else f"server started in {started_s:.1f} s; "
        print(f"{', '.join(urls)}: {start}healthy after {warm.healthy_s:.1f} s; first run "
              f"{warm.first_run.seconds:.1f} s; one run of each page (ms, not counted): {tour}")
        print(f"pages: {', '.join(p.key for p in pages)}; {os.cpu_count()} CPUs")
    for viewers in args.viewers:
        level = await run_level(urls, viewers, pages, interval=args.interval, duration=args.duration,
                                timeout=args.timeout, warmup_timeout=args.warmup_timeout, server_pid=server_pid,
                                writer=writer)
        summary = level.summary(pages)
        result["levels"].append(summary)
        if not args.json:
            print_level(summary)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501",
                        help="the dashboard's address, or several (replicas) separated by commas")
    parser.add_argument("--viewers", type=_levels, default=[1], help="N, or levels run in turn: 1,10,25,50")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between one viewer's page requests")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of measuring per level")
    parser.add_argument("--pages", help="pages to cycle through, e.g. overview,asb (default: all in the navigation)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a page run may take before it is an error")
    parser.add_argument("--warmup-timeout", type=float, default=300.0, help="seconds for the runs not counted")
    parser.add_argument("--health-timeout", type=float, default=300.0, help="seconds to wait for a healthy server")
    parser.add_argument("--server-pid", help="the servers' process ids (comma-separated), to report their CPU")
    parser.add_argument("--start", action="store_true", help="start its own server(s) on --db; stop them after")
    parser.add_argument("--replicas", type=int, default=1, help="with --start: how many servers (default 1)")
    parser.add_argument("--db", type=Path, help="the database file (ASB_DB): for --start and --during-load")
    parser.add_argument("--during-load", action="store_true",
                        help="run command-line loads into --db (roll back --load-file, load it again) meanwhile")
    parser.add_argument("--load-file", type=Path, default=ROOT / "data" / "demo" / "police-uk" /
                        "2025-12-kent-street.csv.gz", help="the file --during-load loads (default: the demo's "
                        "December 2025)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.interval <= 0 or args.duration <= 0 or args.timeout <= 0:
        parser.error("--interval, --duration and --timeout must be positive")
    if args.start and args.db is None:
        parser.error("--start needs --db PATH (the database the server opens; an empty one gets the demo data)")
    if args.during_load and args.db is None:
        parser.error("--during-load needs --db PATH (the database the servers serve)")
    if args.replicas < 1:
        parser.error("--replicas needs 1 or more")
    try:
        if args.start:
            with ExitStack() as stack:
                servers = []
                for i in range(args.replicas):
                    log = ROOT / "bench" / "out" / f"viewers-server-{i + 1}.log"
                    servers.append(stack.enter_context(serve(args.db.resolve(), log=log,
                                                             timeout=args.health_timeout)))
                    if i == 0:  # the first start (which may load the demo) before the others
                        asyncio.run(warm_up(servers[0].url, None, health_timeout=args.health_timeout,
                                            warmup_timeout=args.warmup_timeout))
                result = asyncio.run(bench(args, [s.url for s in servers], [s.process.pid for s in servers],
                                           servers[0].healthy_s))
        else:
            pids = [int(x) for x in args.server_pid.split(",")] if args.server_pid else None
            result = asyncio.run(bench(args, [u.strip() for u in args.url.split(",") if u.strip()], pids))
    except (RuntimeError, TimeoutError, OSError) as e:
        print(f"viewers: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
    return 1 if any(level["errors"] for level in result["levels"]) else 0


if __name__ == "__main__":
    sys.exit(main())
