"""Every inline button, declared once: its code, its named fields, who may press it, its handler.

Follow a press from its `callback_data` to its service with this table alone: `v1:vt:12:a:0`
is `VOTE` (code `vt`), its fields are `suggestion=12`, `vote=a`, `shown=0`, any citizen may
press it, and `handlers/walkthrough.py: vote` handles it (the handlers resolve the names at
start-up, so a misspelt handler stops the bot before it serves anyone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, StrEnum

from bot.model.tracking import TrackingStatus
from bot.model.values import Awaiting, Language, Priority, ReportReason, Stance


class Arg(StrEnum):
    """The kinds of button field, each with the pattern a pressed value must match."""

    ITEM = "item"
    ID = "id"
    COUNT = "count"
    STANCE = "stance"
    PRIORITY = "priority"
    VOTE = "vote"
    REASON = "reason"
    STATUS = "status"
    FIELD = "field"
    LANGUAGE = "language"
    AWAITING = "awaiting"
    SUBITEM = "subitem"


PATTERNS = {
    Arg.ITEM: re.compile(r"[0-9]{1,3}"),
    Arg.SUBITEM: re.compile(r"[0-9]{1,3}\.[0-9]{1,3}"),
    Arg.ID: re.compile(r"[1-9][0-9]{0,11}"),
    Arg.COUNT: re.compile(r"[0-9]{1,2}"),
    Arg.STANCE: re.compile("|".join(s.value for s in Stance)),
    Arg.PRIORITY: re.compile("|".join(p.value for p in Priority)),
    # Votes are abbreviated (a/d/p) to leave room in 64 bytes for ids and counts.
    Arg.VOTE: re.compile(r"[adp]"),
    Arg.REASON: re.compile("|".join(r.value for r in ReportReason)),
    Arg.STATUS: re.compile("|".join(s.value for s in TrackingStatus)),
    Arg.FIELD: re.compile("responsible|deadline|metric_new"),
    Arg.LANGUAGE: re.compile("|".join(language.value for language in Language)),
    Arg.AWAITING: re.compile("|".join(kind.value for kind in Awaiting)),
}


class Role(StrEnum):
    """Who may press a button; checked at every press, from the settings."""

    CITIZEN = "citizen"
    DRAFTER = "drafter"
    # Drafters and the oversight committee set items' tracking; neither edits the plan's text.
    TRACKER = "tracker"
    # The only buttons that work outside a private chat (in the moderators' group).
    MODERATOR = "moderator"


@dataclass(frozen=True)
class Spec:
    """One button's declaration."""

    code: str
    handler: str  # "module:function" under handlers/
    role: Role
    fields: tuple[tuple[str, Arg], ...]


def button(code: str, handler: str, role: Role = Role.CITIZEN, **fields: Arg) -> Spec:
    """Declare a button; its fields are encoded in the order given."""
    return Spec(code, handler, role, tuple(fields.items()))


C, D, T, M = Role.CITIZEN, Role.DRAFTER, Role.TRACKER, Role.MODERATOR
ITEM, ID, COUNT = Arg.ITEM, Arg.ID, Arg.COUNT


