"""Alembic migrations of the campaign store, run by :func:`planner.store.repository.migrate`.

A package (with ``versions`` one too) so that setuptools ships the scripts with the planner.
"""
