"""The Import page: upload, row-by-row check, what the import would do, confirm or
discard; the uploaded file's private life in between; the lead only."""

# The fixtures come from tests.webapp by import; their parameters "redefine" them.
# ruff: noqa: F811

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from planner import settings
from planner.model import Severity
from planner.store import Store
from planner.web.pages import imports
from planner.web.pages.imports import Uploads, check_file, clean_name, sweep_stale
from planner.workflow import check_list, import_list, preview_import
from tests.webapp import (  # noqa: F401 (client, clock, db, seeded_template: fixtures)
    DAY,
    Clock,
    client,
    clock,
    csrf,
    db,
    log_in,
    seeded_template,
    store_of,
    team,
)

DEMO = settings.DEMO_DIR / "kunden.csv"

#: The seven rows of the demo list an import cannot take as they are (row, message part).
FAULTY = {
    "87": "Ort „Gießen“ liegt nicht im Lahn-Dill-Kreis",
    "88": "Es fehlt eine Adresse: weder Ort noch PLZ noch Koordinaten sind angegeben.",
    "89": "Die Dauer „-30“ ist negativ.",
    "90": "Unbekannte Priorität „dringend“",
    "91": "Den 31.02.2026 gibt es nicht",
    "92": "Die Kunden-Nr „BM-1011“ steht schon in Zeile 12.",
    "93": "Die Kunden-Nr fehlt.",
}


@pytest.fixture(autouse=True)
def private_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's private folders go below the test's own folder."""
    parent = tmp_path / "temp"
    parent.mkdir()
    monkeypatch.setattr(imports, "TEMP_PARENT", parent)
    yield parent


def december_list(tmp_path: Path) -> Path:
    """The demo list a month later: BM-1005 has a new phone number, BM-1010 is gone and
    BM-2001 is new."""
    text = DEMO.read_bytes().decode("cp1252")
    lines = text.split("\r\n")
    lines = [line for line in lines if not line.startswith("BM-1010;")]
    lines = [line.replace("06441 994678", "06441 994679") for line in lines]
    lines.append("BM-2001;Petra Neumann;Bahnhofstraße;3;35683;Dillenburg;;02771 123456;2;;"
                 "Wohnung;;;;;;")  # fmt: skip
    path = tmp_path / "kunden-dezember.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


def upload(client: TestClient, name: str, content: bytes, **extra: str) -> Any:
    data = {"csrf": csrf(client, "/import"), **extra}
    return client.post("/import", data=data, files={"liste": (name, content, "text/csv")})


def checked(client: TestClient, path: Path) -> tuple[str, str]:
    """Upload ``path``; the token and the check page."""
    sent = upload(client, path.name, path.read_bytes())
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    match = re.fullmatch(r"/import\?pruefung=([\w-]+)", location)
    assert match is not None, location
    page = client.get(location)
    assert page.status_code == 200
    return match.group(1), page.text


def uploads(client: TestClient) -> Uploads:
    """The app's waiting lists (an empty registry before the first upload)."""
    found = getattr(client.app.state, "import_uploads", None)  # type: ignore[attr-defined]
    return found if isinstance(found, Uploads) else Uploads()


def snapshot(db: Path) -> tuple[object, ...]:
    """Everything an import would change: the cases and the case lines of the audit."""
    with store_of(db) as store:
        return store.cases(), [e for e in store.audit() if e.case_id is not None]


def report_rows(html: str, section: str) -> list[tuple[str, str, str]]:
    """(Zeile, Kunden-Nr, Meldung) of the report table after the heading ``section``."""
    part = html.split(f'<h2 id="{section}-title">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r'<td class="num row-no"[^>]*>(\d+)</td>\s*<td class="id">([^<]*)</td>.*?'
        r'<td class="messages">(.*?)</td>',
        part,
        re.S,
    )
    return [(n, i, re.sub(r"<[^>]+>", " ", m)) for n, i, m in rows]


# --------------------------------------------------------------------------- the lead only


