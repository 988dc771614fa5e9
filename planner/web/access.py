"""Who may see which case – the one place of that rule.

The lead (``leitung``) sees every case. A coach sees their own cases: those whose
Bezugscoach they are, with an agreed appointment or a published visit with them, or on
their call list today (:func:`planner.workflow.coach_case_ids`). A coach account without
a coach key sees none. Everything else is answered with 403.
"""

from __future__ import annotations

from datetime import date

from planner.model import Team
from planner.store import Role, Store, User
from planner.workflow import Loaded, coach_case_ids


def visible_case_ids(
    store: Store, team: Team, user: User, today: date, *, loaded: Loaded | None = None
) -> frozenset[str] | None:
    """The Kunden-Nr ``user`` may see on ``today``; None means all (the lead)."""
    if user.role is Role.LEAD:
        return None
    if not user.coach:
        return frozenset()
    return coach_case_ids(store, team, user.coach, today, loaded=loaded)


def may_see(store: Store, team: Team, user: User, case_id: str, today: date) -> bool:
    """Whether ``user`` may open the case ``case_id`` (an unknown one: only the lead,
    who then gets 404 – a coach learns nothing about which numbers exist)."""
    visible = visible_case_ids(store, team, user, today)
    return visible is None or case_id in visible
