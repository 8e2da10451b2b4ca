"""Residents' files in the core: made safe off the event loop, then stored sealed.

Never stores, logs or publishes a file's bytes, its name or anything the sanitiser dropped;
a refused file leaves nothing behind but the refusal's answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from privacy.attachments import Limits, Refusal, Sanitised
from privacy.crypto import DataKey, seal_bytes, unseal_bytes
from privacy.pseudonym import pseudonymise

from .conversation_effects import Say, StoreAttachment
from .conversation_files import AFTER_NOTICE, NOT_YET, TOO_MANY, refusal_text
from .core import Core, Work
from .events import Author, FileTooLarge, FileUnavailable, Inbound
from .ids import new_id
from .messages import store_message
from .replies import Run, say
from .sanitiser_process import SanitiserWorkers
from .sealed_formats import ATTACHMENT_DATA
from .sealing import KeyPurpose
from .store import attachments as attachment_store
from .store.attachments import Attachment
from .store.conversations import latest_for
from .store.rows import add_row

SANITISE_SECONDS = 30.0
"""How long making one file safe may take before it is refused as unreadable."""

FETCH_SECONDS = 60.0
"""How long fetching a file from its platform may take before it is refused as unreadable."""


@dataclass(frozen=True, slots=True)
class PreparedFile:
    """The outcome of `prepare`: the rebuilt file, or the refusal code."""

    sanitised: Sanitised | None = None
    refused: str | None = None

    @property
    def kind(self) -> str:
        return str(self.sanitised.kind) if self.sanitised is not None else "other"


async def prepare(
    data: bytes, limits: Limits, workers: SanitiserWorkers, *, seconds: float = SANITISE_SECONDS
) -> PreparedFile:
    """Run the sanitiser in a worker process with a time limit (never on the event loop, never
    in the service's process): a file that takes too long, or crashes or exhausts its worker,
    is refused as unreadable and that worker is killed."""
    sanitised, refused = await asyncio.to_thread(workers.run, data, limits, seconds)
    return PreparedFile(sanitised=sanitised, refused=refused)


async def prepare_inbound(work_core: Core, inbound: Inbound) -> PreparedFile:
    """A resident's file made safe, or refused: "not_yet" without looking at it (nor fetching
    it from its platform) while their conversation on the channel has not passed the privacy
    notice."""
    assert inbound.has_file
    pseudonym = pseudonymise(work_core.keyring.pepper, inbound.channel, inbound.sender_id)
    async with work_core.database.session() as session:
        conversation = await latest_for(session, pseudonym, inbound.channel)
    if conversation is None or conversation.state not in AFTER_NOTICE:
        return PreparedFile(refused=NOT_YET)
    limits = Limits(max_bytes=work_core.settings.attachment_max_bytes)
    data = inbound.file
    if data is None:
        assert inbound.platform_file is not None
        try:
            data = await asyncio.wait_for(
                inbound.platform_file.fetch(limits.max_bytes), FETCH_SECONDS
            )
        except FileTooLarge:
            return PreparedFile(refused=str(Refusal.TOO_LARGE))
        except (FileUnavailable, TimeoutError):
            return PreparedFile(refused=str(Refusal.UNREADABLE))
    return await prepare(data, limits, work_core.sanitiser)


async def store_attachment(run: Run, effect: StoreAttachment) -> Attachment | None:
    """Seal and store the run's file with a message naming its kind; over the conversation's
    limit the resident is told so and nothing is stored."""
    work, conversation, sanitised = run.work, run.conversation, effect.file
    limit = work.core.settings.attachment_max_per_conversation
    if await attachment_store.count_for(work.session, conversation.id) >= limit:
        await say(run, Say(refusal_text(TOO_MANY)))
        return None
    message = await store_message(
        work,
        conversation,
        Author.RESIDENT,
        str(sanitised.kind),
        kind="attachment",
        redact=False,
        platform_ref=run.platform_ref,
    )
    return await add_attachment(work, conversation.id, message.id, sanitised)


async def add_attachment(
    work: Work, conversation_id: str, message_id: str, sanitised: Sanitised
) -> Attachment:
    """Seal and add the file's row, inserted after its message's (bot/store/rows.py)."""
    key = await _files_key(work, conversation_id)
    attachment_id = new_id()
    attachment = Attachment(
        id=attachment_id,
        conversation_id=conversation_id,
        message_id=message_id,
        kind=str(sanitised.kind),
        media_type=sanitised.media_type,
        size=sanitised.size,
        created_at=work.core.now(),
        sealed_data=seal_bytes(key, sanitised.data, aad=ATTACHMENT_DATA.context(attachment_id)),
    )
    add_row(work.session, attachment)
    return attachment


async def open_attachment(work: Work, attachment: Attachment) -> bytes:
    """The file's bytes (KeyUnavailable once its files' key was crypto-shredded)."""
    key = await work.core.keys.get(work.session, attachment.conversation_id, KeyPurpose.ATTACHMENT)
    return unseal_bytes(key, attachment.sealed_data, aad=ATTACHMENT_DATA.context(attachment.id))


async def _files_key(work: Work, conversation_id: str) -> DataKey:
    """The conversation's key for files, made with its first file (most conversations have
    none, so opening one costs no extra key); two instances storing a first file at once
    agree on one key."""
    return await work.core.keys.ensure(work.session, conversation_id, KeyPurpose.ATTACHMENT)
