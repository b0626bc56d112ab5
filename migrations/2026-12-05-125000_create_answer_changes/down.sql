DROP TABLE answer_changes;
