"""The adapter contract as adapters see it, re-exported from the core's `bot.channels`.

The contract lives in the core so that the core never imports an adapter. Never define
anything here that the core would need: it belongs in `bot.channels`.
"""

from __future__ import annotations

from bot.channels import (
    Adapter,
    Capabilities,
    DeliversLocally,
    EventLog,
    HoldsSockets,
    InboundSink,
    Languages,
    SendsSignals,
    ServesWeb,
    SignalSink,
)

__all__ = [
    "Adapter",
    "Capabilities",
    "DeliversLocally",
    "EventLog",
    "HoldsSockets",
    "InboundSink",
    "Languages",
    "SendsSignals",
    "ServesWeb",
    "SignalSink",
]
