-- N submitted fruehjahr-2020 responses of wave :wave over the 16 Länder (skewed toward BY, NW, RP, TH
-- and BW as in 2020, about 30 answer rows each), written straight into PostgreSQL.
-- Used by bench/report.sh and bench/api.sh: psql -v wave="'SLUG'" -v n=N < bench/responses.sql
SET synchronous_commit = off;
-- Share of responses per Land, in percent of all: most from BY, NW, RP, TH, BW (the Land networks).
CREATE TEMP TABLE land_share (code text, lo int, hi int);
INSERT INTO land_share
SELECT code, coalesce(sum(w) OVER (ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), sum(w) OVER (ORDER BY o)
FROM (VALUES (1, 'DE-BY', 20), (2, 'DE-NW', 18), (3, 'DE-RP', 12), (4, 'DE-TH', 10), (5, 'DE-BW', 10),
             (6, 'DE-NI', 6), (7, 'DE-HE', 5), (8, 'DE-SN', 4), (9, 'DE-SH', 3), (10, 'DE-BE', 3),
             (11, 'DE-BB', 2), (12, 'DE-MV', 2), (13, 'DE-ST', 2), (14, 'DE-HH', 1), (15, 'DE-HB', 1),
             (16, 'DE-SL', 1)) AS t(o, code, w);
CREATE TEMP TABLE bench_responses AS
WITH inserted AS (
  INSERT INTO responses (wave_id, session_sha256, land_code, attributes, consented_at, submitted_at)
  SELECT w.id, sha256(convert_to(:wave || '-' || g, 'UTF8')), l.code,
         jsonb_build_object('landesnetzwerk', CASE WHEN g % 5 < 2 THEN 'ja' ELSE 'nein' END), now(), now()
  FROM generate_series(1, :n) g
  JOIN land_share l ON (g::bigint * 7919) % 100 >= l.lo AND (g::bigint * 7919) % 100 < l.hi
  CROSS JOIN (SELECT id FROM waves WHERE slug = :wave) w
  RETURNING id, attributes
) SELECT id, attributes->>'landesnetzwerk' = 'ja' AS network FROM inserted;
-- The questions of the stored definition: type, option codes (without "Sonstiges"), matrix items.
CREATE TEMP TABLE bench_questions AS
SELECT q->>'id' AS id, q->>'type' AS type,
       ARRAY(SELECT o->>'code' FROM jsonb_array_elements(q->'options') o WHERE NOT coalesce((o->>'other')::bool, false)) AS codes,
       ARRAY(SELECT i->>'id' FROM jsonb_array_elements(q->'items') i) AS items,
       (p->'show_if') IS NOT NULL AS network_page, (q->'show_if') IS NOT NULL AS conditional
FROM survey_versions v
JOIN waves w ON w.survey_version_id = v.id AND w.slug = :wave,
     jsonb_array_elements(v.definition->'pages') p, jsonb_array_elements(p->'questions') q;
INSERT INTO answers (response_id, question_id, item_id, option_code, text_value)
SELECT r.id, q.id, '', q.codes[1 + floor(random() * cardinality(q.codes))::int], NULL
FROM bench_responses r, bench_questions q WHERE q.type = 'single'
UNION ALL
SELECT r.id, q.id, '', c, NULL
FROM bench_responses r, bench_questions q, unnest(q.codes[1:cardinality(q.codes) - 1]) c
WHERE q.type = 'multiple' AND random() < 0.3
UNION ALL
SELECT r.id, q.id, i, q.codes[1 + floor(random() * cardinality(q.codes))::int], NULL
FROM bench_responses r, bench_questions q, unnest(q.items) i
WHERE q.type = 'matrix' AND (r.network OR NOT q.network_page)
UNION ALL
SELECT r.id, q.id, '', '', 'Antwort Nummer ' || floor(random() * 500)::int
FROM bench_responses r, bench_questions q
WHERE q.type = 'long_text' AND NOT q.conditional AND random() < 0.1;
-- The follow-up text only where its condition holds.
INSERT INTO answers (response_id, question_id, item_id, option_code, text_value)
SELECT a.response_id, 'existenz_hilfe', '', '', 'Hilfe Nummer ' || floor(random() * 100)::int
FROM answers a JOIN bench_responses r ON r.id = a.response_id
WHERE a.question_id = 'existenz_bedroht' AND a.option_code IN ('eher_ja', 'ja') AND random() < 0.5;
ANALYZE responses; ANALYZE answers;
