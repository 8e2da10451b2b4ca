"""Crypto-shredding as an attacker tests it: copy everything, then try to open it with our keys.

After a resident's "delete my data", every file under the data directory (database, WAL,
shared memory, key file) is copied, together with the backup docs/deployment.md recommends
(taken before the delete, as a real one would be). Every byte is scanned for wrapped data keys
of the conversation, and each candidate is unwrapped with the keys the service holds. Nothing
may open from the copy made after the delete; the backup opens until the key epoch that
wrapped it is destroyed, and never after.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from bot.actions import conversations as actions
from bot.config import Settings
from bot.key_epochs import epoch_sweep
from bot.sealing import KeyPurpose, key_context
from bot.store.tables import Conversation, DataKeyRow, PiiItem
from privacy.crypto import DataKey, KeyRing, Sealed, WrappedKey, unseal
from privacy.errors import PrivacyError
from privacy.keyfile import encode_key, read_key_file
from privacy.pseudonym import pseudonymise
from tests.support.chat import Harness, Resident
from tests.support.db import on_postgres, sqlite_only
from tests.support.raw import table_contents

HETU = "131052-308T"
NAME = "Virtanen"
WRAPPED_BYTES = 65  # format byte, 4-byte KEK version, nonce, key, tag


def recover_keys(data: bytes, ring: KeyRing, owners: list[str]) -> dict[str, DataKey]:
    """Every data key of `owners` that any 65-byte window of `data` unwraps to under `ring`."""
    contexts = [
        key_context(owner, purpose)
        for owner in owners
        for purpose in (KeyPurpose.CONVERSATION, KeyPurpose.PII_VAULT)
    ]
    found: dict[str, DataKey] = {}
    for version in ring.kek_versions:
        header = b"\x01" + version.to_bytes(4, "big")
        at = data.find(header)
        while at != -1:
            window = data[at : at + WRAPPED_BYTES]
            if len(window) == WRAPPED_BYTES:
                wrapped = WrappedKey.from_bytes(window)
                for context in contexts:
                    try:
                        found[context] = ring.unwrap(wrapped, context=context)
                    except PrivacyError:
                        pass
            at = data.find(header, at + 1)
    return found


def files_under(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


async def write_and_delete_setup(harness: Harness) -> tuple[Resident, str, Resident, str]:
    """A resident who gives a name and a HETU, answered by a counsellor; and one who stays."""
    counsellor = await harness.staff("anna")
    ids = []
    residents = []
    for name, words in (
        ("forget", f"Nimeni on Maija {NAME}, hetu {HETU}, asia zq71"),
        ("stay", "Tarvitsen apua vuokran kanssa zq72"),
    ):
        resident = harness.resident(name)
        await resident.write("hei")
        await resident.press("lang:fi")
        await resident.press("topic:housing")
        await resident.write(words)
        pseudonym = pseudonymise(harness.core.keyring.pepper, "test", resident.sender_id)
        async with harness.core.database.session() as session:
            conversation = (
                await session.execute(
                    select(Conversation).where(Conversation.pseudonym == pseudonym)
                )
            ).scalar_one()
        await actions.claim(harness.core, counsellor, conversation.id)
        await actions.reply(harness.core, counsellor, conversation.id, "Kiitos, autan zq73")
        await harness.deliver()
        ids.append(conversation.id)
        residents.append(resident)
    return residents[0], ids[0], residents[1], ids[1]


def vault_values(items: list[tuple[str, bytes]], vault: DataKey) -> list[str]:
    return [unseal(vault, Sealed(blob), aad=f"pii:{item_id}") for item_id, blob in items]


async def still_readable(harness: Harness, conversation_id: str) -> str:
    counsellor = await harness.staff(f"supervisor-{uuid.uuid4().hex[:8]}", role="supervisor")
    transcript = await actions.read(harness.core, counsellor, conversation_id)
    return " ".join(m.text for m in transcript.messages)


async def destroy_current_epoch(harness: Harness) -> None:
    """Run the epoch job as it runs when the epoch is over: rotate, then (next run) destroy."""
    later = harness.core.now() + timedelta(days=harness.core.settings.key_epoch_days + 1)
    first = await epoch_sweep(harness.core, now=later)
    assert first.rotated_to == 2
    second = await epoch_sweep(harness.core, now=later + timedelta(hours=1))
    assert second.destroyed == (1,)


@sqlite_only
async def test_a_deleted_conversation_opens_from_no_copy_of_the_data_directory(
    harness: Harness, settings: Settings, tmp_path: Path
) -> None:
    database = harness.core.database
    assert database.sqlite_path is not None
    resident, conversation_id, stayer, stayer_id = await write_and_delete_setup(harness)
    # The backup docs/deployment.md recommends (sqlite3 ".backup"), made before the delete.
    backup = tmp_path / "backup" / "somesossu.db"
    backup.parent.mkdir()
    with sqlite3.connect(database.sqlite_path) as live, sqlite3.connect(backup) as copy:
        live.backup(copy)
    with sqlite3.connect(backup) as copy:
        items = list(
            copy.execute(
                "SELECT id, sealed_value FROM pii_item WHERE conversation_id = ?",
                (conversation_id,),
            )
        )
    ring = harness.core.keyring
    # The attack works on the backup today: the vault opens and the HETU and the name show.
    before = recover_keys(backup.read_bytes(), ring, [conversation_id])
    vault = before[key_context(conversation_id, KeyPurpose.PII_VAULT)]
    assert key_context(conversation_id, KeyPurpose.CONVERSATION) in before
    assert {HETU, NAME} <= set(" ".join(vault_values(items, vault)).split())

    await resident.write("poista tietoni")
    assert resident.last().text == harness.core.texts.text("fi", "deleted")
    await database.scrubber.settled()
    assert database.scrubber.incomplete == 0

    stolen = tmp_path / "stolen"
    shutil.copytree(settings.data_dir, stolen)  # while the service runs, as an intruder would
    copied = files_under(stolen)
    assert {"somesossu.db", "keys.json"} <= set(copied)
    held = read_key_file(stolen / "keys.json")  # the keys the service holds
    wrapped_before = _wrapped_in(backup, conversation_id)
    assert len(wrapped_before) == 2
    for name, data in copied.items():
        assert recover_keys(data, held, [conversation_id]) == {}, name
        for blob in wrapped_before:
            assert blob not in data, name
    assert stayer_id  # the other resident's conversation is untouched
    assert "zq72" in await still_readable(harness, stayer_id)

    # Bounded for copies we do not control: once the epoch that wrapped the backup's keys is
    # destroyed, the backup opens with no key the service holds.
    await destroy_current_epoch(harness)
    await database.scrubber.settled()
    later = tmp_path / "stolen-later"
    shutil.copytree(settings.data_dir, later)
    held = read_key_file(later / "keys.json")
    assert held.kek_versions == (2,)
    assert recover_keys(backup.read_bytes(), held, [conversation_id]) == {}
    assert recover_keys(backup.read_bytes(), harness.core.keyring, [conversation_id]) == {}
    old_kek = ring.kek(1)
    for name, data in files_under(later).items():
        assert old_kek not in data and encode_key(old_kek).encode() not in data, name
    # Live data survived the epoch change, and a new process opens it from the files alone.
    assert "zq72" in await still_readable(harness, stayer_id)
    await stayer.write("vielä yksi zq74")
    assert "zq74" in await still_readable(harness, stayer_id)


def _wrapped_in(backup: Path, owner: str) -> list[bytes]:
    with sqlite3.connect(backup) as copy:
        rows = copy.execute("SELECT wrapped FROM data_key WHERE owner_id = ?", (owner,))
        return [bytes(row[0]) for row in rows]


@on_postgres
async def test_on_postgresql_a_deleted_conversation_is_gone_from_the_tables_and_bounded_by_epochs(
    harness: Harness, settings: Settings
) -> None:
    database = harness.core.database
    resident, conversation_id, _, stayer_id = await write_and_delete_setup(harness)
    # pg_dump's view of the tables before the delete: the backup docs/deployment.md recommends.
    dump_before = await table_contents(harness.core.database.engine)
    async with database.session() as session:
        items = [
            (item.id, item.sealed_value.blob)
            for item in (
                await session.execute(
                    select(PiiItem).where(PiiItem.conversation_id == conversation_id)
                )
            ).scalars()
        ]
        wrapped_before = [
            row.wrapped.to_bytes()
            for row in (
                await session.execute(
                    select(DataKeyRow).where(DataKeyRow.owner_id == conversation_id)
                )
            ).scalars()
        ]
    ring = harness.core.keyring
    before = recover_keys(dump_before, ring, [conversation_id])
    vault = before[key_context(conversation_id, KeyPurpose.PII_VAULT)]
    assert {HETU, NAME} <= set(" ".join(vault_values(items, vault)).split())

    await resident.write("poista tietoni")
    await database.scrubber.settled()
    assert database.scrubber.incomplete == 0
    dump_after = await table_contents(harness.core.database.engine)
    assert recover_keys(dump_after, ring, [conversation_id]) == {}
    for blob in wrapped_before:
        assert blob not in dump_after
    # What PostgreSQL itself still exposes (its WAL, the table's file) is bounded by epochs.
    await destroy_current_epoch(harness)
    held = read_key_file(settings.key_file)
    assert held.kek_versions == (2,)
    exposed = await what_postgresql_exposes(harness)
    for source in [dump_before, dump_after, *exposed]:
        assert recover_keys(source, held, [conversation_id]) == {}
    assert "zq72" in await still_readable(harness, stayer_id)


async def what_postgresql_exposes(harness: Harness) -> list[bytes]:
    """The data-key table's file and the WAL segments, as a superuser can read them."""
    exposed: list[bytes] = []
    async with harness.core.database.engine.connect() as connection:
        superuser = (
            await connection.execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            )
        ).scalar_one()
        if not superuser:
            return exposed
        await connection.execute(text("CHECKPOINT"))
        relation = (
            await connection.execute(text("SELECT pg_relation_filepath('data_key')"))
        ).scalar_one()
        exposed.append(
            bytes(
                (
                    await connection.execute(text(f"SELECT pg_read_binary_file('{relation}')"))
                ).scalar_one()
            )
        )
        names = (
            await connection.execute(
                text("SELECT name FROM pg_ls_waldir() ORDER BY modification DESC LIMIT 4")
            )
        ).scalars()
        for name in list(names):
            exposed.append(
                bytes(
                    (
                        await connection.execute(
                            text("SELECT pg_read_binary_file(:path)"), {"path": f"pg_wal/{name}"}
                        )
                    ).scalar_one()
                )
            )
    return exposed
