"""Small file-system helpers shared by the writers."""

from __future__ import annotations

import os


def umask() -> int:
    """The process umask (read without changing it for longer than the call)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
