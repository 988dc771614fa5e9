"""A hand-built caseload whose status figures are worked out by hand (tests/test_status_*).

Seventeen people on the list by 30.11.2026 (one more joins on 01.12.), three places and
one case without a place, two coaches; the period is November 2026 from the 2nd.
Every expected figure below is counted from the table in this docstring, not computed:

==== ======== ========== ==================================================== =========
id   place    first_seen attempts (coach)                                       state
==== ======== ========== ==================================================== =========
N1   Haiger   02.11.     03.11. nicht erreicht, 04.11. erreicht (anna)          done
N2   Haiger   02.11.     05.11. erreicht, 20.11. Besuch angetroffen (anna)      done
N3   Haiger   02.11.     10./11.11. Mailbox, 12.11. nicht erreicht, 13.11. Brief visit due
N4   Haiger   02.11.     06.11. an Ansprechperson übergeben (jonas)             closed
N5   Haiger   02.11.     – (Jobcenter's last contact 01.01.2025)                call
N6   Haiger   02.11.     09.12. erreicht (after the period)                     call
S1   Wetzlar  02.11.     03.11. Termin, 10.11. Coaching, 24.11. erreicht (anna) done
S2   Wetzlar  02.11.     04.11. erreicht (anna)                                 done
S3   Wetzlar  02.11.     05.11. abgelehnt (jonas)                               closed
S4   Wetzlar  02.11.     12.11. Besuch, an Beratungsstelle vermittelt (jonas)   done
S5   Wetzlar  15.10.     20.10. erreicht, 18.11. erreicht (anna)                done
S6   Wetzlar  02.11.     16.11., 17.11. nicht erreicht (jonas)                  call
S7   Wetzlar  02.11.     –                                                      call
S8   Wetzlar  16.11.     18.11. erreicht (anna)                                 done
L1   Solms    02.11.     05.11. erreicht (jonas)                                done
L2   Solms    02.11.     06.11. nicht erreicht, 05.12. verzogen (jonas)         call
X1   –        02.11.     09.11. erreicht (anna)                                 address
F1   Wetzlar  01.12.     –                                                      (later)
==== ======== ========== ==================================================== =========
"""

from __future__ import annotations

from datetime import date, datetime

from planner.campaign.codes import AttemptKind, CaseStatus, Outcome
from planner.campaign.coverage import Period
from planner.campaign.model import Attempt, Case
from planner.model import Address, Client, Precision, Site
from planner.store import Store

PERIOD = Period(date(2026, 11, 2), date(2026, 11, 30))
_PLACES = {
    "Haiger": Site(50.74, 8.21, "Haiger", "06532011", "", Precision.MUNICIPALITY, "Nord"),
    "Wetzlar": Site(50.56, 8.50, "Wetzlar", "06532023", "", Precision.MUNICIPALITY, "Süd"),
    "Solms": Site(50.54, 8.40, "Solms", "06532021", "", Precision.MUNICIPALITY, "Süd"),
}


def _case(case_id: str, place: str | None, seen: date, **kw: object) -> Case:
    last_contact = kw.pop("last_contact", None)
    client = Client(
        case_id,
        2,
        Address(place=place or "Irgendwo"),
        phone="06441 12345",
        last_contact=last_contact,  # type: ignore[arg-type]
    )
    site = _PLACES[place] if place else None
    return Case(client, site, first_seen=seen, **kw)  # type: ignore[arg-type]


def _closed(case_id: str, place: str, on: date, by: Outcome) -> Case:
    return _case(case_id, place, NOV2, status=CaseStatus.CLOSED, closed_on=on, closed_by=by)


