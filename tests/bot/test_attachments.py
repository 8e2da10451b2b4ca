"""Files a platform keeps (Telegram, Matrix): the core fetches them only after the privacy
notice, within the size limit, and a file that cannot be fetched is refused and loses nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select

from bot.attachments import open_attachment
from bot.core import unit_of_work
from bot.events import FileTooLarge, FileUnavailable
from bot.store.attachments import Attachment
from tests.bot.test_dispatcher import conversation_of, queued_resident
from tests.support.chat import Harness
from tests.support.files import SECRET_DEVICE, SECRET_NAME, photo_with_gps


@dataclass
class KeptFile:
    """A file as a platform holds it: hands over its bytes when asked, and remembers asks."""

    data: bytes
    failure: Exception | None = None
    asks: list[int] = field(default_factory=list)

    async def fetch(self, max_bytes: int) -> bytes:
        self.asks.append(max_bytes)
        if self.failure is not None:
            raise self.failure
        if len(self.data) > max_bytes:
            raise FileTooLarge()
        return self.data


def text_for(harness: Harness, key: str) -> str:
    return str(harness.core.texts.text("fi", key))


async def attachments(harness: Harness) -> list[Attachment]:
    async with harness.core.database.session() as session:
        return list((await session.execute(select(Attachment))).scalars())


async def test_a_platform_file_is_not_fetched_before_the_privacy_notice(harness: Harness) -> None:
    resident = harness.resident("early")
    await resident.write("hei")
    kept = KeptFile(photo_with_gps())
    await resident.send_platform_file(kept)
    assert kept.asks == []
    assert await attachments(harness) == []
    assert resident.texts()[-1] == text_for(harness, "attachment_not_yet")


async def test_a_platform_file_after_the_notice_is_fetched_within_the_limit_and_stored_clean(
    harness: Harness,
) -> None:
    resident = await queued_resident(harness, "photo")
    kept = KeptFile(photo_with_gps(200, 100))
    await resident.send_platform_file(kept)
    assert kept.asks == [harness.core.settings.attachment_max_bytes]
    [attachment] = await attachments(harness)
    conversation = await conversation_of(harness, resident)
    assert (attachment.conversation_id, attachment.kind) == (conversation.id, "photo")
    # What is stored is the rebuilt picture: opened, it holds none of the original's metadata.
    async with unit_of_work(harness.core) as work:
        stored = await open_attachment(work, attachment)
    assert stored.startswith(b"\xff\xd8")
    for secret in (SECRET_NAME.encode(), SECRET_DEVICE.encode(), b"Exif"):
        assert secret not in stored


async def test_a_platform_file_too_large_or_unavailable_is_refused_and_the_chat_goes_on(
    harness: Harness,
) -> None:
    resident = await queued_resident(harness, "refused")
    too_large = KeptFile(b"\xff" * (harness.core.settings.attachment_max_bytes + 1))
    await resident.send_platform_file(too_large)
    assert resident.texts()[-1] == text_for(harness, "attachment_too_large")
    await resident.send_platform_file(KeptFile(b"", failure=FileUnavailable("gone")))
    assert resident.texts()[-1] == text_for(harness, "attachment_unsupported")
    assert await attachments(harness) == []
    await resident.write("onko joku paikalla")
    conversation = await conversation_of(harness, resident)
    assert conversation.state == "queued"


async def test_a_redelivered_platform_file_is_fetched_once(harness: Harness) -> None:
    resident = await queued_resident(harness, "again")
    kept = KeptFile(photo_with_gps(120, 80))
    for _ in range(2):
        await harness.inbound(resident, platform_file=kept, message_id="file-1")
    assert len(kept.asks) == 1
    assert len(await attachments(harness)) == 1
