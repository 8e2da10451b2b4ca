"""What the resident's tab is shown: a stored message, and the history replayed on hello, as
socket frames. Pure translation: no socket, no store; counsellor names are kept per tab only
so that a new one is announced once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.events import Author, Outbound

from . import frames


class HistoryItem(Protocol):
    """One message of `bot.actions.residents.HistoryEntry` (structural: no core import)."""

    @property
    def id(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def display_name(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def document_id(self) -> str | None: ...


class ResidentHistory(Protocol):
    """What `bot.actions.residents.resident_view` returns."""

    @property
    def conversation_id(self) -> str | None: ...
    @property
    def state(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def history(self) -> Sequence[HistoryItem]: ...


HistoryLookup = Callable[[str], Awaitable[ResidentHistory]]


def outbound_frames(outbound: Outbound, counsellors: set[str]) -> list[dict[str, Any]]:
    """The frames of one delivered message; `counsellors` (the tab's, updated) are the names
    already shown to it."""
    out: list[dict[str, Any]] = []
    if outbound.withdraw:
        out.append(frames.forget())
    if outbound.retract:
        out.append(frames.retract([str(i) for i in outbound.retract if not i.startswith("in:")]))
    out.append(
        frames.message(
            message_id=outbound.message_id or f"outbox:{outbound.outbox_id}",
            author=str(outbound.author),
            text=outbound.text,
            at=_iso_text(outbound.sent_at),
            display_name=outbound.display_name if outbound.author is Author.COUNSELLOR else None,
            kind="document" if outbound.document is not None else "text",
            document=(
                frames.document(outbound.document.document_id, outbound.document.title)
                if outbound.document is not None
                else None
            ),
        )
    )
    out += _event_frames(outbound, counsellors)
    if outbound.choices:
        out.append(frames.choices([(c.value, c.label) for c in outbound.choices]))
    return out


def _event_frames(outbound: Outbound, counsellors: set[str]) -> list[dict[str, Any]]:
    """The moments a message marks, as the core names them (`Outbound.event`); never
    guessed from the rendered text, which depends on the language and the catalog."""
    if outbound.event == "joined" and outbound.display_name:
        counsellors.add(outbound.display_name)
        return [frames.joined(outbound.display_name)]
    if outbound.event == "ended":
        return [frames.ended()]
    if outbound.author is Author.COUNSELLOR and outbound.display_name:
        # A counsellor named for the first time in this tab (a transfer): show who answers.
        if outbound.display_name not in counsellors:
            counsellors.add(outbound.display_name)
            return [frames.joined(outbound.display_name)]
    return []


def history_frame(view: ResidentHistory | None, counsellors: set[str]) -> dict[str, Any]:
    """The history frame sent after the welcome; the counsellors named in it join `counsellors`."""
    entries = [
        frames.message(
            message_id=item.id,
            author=item.author,
            text=item.text,
            at=_iso(item.at),
            display_name=item.display_name if item.author == Author.COUNSELLOR else None,
            kind=item.kind,
            document=frames.document(item.document_id, item.text) if item.document_id else None,
        )
        for item in (view.history if view else ())
    ]
    for entry in entries:
        if entry.get("display_name"):
            counsellors.add(entry["display_name"])
    return frames.history(
        entries,
        state=view.state if view else None,
        language=view.language if view else None,
    )


def _iso_text(sent_at: str | None) -> str:
    if sent_at is None:
        return datetime.now(UTC).isoformat()
    try:
        return _iso(datetime.fromisoformat(sent_at))
    except ValueError:
        return datetime.now(UTC).isoformat()


def _iso(moment: datetime) -> str:
    # The core stores naive UTC datetimes: say so, so browsers show local time correctly.
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.isoformat()
