"""Campaign store: cases, attempts, publications and audit log (SQLite or PostgreSQL)."""

from planner.store.errors import StoreError, UnknownCase
from planner.store.repository import AuditEntry, ImportSummary, Store

__all__ = ["AuditEntry", "ImportSummary", "Store", "StoreError", "UnknownCase"]
