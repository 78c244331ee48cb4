"""The Urdu texts (content/locale/ur.po): complete, formattable, valid HTML, right-to-left."""

from __future__ import annotations

import os
import re
import shutil
import string
import subprocess
import unicodedata
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.emulator.validation import answer_text, commands, formatted
from bot.hearing.digest_model import Digest, ItemStats, Participation, SuggestionGroup
from bot.hearing.plan import DEFAULT_PLAN_PATH, load_plan, parse_plan
from bot.hearing.walkthrough import Answer, ItemView, Welcome
from bot.model.reports import TalliedSuggestion
from bot.model.values import Priority, Stance, Step
from bot.views.digest import render_digest
from bot.views.links import Links
from bot.views.texts import LOCALE_DIR, build_texts, load_texts, read_catalogue, strip_html
from bot.views.ui import Ui
from bot.views.walkthrough import render_closed_item, render_item, render_welcome

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = read_catalogue("en")
URDU = read_catalogue("ur")
ISOLATES, PDI, RLM = "\u2066\u2067\u2068", "\u2069", "\u200f"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"<[^>]*>")
# A value that begins with a line break ("\n✅ Decided: ...") cannot be isolated: an isolate
# ends with its line.
STARTS_A_LINE = {"{decision}"}
# Latin words an Urdu reader sees as they are: the bot's commands and a file format.
COMMANDS = {"start", "items", "mine", "propose", "updates", "help", "queue", "language"}
# After the hearing: more commands, and /ask's segment words.
COMMANDS |= {"status", "followups", "track", "ask", "mydata", "delete", "suggestions", "groups"}
# Staff commands, in the help of their roles.
COMMANDS |= {"unban", "digest", "broadcast", "export", "report", "modlog"}
LATIN_KEPT = COMMANDS | {"CSV", "manifest", "json", "opposed", "supported", "high"}
BUTTON_CHARS = 30  # phones cut longer button labels short
SAMPLE = "<&> 12"
# Signs that belong with their number (45%, #12, +3, minus 3, 3/100) inside its isolate.
SIGNS = "%#@/+\u2212"


def fields(template: str) -> Counter[tuple[str, str, str | None]]:
    """Count a template's {placeholders} with their format spec and conversion."""
    parsed = string.Formatter().parse(template)
    return Counter((name, spec or "", conv) for _, name, spec, conv in parsed if name is not None)


def tags(template: str) -> Counter[str]:
    """Count a template's HTML tags, attributes included."""
    return Counter(TAG.findall(template))


def button_keys() -> set[str]:
    """Find the keys the code uses as inline button labels."""
    call = re.compile(
        r"""(?:\.button|\.link|InlineKeyboardButton)\(\s*(?:t\()?(f?)["']([a-z_.]+)"""
    )
    label = re.compile(r"""\blabel = ["']([a-z_.]+)["'](?: if .+? else ["']([a-z_.]+)["'])?""")
    # A (label, action) pair, as a Switch's buttons are given.
    pair = re.compile(r"""\(["']([a-z_]+\.[a-z_]+)["'], Action\.""")
    found = {key for key in ENGLISH if key.startswith("button.")}
    sources = [*(ROOT / "handlers").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]
    for path in sources:
        source = path.read_text(encoding="utf-8")
        for prefix, key in call.findall(source):
            found |= {k for k in ENGLISH if (k.startswith(key) if prefix else k == key)}
        found |= {key for keys in label.findall(source) for key in keys if key}
        found |= set(pair.findall(source))
    return found


BUTTONS = button_keys()


def direction(line: str) -> str | None:
    """Return a line's direction as Telegram finds it: its first strong letter outside isolates."""
    depth = 0
    for char in TAG.sub("", line):
        depth += char in ISOLATES
        depth -= char == PDI and depth > 0
        kind = unicodedata.bidirectional(char)
        if depth == 0 and kind in {"R", "AL"}:
            return "rtl"
        if depth == 0 and kind == "L":
            return "ltr"
    return None


