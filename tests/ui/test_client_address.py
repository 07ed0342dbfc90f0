"""The client address the sign-in throttle counts: the websocket's peer, and a proxy's X-Real-IP /
X-Forwarded-For only when that proxy is listed in MHMONITOR_TRUSTED_PROXIES."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ui import auth


class Headers(dict):
    def get_all(self, key: str) -> list[str]:
        value = self.get(key)
        return [] if value is None else [value]


def address(monkeypatch, peer: str | None, trusted: str | None = None, **headers: str) -> str | None:
    normalised = Headers({key.replace("_", "-"): value for key, value in headers.items()})
    monkeypatch.setattr(auth, "st", SimpleNamespace(context=SimpleNamespace(ip_address=peer, headers=normalised)))
    if trusted is None:
        monkeypatch.delenv(auth.TRUSTED_PROXIES_ENV, raising=False)
    else:
        monkeypatch.setenv(auth.TRUSTED_PROXIES_ENV, trusted)
    return auth.client_address()


@pytest.mark.parametrize(("peer", "trusted", "headers", "expected"), [
    ("203.0.113.7", None, {}, "203.0.113.7"),  # direct: the peer
    (None, None, {}, "127.0.0.1"),  # Streamlit reports a loopback peer as None
    # Headers from an untrusted peer are ignored: anyone can send them.
    ("203.0.113.7", None, {"X_Real_IP": "10.9.9.9"}, "203.0.113.7"),
    (None, None, {"X_Real_IP": "10.9.9.9"}, "127.0.0.1"),
    ("203.0.113.7", "127.0.0.1", {"X_Forwarded_For": "10.9.9.9"}, "203.0.113.7"),
    # nginx on this host, trusted: its X-Real-IP, else the nearest untrusted X-Forwarded-For hop.
    (None, "127.0.0.1", {"X_Real_IP": "198.51.100.20"}, "198.51.100.20"),
    (None, "127.0.0.1", {"X_Forwarded_For": "10.9.9.9, 198.51.100.20"}, "198.51.100.20"),
    ("192.0.2.10", "192.0.2.10,127.0.0.1", {"X_Forwarded_For": "198.51.100.20, 192.0.2.10"}, "198.51.100.20"),
    (None, "127.0.0.1", {"X_Real_IP": "not an address"}, "127.0.0.1"),
    ("2001:db8::1", None, {}, "2001:db8::1"),
])
def test_client_address(monkeypatch, peer, trusted, headers, expected):
    assert address(monkeypatch, peer, trusted, **headers) == expected


def test_no_browser_context_is_no_address(monkeypatch):
    monkeypatch.setattr(auth, "st", SimpleNamespace(context=SimpleNamespace(ip_address=object(), headers={})))
    assert auth.client_address() is None
