ALTER TABLE participants DROP COLUMN first_visit_at;
