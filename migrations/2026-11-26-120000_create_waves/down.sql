DROP TABLE waves;
