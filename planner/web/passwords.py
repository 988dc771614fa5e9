"""Passwords of the app's accounts: argon2id, never stored or logged in plain text.

argon2id is memory-hard: with 64 MiB per guess (RFC 9106's second recommended profile,
argon2-cffi's default) a stolen database costs an attacker memory as well as time. No
web framework is imported here, so ``planner user add`` stays light.
"""

from __future__ import annotations

import threading
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from planner.errors import PlannerError

MIN_LENGTH = 12
#: Longer input is refused before hashing (a megabyte of "password" is an attack).
MAX_LENGTH = 1024

_HASHER = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
#: At most two hashes at a time: 64 MiB each, and a burst of logins must not exhaust memory.
_SLOTS = threading.BoundedSemaphore(2)


class WeakPassword(PlannerError):
    """A new password that does not meet the rules (German message)."""


def check_new_password(password: str) -> None:
    """Refuse a new password that is too short, too long or only blanks."""
    if len(password) < MIN_LENGTH or not password.strip():
        raise WeakPassword(f"Das Passwort muss mindestens {MIN_LENGTH} Zeichen lang sein.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Das Passwort darf höchstens {MAX_LENGTH} Zeichen lang sein.")


def hash_password(password: str) -> str:
    """The argon2id hash of a new password (checked first)."""
    check_new_password(password)
    with _SLOTS:
        return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; with no hash (unknown user) the same work is done
    against a dummy, so the answer time does not tell whether a name exists."""
    if len(password) > MAX_LENGTH:
        return False
    with _SLOTS:
        try:
            return _HASHER.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    """The hash was made with weaker parameters than today's: replace it at login."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("kein Benutzer – nur Rechenzeit")
