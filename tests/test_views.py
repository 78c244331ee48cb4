"""Rendering: every step of every item fits one Telegram message and is escaped."""

from __future__ import annotations

import html
import re

import pytest

from bot.hearing.plan import (
    MAX_ITEM_CHARS,
    MAX_PREAMBLE_CHARS,
    MAX_TITLE_CHARS,
    Plan,
    check_plan,
    parse_plan,
    telegram_length,
)
from bot.hearing.walkthrough import Answer, ItemView, Welcome
from bot.model.values import Priority, Stance, Step
from bot.views.links import Links
from bot.views.texts import as_html, is_telegram_html, load_texts, staff_html
from bot.views.ui import MESSAGE_BUDGET, Ui, pack, paginate
from bot.views.walkthrough import progress_bar, render_closed_item, render_item, render_welcome

TELEGRAM_LIMIT = 4096
STEPS = [Step.STANCE, Step.PRIORITY, Step.SUGGEST, Step.SUGGESTION_TEXT]


def visible_length(markup: str) -> int:
    """Count what Telegram counts: UTF-16 code units of the text without tags."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return len(plain.encode("utf-16-le")) // 2


def make_ui(plan: Plan) -> Ui:
    """Render as the bot would, for a bot called hearing_test_bot."""
    return Ui(load_texts(), Links("hearing_test_bot"), plan, 1000)


def views(plan: Plan, step: Step) -> list[ItemView]:
    answer = Answer(Stance.OPPOSE, Priority.HIGH)
    return [ItemView(item, step, answer, i, len(plan.items)) for i, item in enumerate(plan.items)]


@pytest.mark.parametrize("step", STEPS)
def test_every_seed_item_fits_at_every_step(plan: Plan, step: Step) -> None:
    ui = make_ui(plan)
    for view in views(plan, step):
        rendered = render_item(ui, view, with_cards=True)
        assert visible_length(rendered.text) <= TELEGRAM_LIMIT
        assert visible_length(render_closed_item(ui, view).text) <= TELEGRAM_LIMIT


@pytest.mark.parametrize("step", STEPS)
def test_the_longest_item_check_content_allows_still_fits(step: Step) -> None:
    text = "x" * (MAX_ITEM_CHARS - 10)
    plan = parse_plan(f"# Long\n\n1. {text}\n2. <b>&amp; short</b>\n")
    ui = make_ui(plan)
    for view in views(plan, step):
        rendered = render_item(ui, view, with_cards=True)
        assert visible_length(rendered.text) <= TELEGRAM_LIMIT
    escaped = render_item(ui, views(plan, step)[1]).text
    assert "&lt;b&gt;&amp;amp; short&lt;/b&gt;" in escaped, "plan text is shown, not obeyed"


@pytest.mark.parametrize(
    ("answered", "total", "bar"),
    [(0, 20, "▱" * 10), (1, 20, "▰▱▱▱▱▱▱▱▱▱"), (10, 20, "▰▰▰▰▰▱▱▱▱▱"), (19, 20, "▰" * 9 + "▱"),
     (20, 20, "▰" * 10), (1, 1, "▰" * 10), (0, 0, "▱" * 10)],
)  # fmt: skip
def test_progress_bar_counts_answered_items(answered: int, total: int, bar: str) -> None:
    assert progress_bar(answered, total) == bar


def test_long_lists_are_split_at_line_boundaries() -> None:
    lines = [f"<b>{n}.</b> " + "y" * 300 for n in range(60)]
    pages = paginate(lines)
    assert len(pages) > 1
    assert all(len(page.text) <= TELEGRAM_LIMIT for page in pages)
    assert "\n".join(page.text for page in pages) == "\n".join(lines)


def test_welcome_fits_at_the_longest_title_and_preamble_check_content_allows() -> None:
    title, preamble = "T" * MAX_TITLE_CHARS, "p" * MAX_PREAMBLE_CHARS
    plan = parse_plan(f"# {title}\n\n{preamble}\n\n1. One item\n")
    welcome = render_welcome(make_ui(plan), Welcome(Step.WELCOME, None))
    assert visible_length(welcome.text) <= TELEGRAM_LIMIT


def test_too_long_title_is_a_problem() -> None:
    problems = check_plan(f"# {'T' * (MAX_TITLE_CHARS + 1)}\n\n1. One item\n")
    assert [p.line for p in problems] == [1]
    assert "the title is too long" in problems[0].message


@pytest.mark.parametrize("separator", ["\n", "\n\n"])
def test_pack_counts_as_telegram_does_and_never_splits_a_part(separator: str) -> None:
    # A mathematical bold letter is one character but two UTF-16 units, which Telegram counts.
    parts = ["\U0001d41b" * 900 for _ in range(5)]
    texts = pack(parts, separator)
    assert all(telegram_length(text) <= MESSAGE_BUDGET for text in texts)
    assert separator.join(texts) == separator.join(parts)
    assert len(texts) == 3 and pack([], separator) == []


@pytest.mark.parametrize(
    ("client_html", "kept"),
    [
        ("&lt;b&gt;Update&lt;/b&gt; out", "<b>Update</b> out"),  # typed tags, valid
        ("<b>Made bold in Telegram</b> &amp; more", "<b>Made bold in Telegram</b> &amp; more"),
        ("a &lt; b", "a &lt; b"),  # a sign, not a tag
        ("&lt;b&gt;never closed", "&lt;b&gt;never closed"),
        ("&lt;p&gt;x&lt;/p&gt;", "&lt;p&gt;x&lt;/p&gt;"),  # not Telegram's HTML
        ("&lt;a&gt;x&lt;/a&gt;", "&lt;a&gt;x&lt;/a&gt;"),  # a link needs its href
        ('&lt;a href="https://e.org"&gt;x&lt;/a&gt;', '<a href="https://e.org">x</a>'),
    ],
)
def test_staff_text_keeps_valid_telegram_html_only(client_html: str, kept: str) -> None:
    assert staff_html(client_html) == kept
    assert is_telegram_html(kept)
    assert as_html("Tom & Jerry <3") == "Tom &amp; Jerry &lt;3", "an old plain text is escaped"
