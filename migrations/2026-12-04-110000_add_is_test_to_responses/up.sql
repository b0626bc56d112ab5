-- Responses through a wave's test link: the real questionnaire, never counted in reports, rates,
-- progress or exports, and deleted by "Testantworten löschen".
ALTER TABLE responses ADD COLUMN is_test boolean NOT NULL DEFAULT false;
