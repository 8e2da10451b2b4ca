"""The network a web-chat message came from, as a keyed digest (bot/origins.py)."""

from __future__ import annotations

import pytest

from bot.origins import network_of, origin_digest

PEPPER = b"p" * 32


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("unknown", None),
        ("", None),
        ("/run/somesossu.sock", None),
    ],
)
def test_an_address_counts_by_its_network(address: str, network: str | None) -> None:
    assert network_of(address) == network


def test_a_device_that_changes_its_ipv6_interface_id_keeps_its_digest() -> None:
    first = origin_digest(PEPPER, "webchat", "2001:db8:1:2:a:b:c:d")
    later = origin_digest(PEPPER, "webchat", "2001:db8:1:2:9:8:7:6")
    elsewhere = origin_digest(PEPPER, "webchat", "2001:db8:1:3:a:b:c:d")
    assert first == later != elsewhere


def test_the_digest_is_keyed_and_never_the_address_or_a_pseudonym() -> None:
    digest = origin_digest(PEPPER, "webchat", "203.0.113.7")
    assert digest is not None and digest.startswith("o_") and "203" not in digest
    assert digest != origin_digest(b"q" * 32, "webchat", "203.0.113.7")
    assert digest != origin_digest(PEPPER, "other", "203.0.113.7")
    assert origin_digest(PEPPER, "webchat", None) is None
    assert origin_digest(PEPPER, "webchat", "unknown") is None
