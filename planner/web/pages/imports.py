"""Import (lead only): upload a client list, see the check report and what the import
would do, then confirm or discard it.

Between the check and the confirmation the uploaded file waits in a private folder
(mode 0700, one per app) under a random token that only the uploading session may use;
it is deleted on confirm, on discard, and after :data:`PENDING_FOR` (checked on every
visit of the page and by a timer); what a killed app left behind, the next one removes
(:func:`sweep_stale`). Nothing reaches the store before "Bestätigen"
(:func:`planner.workflow.preview_import` only reads). File contents are never logged:
the audit gets the file name and counts.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
import unicodedata
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from planner.errors import InputFileError
from planner.intake.tables import CSV_SUFFIXES, XLSX_SUFFIXES
from planner.model import Severity
from planner.store import Role, StoreError, WebSession
from planner.web.context import AppContext, context
from planner.web.pages import render
from planner.web.pages.cases import case_href
from planner.web.security import csrf_protected, require_role
from planner.workflow import ImportCheck, ImportReport, import_list, preview_import

#: Largest client list (the app's request-body limit is the same).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: An uploaded list waits this long for "Bestätigen", then it is deleted.
PENDING_FOR = timedelta(minutes=30)
#: At most this many lists wait at once (one per session; the oldest goes first).
MAX_PENDING = 20
ALLOWED_SUFFIXES = CSV_SUFFIXES | XLSX_SUFFIXES
#: Where the private folders go (None: the system's temporary folder; tests set it).
TEMP_PARENT: Path | None = None
FOLDER_PREFIX = "planner-import-"
FILE_FIELD = "liste"
TOKEN_FIELD = "pruefung"
_CHUNK = 1024 * 1024


class UploadRefused(ValueError):
    """The upload is no usable client list file (German message for the page)."""


# --------------------------------------------------------------------------- waiting lists


@dataclass(frozen=True)
class Pending:
    """An uploaded, checked list waiting for the lead's confirmation."""

    token: str
    session: str  # WebSession.key of the uploader: nobody else may use the token
    path: Path  # in the private folder
    name: str  # the file name as uploaded (cleaned); the store's "Liste …" source
    at: datetime
    result: ImportCheck


@dataclass(frozen=True)
class Done:
    """What a confirmed import did, shown once more after the redirect."""

    session: str
    name: str
    line: str
    not_located: int
    missing: int
    at: datetime


class Uploads:
    """The lists between check and confirmation, and the results of finished imports.

    Files live in one private temporary folder (``mkdtemp``: mode 0700), one subfolder
    per token (0700 too) so the file keeps its own name. The folder goes when the app
    goes (``weakref.finalize`` also runs at interpreter exit).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._root: Path | None = None
        self._pending: dict[str, Pending] = {}
        self._done: dict[str, Done] = {}

    def folder(self, token: str) -> Path:
        """A new private folder for the upload ``token``."""
        with self._lock:
            if self._root is None:
                parent = temp_parent()
                sweep_stale(parent)
                # The process id in the name tells a later app whose folder it was.
                prefix = f"{FOLDER_PREFIX}{os.getpid()}-"
                self._root = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
                weakref.finalize(self, shutil.rmtree, self._root, ignore_errors=True)
            root = self._root
        folder = root / token
        folder.mkdir(mode=0o700)
        return folder

    def add(self, pending: Pending, now: datetime) -> None:
        """Keep ``pending``; an earlier list of the same session is discarded."""
        self.prune(now)
        with self._lock:
            old = [p for p in self._pending.values() if p.session == pending.session]
            for p in old:
                del self._pending[p.token]
            while len(self._pending) >= MAX_PENDING:  # dicts keep order: oldest first
                oldest = self._pending.pop(next(iter(self._pending)))
                old.append(oldest)
            self._pending[pending.token] = pending
        for p in old:
            _remove(p.path.parent)

    def get(self, token: str, session: WebSession, now: datetime) -> Pending | None:
        """The list ``token`` if it is this session's and has not expired."""
        self.prune(now)
        with self._lock:
            pending = self._pending.get(token)
        return pending if pending is not None and pending.session == session.key else None

    def take(self, token: str, session: WebSession, now: datetime) -> Pending | None:
        """Like :meth:`get`, and the list no longer waits (the caller deletes the file)."""
        pending = self.get(token, session, now)
        if pending is not None:
            with self._lock:
                self._pending.pop(token, None)
        return pending

    def discard(self, token: str) -> None:
        """Forget the list ``token`` and delete its file (also: the timer's call)."""
        with self._lock:
            pending = self._pending.pop(token, None)
        if pending is not None:
            _remove(pending.path.parent)

    def finished(self, token: str, done: Done) -> None:
        with self._lock:
            self._done[token] = done

    def result(self, token: str, session: WebSession, now: datetime) -> Done | None:
        self.prune(now)
        with self._lock:
            done = self._done.get(token)
        return done if done is not None and done.session == session.key else None

    def prune(self, now: datetime) -> None:
        """Delete what has waited longer than :data:`PENDING_FOR`."""
        with self._lock:
            stale = [p for p in self._pending.values() if now - p.at > PENDING_FOR]
            for p in stale:
                del self._pending[p.token]
            for token in [t for t, d in self._done.items() if now - d.at > PENDING_FOR]:
                del self._done[token]
        for p in stale:
            _remove(p.path.parent)

    def waiting(self) -> tuple[Path, ...]:
        """The files that wait now (for tests and a look from outside)."""
        with self._lock:
            return tuple(p.path for p in self._pending.values())


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def sweep_stale(parent: Path) -> int:
    """Delete the private folders of app processes that are gone; how many.

    uvicorn ends on Ctrl+C or SIGTERM by raising the signal again, so exit handlers
    do not run and a waiting list could outlive the app; the next app removes it. Only
    real folders of this user whose process no longer runs (POSIX only: on Windows a
    signal 0 would end the process it asks about)."""
    if os.name != "posix":
        return 0
    swept = 0
    for folder in parent.glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or _running(int(pid)):
            continue
        try:
            info = folder.lstat()
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():  # never a symlink
            shutil.rmtree(folder, ignore_errors=True)
            swept += 1
    return swept


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def uploads_of(request: Request) -> Uploads:
    """The app's :class:`Uploads` (made on first use; handlers run on one event loop)."""
    state = request.app.state
    uploads = getattr(state, "import_uploads", None)
    if not isinstance(uploads, Uploads):
        uploads = Uploads()
        state.import_uploads = uploads
        sweep_stale(temp_parent())  # once per app, on the first visit of the page
    return uploads


