-- When a participant first opened their personal link: the "geöffnet" of a wave's progress. Set
-- once, by the first page view; later views only read it.
ALTER TABLE participants ADD COLUMN first_visit_at timestamptz;
