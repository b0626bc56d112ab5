//! Demo participants: the real MINT-Regionen of the context list plus generated ones, about 130 in
//! all over the 16 Länder, as in 2020 (most in the five Länder with a Land network). Addresses are
//! under `example.org`, which never receives mail.

use crate::survey::LAENDER;
use crate::text::slug;

/// The real regions (name, Land code) that the public sources name.
const REAL_REGIONS: &str = include_str!("regions.csv");

/// Länder whose regions belong to one of the five Land networks (BY, NW, RP, TH and BW's "Frauen in
/// MINT-Berufen"), the second breakdown of the 2020 results.
pub const LAND_NETWORKS: [&str; 5] = ["DE-BY", "DE-NW", "DE-RP", "DE-TH", "DE-BW"];

/// How many regions each Land has in the demo (the real ones included): 130 in all.
const REGIONS_PER_LAND: [(&str, usize); 16] = [
    ("DE-BW", 14),
    ("DE-BY", 25),
    ("DE-BE", 2),
    ("DE-BB", 2),
    ("DE-HB", 1),
    ("DE-HH", 2),
    ("DE-HE", 7),
    ("DE-MV", 2),
    ("DE-NI", 9),
    ("DE-NW", 30),
    ("DE-RP", 14),
    ("DE-SL", 1),
    ("DE-SN", 5),
    ("DE-ST", 3),
    ("DE-SH", 3),
    ("DE-TH", 10),
];

/// Places to name generated regions after, per Land.
const PLACES: [(&str, &[&str]); 16] = [
    (
        "DE-BW",
        &[
            "Ulm",
            "Freiburg",
            "Konstanz",
            "Ravensburg",
            "Tübingen",
            "Reutlingen",
            "Pforzheim",
            "Mannheim",
            "Aalen",
            "Offenburg",
            "Esslingen",
            "Schwäbisch Hall",
        ],
    ),
    (
        "DE-BY",
        &[
            "Bamberg",
            "Bayreuth",
            "Coburg",
            "Würzburg",
            "Aschaffenburg",
            "Ingolstadt",
            "Landshut",
            "Passau",
            "Rosenheim",
            "Kempten",
            "Erlangen",
            "Ansbach",
            "Traunstein",
            "Amberg",
        ],
    ),
    ("DE-BE", &["Berlin-Mitte", "Berlin-Adlershof"]),
    ("DE-BB", &["Cottbus", "Potsdam"]),
    ("DE-HB", &["Bremerhaven"]),
    ("DE-HH", &["Hamburg-Harburg", "Hamburg-Bergedorf"]),
    (
        "DE-HE",
        &["Darmstadt", "Gießen", "Marburg", "Wiesbaden", "Hanau"],
    ),
    ("DE-MV", &["Rostock", "Greifswald"]),
    (
        "DE-NI",
        &[
            "Osnabrück",
            "Oldenburg",
            "Göttingen",
            "Hildesheim",
            "Lüneburg",
            "Emsland",
        ],
    ),
    (
        "DE-NW",
        &[
            "Aachen",
            "Bielefeld",
            "Münster",
            "Paderborn",
            "Siegen",
            "Wuppertal",
            "Krefeld",
            "Gelsenkirchen",
            "Düsseldorf",
            "Köln",
            "Bonn",
            "Mönchengladbach",
            "Lippe",
            "Gütersloh",
        ],
    ),
    (
        "DE-RP",
        &[
            "Trier",
            "Ludwigshafen",
            "Worms",
            "Speyer",
            "Bad Kreuznach",
            "Westerwald",
        ],
    ),
    ("DE-SL", &["Saarbrücken"]),
    (
        "DE-SN",
        &["Dresden", "Leipzig", "Chemnitz", "Zwickau", "Görlitz"],
    ),
    ("DE-ST", &["Magdeburg", "Halle (Saale)", "Dessau-Roßlau"]),
    ("DE-SH", &["Kiel", "Lübeck", "Flensburg"]),
    ("DE-TH", &["Erfurt", "Gera", "Suhl"]),
];

