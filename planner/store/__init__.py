"""Campaign store: cases, attempts, publications, audit log and the app's accounts
(SQLite or PostgreSQL)."""

from planner.store.errors import StoreError, UnknownCase
from planner.store.repository import (
    AuditEntry,
    ImportPreview,
    ImportSummary,
    Role,
    Store,
    User,
    WebSession,
    user_name,
)

__all__ = [
    "AuditEntry",
    "ImportPreview",
    "ImportSummary",
    "Role",
    "Store",
    "StoreError",
    "UnknownCase",
    "User",
    "WebSession",
    "user_name",
]
