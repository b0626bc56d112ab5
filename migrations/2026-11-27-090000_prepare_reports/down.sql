DROP INDEX answers_texts_idx;
DROP STATISTICS answers_codes_ndistinct;
ALTER TABLE responses DROP COLUMN stratum;
