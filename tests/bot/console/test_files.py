"""A resident's file in the console: a placeholder in the transcript, opened only by someone
who may read the conversation (a privacy officer with a stated reason), audited, never
cached; gone with "delete my data" and by its own retention period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.jobs import retention
from bot.sealing import KeyPurpose
from bot.store.attachments import Attachment
from bot.store.tables import DataKeyRow, Message
from privacy.errors import KeyUnavailable
from tests.bot.console.helpers import audit_rows, headers, login, waiting_conversation
from tests.support.chat import Harness
from tests.support.files import SECRET_DEVICE, SECRET_NAME, opus_voice, photo_with_gps

Client = TestClient[Any, Any]


async def claimed_with_photo(harness: Harness, client: Client) -> tuple[str, dict[str, Any]]:
    await harness.staff("anna", display_name="Anna S")
    conversation = await waiting_conversation(harness)
    await harness.resident("resident").send_file(photo_with_gps(400, 300))
    csrf = await login(client, "anna")
    claim = await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    assert claim.status == 200
    transcript = await (await client.get(f"/api/conversations/{conversation}")).json()
    [message] = [m for m in transcript["messages"] if m["attachment"] is not None]
    return conversation, message["attachment"]


async def file_keys(harness: Harness) -> int:
    """How many data keys for files exist (one per conversation that holds files)."""
    async with harness.core.database.session() as session:
        query = select(DataKeyRow).where(DataKeyRow.purpose == str(KeyPurpose.ATTACHMENT))
        return len(list((await session.execute(query)).scalars()))


async def attachments(harness: Harness) -> list[Attachment]:
    async with harness.core.database.session() as session:
        return list((await session.execute(select(Attachment))).scalars())


async def test_a_counsellor_opens_a_photo_never_cached_and_the_open_is_audited(
    harness: Harness, client: Client
) -> None:
    conversation, placeholder = await claimed_with_photo(harness, client)
    assert placeholder["kind"] == "photo" and placeholder["size"] > 0
    url = f"/api/conversations/{conversation}/attachments/{placeholder['id']}"
    assert placeholder["url"] == url
    before = len(await audit_rows(harness))

    answer = await client.get(url)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Disposition"] == 'inline; filename="photo.jpg"'
    body = await answer.read()
    assert body.startswith(b"\xff\xd8") and len(body) == placeholder["size"]
    assert SECRET_NAME.encode() not in body and SECRET_DEVICE.encode() not in body

    rows = (await audit_rows(harness))[before:]
    [opened] = [r for r in rows if r.object_type == "attachment"]
    assert (opened.action, opened.object_id, opened.outcome) == (
        "read",
        placeholder["id"],
        "success",
    )
    assert SECRET_NAME not in repr(opened) and SECRET_DEVICE not in repr(opened)


async def test_a_colleague_may_not_open_a_file_of_a_chat_someone_else_answers(
    harness: Harness, client: Client
) -> None:
    conversation, placeholder = await claimed_with_photo(harness, client)
    await harness.staff("bert", display_name="Bert")
    client.session.cookie_jar.clear()
    await login(client, "bert")
    answer = await client.get(placeholder["url"])
    assert answer.status == 403
    assert (await answer.json())["code"] == "forbidden"
    denied = [r for r in await audit_rows(harness) if r.outcome == "denied"]
    assert denied and denied[-1].object_id == conversation
    client.session.cookie_jar.clear()
    assert (await client.get(placeholder["url"])).status == 401


async def test_a_privacy_officer_opens_a_file_only_with_a_reason_which_the_audit_keeps(
    harness: Harness, client: Client
) -> None:
    conversation, placeholder = await claimed_with_photo(harness, client)
    await harness.staff("olli", role="privacy_officer", queues=())
    client.session.cookie_jar.clear()
    await login(client, "olli")
    refused = await client.get(placeholder["url"])
    assert refused.status == 422
    assert (await refused.json())["code"] == "reason_required"

    def opens() -> list[Any]:
        return [r for r in rows if r.actor_role == "privacy_officer" and r.action == "read"]

    rows = await audit_rows(harness)
    assert opens() == []
    answer = await client.get(placeholder["url"], params={"reason": "complaint case 31 review"})
    assert answer.status == 200 and answer.headers["Cache-Control"] == "no-store"
    assert (await answer.read()).startswith(b"\xff\xd8")
    rows = await audit_rows(harness)
    [opened] = opens()
    assert (opened.action, opened.object_type, opened.object_id, opened.subject_ref) == (
        "read",
        "attachment",
        placeholder["id"],
        conversation,
    )
    assert opened.purpose == "complaint case 31 review"


async def test_a_file_of_another_conversation_is_not_found_by_this_ones_url(
    harness: Harness, client: Client
) -> None:
    conversation, placeholder = await claimed_with_photo(harness, client)
    other = await waiting_conversation(harness, "someone-else")
    answer = await client.get(f"/api/conversations/{other}/attachments/{placeholder['id']}")
    assert answer.status in (403, 404)
    assert (await client.get(f"/api/conversations/{conversation}/attachments/nope")).status == 404


async def test_a_voice_message_is_served_as_ogg_audio(harness: Harness, client: Client) -> None:
    await harness.staff("anna", display_name="Anna S")
    conversation = await waiting_conversation(harness)
    await harness.resident("resident").send_file(opus_voice())
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    transcript = await (await client.get(f"/api/conversations/{conversation}")).json()
    [voice] = [m["attachment"] for m in transcript["messages"] if m["attachment"]]
    assert voice["kind"] == "voice"
    answer = await client.get(voice["url"])
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("audio/ogg")
    body = await answer.read()
    assert body.startswith(b"OggS") and b"SecretRecorder" not in body


async def test_delete_my_data_leaves_no_file_behind(harness: Harness, client: Client) -> None:
    _conversation, placeholder = await claimed_with_photo(harness, client)
    assert len(await attachments(harness)) == 1
    assert await file_keys(harness) == 1
    await harness.resident("resident").write("poista tietoni")
    assert await attachments(harness) == []
    assert await file_keys(harness) == 0
    assert (await client.get(placeholder["url"])).status == 404


async def test_files_go_by_their_own_shorter_retention_while_the_text_stays(
    harness: Harness,
) -> None:
    conversation = await waiting_conversation(harness)
    resident = harness.resident("resident")
    await resident.send_file(photo_with_gps())
    await resident.write("lopeta")
    assert len(await attachments(harness)) == 1
    hours = harness.core.settings.attachment_retention_hours
    assert hours < 30 * 24  # shorter than the default transcript period

    early = await retention(harness.core, apply=True, now=harness.core.now() + timedelta(hours=1))
    assert early.attachments == 0 and len(await attachments(harness)) == 1
    later = harness.core.now() + timedelta(hours=hours + 1)
    report = await retention(harness.core, apply=True, now=later)
    assert report.attachments == 1 and report.transcripts == 0
    assert await attachments(harness) == []
    # Shredded, not only deleted: a copy of the row left anywhere (a dead row version, a
    # backup) can no longer be opened, while the conversation's own key stays for its text.
    assert await file_keys(harness) == 0
    async with harness.core.database.session() as session:
        with pytest.raises(KeyUnavailable):
            await harness.core.keys.get(session, conversation, KeyPurpose.ATTACHMENT)
        await harness.core.keys.get(session, conversation, KeyPurpose.CONVERSATION)
    async with harness.core.database.session() as session:
        kept = (
            await session.execute(select(Message).where(Message.conversation_id == conversation))
        ).scalars()
        assert list(kept)
    rows = [r for r in await audit_rows(harness) if r.object_type == "attachment"]
    assert rows[-1].action == "retention" and rows[-1].object_id == "attachments=1"
