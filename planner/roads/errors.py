"""Typed errors of the road and address data (German messages, shown by the CLI)."""

from __future__ import annotations

from planner.errors import ConfigError, InputFileError, PlannerError


class RoadDataError(PlannerError):
    """Road or address data from OpenStreetMap cannot be prepared or used."""


class ExtractNotFound(RoadDataError, FileNotFoundError):
    """The OpenStreetMap extract named on the command line does not exist."""


class ExtractUnreadable(RoadDataError, ValueError):
    """The file is not a readable OpenStreetMap extract (broken, truncated or foreign)."""


class ExtractWithoutRoads(RoadDataError, ValueError):
    """The extract is readable but holds no road a car may use."""


class RoadDataMissing(RoadDataError, FileNotFoundError):
    """The folder given with ``--strassen`` holds no prepared road data."""


class RoadDataIncompatible(RoadDataError, ValueError):
    """The prepared data was written by another version and must be imported again."""


class RoadsDoNotCover(RoadDataError, ValueError):
    """Points lie too far from every road of the prepared data (another region?)."""


class OsrmFailed(RoadDataError, RuntimeError):
    """An OSRM step (extract, contract, query) failed."""


class PointsFileError(InputFileError, ValueError):
    """The points file of ``planner roads matrix`` / ``calibrate`` cannot be read."""


class ServerConfigError(ConfigError, ValueError):
    """The ``[server]`` section of the team file is invalid (or names a public server)."""


class ServerUnavailable(PlannerError, ConnectionError):
    """A configured server did not answer usably (exit code 5, like a refused network)."""

    exit_code = 5
