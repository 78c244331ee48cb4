-- Where a citizen's walk through the plan resumes while they visit an item a shared link
-- opened: the link does not move the resume point past items they have not answered. NULL:
-- the current item is the resume point.
ALTER TABLE participants ADD COLUMN resume_item TEXT;
