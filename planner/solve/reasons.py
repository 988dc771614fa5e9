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
