"""Why a client is not in the plan, and why a working day has no tour: one code per kind
of reason, German labels in one place.

Every :class:`~planner.model.Unplanned` carries a :class:`Reason` code beside its full
German sentence. The sentence tells the one person's story ("Termin am 10.12. …"); the
code lets the summary, plan.csv and the lead's figures count and group reasons. Every
:class:`~planner.model.DayOff` carries a :class:`DayOffReason`.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Kinds of reasons for not planning someone (values are stable: they go into plan.csv)."""

    INVALID_ROW = "zeile_fehlerhaft"
    ADDRESS = "adresse"
    APPOINTMENT_OUTSIDE_HORIZON = "termin_ausserhalb_zeitraum"
    NO_VAN_DRIVER = "kein_mobil"
    WINDOW_TOO_SHORT = "zeitfenster_zu_kurz"
    NO_MATCHING_DAY = "kein_passender_tag"
    OUTSIDE_WORKING_HOURS = "ausserhalb_arbeitszeit"
    DAY_OFF = "tag_ohne_tour"
    NOT_REACHABLE = "nicht_erreichbar"
    REGION_DAYS = "regionstage"
    APPOINTMENT_CLASH = "termin_ueberschneidung"
    APPOINTMENT_NO_FIT = "termin_passt_nicht"
    VAN_FULL = "mobil_ausgebucht"
    CAPACITY = "vorrang_andere"
    LIST_TOO_LONG = "liste_zu_lang"
    NO_FIT = "passte_nicht"
    NO_SOLUTION = "keine_loesung"
    # Campaign (planning from the store): cases that are not due for a visit.
    CALL_FIRST = "erst_anrufen"
    LETTER_FIRST = "erst_brief"
    NOT_DUE = "nicht_faellig"
    CONTACT_DONE = "kontakt_ohne_wiedervorlage"
    CLOSED = "abgeschlossen"
    MISSING_FROM_LIST = "nicht_in_liste"
    COACH_ABSENT = "coach_abwesend_anrufen"

    @property
    def label(self) -> str:
        """Short German label for tables and counts."""
        return _LABELS[self]


_LABELS: dict[Reason, str] = {
    Reason.INVALID_ROW: "Zeile in der Kundenliste fehlerhaft",
    Reason.ADDRESS: "Adresse nicht zuzuordnen oder außerhalb des Kreises",
    Reason.APPOINTMENT_OUTSIDE_HORIZON: "Termin außerhalb des Planungszeitraums",
    Reason.NO_VAN_DRIVER: "Beratungsmobil gewünscht, aber niemand fährt es",
    Reason.WINDOW_TOO_SHORT: "Zeitfenster kürzer als der Besuch",
    Reason.NO_MATCHING_DAY: "Verfügbarkeit trifft keinen Planungstag",
    Reason.OUTSIDE_WORKING_HOURS: "außerhalb der Arbeitszeiten",
    Reason.DAY_OFF: "Termin an einem Tag ohne Tour (Feiertag, Abwesenheit)",
    Reason.NOT_REACHABLE: "in der Arbeitszeit nicht hin und zurück erreichbar",
    Reason.REGION_DAYS: "kein Regionstag für die Region an den möglichen Tagen",
    Reason.APPOINTMENT_CLASH: "Termin überschneidet sich mit anderen Terminen",
    Reason.APPOINTMENT_NO_FIT: "Termin passt nicht zu den Fahrzeiten des Tages",
    Reason.VAN_FULL: "Beratungsmobil ausgebucht",
    Reason.CAPACITY: "nicht genug Zeit: Vorrang hatten andere",
    Reason.LIST_TOO_LONG: "nicht genug Zeit: Liste länger als der Zeitraum fasst",
    Reason.NO_FIT: "passte mit den Fahrzeiten in keine Tour",
    Reason.NO_SOLUTION: "Suche ohne Ergebnis",
    Reason.CALL_FIRST: "erst anrufen (Anrufliste)",
    Reason.LETTER_FIRST: "erst Ankündigungsbrief",
    Reason.NOT_DUE: "noch nicht fällig (Wiedervorlage, Brief unterwegs)",
    Reason.CONTACT_DONE: "Kontakt hergestellt, keine Wiedervorlage",
    Reason.CLOSED: "abgeschlossen (abgelehnt, verzogen, übergeben)",
    Reason.MISSING_FROM_LIST: "nicht mehr in der Kundenliste",
    Reason.COACH_ABSENT: "Termin des abwesenden Coachs passt bei niemandem – anrufen",
}


class DayOffReason(StrEnum):
    """Why a coach (or the whole team) has no tour on a day (values are stable codes)."""

    HOLIDAY = "feiertag"
    ABSENT = "abwesend"
    NO_WORKING_DAY = "kein_arbeitstag"
    #: Working day, no holiday, no absence, but the plan has no tour: no visit to plan
    #: could take place that day (availability, appointment, region day) …
    IDLE_NOBODY = "keine_tour_kein_besuch"
    #: … every visit possible that day is planned on another day …
    IDLE_NOT_NEEDED = "keine_tour_nicht_noetig"
    #: … or a visit left open could have taken place that day.
    IDLE_STILL_OPEN = "keine_tour_besuch_offen"

    def text(self, detail: str = "") -> str:
        """German sentence; ``detail`` names the holiday or the weekday where it has one."""
        return _DAY_OFF_LABELS[self].format(detail=detail)


_DAY_OFF_LABELS: dict[DayOffReason, str] = {
    DayOffReason.HOLIDAY: "Feiertag ({detail})",
    DayOffReason.ABSENT: "abwesend (laut Teamdatei)",
    DayOffReason.NO_WORKING_DAY: "{detail} ist laut Teamdatei kein Arbeitstag",
    # Only the visits to plan count (not people the campaign still has to phone first).
    DayOffReason.IDLE_NOBODY: (
        "keine Tour – kein zu planender Besuch ist an diesem Tag möglich (Verfügbarkeit, "
        "Termin, Regionstag)"
    ),
    DayOffReason.IDLE_NOT_NEEDED: (
        "keine Tour nötig – alle Besuche, die an diesem Tag möglich wären, sind an anderen "
        "Tagen eingeplant"
    ),
    DayOffReason.IDLE_STILL_OPEN: (
        "keine Tour, obwohl ein offener Besuch an diesem Tag möglich wäre "
        "(Gründe je Person in plan.csv)"
    ),
}