def temp_parent() -> Path:
    return TEMP_PARENT or Path(tempfile.gettempdir())


# --------------------------------------------------------------------------- the file


def clean_name(filename: str) -> str:
    """The uploaded file's name, safe as a file name: no folders, no control or odd
    characters, at most 80 characters (the extension kept)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[^\w .()+-]", "_", name).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem[: 80 - len(suffix) - 1] or "kundenliste"
    return f"{stem}.{suffix}" if suffix else stem


def check_file(filename: str) -> str:
    """The cleaned name of an upload, or :class:`UploadRefused` for another kind of file."""
    if not filename:
        raise UploadRefused("Bitte zuerst eine Datei auswählen.")
    name = clean_name(filename)
    if PurePosixPath(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise UploadRefused(
            f"„{name}“ ist keine Kundenliste in einem lesbaren Format. Bitte die Liste "
            "als CSV-Datei (.csv) oder als Excel-Arbeitsmappe (.xlsx) hochladen."
        )
    return name


def save_upload(source: IO[bytes], target: Path) -> int:
    """Copy the upload to ``target`` (created 0600, never overwritten); bytes written.

    Refuses more than :data:`MAX_UPLOAD_BYTES` and an empty file."""
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise UploadRefused(
                    f"Die Datei ist größer als {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. "
                    "Bitte nur die Kundenliste hochladen (ohne weitere Tabellenblätter)."
                )
            out.write(chunk)
    if size == 0:
        raise UploadRefused("Die Datei ist leer.")
    return size


# --------------------------------------------------------------------------- pages


async def import_page(request: Request) -> Response:
    """GET /import: the upload form, a waiting list's check report, or an import's result."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    uploads = uploads_of(request)
    now = ctx.now()
    token = request.query_params.get(TOKEN_FIELD, "")
    if token:
        pending = uploads.get(token, session, now)
        if pending is None:
            return _form(request, notice="abgelaufen")
        await ctx.write(ctx.store.log, None, "Importprüfung angesehen", pending.name,
                        user=session.user.name, at=now)  # fmt: skip
        return render(request, "import_check.html.j2", _check_view(pending))
    finished = request.query_params.get("fertig", "")
    done = uploads.result(finished, session, now) if finished else None
    notice = request.query_params.get("hinweis", "")
    return _form(request, done=done, notice=notice if notice in _NOTICES else "")


_NOTICES = {
    "abgelaufen": "Diese Prüfung gibt es nicht mehr (abgelaufen, verworfen oder schon "
    "übernommen). Bitte die Liste erneut hochladen.",
    "verworfen": "Die Liste wurde verworfen; es wurde nichts übernommen.",
}


def _form(
    request: Request,
    *,
    error: str = "",
    notice: str = "",
    done: Done | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "import.html.j2",
        {
            "title": "Import",
            "error": error,
            "notice": _NOTICES.get(notice, ""),
            "done": done,
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "accept": ",".join(sorted(ALLOWED_SUFFIXES)),
            "file_field": FILE_FIELD,
        },
        status=status,
    )


