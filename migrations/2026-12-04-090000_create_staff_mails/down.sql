DROP TABLE staff_mails;
ALTER TABLE password_tokens DROP COLUMN id;
