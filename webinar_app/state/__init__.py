"""Reflex states: what the pages show, and handlers that call the services.

Every public handler re-checks the user through `AuthState._resolve_user` (see `auth.py`).
"""
