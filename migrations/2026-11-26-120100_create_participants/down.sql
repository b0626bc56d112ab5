DROP TABLE contacts;
DROP TABLE participants;
