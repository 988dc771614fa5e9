"""Block every outgoing network call in this process (used by the privacy tests).

Importing this module changes nothing; ``block()`` patches the socket module so that any
connection attempt, DNS lookup or datagram raises ``NetworkBlocked``. The subprocess test
runs ``python -m tests.netguard <planner args>`` to guard a real CLI process.
"""

from __future__ import annotations

import socket
import sys
from typing import Any, NoReturn


class NetworkBlocked(RuntimeError):
    pass


attempts: list[str] = []


def _refuse(what: str) -> Any:
    def refuse(*args: object, **kwargs: object) -> NoReturn:
        attempts.append(f"{what}{args[1:] if what.startswith('socket.') else args}")
        raise NetworkBlocked(f"network access attempted: {what} {args!r}")

    return refuse


def block() -> None:
    socket.socket.connect = _refuse("socket.connect")  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse("socket.connect_ex")  # type: ignore[method-assign]
    socket.socket.sendto = _refuse("socket.sendto")  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _refuse("getaddrinfo")
    socket.gethostbyname = _refuse("gethostbyname")
    socket.create_connection = _refuse("create_connection")


if __name__ == "__main__":
    block()
    from planner.cli import main

    code = main(sys.argv[1:])
    if attempts:
        print(f"NETWORK ATTEMPTS: {attempts}", file=sys.stderr)
        code = 99
    sys.exit(code)
