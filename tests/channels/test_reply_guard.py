"""Every message gets a reply (rasa_addons/reply_guard.py): slow, failing or silent handling ends in an
apology in the user's language."""

from __future__ import annotations

import asyncio

from rasa_addons.reply_guard import handle_or_apologise, unavailable_text


async def _run(handling: object, replied: bool = False) -> list[str]:
    said: list[str] = []

    async def apologise() -> None:
        said.append("sorry")

    await handle_or_apologise(handling, lambda: replied, apologise, timeout_s=0.2)  # type: ignore[arg-type]
    return said


async def test_a_hung_action_server_gets_an_apology_within_the_timeout() -> None:
    started = asyncio.get_running_loop().time()
    assert await _run(asyncio.sleep(30)) == ["sorry"]
    assert asyncio.get_running_loop().time() - started < 2


async def test_a_failure_or_silence_gets_an_apology_and_a_reply_does_not() -> None:
    async def fail() -> None:
        raise RuntimeError("action server said 500")

    assert await _run(fail()) == ["sorry"]
    assert await _run(asyncio.sleep(0)) == ["sorry"]  # handled, but nothing was sent
    assert await _run(asyncio.sleep(0), replied=True) == []


def test_the_apology_is_in_the_chosen_or_hinted_language() -> None:
    assert "tạm thời" in unavailable_text({"language_choice": "vi"})
    assert "一時的" in unavailable_text({"language": "ja-JP"})
    assert "temporarily" in unavailable_text({}) and "temporarily" in unavailable_text({"language": "xx"})
