"""Everything stored about one participant: collected for /mydata, erased for /delete.

Erasure takes a cutoff time: only what was recorded at or before it is erased, so that
re-applying an old erasure (after a backup was restored) never touches what the same person
sent after coming back. The steps and their order are documented in docs/privacy.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.repository import Repository

# Each section of a citizen's data: what it is called in their file, and the query that reads
# it (one parameter: the participant id). Never a Telegram id, never another person's id.
_SECTIONS: tuple[tuple[str, str], ...] = (
    ("stances",
     "SELECT item_id AS item, stance, priority, plan_version, updated_at FROM stances"
     " WHERE participant_id = ? ORDER BY item_id"),
    ("stance_history",
     "SELECT item_id AS item, stance, priority, plan_version, recorded_at FROM stance_history"
     " WHERE participant_id = ? ORDER BY id"),
    ("suggestions",
     "SELECT s.id, s.item_id AS item, s.text, s.status, s.created_at,"
     " (SELECT COUNT(*) FROM votes v WHERE v.suggestion_id = s.id AND v.vote = 'agree')"
     "   AS agree_votes,"
     " (SELECT COUNT(*) FROM votes v WHERE v.suggestion_id = s.id AND v.vote = 'disagree')"
     "   AS disagree_votes"
     " FROM suggestions s WHERE s.participant_id = ? ORDER BY s.id"),
    ("replies_received",
     "SELECT r.suggestion_id, r.kind, r.item_id AS merged_into_item, r.text, r.created_at"
     " FROM suggestion_responses r JOIN suggestions s ON s.id = r.suggestion_id"
     " WHERE s.participant_id = ? ORDER BY r.id"),
    ("answers_to_drafters",
     "SELECT suggestion_id, response_id, text, created_at FROM author_answers"
     " WHERE author_id = ? ORDER BY id"),
    ("votes",
     "SELECT v.suggestion_id, s.item_id AS item, v.vote, v.updated_at FROM votes v"
     " JOIN suggestions s ON s.id = v.suggestion_id WHERE v.participant_id = ?"
     " ORDER BY v.suggestion_id"),
    ("vote_history",
     "SELECT suggestion_id, vote, recorded_at FROM vote_history WHERE participant_id = ?"
     " ORDER BY id"),
    ("reports",
     "SELECT suggestion_id, reason, created_at FROM reports WHERE participant_id = ?"
     " ORDER BY id"),
    ("moderation_of_own_suggestions",
     "SELECT q.suggestion_id, q.state, q.reason, q.decided_at, q.appealed_at,"
     " (SELECT group_concat(f.reason) FROM (SELECT reason FROM auto_flags"
     "   WHERE suggestion_id = q.suggestion_id ORDER BY reason) f) AS automatic_flags"
     " FROM moderation_queue q JOIN suggestions s ON s.id = q.suggestion_id"
     " WHERE s.participant_id = ? ORDER BY q.suggestion_id"),
    ("ban", "SELECT created_at FROM bans WHERE participant_id = ?"),
    # Only when the number was checked: the fingerprint itself is not given back.
    ("phone_checked", "SELECT verified_at FROM eligibility WHERE participant_id = ?"),
    ("drafts",
     "SELECT id, item_id AS item, text, outcome, suggestion_id, created_at, decided_at"
     " FROM suggestion_drafts WHERE participant_id = ? ORDER BY id"),
    ("broadcasts_received",
     "SELECT broadcast_id, status, sent_at FROM broadcast_deliveries WHERE participant_id = ?"
     " ORDER BY broadcast_id"),
    ("items_followed",
     "SELECT item_id AS item, created_at FROM follows WHERE participant_id = ? ORDER BY item_id"),
    ("follow_up_questions",
     "SELECT accepted, updated_at FROM follow_up_consents WHERE participant_id = ?"),
    ("opinion_group",
     "SELECT m.label AS group_label, r.computed_at FROM opinion_members m"
     " JOIN opinion_runs r ON r.digest_id = m.digest_id WHERE m.participant_id = ?"
     " ORDER BY m.digest_id"),
    ("messages_after_the_hearing",
     "SELECT kind, body, status, created_at, sent_at FROM outbox WHERE participant_id = ?"
     " ORDER BY id"),
)  # fmt: skip

_PROFILE = (
    "SELECT p.id AS participant_id, p.created_at AS joined_at, p.current_item, p.step,"
    " p.completed_at, p.erased_at, p.language, a.kind AS awaiting_text_for,"
    " CASE WHEN d.participant_id IS NOT NULL THEN 1 ELSE 0 END AS reachable,"
    " CASE WHEN d.participant_id IS NOT NULL AND d.updates_off_at IS NULL THEN 1 ELSE 0 END"
    "   AS updates_on,"
    " d.updates_off_at"
    " FROM participants p LEFT JOIN awaited_inputs a ON a.participant_id = p.id"
    " LEFT JOIN delivery d ON d.participant_id = p.id WHERE p.id = ?"
)

# The participant's own suggestions written at or before the cutoff.
_OWN = "SELECT id FROM suggestions WHERE participant_id = ? AND created_at <= ?"

# The participant's raw updates in the inbox received at or before the cutoff, by status.
_INBOX = (
    "DELETE FROM inbox WHERE status IN ({statuses}) AND received_at <= ?2"
    " AND chat_key IN (SELECT chat_id FROM delivery WHERE participant_id = ?1)"
)
# Updates still to be handled, left in a restored backup: replayed, they would bring back what
# the erasure removed. (While the bot runs, every pending update is being handled.)
_PENDING_UPDATES = _INBOX.format(statuses="'pending'")

# (label, statement): each takes (participant id, cutoff); the order respects foreign keys.
_ERASE: tuple[tuple[str | None, str], ...] = (
    ("drafts", "DELETE FROM suggestion_drafts WHERE participant_id = ? AND created_at <= ?"),
    # Another citizen's draft that agreed with an erased suggestion keeps its text, not the link.
    (None, f"UPDATE suggestion_drafts SET suggestion_id = NULL WHERE suggestion_id IN ({_OWN})"),
    ("votes_on_own_suggestions", f"DELETE FROM votes WHERE suggestion_id IN ({_OWN})"),
    (None, f"DELETE FROM vote_history WHERE suggestion_id IN ({_OWN})"),
    (None, f"DELETE FROM reports WHERE suggestion_id IN ({_OWN})"),
    (None, f"DELETE FROM author_answers WHERE suggestion_id IN ({_OWN})"),
    (None, f"DELETE FROM suggestion_responses WHERE suggestion_id IN ({_OWN})"),
    (None, f"DELETE FROM auto_flags WHERE suggestion_id IN ({_OWN})"),
    (None, f"DELETE FROM moderation_skips WHERE suggestion_id IN ({_OWN})"),
    (None, f"DELETE FROM moderation_queue WHERE suggestion_id IN ({_OWN})"),
    ("suggestions", "DELETE FROM suggestions WHERE participant_id = ? AND created_at <= ?"),
    ("votes", "DELETE FROM votes WHERE participant_id = ? AND updated_at <= ?"),
    (None, "DELETE FROM vote_history WHERE participant_id = ? AND recorded_at <= ?"),
    ("reports", "DELETE FROM reports WHERE participant_id = ? AND created_at <= ?"),
    ("stances", "DELETE FROM stances WHERE participant_id = ? AND updated_at <= ?"),
    (None, "DELETE FROM stance_history WHERE participant_id = ? AND recorded_at <= ?"),
    (None, "DELETE FROM awaited_inputs WHERE participant_id = ? AND created_at <= ?"),
    (None,
     "DELETE FROM broadcast_deliveries WHERE participant_id = ? AND broadcast_id IN"
     " (SELECT id FROM broadcasts WHERE created_at <= ?)"),
    # After the hearing: what they follow, their consent, messages to them, a staff wait.
    (None, "DELETE FROM follows WHERE participant_id = ? AND created_at <= ?"),
    (None, "DELETE FROM follower_watermarks WHERE participant_id = ?1 AND ?2 = ?2"),
    (None, "DELETE FROM follow_up_consents WHERE participant_id = ? AND updated_at <= ?"),
    (None, "DELETE FROM outbox WHERE participant_id = ? AND created_at <= ?"),
    (None, "DELETE FROM tracking_inputs WHERE participant_id = ?1 AND ?2 = ?2"),
    # Which opinion group they were in, as the latest digest's groups kept it.
    (None,
     "DELETE FROM opinion_members WHERE participant_id = ? AND digest_id IN"
     " (SELECT digest_id FROM opinion_runs WHERE computed_at <= ?)"),
    # The fingerprint of their phone number (opt-in eligibility): the number may take part anew.
    (None, "DELETE FROM eligibility WHERE participant_id = ? AND verified_at <= ?"),
    # Raw updates from their chat given up on (text, callback data), found by the chat id that
    # only `delivery` holds: so before it goes.
    (None, _INBOX.format(statuses="'abandoned'")),
    (None, "DELETE FROM delivery WHERE participant_id = ? AND updated_at <= ?"),
    (None,
     "UPDATE participants SET current_item = NULL, step = 'welcome', resume_item = NULL,"
     " language = NULL, updated_at = ?2 WHERE id = ?1 AND updated_at <= ?2"),
    (None, "UPDATE participants SET completed_at = NULL WHERE id = ? AND completed_at <= ?"),
    (None,
     "UPDATE participants SET erased_at = ?2 WHERE id = ?1"
     " AND (erased_at IS NULL OR erased_at < ?2)"),
)  # fmt: skip


@dataclass(frozen=True)
class Erased:
    """How many of a participant's records one erasure removed."""

    stances: int = 0
    suggestions: int = 0
    votes: int = 0
    reports: int = 0
    drafts: int = 0
    votes_on_own_suggestions: int = 0