@csrf_protected
async def upload(request: Request) -> Response:
    """POST /import: keep the uploaded list privately, check it, show the report."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    form = await request.form()
    sent = form.get(FILE_FIELD)
    uploads = uploads_of(request)
    token = secrets.token_urlsafe(24)
    try:
        if not isinstance(sent, UploadFile):
            raise UploadRefused("Bitte zuerst eine Datei auswählen.")
        name = check_file(sent.filename or "")
        path = uploads.folder(token) / name
        try:
            await ctx.run(save_upload, sent.file, path)
            result = await ctx.run(preview_import, ctx.store, path, ctx.team, today=ctx.today())
        except BaseException:
            _remove(path.parent)
            raise
    except UploadRefused as exc:
        return _form(request, error=str(exc), status=400)
    except (InputFileError, StoreError) as exc:  # German, about the file as a whole
        return _form(request, error=str(exc), status=400)
    now = ctx.now()
    uploads.add(Pending(token, session.key, path, name, now, result), now)
    # A timer as well: the file goes even when nobody opens the page again.
    asyncio.get_running_loop().call_later(PENDING_FOR.total_seconds(), uploads.discard, token)
    check = result.check
    detail = (
        f"{name}: {len(check.rows)} Zeilen – {check.count(Severity.OK)} ok, "
        f"{check.count(Severity.WARNING)} mit Warnung, {check.count(Severity.ERROR)} mit Fehler"
    )
    await ctx.write(ctx.store.log, None, "Liste geprüft", detail,
                    user=session.user.name, at=now)  # fmt: skip
    return RedirectResponse(f"/import?{TOKEN_FIELD}={token}", status_code=303)


@csrf_protected
async def confirm(request: Request) -> Response:
    """POST /import/bestaetigen: import the checked list; the file is deleted."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    pending = await _taken(request, ctx, session)
    if pending is None:
        return RedirectResponse("/import?hinweis=abgelaufen", status_code=303)
    try:
        report: ImportReport = await ctx.write(
            import_list, ctx.store, pending.path, ctx.team, today=ctx.today(),
            user=session.user.name,
        )  # fmt: skip
    except (InputFileError, StoreError) as exc:
        raise HTTPException(400, str(exc)) from None
    finally:
        _remove(pending.path.parent)
    # The store logged the import itself ("Liste importiert" and each case).
    now = ctx.now()
    uploads_of(request).finished(
        pending.token,
        Done(session.key, pending.name, report.line(), report.not_located,
             len(report.summary.missing), now),
    )  # fmt: skip
    return RedirectResponse(f"/import?fertig={pending.token}", status_code=303)


@csrf_protected
async def discard(request: Request) -> Response:
    """POST /import/verwerfen: delete the checked list without importing it."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    pending = await _taken(request, ctx, session)
    if pending is None:
        return RedirectResponse("/import?hinweis=abgelaufen", status_code=303)
    _remove(pending.path.parent)
    await ctx.write(ctx.store.log, None, "Liste verworfen", pending.name,
                    user=session.user.name, at=ctx.now())  # fmt: skip
    return RedirectResponse("/import?hinweis=verworfen", status_code=303)


async def _taken(request: Request, ctx: AppContext, session: WebSession) -> Pending | None:
    form = await request.form()
    token = form.get(TOKEN_FIELD)
    if not isinstance(token, str) or not token:
        return None
    return uploads_of(request).take(token, session, ctx.now())


# --------------------------------------------------------------------------- view


def _check_view(pending: Pending) -> dict[str, Any]:
    check, preview = pending.result.check, pending.result.preview
    by_status: dict[str, list[dict[str, Any]]] = {s.value: [] for s in Severity}
    for row in check.rows:
        by_status[row["status"]].append(_report_row(row))
    return {
        "title": f"Import prüfen: {pending.name}",
        "name": pending.name,
        "token": pending.token,
        "token_field": TOKEN_FIELD,
        "checked_at": pending.at,
        "expires_at": pending.at + PENDING_FOR,
        "rows": len(check.rows),
        "ok": by_status[Severity.OK.value],
        "warnings": by_status[Severity.WARNING.value],
        "errors": by_status[Severity.ERROR.value],
        "faulty": check.faulty,
        "not_located": check.not_located,
        "new": preview.new,
        "updated": preview.updated,
        "unchanged": preview.unchanged,
        "missing": [(case_id, case_href(case_id)) for case_id in preview.missing],
        "line": pending.result.line(),
    }


def _report_row(row: dict[str, str]) -> dict[str, Any]:
    place = row["gemeinde"]
    if row["ortsteil"] and row["ortsteil"] != place:
        place = f"{place}-{row['ortsteil']}" if place else row["ortsteil"]
    return {
        "row": row["zeile"],
        "id": row["kunden_nr"],
        "status": row["status"],
        "place": place,
        "messages": row["meldung"].split(" | ") if row["meldung"] else [],
    }