class Action(Enum):
    """What a button asks for: the table of every button the bot sends."""

    # The walkthrough
    BEGIN = button("begin", "walkthrough:begin")
    # A newcomer's short welcome after a shared link: then what the link points to.
    LINK_ITEM = button("li", "walkthrough:open_linked_item", item=ITEM)
    LINK_SUGGESTION = button("ls", "walkthrough:open_linked_suggestion", suggestion=ID)
    RESUME = button("resume", "walkthrough:resume")
    RESTART = button("restart", "walkthrough:restart")
    REVIEW = button("review", "walkthrough:review")
    STANCE = button("st", "walkthrough:stance", item=ITEM, stance=Arg.STANCE)
    PRIORITY = button("pr", "walkthrough:priority", item=ITEM, priority=Arg.PRIORITY)
    SUGGEST = button("sg", "walkthrough:suggest", item=ITEM)
    SKIP = button("sk", "walkthrough:skip", item=ITEM)
    BACK = button("bk", "walkthrough:back", item=ITEM)
    OPEN = button("go", "walkthrough:open_item", item=ITEM)
    # The optional step after an item with sub-items: a stance on each.
    SUB_ITEMS = button("su", "walkthrough:open_sub_items", item=ITEM)
    SUB_STANCE = button("ss", "walkthrough:sub_stance", sub_item=Arg.SUBITEM, stance=Arg.STANCE)
    SUB_DONE = button("sd", "walkthrough:sub_items_done", item=ITEM)
    CANCEL_SUGGESTION = button("sx", "walkthrough:cancel_suggestion", item=ITEM)
    # Cancel on any other text prompt: stops waiting for that kind of text, if still awaited.
    CANCEL_INPUT = button("ci", "walkthrough:cancel_input", awaiting=Arg.AWAITING)
    # Deliberation
    VOTE = button("vt", "walkthrough:vote", suggestion=ID, vote=Arg.VOTE, shown=COUNT)
    AGREE_INSTEAD = button("ai", "walkthrough:agree_instead", draft=ID, suggestion=ID)
    POST_ANYWAY = button("pa", "walkthrough:post_anyway", draft=ID)
    WITHDRAW = button("wd", "walkthrough:withdraw", suggestion=ID)
    WITHDRAW_CONFIRMED = button("wy", "walkthrough:withdraw_confirmed", suggestion=ID)
    WITHDRAW_KEEP = button("wn", "walkthrough:withdraw_kept", suggestion=ID)
    CORRECT_HELD = button("hc", "walkthrough:correct_held", suggestion=ID)
    PROPOSE = button("np", "walkthrough:propose")
    VOTE_PROPOSALS = button("nv", "walkthrough:vote_proposals")
    # Reports and appeals
    REPORT = button("rp", "moderation:ask_report_reason", suggestion=ID, shown=COUNT)
    REPORT_REASON = button(
        "rq", "moderation:report", suggestion=ID, shown=COUNT, reason=Arg.REASON
    )
    REPORT_CANCEL = button("rc", "moderation:cancel_report", suggestion=ID, shown=COUNT)
    APPEAL = button("ap", "moderation:appeal", suggestion=ID)
    # Moderators
    MOD_APPROVE = button("qa", "moderation:approve", M, suggestion=ID)
    MOD_HIDE_ASK = button("qh", "moderation:ask_reason", M, suggestion=ID)
    MOD_HIDE = button("qr", "moderation:hide", M, suggestion=ID, reason=Arg.REASON)
    MOD_BAN_ASK = button("qb", "moderation:ask_reason", M, suggestion=ID)
    MOD_BAN = button("qn", "moderation:ban", M, suggestion=ID, reason=Arg.REASON)
    MOD_SKIP = button("qs", "moderation:skip", M, suggestion=ID)
    MOD_BACK = button("qc", "moderation:back_to_card", M, suggestion=ID)
    # Drafters closing the loop, and broadcasts
    REVIEW_REPLY = button("rr", "responses:ask_text", D, suggestion=ID)
    ADOPT = button("ad", "responses:adopt", D, suggestion=ID)
    MERGE_ASK = button("ma", "responses:ask_merge", D, suggestion=ID)
    MERGE = button("mg", "responses:merge", D, suggestion=ID, item=ITEM)
    DECLINE = button("dc", "responses:ask_text", D, suggestion=ID)
    SUGGESTIONS_OLDER = button("so", "drafter:suggestions_page", D, before=ID)
    SUGGESTIONS_NEWEST = button("sn", "drafter:suggestions_page", D)
    BROADCAST_SEND = button("bs", "responses:confirm_broadcast", D, broadcast=ID)
    BROADCAST_CANCEL = button("bx", "responses:confirm_broadcast", D, broadcast=ID)
    # An author answers what a drafter said to them (once per reply).
    AUTHOR_ANSWER = button("aw", "responses:ask_author_answer", response=ID)
    UPDATES_ON = button("u1", "responses:set_updates")
    UPDATES_OFF = button("u0", "responses:set_updates")
    # Privacy
    ERASE = button("er", "privacy:erase")
    ERASE_KEEP = button("ek", "privacy:keep")
    # Tracking
    TRACK_OPEN = button("tk", "tracking:open_card", T, item=ITEM)
    TRACK_STATUS_ASK = button("ts", "tracking:ask_status", T, item=ITEM)
    TRACK_STATUS = button("tt", "tracking:set_status", T, item=ITEM, status=Arg.STATUS)
    TRACK_FIELD = button("tf", "tracking:ask_text", T, item=ITEM, field=Arg.FIELD)
    TRACK_METRIC_ASK = button("tm", "tracking:ask_metric", T, item=ITEM)
    TRACK_METRIC = button("tv", "tracking:ask_value", T, item=ITEM, metric=COUNT)
    TRACK_HISTORY = button("th", "tracking:show_history", T, item=ITEM)
    # Status and following
    STATUS_ITEM = button("si", "status:open_item", item=ITEM)
    FOLLOW = button("fo", "status:follow", item=ITEM)
    UNFOLLOW = button("fx", "status:follow", item=ITEM)
    FOLLOW_HIGH = button("fh", "status:follow_high")
    FOLLOW_UPS_ON = button("f1", "status:set_consent")
    FOLLOW_UPS_OFF = button("f0", "status:set_consent")
    FOLLOW_UPS_ACCEPT = button("fa", "status:accept_from_summary")
    # Follow-up questions
    ASK_SEND = button("as", "ask:confirm", D, question=ID)
    ASK_CANCEL = button("ax", "ask:confirm", D, question=ID)
    ANSWER = button("aq", "ask:start_answer", question=ID)
    # Language
    LANGUAGE = button("lg", "language:choose_language", language=Arg.LANGUAGE)
    # The same under a short welcome after a shared link, which is shown again in the language.
    LANGUAGE_ITEM = button("lj", "language:choose_language", language=Arg.LANGUAGE, item=ITEM)
    LANGUAGE_SUGGESTION = button(
        "lk", "language:choose_language", language=Arg.LANGUAGE, suggestion=ID
    )

    @property
    def spec(self) -> Spec:
        """Return the button's declaration."""
        value: Spec = self.value
        return value

    @property
    def code(self) -> str:
        """Return the short code that names the button in callback data."""
        return self.spec.code

    @property
    def role(self) -> Role:
        """Return who may press the button."""
        return self.spec.role

    @property
    def kinds(self) -> tuple[Arg, ...]:
        """Return the kinds of the button's fields, in encoding order."""
        return tuple(kind for _, kind in self.spec.fields)

    @property
    def names(self) -> tuple[str, ...]:
        """Return the names of the button's fields, in encoding order."""
        return tuple(name for name, _ in self.spec.fields)


BY_CODE = {action.code: action for action in Action}
