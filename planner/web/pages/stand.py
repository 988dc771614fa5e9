"""Stand (lead only): where the campaign stands – reached share overall, per region and
per coach, who waits longest, attempts per reached person, outcomes by code.

The figures come from :func:`planner.workflow.stats_for`; this module only formats them
(German numbers: decimal comma, "41 %") and lays out the bars. The template draws the
charts as SVG (no chart library, no inline style: bar lengths are SVG attributes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from planner.campaign.stats import CampaignStats, Share
from planner.store import Role
from planner.web.context import AppContext, context
from planner.web.pages import render
from planner.web.pages.cases import case_href
from planner.web.security import require_role
from planner.workflow import stats_for

#: Height of one bar row in the SVG charts (label line above, bar below), in px.
ROW_HEIGHT = 46


def percent_de(share: float) -> str:
    """``0.4137`` → ``"41 %"`` (whole percent, halves rounded up)."""
    return f"{int(share * 100 + 0.5)} %"


def decimal_de(value: float, digits: int = 1) -> str:
    """``2.69`` → ``"2,7"``."""
    return f"{value:.{digits}f}".replace(".", ",")


def count_de(value: int) -> str:
    """``12345`` → ``"12.345"`` (German thousands separator)."""
    return f"{value:,}".replace(",", ".")


@dataclass(frozen=True)
class Bar:
    """One row of a chart: a label, the bar's length (0–100, % of the track) and the
    number written next to it."""

    label: str
    length: float
    value: str
    y: int  # top of the row in the SVG, px


def share_bars(shares: tuple[Share, ...], label: Callable[[str], str] | None = None) -> list[Bar]:
    """Reached share per group: "19 von 28 · 68 %"."""
    return [
        Bar(
            label(s.label) if label else s.label,
            round(s.share * 100, 1),
            f"{count_de(s.reached)} von {count_de(s.cases)} · {percent_de(s.share)}",
            i * ROW_HEIGHT,
        )
        for i, s in enumerate(shares)
    ]


def count_bars(counts: list[tuple[str, int]]) -> list[Bar]:
    """Counts, the largest as a full bar: "61 (27 %)" of the total."""
    top = max((n for _, n in counts), default=0)
    total = sum(n for _, n in counts)
    return [
        Bar(
            label,
            round(n / top * 100, 1) if top else 0.0,
            f"{count_de(n)} ({percent_de(n / total)})" if total else "0",
            i * ROW_HEIGHT,
        )
        for i, (label, n) in enumerate(counts)
    ]


async def stand_page(request: Request) -> Response:
    """GET /stand: the lead's figures with charts (the waiting list's reading is audited)."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    today = ctx.today()
    stats = await ctx.run(stats_for, ctx.store, ctx.team, today)
    # The page names cases (who waits longest): who looked is logged.
    await ctx.write(ctx.store.log, None, "Stand angesehen",
                    f"{stats.cases} Fälle, {len(stats.longest_waiting)} wartende angezeigt",
                    user=session.user.name, at=ctx.now())  # fmt: skip
    return render(request, "stand.html.j2", {"title": "Stand", **stand_view(ctx, stats)})


def stand_view(ctx: AppContext, stats: CampaignStats) -> dict[str, Any]:
    """What the template shows, formatted (pure but for the coach names of the team)."""
    regions = share_bars(stats.by_region)
    coaches = share_bars(stats.by_coach, ctx.coach_name)
    outcomes = count_bars([(o.label, n) for o, n in stats.by_outcome])
    per_reached = stats.attempts_per_reached
    return {
        "day": stats.day,
        "cases": count_de(stats.cases),
        "open": count_de(stats.open),
        "closed": count_de(stats.closed),
        "missing": count_de(stats.missing),
        "reached": count_de(stats.reached),
        "reached_share": percent_de(stats.reached_share),
        "reached_length": round(stats.reached_share * 100, 1),
        "attempts": count_de(stats.attempts),
        "per_reached": decimal_de(per_reached) if per_reached is not None else "–",
        "regions": regions,
        "coaches": coaches,
        "outcomes": outcomes,
        "row_height": ROW_HEIGHT,
        "waiting": [
            {
                "id": w.case_id,
                "href": case_href(w.case_id),
                "since": w.since,
                "days": count_de(w.days),
                "attempts": w.attempts,
                "step": w.step.label,
                "step_code": w.step.value,
            }
            for w in stats.longest_waiting
        ],
    }
