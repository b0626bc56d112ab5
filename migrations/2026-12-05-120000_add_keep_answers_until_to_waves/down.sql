ALTER TABLE waves DROP COLUMN keep_answers_until;
