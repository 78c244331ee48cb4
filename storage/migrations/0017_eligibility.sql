-- Opt-in eligibility (ELIGIBILITY_COUNTRY_CODE): a citizen shares their phone number with
-- Telegram's contact button; only a keyed fingerprint of it is kept, to allow one participant
-- per number. Never exported; erased with the participant's data.
CREATE TABLE eligibility (
    participant_id TEXT PRIMARY KEY REFERENCES participants (id),
    phone_hash     TEXT NOT NULL UNIQUE,
    verified_at    TEXT NOT NULL
);
