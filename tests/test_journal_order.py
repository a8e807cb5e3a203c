"""The journal entry of an exchange is written before the response's last byte leaves the
emulator: a client (the plugin's handle on a real server, in another thread) that has its
answer always finds it in the journal. Before, the entry was written after the handler returned,
so a fast reader could miss it (``test_plugin_keys`` failed now and then)."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

from mockserver.app import create_app
from mockserver.config import Settings

KEY = "order-key"


def test_the_entry_is_journaled_before_the_last_body_chunk_is_sent() -> None:
    app = create_app(Settings(manual_clock=True))
    journals = app.state.journals
    seen: list[int] = []  # journal entries at the moment the last chunk is sent

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            seen.append(len(journals.of(KEY).entries()))

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/v2/phone_numbers/jobs", "raw_path": b"/v2/phone_numbers/jobs",
        "query_string": b"", "root_path": "", "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1), "headers": [(b"authorization", f"Bearer {KEY}".encode())],
    }  # fmt: skip

    async def exchange() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    asyncio.run(exchange())
    assert seen == [1]
    [entry] = journals.of(KEY).entries()
    assert entry.status == 200
    assert entry.response_size > 0
