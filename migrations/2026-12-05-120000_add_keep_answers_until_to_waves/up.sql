-- Until when a wave's answers are kept ({{ loeschung }} in survey texts); NULL: 24 months after the end.
ALTER TABLE waves ADD COLUMN keep_answers_until date;