def bidi_problems(line: str) -> list[str]:
    """Check one line of an Urdu template against the rules in content/README.md."""
    text, problems, depth, outside = TAG.sub("", line), [], 0, []
    i = 0
    while i < len(text):
        placeholder = PLACEHOLDER.match(text, i)
        char = text[i]
        if char in ISOLATES:
            depth += 1
        elif char == PDI:
            if depth == 0:
                problems.append(f"a PDI closes no isolate at {i}")
            depth = max(0, depth - 1)
        elif placeholder:
            if depth == 0 and placeholder[0] not in STARTS_A_LINE:
                outside.append(placeholder[0])
            i = placeholder.end()
            continue
        elif depth == 0 and ((char.isascii() and char.isalnum()) or char in SIGNS):
            outside.append(char)
        i += 1
    if depth:
        problems.append("an isolate is not closed on its line")
    if direction(line) == "rtl" and outside:
        problems.append(f"not isolated in a right-to-left line: {outside}")
    return problems


def urdu_words(text: str) -> bool:
    """Tell whether a text has Urdu letters of its own (outside placeholders and tags)."""
    bare = PLACEHOLDER.sub("", TAG.sub("", text))
    return any(unicodedata.bidirectional(char) == "AL" for char in bare)


def render(key: str, value: str = SAMPLE) -> str:
    """Render an Urdu text as the bot does, every placeholder filled with the same value."""
    names = {name for name, _, _ in fields(URDU[key])}
    return load_texts("ur")(key, **dict.fromkeys(names, value))


def test_every_urdu_key_exists_in_english() -> None:
    assert sorted(set(URDU) - set(ENGLISH)) == []


def test_no_english_key_is_missing_from_urdu() -> None:
    missing = sorted(set(ENGLISH) - set(URDU))
    assert missing == [], f"translate these into content/locale/ur.po: {missing}"


def po(*messages: tuple[str, str, str], fuzzy: str = "") -> str:
    """Write a small .po catalogue: (key, English, text) per message."""
    entries = [f'msgctxt "{key}"\nmsgid "{en}"\nmsgstr "{text}"\n' for key, en, text in messages]
    if fuzzy:
        entries.append(f'#, fuzzy\nmsgctxt "{fuzzy}"\nmsgid "old"\nmsgstr "پرانا"\n')
    return 'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n' + "\n".join(entries)


def test_a_missing_or_fuzzy_key_falls_back_to_english(tmp_path: Path) -> None:
    english = [("a.b", "B {x}", "B {x}"), ("a.c", "C", "C"), ("a.d", "D", "D")]
    (tmp_path / "en.po").write_text(po(*english), encoding="utf-8")
    urdu = po(("a.b", "B {x}", "ب \u2068{x}\u2069"), ("a.c", "C", ""), fuzzy="a.d")
    (tmp_path / "ur.po").write_text(urdu, encoding="utf-8")
    texts = build_texts("ur", tmp_path)
    assert texts("a.b", x=1) == "ب \u20681\u2069"
    assert texts("a.c") == "C", "untranslated"
    assert texts("a.d") == "D", "fuzzy: to be reviewed, not shown"
    assert texts.language == "ur"
    assert build_texts("en", tmp_path).catalogue == {"a.b": "B {x}", "a.c": "C", "a.d": "D"}


def test_each_urdu_text_translates_the_current_english() -> None:
    with (LOCALE_DIR / "ur.po").open("rb") as handle:
        catalog = read_po(handle)
    stale = sorted(m.context for m in catalog if m.context and m.id != ENGLISH.get(m.context))
    assert stale == [], "the English changed: update msgid and the translation in ur.po"


