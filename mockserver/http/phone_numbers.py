"""Data-plane handlers for ``/phone_numbers``, ``/phone_numbers/slim`` and
``/phone_numbers/{id}``: parse, call one operation, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, query, read_json, tenant_of
from mockserver.http.errors import r_method
from mockserver.operations.phone_numbers import PhoneNumbersBackend

#: the second path segments that name a collection, and the methods each answers
COLLECTIONS = {
    "jobs": "GET",
    "slim": "GET",
    "voice": "GET",
    "messaging": "GET",
    "csv_downloads": "GET, POST",
}


def r_collection_methods(request: Request, ident: str) -> None:
    """R-COLLECTION-METHODS: ``/phone_numbers/jobs``, ``/slim``, ``/voice``, ``/messaging`` and
    ``/csv_downloads`` are collections, not numbers: another method is a 405 with ``Allow``."""
    allow = COLLECTIONS.get(ident)
    if allow is not None:
        raise r_method(request, allow)


def number_id(request: Request) -> str:
    """The ``{id}`` of the path; a collection's name is never a number (405)."""
    ident: str = request.path_params["id"]
    r_collection_methods(request, ident)
    return ident


async def list_phone_numbers(request: Request) -> Response:
    data, meta = PhoneNumbersBackend(tenant_of(request)).list_phone_numbers(query(request))
    return json_response({"data": data, "meta": meta})


async def slim_list_phone_numbers(request: Request) -> Response:
    numbers = PhoneNumbersBackend(tenant_of(request))
    data, meta = numbers.slim_list_phone_numbers(query(request))
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
