-- MINT-Regionen (regional networks). The home Land is where the coordinating office is; the Land a
-- region answers for is recorded per participant, so regions spanning two Länder fit too.
CREATE TABLE regions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (btrim(name) <> ''),
    land_code  text NOT NULL REFERENCES laender (code),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Regions are matched by name, ignoring case.
CREATE UNIQUE INDEX regions_name_key ON regions (lower(name));
CREATE INDEX regions_land_code_idx ON regions (land_code);
