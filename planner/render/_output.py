"""Writing an output file whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from planner._files import umask


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` beside ``path`` and rename it over: a reader (or an interrupted run)
    sees the previous file or the new one, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
