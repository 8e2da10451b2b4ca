"""The sealed form of a stored message: redacted text plus where its placeholders are.

Encoded as compact JSON before sealing; never holds the removed originals (those are in
the PII vault, one sealed item each).
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Placeholder:
    start: int
    end: int
    kind: str
    ordinal: int


@dataclass(frozen=True, slots=True)
class MessageBody:
    text: str
    placeholders: tuple[Placeholder, ...] = ()

    def encode(self) -> str:
        return json.dumps(
            {"t": self.text, "p": [[p.start, p.end, p.kind, p.ordinal] for p in self.placeholders]},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, raw: str) -> MessageBody:
        data = json.loads(raw)
        return cls(
            text=str(data["t"]),
            placeholders=tuple(
                Placeholder(int(s), int(e), str(k), int(o)) for s, e, k, o in data.get("p", [])
            ),
        )