def test_the_catalogues_pass_msgfmt_check_when_it_is_installed() -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed")
    for language in ("en", "ur"):
        path = LOCALE_DIR / f"{language}.po"
        done = subprocess.run([msgfmt, "--check", "-o", os.devnull, str(path)],
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr


def test_load_texts_serves_urdu_with_the_same_keys_as_english() -> None:
    texts = load_texts("ur")
    assert texts.language == "ur" and set(texts.catalogue) == set(ENGLISH)
    assert texts("stance.support") == "حمایت"
    assert load_texts("en")("stance.support") == "Support"


@pytest.mark.parametrize("key", sorted(URDU))
def test_placeholders_tags_and_layout_match_english(key: str) -> None:
    urdu, english = URDU[key], ENGLISH[key]
    assert fields(urdu) == fields(english)
    assert tags(urdu) == tags(english)
    assert emoji(urdu) == emoji(english), "the same emoji"
    # Fragments are glued to other texts: keep their line breaks and edge spaces.
    assert urdu.count("\n") == english.count("\n")
    lines = zip(urdu.split("\n"), english.split("\n"), strict=True)
    for ur_line, en_line in lines:
        ur_line = ur_line.removeprefix(RLM)
        assert edges(ur_line) == edges(en_line), (ur_line, en_line)


def emoji(text: str) -> Counter[str]:
    """Count a text's pictographs (Unicode's "other symbols": emoji, ticks, arrows like ↩)."""
    return Counter(char for char in text if unicodedata.category(char) == "So")


def edges(line: str) -> tuple[str, str]:
    """Return the spaces a line starts and ends with."""
    return line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]


def test_the_scan_finds_buttons_outside_the_button_section() -> None:
    expected = {"welcome.begin", "moderation.reason_spam", "updates.turn_on", "input.open_private"}
    assert expected <= BUTTONS


@pytest.mark.parametrize("key", sorted(URDU))
def test_rendered_text_is_valid_telegram_html_within_limits(key: str) -> None:
    rendered = render(key)
    assert "<&>" not in rendered, "values are escaped"
    if key.startswith("chart."):
        # Drawn by matplotlib, which orders them itself (isolates included) and shows no HTML.
        assert TAG.search(rendered) is None
    elif key.startswith("commands."):
        commands([{"command": key.split(".")[1], "description": rendered}])
    elif key.startswith("toast."):
        answer_text(strip_html(rendered))
    elif key in BUTTONS:
        label = [c for c in render(key, "1234") if unicodedata.category(c) != "Cf"]
        assert len(label) <= BUTTON_CHARS and TAG.search(rendered) is None, "".join(label)
    elif ENGLISH[key].strip():
        caption = key in {"digest.chart_caption", "export.caption"}
        formatted(rendered, "HTML", None, caption=caption)
    else:
        assert URDU[key] == ENGLISH[key]


@pytest.mark.parametrize("key", sorted(URDU))
def test_urdu_is_written_in_urdu_with_isolated_embedded_runs(key: str) -> None:
    template = URDU[key]
    if re.search(r"[A-Za-z]{2}", PLACEHOLDER.sub("", TAG.sub("", ENGLISH[key]))):
        assert urdu_words(template), "translated"
    latin = set(re.findall(r"[A-Za-z]+", PLACEHOLDER.sub("", TAG.sub("", template))))
    assert latin <= LATIN_KEPT, "no English left"
    assert not re.search("[\u064a\u0643\u0647\u0660-\u0669\u06f0-\u06f9]", template), (
        "Urdu letters (not Arabic look-alikes) and the digits 0-9"
    )
    assert [p for line in template.split("\n") for p in bidi_problems(line)] == []
    for line in template.split("\n"):
        if urdu_words(line):
            assert direction(line) == "rtl", line


@pytest.mark.parametrize("key", sorted(URDU))
def test_rendered_lines_keep_their_direction_whatever_is_filled_in(key: str) -> None:
    for latin in ("Plan: 12.", "12%", "https://example.org/x"):
        rendered = render(key, latin).split("\n")
        for template_line, line in zip(URDU[key].split("\n"), rendered, strict=True):
            if direction(template_line) == "rtl":
                assert direction(line) == "rtl", line
            depth = sum(c in ISOLATES for c in line) - line.count(PDI)
            assert depth == 0, "isolates balanced"


@pytest.mark.parametrize(
    ("outer", "name", "inner"),
    [
        ("item.answered", "answer", "answer.with_priority"),
        ("mine.suggestion_row", "state", "mine.state_hidden"),
        ("digest.item_counts", "priority", "digest.item_priority"),
        ("digest.most_supported", "items", "digest.split"),
        ("review.card", "decision", "review.decision_merged"),
        ("moderation.card_reports.other", "reasons", "moderation.report_row"),
    ],
)
def test_nested_texts_stay_balanced(outer: str, name: str, inner: str) -> None:
    t = load_texts("ur")
    filled = render(inner, "7")
    others = {n: "7" for n, _, _ in fields(URDU[outer]) if n != name}
    rendered = t(outer, **{name: filled, **others})
    for line in rendered.split("\n"):
        assert sum(c in ISOLATES for c in line) == line.count(PDI), line
    assert formatted(rendered, "HTML", None)[0]


