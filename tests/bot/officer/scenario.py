"""A database made by real conversations, for the officer tools' tests.

Everything goes through the dispatcher and the staff actions, as in production.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.actions import conversations as actions
from bot.config import Settings
from bot.store.tables import Conversation
from tests.support.chat import Harness, Resident

CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")

AINO_PHONE = "040 123 4567"
# What the redactor keeps and the officer's scan must still find: a long number and an
# at-word (a handle in Cyrillic letters, which no network's handles use, so it stays).
BERTTA_REFERENCE = "viitenumero 123456789012 ja @котик12"


@dataclass
class Scenario:
    aino_conversation: str
    bertta_conversation: str
    aino_code: str
    counsellor_id: str
    reveal_item: str


async def conversation_of(harness: Harness, resident: Resident) -> str:
    from privacy.pseudonym import pseudonymise

    pseudonym = pseudonymise(harness.core.keyring.pepper, "test", resident.sender_id)
    async with harness.core.database.session() as session:
        query = select(Conversation.id).where(Conversation.pseudonym == pseudonym)
        return str((await session.execute(query)).scalars().first())


async def start(resident: Resident, topic: str = "housing") -> None:
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press(f"topic:{topic}")


async def build(harness: Harness) -> Scenario:
    """Two residents, one counsellor, a claim, replies, a close with feedback and a reveal."""
    core = harness.core
    aino = harness.resident("aino")
    await start(aino)
    await aino.write(f"Soita minulle {AINO_PHONE}, asia koskee vuokraa")
    anna = await harness.staff("anna")
    aino_conversation = await conversation_of(harness, aino)
    await actions.claim(core, anna, aino_conversation)
    await actions.read(core, anna, aino_conversation)
    await actions.reply(core, anna, aino_conversation, "Kiitos, soitan sinulle huomenna.")
    await harness.deliver()
    await aino.write("/code")
    codes = [m for text in aino.texts() for m in CODE.findall(text)]
    assert codes, "the resident got no reference code"
    await actions.close(core, anna, aino_conversation, outcome="referred_other_service")
    await harness.deliver()
    await aino.press("rating:5")
    await aino.press("helped:yes")

    bertta = harness.resident("bertta")
    await start(bertta, "money")
    await bertta.write(f"{BERTTA_REFERENCE}, soita 050 765 4321")
    bertta_conversation = await conversation_of(harness, bertta)
    transcript = await actions.read(core, anna, bertta_conversation)
    [(item_id, _kind, _message, _ordinal)] = transcript.pii_items
    # Revealed without claiming the conversation first: the audit report must flag this.
    await actions.reveal(
        core, anna, bertta_conversation, item_id, reason="tarkistan numeron oikeellisuuden"
    )
    return Scenario(aino_conversation, bertta_conversation, codes[-1], anna.user_id, item_id)


SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"


def run_script(
    name: str,
    *args: str,
    settings: Settings | None = None,
    data_dir: Path | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `scripts/NAME.py` as the officer would, with the service's settings.

    With `settings`, the script sees the test's data directory (keys, checkpoint) and its
    database: the SQLite file there, or the test's own PostgreSQL database by its URL.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOMESOSSU_")}
    if settings is not None:
        data_dir = settings.data_dir
        if settings.database_url:
            env["SOMESOSSU_DATABASE_URL"] = settings.database_url
    if data_dir is not None:
        env["SOMESOSSU_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, str(SCRIPTS / f"{name}.py"), *args],
        env=env,
        cwd=cwd or (data_dir.parent if data_dir is not None else None),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def json_of(result: subprocess.CompletedProcess[str]) -> Any:
    try:
        return json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"not JSON: {result.stdout!r} {result.stderr!r}") from None
