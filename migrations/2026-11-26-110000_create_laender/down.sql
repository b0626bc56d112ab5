DROP TABLE laender;
