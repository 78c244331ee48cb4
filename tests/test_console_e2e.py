"""The console (the demo and training tool) through the emulator: every message and button the
bot sends is shown, a vanished button does not end it, /ask is not /as, and an overseer."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import run_cli


def test_buttons_that_change_under_the_same_text_are_shown_again(tmp_path: Path) -> None:
    script = (
        "1\n1\n1\n1\nRead https://example.org/report now\n"  # held: a notice with buttons
        "/as moderator\n/queue\n2\n1\n"  # Hide: the same card, the reasons as its buttons
    )
    result = run_cli(["console"], tmp_path, script)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    out = result.stdout
    assert "[1] ✏️ Correct it   [2] 🗑 Withdraw it" in out
    hide = out.index("moderator > 2")
    assert "── bot (updated) ──" in out[hide:] and "[1] Spam" in out[hide:]
    assert "🙈 Suggestion #1 hidden." in out[hide:]


def test_a_vanished_button_is_not_pressed_and_the_console_goes_on(tmp_path: Path) -> None:
    script = "1\n1\n1\n1\nRegister every madrasa within a year\n/mine\n1\n1\n1\n/mine\n"
    result = run_cli(["console"], tmp_path, script)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    out = result.stdout
    gone = out.index("Withdrawn. It is no longer shown to others.")
    # The question lost its buttons: "1" is no button any more, it goes to the bot as text.
    assert "Please answer with the buttons" in out[gone:]
    assert out.rstrip().endswith("run the console again to continue.")


def test_ask_is_not_as_and_an_overseer_can_be_played(tmp_path: Path) -> None:
    script = "/as moderator\n/ask 3 opposed Why?\n/as overseer\n/report\n/as nobody\n"
    result = run_cli(["console"], tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Sorry, this is only for the hearing's drafters." in out, "/ask went to the bot"
    assert "(you are now the overseer; send /start)" in out
    assert "Weekly oversight report: Anti-Terror Action Plan" in out
    assert "(you can be: citizen, drafter, moderator, overseer)" in out


def test_in_urdu_the_chart_and_the_tracking_history_are_shown(tmp_path: Path) -> None:
    suggestion, zone = "مدارس کا اندراج لازمی ہو", "پاکستان کا وقت"
    lines = ["1", "1", "1", "1", suggestion, "/as drafter", "/digest", "/track", "18", "1", "2"]
    result = run_cli(["console", "--lang", "ur"], tmp_path, "\n".join([*lines, "6", ""]))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    out = result.stdout
    assert "ہر نکتے پر حمایت، غیر یقینی اور مخالفت" in out, "the chart's caption, in Urdu"
    history = out[out.index("drafter > 6") :]
    assert f"\u2068{zone}\u2069" in history and " دسمبر " in history
    assert "UTC" not in history