NOV2 = date(2026, 11, 2)
CASES: tuple[Case, ...] = (
    _case("N1", "Haiger", NOV2),
    _case("N2", "Haiger", NOV2),
    _case("N3", "Haiger", NOV2),
    _closed("N4", "Haiger", date(2026, 11, 6), Outcome.HANDED_BACK),
    _case("N5", "Haiger", NOV2, last_contact=date(2025, 1, 1)),
    _case("N6", "Haiger", NOV2),
    _case("S1", "Wetzlar", NOV2),
    _case("S2", "Wetzlar", NOV2),
    _closed("S3", "Wetzlar", date(2026, 11, 5), Outcome.DECLINED),
    _case("S4", "Wetzlar", NOV2),
    _case("S5", "Wetzlar", date(2026, 10, 15)),
    _case("S6", "Wetzlar", NOV2),
    _case("S7", "Wetzlar", NOV2),
    _case("S8", "Wetzlar", date(2026, 11, 16)),
    _case("L1", "Solms", NOV2),
    _closed("L2", "Solms", date(2026, 12, 5), Outcome.MOVED),
    _case("X1", None, NOV2),
    _case("F1", "Wetzlar", date(2026, 12, 1)),
)


def _a(
    case_id: str, when: str, outcome: Outcome, coach: str, kind: AttemptKind = AttemptKind.CALL,
    **kw: object,
) -> Attempt:  # fmt: skip
    at = datetime.strptime(when, "%d.%m.%Y %H:%M")
    return Attempt(case_id, at, coach, kind, outcome, **kw)  # type: ignore[arg-type]


VISIT, LETTER = AttemptKind.VISIT, AttemptKind.LETTER
ATTEMPTS: tuple[Attempt, ...] = (
    _a("N1", "03.11.2026 10:00", Outcome.NOT_REACHED, "anna"),
    _a("N1", "04.11.2026 15:00", Outcome.REACHED, "anna"),
    _a("N2", "05.11.2026 09:00", Outcome.REACHED, "anna"),
    _a("N2", "20.11.2026 11:00", Outcome.MET, "anna", VISIT),
    _a("N3", "10.11.2026 09:00", Outcome.MAILBOX, "jonas"),
    _a("N3", "11.11.2026 13:00", Outcome.MAILBOX, "jonas"),
    _a("N3", "12.11.2026 17:00", Outcome.NOT_REACHED, "jonas"),
    _a("N3", "13.11.2026 08:00", Outcome.SENT, "jonas", LETTER),
    _a("N4", "06.11.2026 10:00", Outcome.HANDED_BACK, "jonas"),
    _a("N6", "09.12.2026 10:00", Outcome.REACHED, "anna"),
    _a(
        "S1",
        "03.11.2026 10:00",
        Outcome.APPOINTMENT,
        "anna",
        appointment=datetime(2026, 11, 10, 10, 0),
    ),  # fmt: skip
    _a("S1", "10.11.2026 10:00", Outcome.COACHING, "anna", VISIT, follow_up=date(2026, 11, 24)),
    _a("S1", "24.11.2026 10:00", Outcome.REACHED, "anna"),
    _a("S2", "04.11.2026 10:00", Outcome.REACHED, "anna"),
    _a("S3", "05.11.2026 10:00", Outcome.DECLINED, "jonas"),
    _a("S4", "12.11.2026 10:00", Outcome.REFERRED, "jonas", VISIT),
    _a("S5", "20.10.2026 10:00", Outcome.REACHED, "anna"),
    _a("S5", "18.11.2026 10:00", Outcome.REACHED, "anna"),
    _a("S6", "16.11.2026 10:00", Outcome.NOT_REACHED, "jonas"),
    _a("S6", "17.11.2026 14:00", Outcome.NOT_REACHED, "jonas"),
    _a("S8", "18.11.2026 10:00", Outcome.REACHED, "anna"),
    _a("L1", "05.11.2026 10:00", Outcome.REACHED, "jonas"),
    _a("L2", "06.11.2026 10:00", Outcome.NOT_REACHED, "jonas"),
    _a("L2", "05.12.2026 10:00", Outcome.MOVED, "jonas"),
    _a("X1", "09.11.2026 10:00", Outcome.REACHED, "anna"),
)


def fill_store(store: Store) -> None:
    """The caseload into an empty store (cases as listed, then every attempt)."""
    store.import_cases(CASES, today=PERIOD.start, user="test", source="caseload")
    store.add_attempts(ATTEMPTS, user="test")
