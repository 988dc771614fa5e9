"""Writing an output file whole or not at all."""

from __future__ import annotations

from pathlib import Path

from planner._files import atomic_path


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` beside ``path`` and rename it over: a reader (or an interrupted run)
    sees the previous file or the new one, never half of it."""
    path = Path(path)
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
    return path