def test_coach_gets_403_on_every_import_route(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    token = csrf(client)
    assert client.get("/import").status_code == 403
    refused = client.post("/import", data={"csrf": token},
                          files={"liste": ("k.csv", DEMO.read_bytes(), "text/csv")})  # fmt: skip
    assert refused.status_code == 403 and "Leitung" in refused.text
    for path in ("/import/bestaetigen", "/import/verwerfen"):
        assert client.post(path, data={"csrf": token, "pruefung": "x"}).status_code == 403
    assert client.get("/stand").status_code == 403
    assert ">Import</a>" not in client.get("/faelle").text


# --------------------------------------------------------------------------- check


def test_demo_list_check_shows_the_faulty_rows_and_the_counts(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    before = snapshot(db)
    _, page = checked(client, DEMO)
    with store_of(db) as store:
        expected = preview_import(store, DEMO, team(), today=DAY)
    check = expected.check
    assert len(check.rows) == 92 and check.count(Severity.ERROR) == 7
    assert "Prüfung: 92 Zeilen" in page
    for severity, label in ((Severity.OK, "ok"), (Severity.WARNING, "mit Warnung"),
                            (Severity.ERROR, "mit Fehler")):  # fmt: skip
        assert f'<span class="tally-n">{check.count(severity)}</span> {label}' in page
    errors = report_rows(page, "errors")
    assert [row for row, _, _ in errors] == list(FAULTY)
    for row, _, message in errors:
        assert FAULTY[row] in message.replace("&#34;", '"'), (row, message)
    assert errors[-1][1] == "–"  # the row without a Kunden-Nr
    assert "Fehler (7)" in page and f"Warnungen ({check.count(Severity.WARNING)})" in page
    assert "Ohne Befund (" in page
    # The seeded store holds this list already: nothing would change.
    assert "0 neu, 0 aktualisiert, 86 unverändert, 6 fehlerhaft" in page
    assert "1 Fall wird ohne Position gespeichert" in page  # Gießen
    assert snapshot(db) == before  # nothing stored before "Bestätigen"


def test_check_shows_new_updated_and_missing_before_anything_is_stored(
    client: TestClient, db: Path, tmp_path: Path
) -> None:
    log_in(client, "lea")
    before = snapshot(db)
    _, page = checked(client, december_list(tmp_path))
    assert "1 neu, 1 aktualisiert, 84 unverändert, 6 fehlerhaft" in page
    assert "<strong>Neu:</strong> BM-2001" in page
    assert "<li>BM-1005: Telefon</li>" in page
    assert '<a href="/faelle/BM-1010">BM-1010</a>' in page  # not in the list any more
    assert "1 offene Fall steht nicht mehr in der Liste" in page
    assert snapshot(db) == before
    with store_of(db) as store:
        assert store.case("BM-2001") is None


# --------------------------------------------------------------------------- confirm


def test_confirm_imports_and_deletes_the_file(client: TestClient, db: Path, tmp_path: Path) -> None:
    log_in(client, "lea")
    token, _ = checked(client, december_list(tmp_path))
    (waiting,) = uploads(client).waiting()
    assert waiting.exists() and waiting.name == "kunden-dezember.csv"
    done = client.post("/import/bestaetigen", data={"csrf": csrf(client), "pruefung": token})
    assert done.status_code == 303 and done.headers["location"] == f"/import?fertig={token}"
    assert not waiting.exists() and not waiting.parent.exists()
    assert uploads(client).waiting() == ()
    page = client.get(done.headers["location"]).text
    assert "Liste übernommen: kunden-dezember.csv" in page
    assert "1 neu, 1 aktualisiert, 84 unverändert, 6 fehlerhaft" in page
    with store_of(db) as store:
        new, changed, gone = store.case("BM-2001"), store.case("BM-1005"), store.case("BM-1010")
        audit = store.audit()
    assert new is not None and new.client.name == "Petra Neumann"
    assert changed is not None and changed.client.phone == "06441 994679"
    assert gone is not None and gone.missing_since == DAY
    imported = [e for e in audit if e.action == "Liste importiert"][-1]
    assert imported.user == "lea" and imported.detail.startswith("kunden-dezember.csv:")
    # The token is used up: a second confirm imports nothing.
    again = client.post("/import/bestaetigen", data={"csrf": csrf(client), "pruefung": token})
    assert again.headers["location"] == "/import?hinweis=abgelaufen"
    assert "Diese Prüfung gibt es nicht mehr" in client.get(again.headers["location"]).text


def test_discard_deletes_the_file_and_stores_nothing(
    client: TestClient, db: Path, tmp_path: Path
) -> None:
    log_in(client, "lea")
    before = snapshot(db)
    token, _ = checked(client, december_list(tmp_path))
    (waiting,) = uploads(client).waiting()
    gone = client.post("/import/verwerfen", data={"csrf": csrf(client), "pruefung": token})
    assert gone.status_code == 303 and not waiting.exists()
    assert "nichts übernommen" in client.get(gone.headers["location"]).text
    assert snapshot(db) == before
    assert client.get(f"/import?pruefung={token}").text.count("Diese Prüfung gibt es nicht") == 1


def test_the_file_waits_in_a_private_folder_and_expires(
    client: TestClient, db: Path, clock: Clock, tmp_path: Path
) -> None:
    log_in(client, "lea")
    token, _ = checked(client, december_list(tmp_path))
    (waiting,) = uploads(client).waiting()
    assert stat.S_IMODE(waiting.stat().st_mode) == 0o600
    assert stat.S_IMODE(waiting.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(waiting.parent.parent.stat().st_mode) == 0o700
    clock.advance(minutes=31)
    page = client.get(f"/import?pruefung={token}")
    assert "Diese Prüfung gibt es nicht mehr" in page.text
    assert not waiting.exists() and uploads(client).waiting() == ()
    late = client.post("/import/bestaetigen", data={"csrf": csrf(client), "pruefung": token})
    assert late.headers["location"] == "/import?hinweis=abgelaufen"
    with store_of(db) as store:
        assert store.case("BM-2001") is None


def test_folders_of_an_ended_app_are_removed_by_the_next(
    client: TestClient, private_temp: Path, tmp_path: Path
) -> None:
    dead = private_temp / "planner-import-999999999-abc"  # no such process
    (dead / "token").mkdir(parents=True)
    (dead / "token" / "kunden.csv").write_text("Kunden-Nr;Name")
    mine = private_temp / f"planner-import-{os.getpid()}-def"  # a running app's
    mine.mkdir()
    elsewhere = tmp_path / "fremd"
    elsewhere.mkdir()
    (private_temp / "planner-import-999999998-link").symlink_to(elsewhere)
    other = private_temp / "andere-datei"
    other.mkdir()
    log_in(client, "lea")
    assert client.get("/import").status_code == 200  # the app's first look: swept
    assert not dead.exists() and mine.exists() and other.exists() and elsewhere.exists()
    checked(client, december_list(tmp_path))  # the first upload makes the app's folder
    (root,) = [p for p in private_temp.glob(f"planner-import-{os.getpid()}-*") if p != mine]
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert sweep_stale(private_temp) == 0  # the link is no folder: left alone


def test_a_new_upload_replaces_the_sessions_waiting_list(
    client: TestClient, tmp_path: Path
) -> None:
    log_in(client, "lea")
    first, _ = checked(client, december_list(tmp_path))
    (old,) = uploads(client).waiting()
    second, _ = checked(client, DEMO)
    assert first != second and not old.exists() and len(uploads(client).waiting()) == 1


def test_the_token_is_bound_to_the_session(
    client: TestClient, db: Path, clock: Clock, tmp_path: Path
) -> None:
    log_in(client, "lea")
    token, _ = checked(client, december_list(tmp_path))
    other = TestClient(client.app, follow_redirects=False)  # no lifespan: shares the store
    log_in(other, "lea")  # the same account, another login
    assert "Diese Prüfung gibt es nicht mehr" in other.get(f"/import?pruefung={token}").text
    taken = other.post("/import/bestaetigen", data={"csrf": csrf(other), "pruefung": token})
    assert taken.headers["location"] == "/import?hinweis=abgelaufen"
    with store_of(db) as store:
        assert store.case("BM-2001") is None
    assert len(uploads(client).waiting()) == 1  # still there for its own session


# --------------------------------------------------------------------------- refused files


def test_other_files_get_a_german_error(client: TestClient) -> None:
    log_in(client, "lea")
    pdf = upload(client, "kunden.pdf", b"%PDF-1.4 ...")
    assert pdf.status_code == 400
    assert "„kunden.pdf“ ist keine Kundenliste" in pdf.text and "(.xlsx)" in pdf.text
    broken = upload(client, "kunden.xlsx", b"kein Excel")
    assert broken.status_code == 400 and "keine gültige Excel-Datei" in broken.text
    empty = upload(client, "kunden.csv", b"")
    assert empty.status_code == 400 and "Die Datei ist leer." in empty.text
    none = client.post("/import", data={"csrf": csrf(client, "/import")})
    assert none.status_code == 400 and "Bitte zuerst eine Datei auswählen." in none.text
    assert uploads(client).waiting() == ()


def test_refused_files_leave_nothing_behind(client: TestClient) -> None:
    log_in(client, "lea")
    upload(client, "kunden.xlsx", b"kein Excel")
    root = uploads(client)._root
    assert root is not None and list(root.iterdir()) == []


def test_too_large_upload_is_refused(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 1000)
    log_in(client, "lea")
    big = upload(client, "kunden.csv", DEMO.read_bytes())
    assert big.status_code == 400 and "größer als" in big.text
    assert uploads(client).waiting() == ()


def test_file_names_are_cleaned() -> None:
    assert clean_name("C:\\Users\\lea\\Kunden Dezember.csv") == "Kunden Dezember.csv"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("a<b>\x00.csv") == "a_b__.csv"
    assert clean_name(".csv") == "csv"  # a leading dot is dropped: no hidden files
    assert len(clean_name("x" * 300 + ".xlsx")) == 80
    assert check_file("Liste.XLSX") == "Liste.XLSX"
    with pytest.raises(imports.UploadRefused, match="keine Kundenliste"):
        check_file("liste.exe")


# --------------------------------------------------------------------------- CSRF, audit


def test_posts_without_the_csrf_token_are_refused(
    client: TestClient, db: Path, tmp_path: Path
) -> None:
    log_in(client, "lea")
    refused = client.post("/import", files={"liste": ("k.csv", DEMO.read_bytes(), "text/csv")})
    assert refused.status_code == 403 and uploads(client).waiting() == ()
    token, _ = checked(client, december_list(tmp_path))
    for path in ("/import/bestaetigen", "/import/verwerfen"):
        assert client.post(path, data={"pruefung": token}).status_code == 403
        wrong = client.post(path, data={"pruefung": token, "csrf": "falsch"})
        assert wrong.status_code == 403
    assert len(uploads(client).waiting()) == 1
    with store_of(db) as store:
        assert store.case("BM-2001") is None


def test_audit_has_file_name_and_counts_never_the_contents(
    client: TestClient, db: Path, tmp_path: Path
) -> None:
    log_in(client, "lea")
    token, _ = checked(client, december_list(tmp_path))
    client.post("/import/verwerfen", data={"csrf": csrf(client, "/import"), "pruefung": token})
    with store_of(db) as store:
        entries = [e for e in store.audit() if e.user == "lea"]
    actions = [e.action for e in entries]
    assert actions[-3:] == ["Liste geprüft", "Importprüfung angesehen", "Liste verworfen"]
    first = entries[-3]
    assert first.detail.startswith("kunden-dezember.csv: 92 Zeilen – ")
    text = " ".join(f"{e.action} {e.detail}" for e in entries)
    assert "Neumann" not in text and "02771" not in text and "Bahnhof" not in text


def test_import_page_has_no_inline_script_or_style(client: TestClient, tmp_path: Path) -> None:
    log_in(client, "lea")
    _, check_page = checked(client, december_list(tmp_path))
    for html in (client.get("/import").text, check_page):
        assert "<style" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html)
        assert '<link rel="stylesheet" href="/static/import.css' in html
        assert 'enctype="multipart/form-data"' in html or "/import/bestaetigen" in html
    assert client.get("/static/import.css").status_code == 200


# --------------------------------------------------------------------------- use cases


def test_check_list_reports_rows_like_planner_check(tmp_path: Path) -> None:
    result = check_list(DEMO, team(), DAY)
    assert len(result.rows) == 92 and result.faulty == 6 and result.not_located == 1
    errors = [r for r in result.rows if r["status"] == Severity.ERROR.value]
    assert [r["zeile"] for r in errors] == list(FAULTY)
    assert len(result.cases) == 86 and all(c.first_seen == DAY for c in result.cases)


def test_preview_matches_the_import_and_writes_nothing(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "k.db")) as store:
        import_list(store, DEMO, team(), today=date(2026, 11, 2), user="lea")
        audit = store.audit()
        listing = december_list(tmp_path)
        preview = preview_import(store, listing, team(), today=DAY)
        assert store.audit() == audit and store.case("BM-2001") is None
        done = import_list(store, listing, team(), today=DAY, user="lea")
    p = preview.preview
    assert (p.new, p.updated, p.missing) == (("BM-2001",), (("BM-1005", "Telefon"),), ("BM-1010",))
    assert p.summary() == done.summary
    assert preview.line() == "1 neu, 1 aktualisiert, 84 unverändert, 6 fehlerhaft"
    assert done.line().startswith(preview.line())
