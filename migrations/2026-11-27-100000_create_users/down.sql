DROP TABLE audit_log;
DROP TABLE password_tokens;
DROP TABLE staff_sessions;
DROP TABLE users;
