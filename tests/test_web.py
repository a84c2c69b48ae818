"""The web service recipe of docs/web.md: JSON in, JSON out, ValidationError as a 422."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import Dataset, ValidationError, from_json, prioritize, to_json
from customer_model.testing import datasets

AS_OF = datetime(2030, 1, 1, tzinfo=UTC)


def _app() -> FastAPI:
    app = FastAPI()

    @app.exception_handler(ValidationError)
    async def invalid_input(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ValidationError)
        problems = [{"location": p.location, "message": p.message} for p in error.problems]
        return JSONResponse({"problems": problems}, status_code=422)

    @app.post("/backlog")
    async def backlog(request: Request, as_of: datetime) -> Response:
        data = from_json(await request.body(), Dataset)
        ranked = prioritize(data.feedback, data.customers, as_of=as_of)
        return Response(to_json(ranked), media_type="application/json")

    return app


CLIENT = TestClient(_app())


@settings(max_examples=20)
@given(datasets(currency="EUR"))
def test_the_service_answers_what_the_library_computes(data: Dataset) -> None:
    answer = CLIENT.post("/backlog", params={"as_of": AS_OF.isoformat()}, content=to_json(data))
    assert answer.status_code == 200
    expected = prioritize(data.feedback, data.customers, as_of=AS_OF)
    assert answer.json() == json.loads(to_json(expected))


@settings(max_examples=30)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=8,
    )
)
def test_bad_bodies_are_a_422_listing_every_problem(body: object) -> None:
    text = json.dumps(body)
    with pytest.raises(ValidationError) as info:
        from_json(text, Dataset)
    answer = CLIENT.post("/backlog", params={"as_of": AS_OF.isoformat()}, content=text)
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {"location": p.location, "message": p.message} for p in info.value.problems
    ]


def test_a_broken_rule_in_valid_json_is_a_422_too() -> None:
    body = to_json(Dataset([]))
    answer = CLIENT.post("/backlog", params={"as_of": "2030-01-01T00:00:00"}, content=body)
    assert answer.status_code == 422
    assert [p["location"] for p in answer.json()["problems"]] == ["$.as_of"]


def test_personal_data_in_a_bad_body_is_not_echoed() -> None:
    body = json.dumps(
        {"customers": [{"id": "c1", "kind": "individual", "name": 7, "purchasers": "Ann Lee"}]}
    )
    answer = CLIENT.post("/backlog", params={"as_of": AS_OF.isoformat()}, content=body)
    assert answer.status_code == 422
    assert "Ann Lee" not in answer.text
