ALTER TABLE responses DROP COLUMN is_test;