class PersonalDataRepository(Repository):
    """Read or erase every record of one participant."""

    async def profile(self, participant_id: str) -> dict[str, object] | None:
        """Return the participant's own row with their settings, or None if unknown."""
        rows = await self._rows(_PROFILE, (participant_id,))
        return rows[0] if rows else None

    async def collect(self, participant_id: str) -> dict[str, list[dict[str, object]]]:
        """Return every section of the participant's records, as lists of named values."""
        return {name: await self._rows(sql, (participant_id,)) for name, sql in _SECTIONS}

    async def erased_at(self, participant_id: str) -> str | None:
        """Return when the participant was last erased ('' if never); None if unknown."""
        erased = await self.fetch_value(
            "SELECT COALESCE(erased_at, '') FROM participants WHERE id = ?", (participant_id,)
        )
        return None if erased is None else str(erased)

    async def erase(
        self, participant_id: str, cutoff: str, *, pending_updates: bool = False
    ) -> Erased:
        """Erase what the participant recorded at or before the cutoff; mark the row erased.

        With `pending_updates`, their inbox updates not yet handled go too: only right for a
        database no running bot is handling updates from (a backup restored, at start-up).
        """
        counts: dict[str, int] = {}
        if pending_updates:
            await self.execute(_PENDING_UPDATES, (participant_id, cutoff))
        for label, sql in _ERASE:
            changed = await self.execute(sql, (participant_id, cutoff))
            if label is not None:
                counts[label] = max(changed, 0)
        return Erased(**counts)

    async def _rows(self, sql: str, args: tuple[object, ...]) -> list[dict[str, object]]:
        return [dict(zip(row.keys(), row, strict=True)) for row in await self.fetch_all(sql, args)]
