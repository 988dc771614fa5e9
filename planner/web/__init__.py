"""The browser app (Starlette): ``planner web`` serves it, :func:`create_app` builds it."""

from planner.web.app import create_app, serve

__all__ = ["create_app", "serve"]
