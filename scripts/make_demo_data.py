"""Write the fictional demo client list ``planner/resources/demo/kunden.csv``.

Every person, street number and phone number is invented. The places are the district's
real villages (from the embedded gazetteer). The file is written the way a job centre's
spreadsheet exports it (cp1252, ``;``, CRLF) and deliberately uses every input feature
once or more, including a few faulty rows, so ``planner demo`` shows each behaviour.

Deterministic: a fixed seed gives a byte-identical file. Run:
``.venv/bin/python scripts/make_demo_data.py [OUT.csv]``
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from planner import geodata

OUT = Path(__file__).resolve().parents[1] / "planner" / "resources" / "demo" / "kunden.csv"
SEED = 2026
WEEK = date(2026, 11, 30)  # Monday of the demo week (see planner.cli.DEMO_START)

HEADER = [
    "Kunden-Nr",
    "Name",
    "Straße",
    "Hausnummer",
    "PLZ",
    "Ort",
    "Ortsteil",
    "Telefon",
    "Priorität",
    "Letzter Kontakt",
    "Besuchsort",
    "Verfügbarkeit",
    "Termin",
    "Dauer (min)",
    "Hinweise",
    "Breite",
    "Länge",
]

FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "Deniz",
    "Elena",
    "Finn",
    "Gül",
    "Hannes",
    "Irina",
    "Jonas",
    "Katrin",
    "Lukas",
    "Mara",
    "Nikola",
    "Olga",
    "Paul",
    "Rana",
    "Sven",
    "Tanja",
    "Yusuf",
]
LAST = [
    "Becker",
    "Schmidt",
    "Yilmaz",
    "Keller",
    "Nowak",
    "Weber",
    "Hoffmann",
    "Petrovic",
    "Schäfer",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Braun",
    "Krüger",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
]
STREETS = [
    "Hauptstraße",
    "Bahnhofstraße",
    "Schulstraße",
    "Lindenweg",
    "Am Sportplatz",
    "Gartenstraße",
    "Bergstraße",
    "Wiesenweg",
    "Kirchgasse",
    "Ringstraße",
    "Am Hang",
    "Talstraße",
]
AREA_CODE = {
    "Wetzlar": "06441",
    "Dillenburg": "02771",
    "Herborn": "02772",
    "Haiger": "02773",
    "Braunfels": "06442",
    "Solms": "06442",
    "Leun": "06473",
    "Aßlar": "06441",
}
AVAILABILITY = [
    "",
    "",
    "",
    "Mo-Fr 09:00-12:00",
    "Di,Do 14:00-17:00",
    "Mo-Fr 08:00-16:00",
    "Mo, Mi 10-13",
    "Mo-Fr vormittags",
    "Di 13:00-16:00; Fr 09:00-11:00",
    "Mi-Fr 9-15",
]
NOTES = [
    "",
    "",
    "",
    "",
    "Hund im Haus",
    "Klingel defekt – vorher anrufen",
    "Dolmetscher Arabisch mitbringen",
    "Treffen lieber draußen",
    "Rollstuhl, Erdgeschoss",
    "Nur Festnetz, AB abhören",
]

# Municipality → how many regular clients (sum ≥ 60, all 23 present).
WEIGHTS = {
    "Wetzlar": 9,
    "Dillenburg": 5,
    "Herborn": 5,
    "Haiger": 4,
    "Aßlar": 3,
    "Solms": 3,
    "Braunfels": 3,
    "Ehringshausen": 3,
    "Eschenburg": 2,
    "Dietzhölztal": 2,
    "Driedorf": 2,
    "Greifenstein": 2,
    "Hüttenberg": 2,
    "Lahnau": 2,
    "Leun": 2,
    "Sinn": 2,
    "Mittenaar": 2,
    "Schöffengrund": 2,
    "Waldsolms": 2,
    "Hohenahr": 2,
    "Bischoffen": 2,
    "Siegbach": 2,
    "Breitscheid": 2,
}


def _base_rows(rnd: random.Random) -> list[dict[str, str]]:
    by_municipality: dict[str, list[geodata.Place]] = {}
    for place in geodata.places():
        if place.kind == "stadtbezirk_kernstadt":
            continue  # town quarters are not how people write their address
        by_municipality.setdefault(place.municipality, []).append(place)
    rows: list[dict[str, str]] = []
    for municipality, count in WEIGHTS.items():
        for _ in range(count):
            place = rnd.choice(by_municipality[municipality])
            rows.append(_person(rnd, municipality, place))
    return rows


def _person(rnd: random.Random, municipality: str, place: geodata.Place) -> dict[str, str]:
    last_contact = WEEK - timedelta(days=rnd.randint(120, 1100))
    ort = municipality
    ortsteil = ""
    if place.name != municipality:
        # Mix the forms job-centre exports use for "municipality + Ortsteil".
        form = rnd.randrange(4)
        if form == 0:
            ort = f"{municipality}-{place.name}"
        elif form == 1:
            ort, ortsteil = municipality, place.name
        elif form == 2:
            ort = f"{municipality} OT {place.name}"
        else:
            ort = f"{municipality} {place.name}"
    return {
        "Name": f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
        "Straße": rnd.choice(STREETS),
        "Hausnummer": str(rnd.randint(1, 60)) + rnd.choice(["", "", "", "a"]),
        "PLZ": place.plz,
        "Ort": ort,
        "Ortsteil": ortsteil,
        "Telefon": f"{AREA_CODE.get(municipality, '02772')} 99{rnd.randint(1000, 9999)}",
        "Priorität": rnd.choice(["1", "2", "2", "3", "", "hoch"]),
        "Letzter Kontakt": "" if rnd.random() < 0.08 else f"{last_contact:%d.%m.%Y}",
        "Besuchsort": rnd.choice(["Wohnung"] * 5 + ["Café", "Beratungsmobil"]),
        "Verfügbarkeit": rnd.choice(AVAILABILITY),
        "Termin": "",
        "Dauer (min)": rnd.choice(["", "", "45", "60", "90"]),
        "Hinweise": rnd.choice(NOTES),
        "Breite": "",
        "Länge": "",
    }


def _special_rows() -> list[dict[str, str]]:
    """Rows that show one feature each: fixed appointments, ambiguous villages, faults."""
    columns = {"Dauer": "Dauer (min)", "Letzter_Kontakt": "Letzter Kontakt"}

    def row(**kw: str) -> dict[str, str]:
        base = {k: "" for k in HEADER if k != "Kunden-Nr"}
        base.update({"Priorität": "2", "Letzter Kontakt": "15.03.2024", "Besuchsort": "Wohnung"})
        base.update({columns.get(k, k): v for k, v in kw.items()})
        return base

    return [
        # Fixed appointments in the demo week (two clash at the same hour far apart).
        row(
            Name="Selin Aksoy",
            Straße="Am Eichenhain 3",
            PLZ="35578",
            Ort="Wetzlar",
            Ortsteil="Naunheim",
            Termin="01.12.2026 10:00",
            Telefon="06441 991234",
            Hinweise="Termin telefonisch bestätigt",
        ),
        row(
            Name="Jan Vogt",
            Straße="Dillstraße 14",
            PLZ="35708",
            Ort="Haiger-Dillbrecht",
            Termin="01.12.2026 10:00",
            Priorität="3",
        ),
        row(
            Name="Mehmet Demir",
            Straße="Ulmtalstraße 7",
            PLZ="35753",
            Ort="Greifenstein",
            Ortsteil="Beilstein",
            Termin="02.12.2026 14:30",
            Besuchsort="Café",
            Hinweise="Café am Markt",
        ),
        row(
            Name="Lea Brandt",
            Straße="Lahnstraße 2",
            Ort="Lahnau Waldgirmes",
            Termin="03.12.2026 09:30",
            Dauer="",
        ),
        # Appointment outside the demo week: reported, not planned.
        row(
            Name="Tom Hermann",
            Straße="Bergweg 1",
            PLZ="35619",
            Ort="Braunfels",
            Termin="10.12.2026 11:00",
        ),
        # Villages that exist twice, told apart by PLZ or municipality.
        row(Name="Ute Sommer", Straße="Dorfstraße 4", PLZ="35708", Ort="Allendorf"),
        row(Name="Kai Reuter", Straße="Dorfstraße 9", PLZ="35753", Ort="Allendorf"),
        row(Name="Ida Münch", Straße="Waldstraße 2", Ort="Driedorf OT Roth"),
        row(Name="Nils Ott", Straße="Siegstraße 8", PLZ="35713", Ort="Eschenburg-Roth"),
        row(Name="Pia Jung", Straße="Auf der Höhe 5", Ort="Herborn (Seelbach)"),
        row(Name="Rolf Engel", Straße="Im Grund 3", PLZ="35606", Ort="Oberndorf"),
        row(Name="Sara Haas", Straße="Lindenstr. 6", PLZ="35619", Ort="Braunfels-Altenkirchen"),
        # Typos and imprecise places: corrected or municipality-level, with a warning.
        row(
            Name="Emil Fuchs",
            Straße="Hauptstr. 20",
            PLZ="35708",
            Ort="Dilbrecht",
            Besuchsort="Beratungsmobil",
        ),
        row(Name="Nora Seidel", Straße="Am Bach 1", Ort="Hüttenberg", Ortsteil="Weidenhusen"),
        row(Name="Omar Haddad", Straße="Feldweg 12", PLZ="35614", Ort="Aßlar OT Neudorf"),
        row(
            Name="Vera Lorenz",
            Straße="Hauptstraße 30",
            PLZ="35745",
            Ort="Sinn",
            Hinweise="PLZ in der Akte wohl falsch",
        ),
        # Coordinates given by hand win over the address.
        row(
            Name="Ali Kaya",
            Straße="Hof Waldeck",
            Ort="Driedorf",
            Breite="50,6432",
            Länge="8,1905",
            Hinweise="Aussiedlerhof, Zufahrt über Feldweg",
        ),
        # Availability no coach can serve: Saturday only.
        row(
            Name="Eva Roth",
            Straße="Marktplatz 2",
            PLZ="35683",
            Ort="Dillenburg",
            Verfügbarkeit="Sa 10:00-12:00",
        ),
        # Very short window, long visit.
        row(
            Name="Hans Weil",
            Straße="Kirchweg 1",
            Ort="Mittenaar-Bicken",
            Verfügbarkeit="Mi 09:00-09:30",
            Dauer="60",
        ),
        # Van visits on a market square.
        row(
            Name="Lina Graf",
            Straße="Marktplatz",
            PLZ="35745",
            Ort="Herborn",
            Besuchsort="Beratungsmobil",
            Verfügbarkeit="Mo-Fr 10:00-14:00",
            Dauer="1:30",
        ),
        # Faulty rows: each reaches the output as "nicht eingeplant" with a reason.
        row(Name="Gießen Extern", Straße="Bahnhofstraße 1", PLZ="35390", Ort="Gießen"),
        row(Name="Ohne Adresse"),
        row(Name="Negative Dauer", Straße="Ringstraße 1", Ort="Solms-Burgsolms", Dauer="-30"),
        row(Name="Unbekannte Prio", Straße="Ringstraße 3", Ort="Leun", Priorität="dringend"),
        row(
            Name="Falsches Datum",
            Straße="Ringstraße 5",
            Ort="Sinn-Fleisbach",
            Letzter_Kontakt="31.02.2026",
        ),
    ]


def build_rows() -> list[dict[str, str]]:
    rnd = random.Random(SEED)
    rows = _base_rows(rnd) + _special_rows()
    for i, r in enumerate(rows, start=1):
        r["Kunden-Nr"] = f"BM-{1000 + i}"  # pseudonyms
    # The same person exported twice (the later row is rejected), and a row without number.
    rows.append({**rows[10], "Name": rows[10]["Name"] + " (doppelt)"})
    rows.append({**rows[3], "Kunden-Nr": "", "Name": "Ohne Nummer"})
    return rows


def main(out: Path = OUT) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = build_rows()
    with out.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=HEADER, delimiter=";", lineterminator="\r\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
        fh.write(";" * (len(HEADER) - 1) + "\r\n")  # exports often end with empty rows
    print(f"{out}: {len(rows)} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
