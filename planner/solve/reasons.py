"""German wording shared by the checks before solving and the explanations after it."""

from __future__ import annotations

from datetime import date

from planner.model import Client

PRIORITY_LABEL = {1: "1 (hoch)", 2: "2 (mittel)", 3: "3 (niedrig)"}


def rank_text(client: Client, today: date) -> str:
    """'Priorität 2 (mittel), Wartezeit 384 Tage' – what decides who goes first."""
    prio = PRIORITY_LABEL.get(client.priority, str(client.priority))
    if client.last_contact is None:
        wait = "unbekannt"
    else:
        wait = f"{max(0, (today - client.last_contact).days)} Tage"
    return f"Priorität {prio}, Wartezeit {wait}"


def capacity_reason(client: Client, today: date) -> str:
    return (
        "Nicht genug Zeit im Planungszeitraum: Vorrang hatten Kundinnen und Kunden mit "
        f"höherer Priorität oder längerer Wartezeit (hier {rank_text(client, today)})."
    )


def shortlist_reason(client: Client, today: date, routed: int) -> str:
    """The list is longer than the horizon holds, but nobody ranked higher took this time."""
    return (
        "Nicht genug Zeit im Planungszeitraum: Die Liste ist viel länger, als die Touren "
        f"fassen; eingeplant wurden zuerst die {routed} Kundinnen und Kunden mit höherer "
        f"Priorität oder längerer Wartezeit (hier {rank_text(client, today)})."
    )


def no_solution_reason(client: Client, today: date, status: str) -> str:
    """The search ended before it had any plan: nobody was planned, for nobody's sake."""
    return (
        f"Die Suche hat keinen Plan gefunden ({status}); es wurde niemand eingeplant. "
        "Bitte erneut planen, mit längerem Zeitlimit (--zeitlimit) oder weniger Tagen "
        f"(hier {rank_text(client, today)})."
    )
