"""Data-plane handlers for ``/phone_numbers`` and ``/phone_numbers/{id}``: parse, call one
operation, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, query, read_json, tenant_of
from mockserver.http.errors import r_method
from mockserver.operations.phone_numbers import PhoneNumbersBackend


def number_id(request: Request) -> str:
    """The ``{id}`` of the path; ``/phone_numbers/jobs`` answers GET only (405)."""
    ident: str = request.path_params["id"]
    if ident == "jobs":
        raise r_method(request, "GET")
    return ident


async def list_phone_numbers(request: Request) -> Response:
    data, meta = PhoneNumbersBackend(tenant_of(request)).list_phone_numbers(query(request))
    return json_response({"data": data, "meta": meta})


async def retrieve_phone_number(request: Request) -> Response:
    numbers, ident = PhoneNumbersBackend(tenant_of(request)), number_id(request)
    return json_response({"data": numbers.retrieve_phone_number(ident)})


async def update_phone_number(request: Request) -> Response:
    numbers, ident = PhoneNumbersBackend(tenant_of(request)), number_id(request)
    body = await read_json(request)
    return json_response({"data": numbers.update_phone_number(ident, body)})


async def delete_phone_number(request: Request) -> Response:
    numbers, ident = PhoneNumbersBackend(tenant_of(request)), number_id(request)
    return json_response({"data": numbers.delete_phone_number(ident)})
