"""Typed exception tree. Messages are German: they reach the user through the CLI.

Exit codes: 0 success, 1 other error, 2 wrong command line (argparse), 3 client list
unreadable, 4 team file invalid, 5 network access refused, 6 no plan possible, 7 output
folder or report file not usable (or in use by another run), 8 campaign database
unusable or case unknown; 130 / 143 interrupted by
Ctrl+C / SIGTERM (see :mod:`planner.cancel`).
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base of every error the planner raises on purpose."""

    exit_code = 1


class InputFileError(PlannerError):
    """A whole input file cannot be read (missing, wrong format, no header)."""

    exit_code = 3


class ConfigError(PlannerError):
    """The team configuration (TOML) is invalid."""

    exit_code = 4


class GeocodingError(PlannerError):
    """A place could not be resolved."""


class PlaceNotFound(GeocodingError):
    """No place of the district matches the query."""


class OutsideDistrict(GeocodingError):
    """The place or coordinate lies outside the Lahn-Dill-Kreis."""


class AmbiguousPlace(GeocodingError):
    """The place name exists in several municipalities and nothing says which one."""


class NetworkDisabled(PlannerError):
    """A component tried to reach the network although no server was configured."""

    exit_code = 5


class SolverError(PlannerError):
    """OR-Tools could not produce any plan (not even an empty one)."""

    exit_code = 6


class OutputError(PlannerError):
    """The output folder or report file cannot be used (checked before planning)."""

    exit_code = 7


class StoreError(PlannerError):
    """The campaign database cannot be opened or migrated, refuses a value, or does not
    know a case (:class:`planner.store.UnknownCase`)."""

    exit_code = 8
