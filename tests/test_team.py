"""Tests for the team configuration (TOML)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from planner.errors import ConfigError, PlaceNotFound
from planner.intake import load_team
from planner.model import BreakRule, Van

TEMPLATE = Path(__file__).resolve().parent.parent / "data" / "vorlage" / "team_vorlage.toml"

MINIMAL = """
[[buero]]
kennung = "wetzlar"
breite = 50.5526
laenge = 8.5042

[[coach]]
kennung = "a"
arbeitszeit = "Mo-Fr 08:00-16:00"
"""


def _load(tmp_path: Path, text: str, **kwargs: object) -> object:
    path = tmp_path / "team.toml"
    path.write_text(text, encoding="utf-8")
    return load_team(path, **kwargs)  # type: ignore[arg-type]


def test_template_loads() -> None:
    team = load_team(TEMPLATE)
    assert [c.name for c in team.coaches] == ["Anna Becker", "Jonas Keller", "Miriam Schäfer"]
    assert [o.key for o in team.offices] == ["wetzlar", "dillenburg"]
    assert team.office("dillenburg").lat == pytest.approx(50.7406)
    anna, _, miriam = team.coaches
    assert anna.hours_on(0) == (8 * 60, 16 * 60 + 30) and anna.hours_on(4) == (8 * 60, 13 * 60)
    assert anna.hours_on(5) is None and anna.drives_van
    assert (miriam.office, miriam.end_office) == ("dillenburg", "wetzlar")
    assert [day for day, _, _ in miriam.hours] == [0, 1, 3]
    assert team.van == Van(name="Beratungsmobil", office="wetzlar", setup_min=10, speed_factor=1.15)
    assert team.breaks == BreakRule() and team.default_visit_min == 60
    assert team.regions == ()
    assert team.coaches[1].absent == (
        (date(2026, 12, 15), date(2026, 12, 15)),
        (date(2026, 12, 24), date(2027, 1, 1)),
    )


def test_minimal_file_uses_defaults(tmp_path: Path) -> None:
    team = _load(tmp_path, MINIMAL)
    (coach,) = team.coaches  # type: ignore[attr-defined]
    assert (coach.name, coach.office, coach.end_office, coach.drives_van) == (
        "a",
        "wetzlar",
        "wetzlar",
        False,
    )
    assert coach.hours == tuple((d, 480, 960) for d in range(5))
    assert team.van is None  # type: ignore[attr-defined]


def test_full_options(tmp_path: Path) -> None:
    text = (
        "standard_besuchsdauer_min = 45\n"
        "[pause]\nnach_stunden = 5.5\nminuten = 40\nlang_nach_stunden = 8\nlang_minuten = 60\n"
        "[regionen]\nNord = ['Haiger', 'Dillenburg']\n'Süd' = ['Wetzlar']\n"
        + MINIMAL.replace('"a"', '"a"\nfaehrt_beratungsmobil = true')
    )
    team = _load(tmp_path, text)
    assert team.default_visit_min == 45  # type: ignore[attr-defined]
    assert team.breaks == BreakRule(330, 40, 480, 60)  # type: ignore[attr-defined]
    assert team.regions == (("Nord", ("Haiger", "Dillenburg")), ("Süd", ("Wetzlar",)))  # type: ignore[attr-defined]
    assert team.van == Van()  # type: ignore[attr-defined]  # driver without section: defaults


def test_office_address_is_resolved(tmp_path: Path) -> None:
    text = MINIMAL.replace("breite = 50.5526\nlaenge = 8.5042", 'adresse = "Wetzlar"')
    seen: list[str] = []

    def resolve(address: str) -> tuple[float, float]:
        seen.append(address)
        return 50.55, 8.50

    team = _load(tmp_path, text, resolve_address=resolve)
    assert seen == ["Wetzlar"] and team.offices[0].lat == 50.55  # type: ignore[attr-defined]

    def fail(address: str) -> tuple[float, float]:
        raise PlaceNotFound(f"„{address}“ unbekannt")

    with pytest.raises(ConfigError, match="adresse.*nicht gefunden"):
        _load(tmp_path, text, resolve_address=fail)
    with pytest.raises(ConfigError, match="keine Adresssuche"):
        _load(tmp_path, text)


ERRORS = [
    # (replace old → new in MINIMAL or append, expected fragments)
    (("", "["), ["team.toml", "kein gültiges TOML", "Zeile"]),
    (
        ('kennung = "a"', 'kennung = "a"\narbeitzeit = "x"'),
        ["[[coach]] Nr. 1", "„arbeitzeit“", "Meinten Sie „arbeitszeit“"],
    ),
    (
        ('kennung = "a"', 'kennung = "a"\nbuero = "giessen"'),
        ["Schlüssel „buero“", "„giessen“ gibt es nicht", "„wetzlar“"],
    ),
    (('kennung = "a"', 'kennung = "a"\nziel_buero = "x"'), ["„ziel_buero“"]),
    (("Mo-Fr 08:00-16:00", "Mo-Fr 08:00-25:00"), ["„arbeitszeit“", "25:00"]),
    (("Mo-Fr 08:00-16:00", "Mo-Fr"), ["ohne Uhrzeit"]),
    (("Mo-Fr 08:00-16:00", "Mo 8-12; Mo 13-16"), ["mehrere Zeiträume"]),
    (("Mo-Fr 08:00-16:00", "Mo 6-20"), ["12 Stunden"]),
    (('arbeitszeit = "Mo-Fr 08:00-16:00"', ""), ["„arbeitszeit“", "Pflicht"]),
    (("laenge = 8.5042", ""), ["„laenge“", "beide"]),
    (("breite = 50.5526", 'breite = "50,55"'), ["„breite“", "Zahl ohne Anführungszeichen"]),
    (("breite = 50.5526\nlaenge = 8.5042", "breite = 8.5\nlaenge = 50.5"), ["vertauscht"]),
    (("[[coach]]", "[[coachs]]"), ["Dateianfang", "„coachs“", "Meinten Sie „coach“"]),
    (
        ('[[coach]]\nkennung = "a"\narbeitszeit = "Mo-Fr 08:00-16:00"', ""),
        ["[[coach]]", "mindestens einer"],
    ),
    ((None, '[[coach]]\nkennung = "a"\narbeitszeit = "Mo 8-9"'), ["„a“", "mehrfach"]),
    (
        (None, '[[buero]]\nkennung = "wetzlar"\nbreite = 50.0\nlaenge = 8.0'),
        ["[[buero]]", "mehrfach"],
    ),
    ((None, "[beratungsmobil]\nname = 'Mobil'"), ["[beratungsmobil]", "kein Coach fährt es"]),
    ((None, "[beratungsmobil]\nbuero = 'haiger'"), ["[beratungsmobil]", "„haiger“"]),
    (('kennung = "a"', 'kennung = "a"\nfaehrt_beratungsmobil = "ja"'), ["true oder false"]),
    ((None, "[pause]\nnach_stunden = 5\nlang_nach_stunden = 4"), ["[pause]", "lang_nach_stunden"]),
    (
        ("[[buero]]", "standard_besuchsdauer_min = 0\n[[buero]]"),
        ["standard_besuchsdauer_min", "zwischen 5 und 480"],
    ),
    (("[[buero]]", "standard_besuchsdauer_min = 45.5\n[[buero]]"), ["ganze Zahl"]),
    ((None, "[regionen]\nNord = 'Haiger'"), ["[regionen]", "„Nord“", "Liste"]),
    (
        (None, "[regionen]\nNord = ['Haiger']\nSued = ['haiger']"),
        ["„Sued“", "schon in der Region „Nord“"],
    ),
    (("[[buero]]", "[buero]"), ["Schlüssel „buero“", "doppelten eckigen Klammern"]),
]


@pytest.mark.parametrize(("edit", "fragments"), ERRORS)
def test_config_errors_name_file_section_and_key(
    tmp_path: Path, edit: tuple[str | None, str], fragments: list[str]
) -> None:
    old, new = edit
    text = (
        MINIMAL + "\n" + new
        if old is None
        else MINIMAL.replace(old, new, 1)
        if old
        else new + MINIMAL
    )
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    message = str(info.value)
    assert message.startswith("team.toml")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("pause", "key", "law"),
    [
        ("minuten = 15", "minuten", "mindestens 30 Minuten nach höchstens 6 Stunden"),
        ("lang_minuten = 15", "lang_minuten", "mindestens 45 Minuten nach höchstens 9 Stunden"),
        ("lang_minuten = 40", "lang_minuten", "mindestens 45 Minuten nach höchstens 9 Stunden"),
        ("nach_stunden = 7", "nach_stunden", "nach höchstens 6 Stunden Arbeit"),
        ("nach_stunden = 6.25", "nach_stunden", "nach höchstens 6 Stunden Arbeit"),
        ("lang_nach_stunden = 10", "lang_nach_stunden", "nach höchstens 9 Stunden Arbeit"),
    ],
)
def test_break_rule_below_the_law_is_an_error(
    tmp_path: Path, pause: str, key: str, law: str
) -> None:
    # A tour of 8 h 36 min without a break was planned from "minuten = 15".
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, MINIMAL + "\n[pause]\n" + pause)
    message = str(info.value)
    assert message.startswith("team.toml, [pause], Schlüssel „" + key + "“")
    assert "§ 4 ArbZG" in message and law in message


def test_stricter_break_rule_is_accepted(tmp_path: Path) -> None:
    pause = "[pause]\nnach_stunden = 4\nminuten = 45\nlang_nach_stunden = 6\nlang_minuten = 60"
    team = _load(tmp_path, MINIMAL + "\n" + pause)
    assert team.breaks == BreakRule(240, 45, 360, 60)  # type: ignore[attr-defined]
    legal = "[pause]\nnach_stunden = 6\nminuten = 30\nlang_nach_stunden = 9\nlang_minuten = 45"
    assert _load(tmp_path, MINIMAL + "\n" + legal).breaks == BreakRule()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (
            "['Herbon']",
            "„Herbon“ ist keine Gemeinde des Lahn-Dill-Kreises – meinten Sie „Herborn“?",
        ),
        (
            "['Wetzlar', 'Asslarr']",
            "„Asslarr“ ist keine Gemeinde des Lahn-Dill-Kreises – meinten Sie „Aßlar“?",
        ),
        ("['Frankfurt am Main']", "bekannt sind: Aßlar, Bischoffen,"),
        ("['Naunheim']", "Ortsteile zählen zu ihrer Gemeinde"),
    ],
)
def test_unknown_municipality_in_region_is_an_error(
    tmp_path: Path, members: str, expected: str
) -> None:
    # A typo used to put every client of that municipality "ohne Region".
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, MINIMAL + f"\n[regionen]\nNord = {members}")
    message = str(info.value)
    assert message.startswith("team.toml, [regionen], Schlüssel „Nord“")
    assert expected in message


def test_region_members_are_matched_like_place_names(tmp_path: Path) -> None:
    from planner.regions import UNASSIGNED, RegionMap

    text = MINIMAL + (
        "\n[regionen]\nNord = ['haiger', 'DILLENBURG', 'Dietzhoelztal']\n"
        "'Süd' = ['Wetzlar, Stadt', 'Huettenberg', 'Asslar']\n"
    )
    team = _load(tmp_path, text)
    assert team.regions == (  # type: ignore[attr-defined]
        ("Nord", ("Haiger", "Dillenburg", "Dietzhölztal")),
        ("Süd", ("Wetzlar", "Hüttenberg", "Aßlar")),
    )
    regions = RegionMap(team.regions)  # type: ignore[attr-defined]
    assert regions.region_of("Hüttenberg") == "Süd" and regions.region_of("Haiger") == "Nord"
    assert regions.region_of("Sinn") == UNASSIGNED  # not every municipality needs a region


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="gibt es nicht"):
        load_team(tmp_path / "fehlt.toml")


def test_bom_and_cp1252_files_are_accepted(tmp_path: Path) -> None:
    text = MINIMAL.replace('kennung = "a"', 'kennung = "a"\nname = "Jörg Weiß"')
    for encoding in ("utf-8-sig", "cp1252"):
        path = tmp_path / f"team-{encoding}.toml"
        path.write_bytes(text.encode(encoding))
        assert load_team(path).coaches[0].name == "Jörg Weiß"


def test_absences_single_days_and_ranges(tmp_path: Path) -> None:
    entries = (
        '["24.12.2026-01.01.2027", "15.12.2026", "1.2.27", "02.03.2027 – 04.03.2027", '
        '"05.04.2027 bis 06.04.2027", 2027-05-03]'
    )
    team = _load(tmp_path, MINIMAL + f"abwesend = {entries}\n")
    (coach,) = team.coaches  # type: ignore[attr-defined]
    assert coach.absent == (
        (date(2026, 12, 24), date(2027, 1, 1)),
        (date(2026, 12, 15), date(2026, 12, 15)),
        (date(2027, 2, 1), date(2027, 2, 1)),
        (date(2027, 3, 2), date(2027, 3, 4)),
        (date(2027, 4, 5), date(2027, 4, 6)),
        (date(2027, 5, 3), date(2027, 5, 3)),  # a bare TOML date
    )
    assert _load(tmp_path, MINIMAL).coaches[0].absent == ()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('["32.12.2026"]', "Eintrag „32.12.2026“: Den 32.12.2026 gibt es nicht"),
        ('["Weihnachten"]', "Eintrag „Weihnachten“: „Weihnachten“ ist kein Datum"),
        ('["24.12.2026-30.02.2027"]', "Den 30.02.2027 gibt es nicht"),
        (
            '["01.01.2027-24.12.2026"]',
            "Eintrag „01.01.2027-24.12.2026“: das Ende (24.12.2026) liegt vor dem Beginn "
            "(01.01.2027)",
        ),
        ("[15122026]", "Eintrag 15122026 ist kein Datum in Anführungszeichen"),
        ("15", "muss eine Liste sein"),
    ],
)
def test_bad_absence_names_coach_and_entry(tmp_path: Path, value: str, expected: str) -> None:
    text = MINIMAL.replace('kennung = "a"', 'kennung = "anna"') + f"abwesend = {value}\n"
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    message = str(info.value)
    assert message.startswith("team.toml, [[coach]] Nr. 1 („anna“), Schlüssel „abwesend“: ")
    assert expected in message


@pytest.mark.parametrize(
    ("entries", "key", "expected"),
    [
        ('Herbon = "Bahnhof Herborn"', "Herbon", "meinten Sie „Herborn“?"),
        ('Naunheim = "Naunheim"', "Naunheim", "Ortsteile zählen zu ihrer Gemeinde"),
        ("Sinn = 3", "Sinn", "muss ein Ort oder eine Adresse in Anführungszeichen sein"),
        ('Sinn = "  "', "Sinn", "muss ein Ort oder eine Adresse in Anführungszeichen sein"),
        ('Sinn = "Café A"\nsinn = "Café B"', "sinn", "„Sinn“ steht doppelt"),
    ],
)
def test_bad_meeting_places_name_the_municipality(
    tmp_path: Path, entries: str, key: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, MINIMAL + f"\n[treffpunkte]\n{entries}\n")
    message = str(info.value)
    assert message.startswith(f"team.toml, [treffpunkte], Schlüssel „{key}“: ")
    assert expected in message


def test_meeting_places_in_the_template_load_when_uncommented(tmp_path: Path) -> None:
    # The template keeps [treffpunkte] commented out; the example must still be valid.
    text = TEMPLATE.read_text(encoding="utf-8")
    block = text[text.index("# [treffpunkte]") :]
    uncommented = "\n".join(line.removeprefix("# ") for line in block.splitlines())
    team = _load(tmp_path, text.replace(block, uncommented))
    assert team.meeting_places == (  # type: ignore[attr-defined]
        ("Herborn", "Café Mittendrin, Hauptstraße 40, Herborn"),
        ("Dillenburg", "Bahnhof Dillenburg"),
        ("Wetzlar", "Stadtbibliothek, Wetzlar"),
    )
    assert load_team(TEMPLATE).meeting_places == ()
