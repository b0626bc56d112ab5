DROP TABLE answers;
DROP TABLE responses;
