"""Codes of the campaign: kinds of attempts, outcomes, time bands, next steps.

One place for every code and its German label, like :mod:`planner.reasons`: the values
are stable (they go into the database and into CSV files), the labels are what people
read and type. ``parse`` accepts the label as written in an outcomes file (any case,
surrounding blanks) and the code itself.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        """German label, as in the outcomes file and on every output."""
        return _LABELS[type(self)][self.value]

    @classmethod
    def parse(cls, text: str) -> Self | None:
        """The member whose label or code is ``text`` (case and blanks ignored), or None."""
        key = " ".join(text.split()).casefold()
        for member in cls:
            if key in (member.value.casefold(), member.label.casefold()):
                return member
        return None


class AttemptKind(_Labelled):
    """How a coach tried to reach someone (column ``Art``)."""

    CALL = "anruf"
    LETTER = "brief"
    VISIT = "besuch"


class Outcome(_Labelled):
    """What came of an attempt (column ``Ergebnis``)."""

    REACHED = "erreicht"
    NOT_REACHED = "nicht_erreicht"
    MAILBOX = "mailbox"
    WRONG_NUMBER = "falsche_nummer"
    CALLBACK = "rueckruf"
    APPOINTMENT = "termin_vereinbart"
    CANCELLED = "abgesagt"
    DECLINED = "abgelehnt"
    MET = "angetroffen"
    NOT_MET = "nicht_angetroffen"
    MOVED = "verzogen"
    SENT = "versandt"  # a letter went out (Art Brief, Ergebnis empty or "versandt")
    # What the contact led to (the lead reports these to the job centre):
    HANDED_BACK = "uebergeben"  # back to the regular contact person (pAp) in the job centre
    COACHING = "coaching"  # took up the voluntary coaching
    REFERRED = "vermittelt"  # referred to a counselling service (e.g. debt counselling)

    @property
    def failed(self) -> bool:
        """Nobody answered or opened: try again at another time."""
        return self in _FAILED

    @property
    def contact(self) -> bool:
        """The person was reached or met (counts for reachability and the Bezugscoach)."""
        return self in _CONTACT

    @property
    def closes(self) -> bool:
        """The case is closed and never planned again: the offer is voluntary (declined),
        the person left (moved), or the regular contact person takes over (handed back)."""
        return self in (Outcome.DECLINED, Outcome.MOVED, Outcome.HANDED_BACK)


_FAILED = frozenset({Outcome.NOT_REACHED, Outcome.MAILBOX, Outcome.NOT_MET})
_CONTACT = frozenset(
    {
        Outcome.REACHED,
        Outcome.CALLBACK,
        Outcome.APPOINTMENT,
        Outcome.CANCELLED,
        Outcome.DECLINED,
        Outcome.MET,
        Outcome.HANDED_BACK,
        Outcome.COACHING,
        Outcome.REFERRED,
    }
)


class TimeBand(_Labelled):
    """Part of the day in which people tend to answer or be at home."""

    MORNING = "vormittag"
    AFTERNOON = "nachmittag"
    EVENING = "frueher_abend"

    @property
    def start(self) -> int:
        """First minute of the band (minutes after midnight)."""
        return _BAND_SPANS[self][0]

    @property
    def end(self) -> int:
        """Minute after the band (minutes after midnight)."""
        return _BAND_SPANS[self][1]

    @classmethod
    def of(cls, minute: int) -> TimeBand:
        """The band a time of day falls into (before 8:00 counts as morning, after 19:00
        as early evening)."""
        if minute < _BAND_SPANS[cls.AFTERNOON][0]:
            return cls.MORNING
        if minute < _BAND_SPANS[cls.EVENING][0]:
            return cls.AFTERNOON
        return cls.EVENING


#: Band limits (minutes after midnight): 8–12, 12–16, 16–19 h.
_BAND_SPANS: dict[TimeBand, tuple[int, int]] = {
    TimeBand.MORNING: (8 * 60, 12 * 60),
    TimeBand.AFTERNOON: (12 * 60, 16 * 60),
    TimeBand.EVENING: (16 * 60, 19 * 60),
}


class CaseStatus(_Labelled):
    """Whether a case is still worked on."""

    OPEN = "offen"
    CLOSED = "abgeschlossen"


class Step(_Labelled):
    """What the campaign proposes next for a case (decided by :func:`campaign.rules.assess`)."""

    CALL = "anrufen"  # on the call list
    LETTER = "brief"  # send an announcement letter
    ANNOUNCED_VISIT = "angekuendigter_besuch"  # visit after the letter (planned in tours)
    APPOINTMENT = "termin"  # agreed appointment: a pinned visit
    WAIT = "warten"  # nothing due before ``due`` (Wiedervorlage, letter on its way)
    DONE = "kein_schritt"  # contact made, no follow-up set
    CLOSED = "abgeschlossen"  # declined, moved away or handed back: never planned again
    MISSING = "nicht_in_liste"  # not in the latest client list: kept, not planned


#: Per class, because members of different classes may share a code ("brief").
_LABELS: dict[type[StrEnum], dict[str, str]] = {
    AttemptKind: {
        AttemptKind.CALL.value: "Anruf",
        AttemptKind.LETTER.value: "Brief",
        AttemptKind.VISIT.value: "Besuch",
    },
    Outcome: {
        Outcome.REACHED.value: "erreicht",
        Outcome.NOT_REACHED.value: "nicht erreicht",
        Outcome.MAILBOX.value: "Mailbox",
        Outcome.WRONG_NUMBER.value: "falsche Nummer",
        Outcome.CALLBACK.value: "Rückruf",
        Outcome.APPOINTMENT.value: "Termin vereinbart",
        Outcome.CANCELLED.value: "abgesagt",
        Outcome.DECLINED.value: "abgelehnt",
        Outcome.MET.value: "angetroffen",
        Outcome.NOT_MET.value: "nicht angetroffen",
        Outcome.MOVED.value: "verzogen",
        Outcome.SENT.value: "versandt",
        Outcome.HANDED_BACK.value: "an Ansprechperson übergeben",
        Outcome.COACHING.value: "Coaching begonnen",
        Outcome.REFERRED.value: "an Beratungsstelle vermittelt",
    },
    TimeBand: {
        TimeBand.MORNING.value: "vormittags (8–12 Uhr)",
        TimeBand.AFTERNOON.value: "nachmittags (12–16 Uhr)",
        TimeBand.EVENING.value: "früher Abend (16–19 Uhr)",
    },
    CaseStatus: {
        CaseStatus.OPEN.value: "offen",
        CaseStatus.CLOSED.value: "abgeschlossen",
    },
    Step: {
        Step.CALL.value: "anrufen",
        Step.LETTER.value: "Ankündigungsbrief schicken",
        Step.ANNOUNCED_VISIT.value: "angekündigter Besuch",
        Step.APPOINTMENT.value: "vereinbarter Termin",
        Step.WAIT.value: "Wiedervorlage abwarten",
        Step.DONE.value: "kein weiterer Schritt",
        Step.CLOSED.value: "abgeschlossen",
        Step.MISSING.value: "nicht mehr in der Kundenliste",
    },
}
