-- The 16 Länder: ISO 3166-2:DE code, German short name, ISO order.
CREATE TABLE laender (
    code     text PRIMARY KEY CHECK (code ~ '^DE-[A-Z]{2}$'),
    name     text NOT NULL UNIQUE,
    position smallint NOT NULL UNIQUE
);

INSERT INTO laender (code, name, position) VALUES
    ('DE-BW', 'Baden-Württemberg', 1),
    ('DE-BY', 'Bayern', 2),
    ('DE-BE', 'Berlin', 3),
    ('DE-BB', 'Brandenburg', 4),
    ('DE-HB', 'Bremen', 5),
    ('DE-HH', 'Hamburg', 6),
    ('DE-HE', 'Hessen', 7),
    ('DE-MV', 'Mecklenburg-Vorpommern', 8),
    ('DE-NI', 'Niedersachsen', 9),
    ('DE-NW', 'Nordrhein-Westfalen', 10),
    ('DE-RP', 'Rheinland-Pfalz', 11),
    ('DE-SL', 'Saarland', 12),
    ('DE-SN', 'Sachsen', 13),
    ('DE-ST', 'Sachsen-Anhalt', 14),
    ('DE-SH', 'Schleswig-Holstein', 15),
    ('DE-TH', 'Thüringen', 16);