def test_the_progress_bar_fills_from_the_right() -> None:
    header = load_texts("ur")("item.header", position=3, total=20, bar="▰▰▰▱▱▱▱▱▱▱", answered=5)
    assert "\u2067▰▰▰▱▱▱▱▱▱▱\u2069" in header, "a right-to-left isolate around the bar"


def test_the_urdu_plan_renders_at_every_step_in_urdu() -> None:
    plan = load_plan(DEFAULT_PLAN_PATH.with_name("plan.ur.md"))
    ui = Ui(load_texts("ur"), Links("hearing_test_bot"), plan, 1000)
    answers = [None, Answer(Stance.SUPPORT, None), Answer(Stance.OPPOSE, Priority.HIGH)]
    for i, item in enumerate(plan.items):
        for step in (Step.STANCE, Step.PRIORITY, Step.SUGGEST, Step.SUGGESTION_TEXT):
            for answer in answers:
                view = ItemView(item, step, answer, i, len(plan.items))
                for rendered in (render_item(ui, view), render_closed_item(ui, view)):
                    plain, _ = formatted(rendered.text, "HTML", None)
                    assert all(direction(line) != "ltr" for line in plain.split("\n")), plain
    welcome = render_welcome(ui, Welcome(Step.WELCOME, None)).text
    assert "مشین کی مدد" in formatted(welcome, "HTML", None)[0]


def test_the_welcome_fits_with_the_longest_title_and_preamble_a_plan_may_have() -> None:
    plan = parse_plan(f"# {'ت' * 200}\n\n{'پ' * 3000}\n\n1. ایک نکتہ\n")
    ui = Ui(load_texts("ur"), Links("hearing_test_bot"), plan, 1000)
    formatted(render_welcome(ui, Welcome(Step.WELCOME, None)).text, "HTML", None)


def test_an_urdu_digest_of_the_urdu_plan_renders_and_reads_right_to_left() -> None:
    plan = load_plan(DEFAULT_PLAN_PATH.with_name("plan.ur.md"))
    items = tuple(
        ItemStats(i.id, i.number, i.text, 7, 2, 1, 66.7, (3, -1, 0)) for i in plan.all_items()
    )
    texts = ("سکیورٹی بڑھائیں، مگر عوام سے مشورہ کریں", "More schools <& fewer madaris>.")
    best = {
        i.id: tuple(SuggestionGroup(n, i.id, texts[n % 2], 5, 1, 0, (99,)) for n in range(2))
        for i in plan.items
    }
    new = tuple(TalliedSuggestion(n, i.id, texts[n % 2], n, 1, 2)
                for n, i in enumerate((*plan.items[:3], plan.items[0]), start=1))  # fmt: skip
    digest = Digest(plan.title, None, datetime(2026, 11, 27, 15, 0, tzinfo=UTC),
                    Participation(1, 2, 3, 4, 5), items, ("1", "9.1"), ("2",), ("3",), best,
                    proposals=best["1"], awaiting_moderation=2, reported=1,
                    new_suggestions=new, new_waiting=1, min_group=5)  # fmt: skip
    messages = render_digest(load_texts("ur"), digest, "Asia/Karachi", Links("hearing_bot"))
    for message in messages:
        plain, _ = formatted(message, "HTML", None)
        for line in plain.split("\n"):
            assert sum(c in ISOLATES for c in line) == line.count(PDI), line
            if "👍" in line or "🗳" in line:  # the counts and the suggestions
                assert direction(line) == "rtl", line
    assert "اس مدت میں نئی تجاویز" in "".join(messages)
    assert "(\u206870%\u2069)" in messages[0], "a percentage stays with its number"
    assert "\u2068More schools &lt;&amp; fewer madaris&gt;.\u2069" in "".join(messages)
