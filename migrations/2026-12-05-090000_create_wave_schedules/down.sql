DROP TABLE mailing_runs;
DROP TABLE wave_schedules;