const FIRST_NAMES: [&str; 12] = [
    "Anna", "Jonas", "Sabine", "Thomas", "Leonie", "Michael", "Katrin", "Stefan", "Miriam", "Jörg",
    "Aylin", "Björn",
];
const LAST_NAMES: [&str; 12] = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Özdemir",
];

/// One demo region with its contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRegion {
    /// The region's name.
    pub name: String,
    /// Its Land.
    pub land_code: &'static str,
}

/// The demo's regions: the real ones first, then generated ones up to each Land's count.
pub fn regions() -> Vec<DemoRegion> {
    let land = |code: &str| LAENDER.iter().map(|(c, _)| *c).find(|c| *c == code);
    let mut regions: Vec<DemoRegion> = REAL_REGIONS
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (name, code) = line.rsplit_once(',')?;
            Some(DemoRegion {
                name: name.trim_matches('"').to_owned(),
                land_code: land(code.trim())?,
            })
        })
        .collect();
    for (code, wanted) in REGIONS_PER_LAND {
        let Some(code) = land(code) else { continue };
        let places = PLACES
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(&[][..], |(_, p)| *p);
        let have = regions.iter().filter(|r| r.land_code == code).count();
        for i in 0..wanted.saturating_sub(have) {
            let place = places[i % places.len().max(1)];
            let kind = if code == "DE-NW" {
                "zdi-Netzwerk"
            } else if i % 2 == 0 {
                "MINT-Region"
            } else {
                "MINT-Netzwerk"
            };
            let suffix = if i >= places.len() {
                format!(" {}", i / places.len() + 1)
            } else {
                String::new()
            };
            regions.push(DemoRegion {
                name: format!("{kind} {place}{suffix}"),
                land_code: code,
            });
        }
    }
    regions
}

/// The participants file of the demo, as an admin would export it from Excel (semicolons).
pub fn participants_csv() -> String {
    let mut csv = String::from("Region;Bundesland;E-Mail;Ansprechperson;Landesnetzwerk\n");
    for (i, region) in regions().iter().enumerate() {
        let network = if LAND_NETWORKS.contains(&region.land_code) {
            "ja"
        } else {
            "nein"
        };
        let name = format!(
            "{} {}",
            FIRST_NAMES[i % FIRST_NAMES.len()],
            LAST_NAMES[(i * 7 + 3) % LAST_NAMES.len()]
        );
        let address: String = slug(&region.name, '-').chars().take(48).collect();
        let address = address.trim_end_matches('-');
        csv.push_str(&format!(
            "\"{}\";{};koordination@{address}.example.org;{name};{network}\n",
            region.name.replace('"', "\"\""),
            region.land_code,
        ));
    }
    csv
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn demo_has_about_130_distinct_regions_in_all_16_laender() {
        let regions = regions();
        assert_eq!(regions.len(), 130);
        let names: HashSet<String> = regions.iter().map(|r| r.name.to_lowercase()).collect();
        assert_eq!(names.len(), regions.len(), "region names must be unique");
        let laender: HashSet<&str> = regions.iter().map(|r| r.land_code).collect();
        assert_eq!(laender.len(), 16);
        let in_networks = regions
            .iter()
            .filter(|r| LAND_NETWORKS.contains(&r.land_code))
            .count();
        assert!(
            in_networks * 100 / regions.len() >= 68,
            "most regions are in Land-network Länder"
        );
    }

    #[test]
    fn demo_participants_file_passes_the_import_checks() {
        let rows = crate::participants::parse_participants(participants_csv().as_bytes()).unwrap();
        assert_eq!(rows.len(), 130);
        assert!(rows.iter().all(|r| r.email.ends_with(".example.org")));
    }
}
