"""Errors of the campaign store. Messages are German: they reach the user through the CLI.

They never quote a client's name, phone or address; a Kunden-Nr is pseudonymous.
"""

from __future__ import annotations

from planner.errors import StoreError


class UnknownCase(StoreError, LookupError):
    """A Kunden-Nr that the store does not know (import the client list first)."""

    def __init__(self, case_ids: tuple[str, ...]) -> None:
        self.case_ids = case_ids
        shown = ", ".join(case_ids[:5]) + (" …" if len(case_ids) > 5 else "")
        super().__init__(
            f"Kunden-Nr nicht in der Datenbank: {shown}. Bitte zuerst die Kundenliste importieren."
        )


__all__ = ["StoreError", "UnknownCase"]
