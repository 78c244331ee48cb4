-- A published version's translations (`publish-plan FILE` takes FILE.ur.md beside FILE), so
-- that readers of another language are served the revision in their language and told what
-- changed in its wording. A version without one is read in English in every language.
CREATE TABLE plan_translations (
    version        TEXT NOT NULL REFERENCES plan_versions (version),
    language       TEXT NOT NULL CHECK (language IN ('ur')),
    text           TEXT NOT NULL,
    PRIMARY KEY (version, language)
);
