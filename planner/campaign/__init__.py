"""The campaign: cases, contact attempts and their outcomes, and the rules between them.

Pure functions over frozen dataclasses; the store (:mod:`planner.store`) and the front
ends sit outside and call them through :mod:`planner.workflow`.
"""

from planner.campaign.codes import AttemptKind, CaseStatus, Outcome, Step, TimeBand
from planner.campaign.model import (
    Attempt,
    CampaignRules,
    Case,
    CaseState,
    PinnedVisit,
    Publication,
)
from planner.campaign.rules import assess, assess_all

__all__ = [
    "Attempt",
    "AttemptKind",
    "CampaignRules",
    "Case",
    "CaseState",
    "CaseStatus",
    "Outcome",
    "PinnedVisit",
    "Publication",
    "Step",
    "TimeBand",
    "assess",
    "assess_all",
]
