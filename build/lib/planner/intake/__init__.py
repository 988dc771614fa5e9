"""Intake stage: read the client list and the team configuration.

Public entry points:

- :func:`read_clients` / :func:`parse_rows` → :class:`planner.model.IntakeResult`
- :func:`load_team` → :class:`planner.model.Team`
- :func:`read_table` for the raw header and rows of a CSV/XLSX file
- the cell parsers in :mod:`planner.intake.fields` (also used for coach hours)
"""

from __future__ import annotations

from planner.intake.clients import parse_rows, read_clients
from planner.intake.fields import FieldError, format_availability, parse_availability
from planner.intake.tables import Table, read_table
from planner.intake.team import load_team, parse_team

__all__ = [
    "FieldError",
    "Table",
    "format_availability",
    "load_team",
    "parse_availability",
    "parse_rows",
    "parse_team",
    "read_clients",
    "read_table",
]
