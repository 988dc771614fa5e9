"""The output folder holds the previous complete plan or the new one, never a mix.

A run writes into a staging folder beside the target (same file system) and swaps it in
at the very end: with Linux' ``renameat2(RENAME_EXCHANGE)`` in one atomic step, elsewhere
by two renames (a crash between them leaves the old folder under a hidden name, which
the next run puts back). Files of an earlier run that the new run does not write (route
sheets of a coach who is gone) disappear with the old folder.

A lock file beside the target refuses a second run into the same folder while the first
one is planning. The lock is an ``flock``: the operating system drops it when a process
dies, so a killed run never blocks the next one.

The target is checked *before* planning, so a bad ``--out`` costs no solving time.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from planner._files import umask
from planner.errors import OutputError

#: Written into every output folder; a folder with it (or with only files the planner
#: writes) may be replaced. Anything else might be the user's own files: refused.
MARKER = ".beratung-mobil-ausgabe"
#: Names a planner output folder contains (older runs wrote no marker).
KNOWN_NAMES = frozenset(
    {MARKER, "karte.html", "laufzettel", "plan.csv", "zusammenfassung.txt", "plan.xlsx"}
)

_STAGING = ".{name}.neu-"
_RETIRED = ".{name}.alt-"


def check_folder(target: Path) -> None:
    """Raise :class:`OutputError` (German) if ``target`` cannot become an output folder."""
    if target.exists() and not target.is_dir():
        raise OutputError(
            f"„{target}“ ist eine Datei, kein Ordner. Bitte mit --out einen Ordner angeben."
        )
    if target.is_dir():
        foreign = sorted(p.name for p in target.iterdir() if p.name not in KNOWN_NAMES)
        if foreign and not (target / MARKER).exists():
            shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
            raise OutputError(
                f"Der Ordner „{target}“ enthält andere Dateien ({shown}). Der Planer ersetzt "
                "den ganzen Ausgabeordner; bitte einen leeren oder neuen Ordner angeben."
            )
    _check_writable(_existing_ancestor(target.parent), target)


def check_file(target: Path) -> None:
    """Raise :class:`OutputError` if a report file cannot be written at ``target``."""
    if target.is_dir():
        raise OutputError(f"„{target}“ ist ein Ordner. Bitte einen Dateinamen angeben.")
    _check_writable(_existing_ancestor(target.parent), target)


def _existing_ancestor(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _check_writable(folder: Path, target: Path) -> None:
    if not folder.is_dir():
        raise OutputError(f"„{target}“ kann nicht angelegt werden: „{folder}“ ist kein Ordner.")
    # os.access is not enough (root may write anywhere by mode bits, but not on a read-only
    # mount): try it.
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OutputError(
            f"In „{folder}“ kann nicht geschrieben werden ({exc.strerror}); "
            f"„{target}“ lässt sich dort nicht anlegen. Bitte einen anderen Ort angeben."
        ) from None


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Lock ``target``, yield an empty staging folder, and swap it in if the body succeeds.

    Raises :class:`OutputError` when another run holds the folder. On any exception
    (including Ctrl+C) the staging folder is removed and ``target`` stays as it was.
    """
    target = target.absolute()
    check_folder(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    with _locked(lock_path, target):
        _recover(target)
        staging = Path(
            tempfile.mkdtemp(prefix=_STAGING.format(name=target.name), dir=target.parent)
        )
        try:
            os.chmod(staging, 0o777 & ~umask())
            (staging / MARKER).write_text(
                "Ausgabeordner des Tourenplaners Beratung Mobil; wird bei jedem Lauf ersetzt.\n",
                encoding="utf-8",
            )
            yield staging
            _swap_in(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _locked(lock_path: Path, target: Path) -> Iterator[None]:
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"In den Ordner „{target}“ schreibt gerade ein anderer Planungslauf. Bitte "
                "warten, bis er fertig ist, oder einen anderen Ordner (--out) angeben."
            ) from None
        yield
    finally:
        os.close(handle)  # also releases the lock


def _recover(target: Path) -> None:
    """Clean up after a run that was killed: stale staging folders, a folder half swapped."""
    retired = sorted(target.parent.glob(_RETIRED.format(name=target.name) + "*"))
    if not target.exists() and retired:
        os.rename(retired.pop(), target)  # the crash came between the two renames
    for stale in [*retired, *target.parent.glob(_STAGING.format(name=target.name) + "*")]:
        shutil.rmtree(stale, ignore_errors=True)


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging)  # now holds the previous plan
        return
    retired = Path(tempfile.mkdtemp(prefix=_RETIRED.format(name=target.name), dir=target.parent))
    os.rmdir(retired)
    os.rename(target, retired)
    os.rename(staging, target)
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ≥ 3.15); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
