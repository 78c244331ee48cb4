"""Render moderation: the queue card, reason choices, decisions, the log, authors' notices."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.hearing.moderation import AuthorNotice, Decided, QueueCard
from bot.hearing.submissions import Correcting, Posted
from bot.model.records import SuggestionRecord
from bot.model.values import NEW_ITEMS, Awaiting, FlagReason, QueueState, ReportReason
from bot.views.codec import Action
from bot.views.texts import Html, Texts
from bot.views.ui import Rendered, Ui, keyboard, prompt, shorten, target_name

# An author's notice quotes the suggestion; long ones are cut to keep it one short message.
QUOTE_CHARS = 600
ITEM_CHARS = 300


def render_queue_card(ui: Ui, card: QueueCard) -> Rendered:
    """Show a moderator one queued suggestion, what flagged it, and the decisions to take."""
    t, s = ui.t, card.suggestion
    lines: list[str] = [
        t("moderation.card_heading", id=s.id, target=target_name(t, s.item_id),
          waiting=card.waiting),
    ]  # fmt: skip
    if card.item is not None:  # what the suggestion is about, so that it can be judged
        item = ui.local(card.item)
        lines.append(t("moderation.card_item", number=item.number,
                       text=shorten(item.text, ITEM_CHARS)))  # fmt: skip
    lines += [
        "",
        t("moderation.card_text", text=s.text),
        "",
        t("moderation.card_author", author=card.author_tag, hidden=card.hidden_before,
          posted=card.posted_before),
    ]  # fmt: skip
    lines += [t(f"moderation.flag_{reason}", detail=why or "") for reason, why in card.flags]
    if card.reports:
        reasons = ", ".join(
            t("moderation.report_row", reason=t(f"moderation.reason_{reason}"), count=count)
            for reason, count in card.reports.items()
        )
        lines.append(
            t.plural("moderation.card_reports", sum(card.reports.values()), reasons=Html(reasons))
        )
    if card.appealed:
        lines.append(t("moderation.card_appealed"))
    sid = s.id
    rows = (
        [ui.button("moderation.approve", Action.MOD_APPROVE, sid),
         ui.button("moderation.hide", Action.MOD_HIDE_ASK, sid)],
        [ui.button("moderation.ban", Action.MOD_BAN_ASK, sid),
         ui.button("moderation.skip", Action.MOD_SKIP, sid)],
    )  # fmt: skip
    return Rendered("\n".join(lines), keyboard(*rows))


def reason_keyboard(
    ui: Ui, action: Action, args: tuple[object, ...], way_back: InlineKeyboardButton
) -> InlineKeyboardMarkup | None:
    """Offer the reasons for hiding, banning or reporting, one per row, then a way back."""
    rows = [[ui.button(f"moderation.reason_{reason}", action, *args, reason)]
            for reason in ReportReason]  # fmt: skip
    return keyboard(*rows, [way_back])


def render_reason_choice(
    ui: Ui, suggestion_id: int, action: Action
) -> InlineKeyboardMarkup | None:
    """Ask a moderator why they hide (or ban), with a way back to the card."""
    back = ui.button("moderation.back", Action.MOD_BACK, suggestion_id)
    return reason_keyboard(ui, action, (suggestion_id,), back)


def render_decided(t: Texts, decided: Decided, banned: bool = False) -> Html:
    """Confirm a decision to the moderator who took it."""
    key = (
        "moderation.decided_approved"
        if decided.state is QueueState.APPROVED
        else "moderation.decided_hidden"
    )
    text = t(key, id=decided.suggestion_id)
    if banned:
        text = Html(f"{text}\n{t.plural('moderation.decided_banned', decided.also_hidden)}")
    return text


def render_held(ui: Ui, held: Posted) -> Rendered:
    """Tell an author why their suggestion waits for a moderator; offer to correct or withdraw.

    The blocklist is named as a rule, never by the word it found.
    """
    t, why = ui.t, held.held_for
    if why is not None and why.reason is FlagReason.FLOOD:
        text = t("moderation.held_flood")
    else:
        key = "moderation.held_why_pre_moderation"
        if why is not None:
            kind = f"_{why.kind}" if why.kind else ""
            key = f"moderation.held_why_{why.reason}{kind}"
        text = t("moderation.held", why=t(key))
    sid = held.suggestion_id
    buttons = [ui.button("moderation.held_correct", Action.CORRECT_HELD, sid),
               ui.button("moderation.held_withdraw", Action.WITHDRAW, sid)]  # fmt: skip
    return Rendered(text, keyboard(buttons))


def render_correction_prompt(ui: Ui, correcting: Correcting) -> Rendered:
    """Ask for the corrected text of a held suggestion, with Cancel."""
    item = correcting.item
    target = target_name(ui.t, item.id if item is not None else NEW_ITEMS)
    text = ui.t("moderation.correct_prompt", target=target, limit=ui.limit)
    return prompt(ui, text, Awaiting.CORRECTION)


def render_author_notice(ui: Ui, notice: AuthorNotice) -> Rendered:
    """Tell an author what a moderator decided, offering one second review of a hidden post."""
    t, s = ui.t, notice.suggestion
    values = {"title": ui.plan.title, "target": target_name(t, s.item_id),
              "suggestion": shorten(s.text, QUOTE_CHARS)}  # fmt: skip
    if notice.state is QueueState.APPROVED:
        key = "moderation.notice_restored" if notice.appealed else "moderation.notice_approved"
        return Rendered(t(key, **values))
    reason = t(f"moderation.reason_{notice.reason}") if notice.reason else ""
    banned = f"\n\n{t('moderation.notice_banned')}" if notice.banned else ""
    if notice.appealed:
        text = t("moderation.notice_hidden_final", reason=reason, **values)
        return Rendered(f"{text}{banned}")
    if not notice.reviewable:  # a single moderator: no one else could review it
        return Rendered(f"{t('moderation.notice_hidden_single', reason=reason, **values)}{banned}")
    appeal = ui.button("moderation.appeal", Action.APPEAL, s.id)
    text = t("moderation.notice_hidden", reason=reason, **values)
    return Rendered(f"{text}{banned}", keyboard([appeal]))


def report_hidden_notice(t: Texts, title: str, suggestion: SuggestionRecord) -> str:
    """Tell an author that citizens' reports hid their suggestion until a moderator decides."""
    return t("moderation.notice_report_hidden", title=title,
             target=target_name(t, suggestion.item_id),
             suggestion=shorten(suggestion.text, QUOTE_CHARS))  # fmt: skip


def unbanned_notice(t: Texts, title: str) -> str:
    """Tell a citizen that a moderator lifted their ban."""
    return t("moderation.notice_unbanned", title=title)
