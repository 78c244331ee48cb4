-- One participant's history on one suggestion is read (and trimmed to its bound) at every
-- changed vote: index it as stance_history is indexed per participant and item.
CREATE INDEX vote_history_participant ON vote_history (participant_id, suggestion_id);
