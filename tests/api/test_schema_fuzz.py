"""Schema fuzzing: schemathesis drives every operation of our OpenAPI schema with generated
input (valid and invalid), signed in as an admin so requests get past authentication into
the validation and domain code. The one property checked: never a 5xx.

Bounded in time: `FUZZ_EXAMPLES` examples per operation (default 15), derandomised so a
CI failure reproduces locally; one pytest test per operation, so xdist spreads them.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlmodel import Session

from tests.conftest import auth_headers, make_user
from webinar_app.api.main import create_api
from webinar_app.core.security import utcnow
from webinar_app.services import webinars

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))

# An app of its own: loading the schema starts the app, and the shared `fastapi_app` must stay
# unstarted for the browser tests' AppHarness (Reflex adds its CORS middleware to it).
schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_api())


@pytest.fixture
def world(session: Session, client: Any) -> dict[str, str]:
    """An admin, a student and a live webinar, so ids 1 and 2 often name real objects."""
    admin = make_user(session, "root", role="admin", superuser=True)
    make_user(session, "alice")
    start = utcnow() - timedelta(minutes=5)
    webinars.create_webinar(
        session, admin, {"title": "Fuzzed", "date": start.date().isoformat(), "time": start.strftime("%H:%M")}
    )
    return auth_headers(client, "root")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case: Any, world: dict[str, str]) -> None:
    headers = {**(case.headers or {}), **world}
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
