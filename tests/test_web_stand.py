"""The Stand page: the lead's figures from workflow.stats_for, as SVG bar charts with the
numbers written next to the bars, German number formats; coaches get 403."""

# The fixtures come from tests.webapp by import; their parameters "redefine" them.
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from planner.campaign.stats import Share
from planner.web.pages.stand import count_bars, count_de, decimal_de, percent_de, share_bars
from planner.workflow import stats_for
from tests.webapp import (  # noqa: F401 (client, clock, db, seeded_template: fixtures)
    DAY,
    client,
    clock,
    db,
    log_in,
    seeded_template,
    store_of,
    team,
)

COACH_NAMES = {"anna": "Anna Becker", "jonas": "Jonas Hofmann", "mira": "Mira Schulz"}


def chart(html: str, css: str) -> list[tuple[str, str, float]]:
    """(label, number text, bar length in %) of each bar of the chart ``css``."""
    svg = re.search(rf'<svg class="chart {css}".*?</svg>', html, re.S)
    assert svg is not None, css
    bars = re.findall(
        r'<g role="listitem" class="bar">\s*<text[^>]*class="bar-label">([^<]*)</text>\s*'
        r'<text[^>]*class="bar-value">([^<]*)</text>.*?'
        r'<rect x="0" y="\d+" width="([\d.]+)%"[^>]*class="bar-fill"/>',
        svg.group(0),
        re.S,
    )
    return [(label, value, float(width)) for label, value, width in bars]


def test_coach_gets_403(client: TestClient) -> None:
    log_in(client, "jonas")
    refused = client.get("/stand")
    assert refused.status_code == 403 and "Leitung" in refused.text
    assert "BM-" not in refused.text


def test_figures_match_the_workflow(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    page = client.get("/stand")
    assert page.status_code == 200
    with store_of(db) as store:
        stats = stats_for(store, team(), DAY)
    html = page.text
    assert f'<span class="big-n">{percent_de(stats.reached_share)}</span>' in html
    assert f"{stats.reached} von {stats.cases} Personen" in html
    figures = {"Fälle": stats.cases, "offen": stats.open, "abgeschlossen": stats.closed,
               "Versuche": stats.attempts}  # fmt: skip
    for label, number in figures.items():
        assert f"<dt>{label}</dt><dd>{number}</dd>" in html
    assert stats.attempts_per_reached is not None
    per_reached = decimal_de(stats.attempts_per_reached)
    assert f"<dt>Versuche je erreichter Person</dt><dd>{per_reached}</dd>" in html

    regions = chart(html, "regions")
    assert [label for label, _, _ in regions] == [s.label for s in stats.by_region]
    for (_, value, length), share in zip(regions, stats.by_region, strict=True):
        assert value == f"{share.reached} von {share.cases} · {percent_de(share.share)}"
        assert length == round(share.share * 100, 1)

    coaches = chart(html, "coaches")
    assert [label for label, _, _ in coaches] == [COACH_NAMES[s.label] for s in stats.by_coach]
    assert [v for _, v, _ in coaches] == [
        f"{s.reached} von {s.cases} · {percent_de(s.share)}" for s in stats.by_coach
    ]

    outcomes = chart(html, "outcomes")
    assert [label for label, _, _ in outcomes] == [o.label for o, _ in stats.by_outcome]
    assert outcomes[0][2] == 100.0  # the most frequent outcome is the full bar


def test_waiting_list_links_to_the_case_pages(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    html = client.get("/stand").text
    with store_of(db) as store:
        stats = stats_for(store, team(), DAY)
    assert stats.longest_waiting
    shown = re.findall(r'<td class="id"><a href="(/faelle/[^"]+)">([^<]+)</a>', html)
    assert shown == [(f"/faelle/{w.case_id}", w.case_id) for w in stats.longest_waiting]
    first = stats.longest_waiting[0]
    assert f'data-label="Tage">{count_de(first.days)}</td>' in html
    assert client.get(shown[0][0]).status_code == 200


def test_reading_the_stand_is_audited(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    client.get("/stand")
    with store_of(db) as store:
        entry = store.audit()[-1]
    assert (entry.user, entry.action) == ("lea", "Stand angesehen")
    assert entry.detail == "86 Fälle, 10 wartende angezeigt"


def test_charts_are_svg_without_inline_style(client: TestClient) -> None:
    log_in(client, "lea")
    html = client.get("/stand").text
    assert html.count('<svg class="chart ') == 4  # overall, regions, coaches, outcomes
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all('src="/static/' in attrs and not body for attrs, body in scripts)
    assert '<link rel="stylesheet" href="/static/stand.css' in html
    assert client.get("/static/stand.css").status_code == 200


def test_german_number_formats() -> None:
    assert percent_de(0.4137) == "41 %" and percent_de(0.405) == "41 %"
    assert percent_de(0.0) == "0 %" and percent_de(1.0) == "100 %"
    assert decimal_de(2.694915) == "2,7" and decimal_de(1.0) == "1,0"
    assert count_de(1030) == "1.030" and count_de(12) == "12"


def test_bars_are_laid_out_pure() -> None:
    bars = share_bars((Share("Dill-Nord", 22, 13), Share("leer", 0, 0)), str.upper)
    assert [(b.label, b.length, b.value) for b in bars] == [
        ("DILL-NORD", 59.1, "13 von 22 · 59 %"),
        ("LEER", 0.0, "0 von 0 · 0 %"),
    ]
    assert [b.y for b in bars] == [0, 46]
    counts = count_bars([("nicht erreicht", 3), ("erreicht", 1)])
    assert [(b.length, b.value) for b in counts] == [(100.0, "3 (75 %)"), (33.3, "1 (25 %)")]
    assert count_bars([]) == []
