"""The published OpenAPI document matches what the API answers: schemathesis generates requests for
every operation from the spec and sends them over real HTTP to a live test server, as the office
(Alice), a liaison (Bob) and anonymous. Bounded and deterministic: a few examples per operation,
a fixed derandomised search, no example database.

Checks: no server error, every response body matches its documented schema, every status returned is
documented. Writes are real but land in the test database, which is flushed after the test."""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from ..conftest import PASSWORD

EXAMPLES_PER_OPERATION = 5
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def _token(base_url: str, username: str) -> dict:
    response = requests.post(
        f"{base_url}/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ["alice", "bob", None])
def test_the_api_answers_as_its_openapi_document_says(live_server, world, ledger, username):
    headers = _token(live_server.url, username) if username else {}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    failures = []
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                case.call_and_validate(
                    base_url=live_server.url, session=session, headers=headers, checks=CHECKS
                )

            try:
                check()
            except (Exception, FailureGroup) as error:  # every operation's failure, reported together
                failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
