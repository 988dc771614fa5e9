"""What every request of the app shares: the store, the team, the clock, the limiter.

One :class:`~planner.store.Store` per app. It is safe across threads: each store method
opens its own SQLAlchemy session from the engine's connection pool (QueuePool; for a
SQLite file SQLAlchemy 2 turns off pysqlite's same-thread check) and closes it before
returning, and the returned dataclasses are immutable. Blocking calls (SQL, argon2) run
in Starlette's worker threads (:meth:`AppContext.run`) so the event loop stays free.

SQLite lets one connection write at a time. A transaction that reads and then writes can
fail at once with "database is locked" when another connection of the same process
writes meanwhile (SQLite then skips its busy wait to avoid a deadlock), so the app runs
its writes one after another (:meth:`AppContext.write`). Writers in other processes
(the command line) are waited for by pysqlite's 5-second busy timeout. PostgreSQL needs
none of this; the lock only costs a little there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, ParamSpec, TypeVar, cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from planner.geocode import using_resolver
from planner.model import Team
from planner.render._format import ESTIMATE_NOTE, travel_note
from planner.store import Store
from planner.web.security import LoginLimiter

if TYPE_CHECKING:
    from planner.geocode.base import PlaceResolver
    from planner.render.minimap import LegPath
    from planner.traveltime import TravelTimeProvider

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class AppContext:
    store: Store
    team: Team
    today: Callable[[], date]
    now: Callable[[], datetime]  # naive Europe/Berlin wall-clock time, like the store
    secret: bytes  # signs the login form's token
    secure_cookies: bool
    #: Travel times of every plan, suggestion and tour the app shows: road times from
    #: ``planner web --strassen`` (or the team's OSRM server, or the calibrated estimate);
    #: None: the built-in estimate.
    travel: TravelTimeProvider | None = None
    #: Geocoding of imported lists: the address index of the road data (and the team's
    #: servers) before the village gazetteer; None: the gazetteer alone.
    resolver: PlaceResolver | None = None
    #: The driven line of a leg (road data): route sheets draw tours along the roads.
    leg_path: LegPath | None = None
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking read (SQL, argon2) in a worker thread."""

        def located() -> T:
            with using_resolver(self.resolver):
                return fn(*args, **kwargs)

        return await run_in_threadpool(located)

    async def write(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking change in a worker thread, one change at a time."""

        def locked() -> T:
            with self.write_lock, using_resolver(self.resolver):
                return fn(*args, **kwargs)

        return await run_in_threadpool(locked)

    @property
    def travel_note(self) -> str:
        """How the driving times the app shows were obtained (German, said once)."""
        if self.travel is None:
            return ESTIMATE_NOTE
        return travel_note(self.travel.is_estimate, self.travel.description)

    def coach_name(self, key: str) -> str:
        """The name of a coach key of the team file (the key itself when unknown)."""
        return next((c.name for c in self.team.coaches if c.key == key), key)


def context(request: Request) -> AppContext:
    return cast(AppContext, request.app.state.ctx)
