"""Render deliberation: suggestion cards to vote on, near-duplicates, proposals, /mine."""

from __future__ import annotations

from bot.hearing.deliberation import Card, NoProposals, OwnSuggestion
from bot.hearing.submissions import Similar
from bot.hearing.walkthrough import Overview
from bot.model.records import ResponseRecord
from bot.model.values import NEW_ITEMS, Awaiting, SuggestionStatus, Vote
from bot.views.codec import VOTE_CODES, Action
from bot.views.texts import Html, Texts
from bot.views.ui import (
    Rendered,
    Ui,
    keyboard,
    paginate,
    prompt,
    shorten,
    state_note,
    tally_text,
    target_name,
)
from bot.views.walkthrough import answers_lines

SUGGESTION_PREVIEW_CHARS = 300
ITEM_PREVIEW_CHARS = 80
OUTCOME_CHARS = 200
MATCH_PREVIEW_CHARS = 300
# Telegram shows about this many withdraw buttons comfortably; older ones stay in /mine's text.
WITHDRAW_BUTTONS = 10


def render_card(ui: Ui, card: Card) -> Rendered:
    """Render a suggestion for voting: Agree, Disagree, Pass, Report and Share."""
    t, sid = ui.t, card.suggestion.id
    if card.is_proposal or card.item is None:
        heading = t("card.proposal")
    else:
        heading = t("card.item", number=card.item.number)
    text = t("card.body", heading=heading, text=card.suggestion.text)
    if card.vote is not None:
        text = Html(f"{text}\n\n{t('card.your_vote', vote=t(f'vote.{card.vote}'))}")
    votes = [
        ui.button(_vote_label(vote, card.vote), Action.VOTE, sid, VOTE_CODES[vote], card.left)
        for vote in Vote
    ]
    report = ui.button("button.report", Action.REPORT, sid, card.left)
    share_text = t.plain("card.share", title=ui.plan.title)
    share = ui.link("button.share", ui.links.share(ui.links.suggestion(sid), share_text))
    return Rendered(text, keyboard(votes, [report, share]))


def render_similar(ui: Ui, similar: Similar) -> Rendered:
    """Show the suggestions a text resembles, offering to agree with one or post anyway."""
    t = ui.t
    target = target_name(t, similar.item.id if similar.item is not None else NEW_ITEMS)
    lines = [t("suggestion.similar", target=target), ""]
    for number, match in enumerate(similar.matches, start=1):
        lines.append(
            t(
                "suggestion.similar_row",
                number=number,
                text=shorten(match.text, MATCH_PREVIEW_CHARS),
            )
        )
    lines += ["", t("suggestion.similar_choice", text=similar.text)]
    agree = [
        ui.button("button.agree_instead", Action.AGREE_INSTEAD, similar.draft_id, m.key, number=n)
        for n, m in enumerate(similar.matches, start=1)
    ]
    post = ui.button("button.post_anyway", Action.POST_ANYWAY, similar.draft_id)
    return Rendered("\n".join(lines), keyboard(*([b] for b in agree), [post]))


def render_posted(ui: Ui, item_number: str | None, text: str) -> Rendered:
    """Confirm a published suggestion or proposal."""
    if item_number is None:
        resume = ui.button("button.continue", Action.RESUME)
        vote = ui.button("button.vote_proposals", Action.VOTE_PROPOSALS)
        return Rendered(ui.t("suggestion.proposal_saved", text=text), keyboard([resume], [vote]))
    return Rendered(ui.t("suggestion.saved", number=item_number, text=text))


def render_proposal_prompt(ui: Ui) -> Rendered:
    """Ask for a proposal for a new item, with Cancel."""
    return prompt(ui, ui.t("suggestion.ask_proposal", limit=ui.limit), Awaiting.PROPOSAL)


def render_no_proposals(ui: Ui, none: NoProposals) -> Rendered:
    """Say why no proposed item is left to vote on, and offer a way on."""
    if none.others:
        key = "proposals.all_voted"
    elif none.own:
        key = "proposals.only_own"
    else:
        key = "proposals.none_yet"
    propose = ui.button("button.propose", Action.PROPOSE)
    items = ui.button("button.all_items", Action.REVIEW)
    return Rendered(ui.t(key), keyboard([propose], [items]))


def render_withdraw_question(ui: Ui, sid: int, text: str) -> Rendered:
    """Ask the author to confirm withdrawing a suggestion."""
    confirm = ui.button("button.withdraw_confirm", Action.WITHDRAW_CONFIRMED, sid)
    keep = ui.button("button.withdraw_keep", Action.WITHDRAW_KEEP, sid)
    return Rendered(
        ui.t("withdraw.ask", text=shorten(text, SUGGESTION_PREVIEW_CHARS)),
        keyboard([confirm, keep]),
    )


def render_mine(ui: Ui, overview: Overview, own: list[OwnSuggestion]) -> list[Rendered]:
    """Render /mine: answers, then suggestions with their votes and withdraw buttons."""
    t = ui.t
    if overview.answered == 0 and not own:
        return [Rendered(t("mine.empty"))]
    lines = answers_lines(ui, overview)
    if own:
        lines += ["", t("mine.suggestions_title")]
    for entry in own:
        s, tally = entry.suggestion, entry.tally
        key = "mine.proposal_row" if s.item_id == NEW_ITEMS else "mine.suggestion_row"
        item = ui.plan.item(s.item_id)  # the item it is about, as the reader's plan words it
        about = shorten(item.text, ITEM_PREVIEW_CHARS) if item is not None else ""
        lines.append(
            t(key, id=s.id, number=s.item_id, text=shorten(s.text, SUGGESTION_PREVIEW_CHARS),
              item=about, votes=tally_text(t, tally), state=state_note(t, s.status))
        )  # fmt: skip
        if entry.outcome is not None:
            lines.append(_outcome(t, entry.outcome))
    # Shown ones, and those still waiting for a moderator, can be withdrawn.
    open_ = (SuggestionStatus.VISIBLE, SuggestionStatus.PENDING)
    visible = [e.suggestion for e in own if e.suggestion.status in open_]
    withdraw = [
        [ui.button(_withdraw_label(s.item_id), Action.WITHDRAW, s.id, id=s.id, item=s.item_id)]
        for s in visible[-WITHDRAW_BUTTONS:]
    ]
    return paginate(lines, keyboard(*withdraw))


def _outcome(t: Texts, outcome: ResponseRecord) -> Html:
    """Say what the drafters decided on a citizen's suggestion, or last replied."""
    text = shorten(outcome.text or "", OUTCOME_CHARS)
    return t(f"mine.outcome_{outcome.kind}", item=outcome.item_id or "", text=text)


def _withdraw_label(item_id: str) -> str:
    return "button.withdraw_proposal" if item_id == NEW_ITEMS else "button.withdraw"


def _vote_label(vote: Vote, chosen: Vote | None) -> str:
    return f"button.{vote}_chosen" if vote is chosen else f"button.{vote}"
