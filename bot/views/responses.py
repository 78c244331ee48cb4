"""Closing the loop: the drafters' review card with the whole exchange, what authors are told,
and an author's answer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.hearing.author_answers import ANSWERABLE
from bot.hearing.responses import Notice, Review
from bot.model.records import ResponseRecord, SuggestionRecord
from bot.model.values import Awaiting
from bot.views import dates
from bot.views.codec import Action
from bot.views.links import Links
from bot.views.texts import Html, Texts
from bot.views.ui import (
    Rendered,
    Ui,
    keyboard,
    prompt,
    shorten,
    state_note,
    tally_text,
    target_name,
)

# A notice quotes the suggestion; long ones are cut so that the notice fits one message.
QUOTE_CHARS = 600
EXCHANGE_CHARS = 300


def render_review(ui: Ui, review: Review, zone: str = "UTC") -> Rendered:
    """Show a suggestion to a drafter with its votes, outcome, the exchange so far, and actions."""
    t, s, sid = ui.t, review.suggestion, review.suggestion.id
    decision = ""
    if review.decision is not None:
        d = review.decision
        decision = t(f"review.decision_{d.kind}", item=d.item_id or "", reason=d.text or "")
    text = t("review.card", id=sid, target=target_name(t, review.suggestion.item_id),
             text=s.text, votes=tally_text(t, review.tally), state=state_note(t, s.status),
             decision=decision)  # fmt: skip
    if review.history:
        lines = [text, "", t("review.history")]
        for entry in review.history:
            lines.append(t("review.history_row", day=_day(t, entry.at, zone),
                           what=_said(t, entry.response)))  # fmt: skip
            if entry.answer is not None:
                when = _day(t, entry.answered_at or "", zone)
                lines.append(t("review.history_answer", day=when,
                               text=shorten(entry.answer, EXCHANGE_CHARS)))  # fmt: skip
        text = Html("\n".join(lines))
    rows = (
        [ui.button("review.reply", Action.REVIEW_REPLY, sid)],
        [ui.button("review.adopt", Action.ADOPT, sid),
         ui.button("review.decline", Action.DECLINE, sid)],
        [ui.button("review.merge", Action.MERGE_ASK, sid)],
    )  # fmt: skip
    return Rendered(text, keyboard(*rows))


def _said(t: Texts, response: ResponseRecord) -> Html:
    text = shorten(response.text or "", EXCHANGE_CHARS)
    return t(f"review.said_{response.kind}", item=response.item_id or "", text=text)


def _day(t: Texts, stored: str, zone: str) -> str:
    if not stored:
        return ""
    return dates.day(t, datetime.fromisoformat(stored).astimezone(ZoneInfo(zone)).date())


def notice_text(t: Texts, title: str, notice: Notice) -> str:
    """Render what the author reads: the hearing's name, their suggestion, the drafter's words;
    and, when a decision replaces an earlier one, what it was."""
    target = target_name(t, notice.suggestion.item_id)
    merged = notice.merged_into.number if notice.merged_into else ""
    quote = shorten(notice.suggestion.text, QUOTE_CHARS)
    text = t(f"notice.{notice.decision}", title=title, target=target, suggestion=quote,
             text=notice.text or "", item=merged)  # fmt: skip
    if notice.previous is not None:
        before = t(f"notice.was_{notice.previous.kind}", item=notice.previous.item_id or "")
        text = Html(f"{text}\n\n{t('notice.changed', before=before)}")
    return text


def notice_markup(ui: Ui, notice: Notice) -> InlineKeyboardMarkup | None:
    """Offer the author to answer the drafter's words (a reply, or a reason to decline)."""
    if notice.decision not in ANSWERABLE:
        return None
    return keyboard([ui.button("answer.button", Action.AUTHOR_ANSWER, notice.response_id)])


def render_answer_prompt(ui: Ui, suggestion: SuggestionRecord) -> Rendered:
    """Ask the author for their answer to the drafters, with Cancel."""
    text = ui.t("answer.ask", id=suggestion.id, limit=ui.limit)
    return prompt(ui, text, Awaiting.AUTHOR_ANSWER)


def drafters_answer_notice(
    t: Texts, links: Links, suggestion: SuggestionRecord, reply: ResponseRecord, answer: str
) -> str:
    """Tell a drafter that an author answered a reply, with a link to the suggestion's card."""
    return t("answer.to_drafters", id=suggestion.id, url=links.review(suggestion.id),
             reply=shorten(reply.text or "", EXCHANGE_CHARS), text=answer)  # fmt: skip
