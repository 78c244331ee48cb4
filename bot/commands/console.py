"""`hearing-bot console`: chat with the bot in a terminal, through the local emulator."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import TextIO

from bot.app import running_hearing, settle
from bot.config import Settings
from bot.emulator import Emulator, SentMessage
from bot.model.values import Language
from handlers.context import HearingApp

# Console data is a local trial, not a hearing: a fixed secret keeps pseudonyms stable across runs.
CONSOLE_SECRET = "console-trial-only-not-a-secret"
CONSOLE_TOKEN = "100000:CONSOLE-LOCAL-ONLY"
IDENTITIES = {"citizen": 10_001, "drafter": 20_001, "moderator": 30_001, "overseer": 40_001}
HELP = (
    "Type a button's number to press it, anything else to send it as a message.\n"
    "/as citizen|drafter|moderator|overseer switches who you are; /quit or Ctrl-D ends."
)


@dataclass
class Transcript:
    """Prints what the bot says in a chat, each message once and again when edited."""

    emu: Emulator
    out: TextIO
    # What was last printed of each message: its text and its buttons. A message whose buttons
    # changed and text did not (Report, Hide, Ban ask a reason) is printed again too.
    seen: dict[tuple[int, int], tuple[str, tuple[tuple[str, str], ...]]] = field(
        default_factory=dict
    )
    buttons: list[tuple[int, str, str]] = field(default_factory=list)

    def flush(self, chat_id: int) -> None:
        """Print messages new or changed (text or buttons) since the last flush, numbered."""
        for message in self.emu.messages(chat_id):
            key = (chat_id, message.message_id)
            shown = (message.plain_text(), tuple(b for row in message.buttons() for b in row))
            if self.seen.get(key) == shown:
                continue
            edited = key in self.seen
            self.seen[key] = shown
            self._print(message, edited)
        self.out.flush()

    def notice(self, answer: dict[str, object] | None) -> None:
        """Print the short notice a button press was answered with, if any."""
        if answer and answer.get("text"):
            self.out.write(f"\n(notice: {answer['text']})\n")

    def _print(self, message: SentMessage, edited: bool) -> None:
        marker = "bot (updated)" if edited else "bot"
        self.out.write(f"\n── {marker} ──\n{message.plain_text()}\n")
        rows = message.buttons()
        if not rows and any(owner == message.message_id for owner, _, _ in self.buttons):
            self.buttons = []  # the numbered buttons were taken off this message
        if rows:
            self.buttons = []
            for row in rows:
                labels = []
                for label, data in row:
                    self.buttons.append((message.message_id, label, data))
                    labels.append(f"[{len(self.buttons)}] {label}")
                self.out.write("   ".join(labels) + "\n")


async def run_console(
    settings: Settings, stdin: TextIO, stdout: TextIO, language: Language | None = None
) -> int:
    """Run the emulator and the bot in this process and relay the terminal to a chat.

    With a language, every identity reads the hearing in it, as if they had chosen it.
    """
    # Each run is a new emulator over the same database: numbering its updates from the clock
    # keeps a run's updates from looking like the last run's to the inbox's duplicate check.
    first = int(time.time() * 1000)
    async with Emulator(
        token=CONSOLE_TOKEN, bot_username="hearing_console_bot", first_update_id=first
    ) as emu:
        local = _local_settings(settings, emu.base_url)
        secret = settings.pseudonym_secret or CONSOLE_SECRET
        async with running_hearing(local, CONSOLE_TOKEN, secret) as app:
            if language is not None:
                await _choose(app, language)
            await _converse(emu, app, stdin, stdout)
    return 0


async def _choose(app: HearingApp, language: Language) -> None:
    services = app.bot_data.services
    if services is None:
        raise RuntimeError("the application was built without services")
    for user in IDENTITIES.values():
        await services.participants.set_language(services.participants.identify(user), language)


async def _converse(emu: Emulator, app: HearingApp, stdin: TextIO, stdout: TextIO) -> None:
    who = "citizen"
    transcript = Transcript(emu, stdout)
    echo = not stdin.isatty()
    stdout.write(f"Console hearing. {HELP}\n")
    await _send(emu, app, transcript, IDENTITIES[who], "/start")
    while True:
        if not echo:
            stdout.write(f"\n{who} > ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        line = line.rstrip("\r\n")
        if echo:
            stdout.write(f"\n{who} > {line}\n")
        if line.strip() in ("/quit", "/exit"):
            break
        if line.split(maxsplit=1)[:1] == ["/as"]:  # not /ask
            who = _switch(line, who, stdout)
            transcript.buttons = []
            continue
        user = IDENTITIES[who]
        choice = _button_choice(line, transcript)
        if choice is not None:
            message_id, _, data = choice
            if data.startswith("http"):
                stdout.write(f"(link: {data})\n")
                continue
            try:
                update_id = emu.press_button(user, message_id, data)
            except ValueError:  # the message lost that button meanwhile
                stdout.write("(that button is no longer there; the numbered ones are)\n")
                transcript.buttons = []
                continue
            await _settle(emu, app)
            transcript.notice(emu.answer_for(update_id))
        elif line.strip():
            emu.send_message(user, line)
            await _settle(emu, app)
        else:
            continue
        transcript.flush(user)
    stdout.write("\nBye. Your answers are saved; run the console again to continue.\n")


async def _send(
    emu: Emulator, app: HearingApp, transcript: Transcript, user: int, text: str
) -> None:
    emu.send_message(user, text)
    await _settle(emu, app)
    transcript.flush(user)


async def _settle(emu: Emulator, app: HearingApp) -> None:
    await emu.wait_delivered()
    await settle(app)


def _button_choice(line: str, transcript: Transcript) -> tuple[int, str, str] | None:
    text = line.strip()
    if text.isdigit() and 1 <= int(text) <= len(transcript.buttons):
        return transcript.buttons[int(text) - 1]
    return None


def _switch(line: str, who: str, stdout: TextIO) -> str:
    wanted = line.removeprefix("/as").strip()
    if wanted not in IDENTITIES:
        stdout.write(f"(you can be: {', '.join(IDENTITIES)})\n")
        return who
    stdout.write(f"(you are now the {wanted}; send /start)\n")
    return wanted


def _local_settings(settings: Settings, api_url: str) -> Settings:
    drafters = settings.drafter_ids | {IDENTITIES["drafter"]}
    moderators = settings.moderator_ids | {IDENTITIES["moderator"]}
    overseers = settings.oversight_ids | {IDENTITIES["overseer"]}
    return replace(
        settings, telegram_api_url=api_url, drafter_ids=drafters, moderator_ids=moderators,
        oversight_ids=overseers,
    )  # fmt: skip
