"""The security headers and the immutable rule (ui/security_headers.py), without a server."""

from __future__ import annotations

import asyncio

from ui.security_headers import HEADERS, IMMUTABLE, SecurityHeadersMiddleware, cache_control, nginx_lines


def _respond(path: str, status: int, headers: list[tuple[bytes, bytes]]) -> dict[str, list[str]]:
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    sent = []

    async def send(message):
        sent.append(message)

    asyncio.run(SecurityHeadersMiddleware(app)({"type": "http", "path": path}, None, send))
    found: dict[str, list[str]] = {}
    for name, value in sent[0]["headers"]:
        found.setdefault(name.decode().lower(), []).append(value.decode())
    return found


def test_every_response_gets_each_header_once():
    headers = _respond("/map", 200, [(b"X-Frame-Options", b"SAMEORIGIN"), (b"content-type", b"text/html")])
    for name, value in HEADERS.items():
        assert headers[name.lower()] == [value]
    assert headers["content-type"] == ["text/html"]
    assert headers["x-frame-options"] == ["DENY"]


def test_only_a_200_of_a_content_named_file_is_immutable():
    named = "/app/static/geo/620800_county-6019f7b8d0c39d31.json"
    assert cache_control(named, 200) == IMMUTABLE
    assert cache_control(named, 404) == "no-cache"
    assert cache_control("/app/static/points/610000_2025-0123456789abcdef.json", 200) == IMMUTABLE
    assert cache_control("/app/static/geo/notes.json", 200) is None  # not content-named: left alone
    assert cache_control("/map", 200) is None
    missing = _respond(named, 404, [(b"cache-control", b"public, immutable, max-age=31536000")])
    assert missing["cache-control"] == ["no-cache"]


def test_the_websocket_passes_untouched():
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["type"])

    asyncio.run(SecurityHeadersMiddleware(app)({"type": "websocket", "path": "/_stcore/stream"}, None, None))
    assert calls == ["websocket"]


def test_nginx_gets_the_same_values():
    lines = nginx_lines().splitlines()
    assert len(lines) == len(HEADERS)
    for line, (name, value) in zip(lines, HEADERS.items(), strict=True):
        assert line.strip() == f'add_header {name} "{value}" always;'
    assert "frame-ancestors 'none'" in HEADERS["Content-Security-Policy"]
