"""The route class every router uses.

Routes return plain dicts already shaped by `api/schemas`; letting FastAPI re-validate them
against the return annotation costs a pydantic pass per response and adds nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute


class ContractRoute(APIRoute):
    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        kwargs["response_model"] = None
        super().__init__(path, endpoint, **kwargs)
