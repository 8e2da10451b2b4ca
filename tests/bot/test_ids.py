from __future__ import annotations

import string

from bot.ids import new_id


def test_ids_are_128_random_bits_in_hex_and_never_repeat() -> None:
    ids = [new_id() for _ in range(20_000)]
    assert all(len(i) == 32 and set(i) <= set(string.hexdigits.lower()) for i in ids)
    assert len(set(ids)) == len(ids)
    # Every hex digit position varies: no fixed version digit, no counter, no clock.
    assert all(len({i[position] for i in ids}) == 16 for position in range(32))
