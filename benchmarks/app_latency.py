"""How fast the browser app serves its pages on a campaign store of 5,000 cases.

The store is ``benchmarks/campaign_store.py``'s (its functions, not a copy): the generated
list of 5,000 cases imported on Mon 05.10.2026, eight weeks of calls, letters and visits
(50,000 attempts asked) played by the rules, and the week from Mon 30.11.2026 planned and
published (``plan_from_store``, by default with a small solution budget: the plan is the
stage here, not what is measured). Two accounts are added: the lead and the coach with the
most published visits on the Monday.

The app runs in this process (``create_app`` with today Mon 30.11.2026, now 10:00) behind
Starlette's ``TestClient``, logged in once per account. Each page is requested once to
warm up (the first request after the start loads the store's snapshot: *first*), then
``--repeat`` times; per request the process's CPU time (``time.process_time``: the app's
worker threads included) and the wall time. *after a call*: the coach records a call
outcome, then the call list is requested (the snapshot is extended by the new attempt and
the figures derived from it are recomputed) – what a coach sees after every call.

Run from the repository root: ``.venv/bin/python benchmarks/app_latency.py --help``.
``--store DIR`` keeps the prepared store in DIR and reuses it next time (building takes
minutes). Results go to stdout, the ``app_latency`` section of ``docs/benchmarks.md`` and
``docs/benchmarks/app_latency.csv``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: only benchmarks/ is on the path, but `benchmarks` and `tests` are
    # packages at the root.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import cProfile
import csv
import pstats
import re
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock
from functools import partial

from starlette.testclient import TestClient

from benchmarks import campaign_store
from benchmarks._report import REPORT, ROOT, markdown_table, section_preamble, write_section
from benchmarks.generate import WEEK_START
from planner import settings
from planner.campaign.codes import Outcome
from planner.store import Role, Store
from planner.web import create_app, passwords
from planner.workflow import case_states, freeze_snapshots

SECTION = "app_latency"
CSV_PATH = ROOT / "docs" / "benchmarks" / "app_latency.csv"
TEAM_FILE = settings.DEMO_DIR / "team.toml"  # the team campaign_store.bench_team() loads
TARGET_MS = 200.0
DEFAULT_REPEAT = 50
#: Budget of the week's plan: enough for a published week with visits in it.
DEFAULT_SOLUTIONS = 20
TODAY = WEEK_START  # Monday 30.11.2026
NOW = datetime.combine(TODAY, clock(10, 0))
LEAD, PASSWORD = "leitung", "benchmark-passwort"
READY = "bereit.txt"  # marks a completely prepared store in --store DIR
AFTER_CALL = "Anrufliste nach einem Anruf"
AFTER_DECLINE = "Anrufliste nach einer Absage"
AFTER_CHANGE = "Woche nach einer Planänderung"


# --------------------------------------------------------------------------- the store


@dataclass(frozen=True)
class Prepared:
    db: Path
    cases: int
    attempts: int
    published: int  # visits in the published week
    coach: str  # the coach account's key
    coach_visits: int  # their published visits on TODAY


def _published(db: Path) -> tuple[int, Counter[str]]:
    with Store.open(str(db)) as store:
        publication = store.publication(WEEK_START, 5)
    visits = publication.visits if publication is not None else ()
    return len(visits), Counter(p.coach for p in visits if p.start.date() == TODAY)


def build(folder: Path, args: argparse.Namespace) -> Path:
    """Build the store in ``folder`` (campaign_store's list, history and plan)."""
    db = folder / "kampagne.db"
    db.unlink(missing_ok=True)
    team = campaign_store.bench_team()
    clients = campaign_store.write_list(args.cases, args.seed, folder)
    began = time.perf_counter()
    campaign_store.import_cases(db, clients, args.cases)
    figures = campaign_store.record_history(db, team, args.attempts, args.seed)
    print(f"store: {figures.cases:,} cases, {figures.attempts:,} attempts "
          f"({time.perf_counter() - began:.0f} s)", flush=True)  # fmt: skip
    stopping = campaign_store.budget(args.solutions, args.time_limit)
    planned = campaign_store.plan(db, args.cases, stopping)
    print(f"plan: {planned.planned} of {planned.due} due visits planned and published "
          f"({planned.cost.wall_s:.0f} s)", flush=True)  # fmt: skip
    visits, today = _published(db)
    coach = today.most_common(1)[0][0] if today else team.coaches[0].key
    with Store.open(str(db)) as store:
        for name, role, key in ((LEAD, Role.LEAD, None), (coach, Role.COACH, coach)):
            store.add_user(name, role, passwords.hash_password(PASSWORD), key, user="benchmark")
    (folder / READY).write_text(f"{args.cases} {args.attempts} {args.seed}\n", "utf-8")
    return db


def prepare(folder: Path, args: argparse.Namespace) -> Prepared:
    """The store of ``folder``: reused when it was prepared with the same figures."""
    ready = folder / READY
    wanted = f"{args.cases} {args.attempts} {args.seed}\n"
    folder.mkdir(parents=True, exist_ok=True)
    if ready.exists() and ready.read_text("utf-8") == wanted:
        db = folder / "kampagne.db"
        print(f"store: reused {db}", flush=True)
    else:
        db = build(folder, args)
    visits, today = _published(db)
    with Store.open(str(db)) as store:
        (coach_user,) = (u for u in store.users() if u.role is Role.COACH)
        attempts = len(store.attempts())
        cases = len(store.cases())
    coach = coach_user.coach or ""
    return Prepared(db, cases, attempts, visits, coach, today[coach])


# --------------------------------------------------------------------------- the pages


@dataclass(frozen=True)
class Page:
    label: str
    account: str  # LEAD or the coach
    path: str


@dataclass(frozen=True)
class Timing:
    page: Page
    status: int
    first_cpu_ms: float  # the warm-up request (the very first one loads the snapshot)
    first_wall_ms: float
    cpu_ms: tuple[float, ...]
    wall_ms: tuple[float, ...]

    @property
    def p50_cpu(self) -> float:
        return percentile(self.cpu_ms, 50)

    @property
    def p95_cpu(self) -> float:
        return percentile(self.cpu_ms, 95)

    @property
    def p50_wall(self) -> float:
        return percentile(self.wall_ms, 50)

    @property
    def p95_wall(self) -> float:
        return percentile(self.wall_ms, 95)

    @property
    def within(self) -> bool:
        return self.p95_wall <= TARGET_MS and self.p95_cpu <= TARGET_MS


def percentile(values: Sequence[float], q: int) -> float:
    """The ``q``-th percentile (linear between the closest ranks, as numpy's default)."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def pages(prepared: Prepared) -> list[Page]:
    """What each account opens; the case and the search come from the store."""
    coach = prepared.coach
    with Store.open(str(prepared.db)) as store:
        cases, attempts, states = case_states(store, TODAY)
    by_case = Counter(a.case_id for a in attempts)
    own = [c for c in cases if states[c.id].coach == coach]
    # The coach's case with the longest history: the heaviest case page.
    case = max(own or cases, key=lambda c: (by_case[c.id], c.id))
    surname = case.client.name.split()[-1] if case.client.name else case.id
    return [
        Page("Heute", coach, "/heute"),
        Page("Anrufliste", coach, "/anrufe"),
        Page("Fälle", coach, "/faelle"),
        Page("Fälle, Suche", coach, f"/faelle?q={surname}"),
        Page("Fall", coach, f"/faelle/{case.id}"),
        Page("Woche", LEAD, "/woche"),
        Page("Fälle", LEAD, "/faelle"),
        Page("Fälle, Suche", LEAD, f"/faelle?q={surname}"),
        Page("Fall", LEAD, f"/faelle/{case.id}"),
        Page("Stand", LEAD, "/stand"),
        Page("Heute (Coach gewählt)", LEAD, f"/heute?coach={coach}"),
    ]


def log_in(client: TestClient, name: str) -> None:
    form = client.get("/login").text
    token = re.search(r'name="token" value="([^"]+)"', form)
    assert token is not None
    done = client.post("/login", data={"name": name, "passwort": PASSWORD,
                                       "token": token.group(1)})  # fmt: skip
    assert done.status_code == 303, done.status_code


def timed(request: Callable[[], int]) -> tuple[int, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    status = request()
    return status, (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def measure(client: TestClient, page: Page, repeat: int) -> Timing:
    status, first_cpu, first_wall = timed(lambda: client.get(page.path).status_code)
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(repeat):
        again, spent_cpu, spent_wall = timed(lambda: client.get(page.path).status_code)
        assert again == status == 200, f"{page.path}: {again}"
        cpu.append(spent_cpu)
        wall.append(spent_wall)
    return Timing(page, status, first_cpu, first_wall, tuple(cpu), tuple(wall))


def measure_after_call(
    client: TestClient, coach: str, repeat: int, outcome: Outcome = Outcome.MAILBOX
) -> Timing:
    """The call list right after each recorded call (the first entry: Mailbox, or an
    outcome that closes the case, which changes the case as well)."""
    label = AFTER_CALL if outcome is Outcome.MAILBOX else AFTER_DECLINE
    page = Page(label, coach, "/anrufe")
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(repeat + 1):
        html = client.get("/anrufe").text
        entry = re.search(r'name="kunden_nr" value="([^"]+)"', html)
        csrf = re.search(r'name="csrf" value="([^"]+)"', html)
        assert entry is not None and csrf is not None, "die Anrufliste ist leer"
        data = {"csrf": csrf.group(1), "kunden_nr": entry.group(1), "ergebnis": outcome.value}
        assert client.post("/anrufe/ergebnis", data=data).status_code == 303
        status, spent_cpu, spent_wall = timed(lambda: client.get("/anrufe").status_code)
        assert status == 200
        cpu.append(spent_cpu)
        wall.append(spent_wall)
    return Timing(page, 200, cpu[0], wall[0], tuple(cpu[1:]), tuple(wall[1:]))


def measure_after_unpin(client: TestClient, prepared: Prepared, repeat: int) -> Timing:
    """The week right after each change to the published plan (a visit taken out of it:
    every booking and every move is such a new version of the plan)."""
    page = Page(AFTER_CHANGE, LEAD, "/woche")
    with Store.open(str(prepared.db)) as store:
        publication = store.publication(WEEK_START, 5)
    pins = sorted(
        (p for p in (publication.visits if publication else ()) if p.start > NOW),
        key=lambda p: (p.start, p.case_id),
    )[: repeat + 1]
    assert len(pins) >= 2, "zu wenige veröffentlichte Besuche nach dem Warmlaufen"
    cpu: list[float] = []
    wall: list[float] = []
    for pin in pins:
        html = client.get("/woche").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', html)
        assert csrf is not None
        data = {"csrf": csrf.group(1), "von": f"{WEEK_START:%d.%m.%Y}", "kunden_nr": pin.case_id,
                "tag": pin.start.date().isoformat()}  # fmt: skip
        assert client.post("/woche/loesen", data=data).status_code == 303
        status, spent_cpu, spent_wall = timed(lambda: client.get("/woche").status_code)
        assert status == 200
        cpu.append(spent_cpu)
        wall.append(spent_wall)
    return Timing(page, 200, cpu[0], wall[0], tuple(cpu[1:]), tuple(wall[1:]))


def run_pages(prepared: Prepared, repeat: int, profile: str | None = None) -> list[Timing]:
    """Every page for its account, then the call list after calls (on a copy of the store:
    the calls are recorded)."""
    with tempfile.TemporaryDirectory(prefix="bm-app-") as tmp:
        db = Path(tmp) / "kampagne.db"
        shutil.copyfile(prepared.db, db)
        freeze_snapshots()  # as `planner web` (serve) does
        app = create_app(str(db), TEAM_FILE, secret=b"b" * 32, today=lambda: TODAY,
                         now=lambda: NOW)  # fmt: skip
        clients: dict[str, TestClient] = {}
        timings: list[Timing] = []
        with (
            TestClient(app, follow_redirects=False) as lead,
            TestClient(app, follow_redirects=False) as coach,
        ):
            clients = {LEAD: lead, prepared.coach: coach}
            for name, client in clients.items():
                log_in(client, name)
            listed = pages(prepared)
            scenarios: list[tuple[str, Callable[[], Timing]]] = [
                *((p.label, partial(measure, clients[p.account], p, repeat)) for p in listed),
                (AFTER_CALL, partial(measure_after_call, coach, prepared.coach, repeat)),
                (
                    AFTER_DECLINE,
                    partial(measure_after_call, coach, prepared.coach, repeat, Outcome.DECLINED),
                ),
                (AFTER_CHANGE, partial(measure_after_unpin, lead, prepared, repeat)),
            ]
            if profile is not None:
                for label, scenario in scenarios:
                    if profile.casefold() in label.casefold():
                        with cProfile.Profile() as profiler:
                            scenario()
                        print(f"\n== {label}")
                        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
                return []
            for _, scenario in scenarios:
                timings.append(scenario())
                print(_line(timings[-1]), flush=True)
    return timings


def _line(t: Timing) -> str:
    return (
        f"{t.page.label:28} {t.page.account:10} first {t.first_wall_ms:7.0f} ms, p50 "
        f"{t.p50_wall:6.1f} ms, p95 {t.p95_wall:6.1f} ms wall (CPU p95 {t.p95_cpu:6.1f} ms)"
    )


# --------------------------------------------------------------------------- report

TABLE_HEADER = [
    "page",
    "account",
    "requests",
    "first ms",
    "p50 CPU ms",
    "p95 CPU ms",
    "p50 wall ms",
    "p95 wall ms",
    f"≤ {TARGET_MS:.0f} ms",
]


def table_rows(timings: Sequence[Timing], coach: str) -> list[list[str]]:
    return [
        [
            f"{t.page.label} (`{t.page.path.split('?')[0]}`)",
            "Leitung" if t.page.account == LEAD else f"Coach {coach}",
            str(len(t.wall_ms)),
            f"{t.first_wall_ms:.0f}",
            f"{t.p50_cpu:.1f}",
            f"{t.p95_cpu:.1f}",
            f"{t.p50_wall:.1f}",
            f"{t.p95_wall:.1f}",
            "yes" if t.within else "**no**",
        ]
        for t in timings
    ]


def markdown(timings: Sequence[Timing], prepared: Prepared, args: argparse.Namespace) -> str:
    missed = [t for t in timings if not t.within]
    verdict = (
        f"All pages within {TARGET_MS:.0f} ms at the 95th percentile (CPU and wall)."
        if not missed
        else f"Over {TARGET_MS:.0f} ms at the 95th percentile: "
        + ", ".join(f"{t.page.label} ({t.page.account})" for t in missed)
        + "."
    )
    return "\n".join(
        [
            "## Browser app: page latency on a store of 5,000 cases (`benchmarks/app_latency.py`)",
            "",
            section_preamble().rstrip(),
            f"- Store: `benchmarks/campaign_store.py`'s (seed {args.seed}): {prepared.cases:,} "
            f"cases, {prepared.attempts:,} attempts; the week from Mon {WEEK_START:%d.%m.%Y} "
            f"published with {prepared.published:,} visits (plan budget "
            f"{args.solutions} solutions); SQLite",
            f"- App: in this process behind Starlette's `TestClient`; today "
            f"{TODAY:%d.%m.%Y}, now {NOW:%H:%M}; accounts: the lead and coach `{prepared.coach}` "
            f"({prepared.coach_visits} published visits that day)",
            "",
            markdown_table(TABLE_HEADER, table_rows(timings, prepared.coach)),
            "",
            verdict,
            "",
            "*first*: the warm-up request of each page (wall); the very first request after the "
            "start loads the store's snapshot (cases, attempts, states; `planner web` does that "
            "in the background when it starts), every later one finds it cached. Then each page "
            f"{args.repeat} times: *CPU* is `time.process_time` of the process around one "
            "request (the app's worker threads included), *wall* the time until the answer was "
            "read; p50/p95 over those requests. Every request is a full one: the session is "
            "checked in the database, the read is written to the audit trail, the page "
            "rendered. *Anrufliste nach einem Anruf*: the coach records a call outcome "
            "(Mailbox, first entry), then the call list is requested, "
            f"{args.repeat} times: the snapshot is extended by the new attempt and the figures "
            "derived from it (reachability, the coach's cases) are computed again. *Anrufliste "
            "nach einer Absage*: the same with the outcome Abgelehnt, which closes the case: the "
            "snapshot re-reads that one case and its attempts as well. *Woche nach "
            "einer Planänderung*: the lead takes a published visit out of the plan (a new "
            "version of the plan, as every booking and every move), then the week is "
            "requested: the published tours are replayed from the new version's pins.",
            "",
            "What made the pages fast (first run of this benchmark: Woche 2.6 CPU-s per "
            "request, Stand 0.17, the call list after a call 0.3 and after a plan change "
            "2.9 CPU-s; recording one outcome took 2.4 s): `tours_of_week` read every case "
            "and attempt from the database on each request even when the replayed tours were "
            "cached – it now uses the workflow's snapshot; `record_attempts` compared a new "
            "outcome with all 50,000 stored attempts – now with the attempts of its own "
            "case; a recorded call made the reachability model count all attempts again "
            "(0.2 s) – it is now extended by the new attempt (`reachability.extend`, equal "
            "to a full count); a new publication reloaded the whole snapshot (2 s) – "
            "`Store.revision` now tracks publications by their highest id, so a plan change "
            "keeps cases, attempts and states; `Store.publication` read the visits of every "
            "version of a week's plan to return the newest – now only the newest one's; a "
            "coach's visible cases (`coach_case_ids`, on every page a coach opens), the "
            "Stand figures and the cases with their regions are cached per store revision; "
            "and the long-running app keeps the snapshot out of Python's cyclic garbage "
            "collector (`workflow.freeze_snapshots`, as `planner web` does; a full "
            "collection over it cost 0.1–0.25 s every dozen requests); a snapshot is loaded "
            "with the collector paused (about 40 % less CPU for the first request). A call "
            "that closes a case (Abgelehnt) made every reader load a new snapshot (2.2 CPU-s "
            "at the median for the next call list, measured 2026-12-02 before the change) – "
            "each case row now carries the revision of its last change, and the snapshot "
            "re-reads only the changed cases and their attempts (`Store.cases_changed_after`, "
            "migration 0005).",
        ]
    )


def write_csv(timings: Sequence[Timing], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["page", "account", "path", "requests", "first_cpu_ms", "first_wall_ms",
                         "p50_cpu_ms", "p95_cpu_ms", "p50_wall_ms", "p95_wall_ms",
                         "max_wall_ms", "within_target"])  # fmt: skip
        for t in timings:
            writer.writerow([
                t.page.label, t.page.account, t.page.path, len(t.wall_ms),
                f"{t.first_cpu_ms:.1f}", f"{t.first_wall_ms:.1f}", f"{t.p50_cpu:.1f}",
                f"{t.p95_cpu:.1f}", f"{t.p50_wall:.1f}", f"{t.p95_wall:.1f}",
                f"{max(t.wall_ms, default=0):.1f}", t.within,
            ])  # fmt: skip
    return path


# --------------------------------------------------------------------------- CLI


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be positive")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure how fast the browser app serves each page on a campaign store."
    )
    parser.add_argument("--cases", type=_positive, default=campaign_store.DEFAULT_CASES)
    parser.add_argument("--attempts", type=_positive, default=campaign_store.DEFAULT_ATTEMPTS)
    parser.add_argument("--seed", type=int, default=campaign_store.DEFAULT_SEED)
    parser.add_argument("--repeat", type=_positive, default=DEFAULT_REPEAT, metavar="N",
                        help="requests per page after the warm-up")  # fmt: skip
    parser.add_argument("--solutions", type=_positive, default=DEFAULT_SOLUTIONS, metavar="N",
                        help="solution limit of the week's plan")  # fmt: skip
    parser.add_argument("--time-limit", type=float, default=None, metavar="S",
                        help="safety-net time limit of the week's plan")  # fmt: skip
    parser.add_argument("--store", type=Path, default=None, metavar="DIR",
                        help="keep the prepared store here and reuse it")  # fmt: skip
    parser.add_argument("--profile", default=None, metavar="PAGE",
                        help="cProfile the pages whose label contains PAGE; no report")  # fmt: skip
    parser.add_argument("--out", type=Path, default=REPORT)
    parser.add_argument("--csv", type=Path, default=CSV_PATH)
    parser.add_argument("--no-write", action="store_true", help="print only, write no files")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> tuple[Prepared, list[Timing]]:
    if args.store is not None:
        prepared = prepare(args.store, args)
        return prepared, run_pages(prepared, args.repeat, args.profile)
    with tempfile.TemporaryDirectory(prefix="bm-app-store-") as tmp:
        prepared = prepare(Path(tmp), args)
        return prepared, run_pages(prepared, args.repeat, args.profile)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    prepared, timings = run(args)
    if args.profile is not None:
        return 0
    print()
    print(markdown_table(TABLE_HEADER, table_rows(timings, prepared.coach)))
    if not args.no_write:
        print(f"\nwrote {write_section(SECTION, markdown(timings, prepared, args), args.out)}")
        print(f"wrote {write_csv(timings, args.csv)}")
    return 0 if all(t.within for t in timings) else 1


if __name__ == "__main__":
    sys.exit(main())
