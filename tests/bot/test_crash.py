"""SIGKILL in the middle of traffic: nothing acknowledged is lost or doubled, and every
queued reply reaches the resident once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.server import ChatClient, Server, base_env, http_session, run_cli, sign_in

pytestmark = pytest.mark.slow
PASSWORD = "a long enough password"


async def _transcript(http, server: Server, conversation: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    async with http.get(f"{server.url}/api/conversations/{conversation}") as response:
        assert response.status == 200, await response.text()
        return list((await response.json())["messages"])


async def test_a_killed_server_loses_and_doubles_nothing(tmp_path: Path) -> None:
    env = base_env(tmp_path / "data")
    run_cli(
        env,
        "user",
        "add",
        "anna",
        "--role",
        "supervisor",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    server = Server(env)
    server.start()
    residents: list[ChatClient] = []
    sent: dict[int, list[str]] = {}
    async with http_session() as http, http_session() as staff:
        try:
            for index in range(4):
                resident = ChatClient(http, server.url)
                await resident.connect()
                await resident.send("lang", choice="lang:fi")
                await resident.send("topic", choice="topic:housing")
                residents.append(resident)
                sent[index] = [f"viesti {index}-{n}" for n in range(30)]
            csrf = await sign_in(staff, server.url, "anna", PASSWORD)
            async with staff.get(f"{server.url}/api/conversations") as response:
                conversations = [c["id"] for c in await response.json()]
            first = conversations[0]
            async with staff.post(
                f"{server.url}/api/conversations/{first}/claim", headers={"X-CSRF-Token": csrf}
            ):
                pass
            replies = [f"vastaus {n}" for n in range(10)]
            for text in replies:
                async with staff.post(
                    f"{server.url}/api/conversations/{first}/reply",
                    headers={"X-CSRF-Token": csrf},
                    json={"text": text},
                ) as r:
                    assert r.status == 200

            for index, resident in enumerate(residents):
                for n, text in enumerate(sent[index]):
                    await resident.send(f"m{n}", text=text, wait=False)
            # Kill as soon as some, but not all, messages are acknowledged.
            await residents[-1].wait_for(lambda: len(residents[-1].acked) >= 4)
            server.kill()
            for resident in residents:
                await resident.close()
            acknowledged = sum(len(r.acked) for r in residents)
            assert acknowledged < 4 * 32

            server.start()
            for index, resident in enumerate(residents):
                await resident.connect(server.url)
                for n, text in enumerate(sent[index]):
                    if f"m{n}" not in resident.acked:
                        await resident.send(f"m{n}", text=text, wait=False)
                await resident.wait_for(
                    lambda r=resident: all(f"m{n}" in r.acked for n in range(30)), seconds=60
                )
            csrf = await sign_in(staff, server.url, "anna", PASSWORD)
            for conversation in conversations:
                texts = [
                    m["text"]
                    for m in await _transcript(staff, server, conversation)
                    if m["author"] == "resident" and m["kind"] == "text"
                ]
                index = next(i for i, r in enumerate(residents) if sent[i][0] in texts)
                assert sorted(texts) == sorted(sent[index]), "lost or doubled messages"
            owner = next(r for r in residents if r.texts_from("counsellor"))
            await owner.wait_for(lambda: set(replies) <= set(owner.texts_from("counsellor")))
            assert sorted(owner.texts_from("counsellor")) == sorted(replies)
        finally:
            for resident in residents:
                await resident.close()
            server.stop()
