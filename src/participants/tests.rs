use super::check::collapse_spaces;
use super::header::Field;
use super::read::detect_delimiter;
use super::*;
use crate::survey::LAENDER;
use crate::text::Bilingual;
use std::collections::HashMap;

fn parse(text: &str) -> Result<Vec<ParticipantRow>, Vec<RowError>> {
    parse_participants(text.as_bytes())
}

fn rows(text: &str) -> Vec<ParticipantRow> {
    match parse(text) {
        Ok(rows) => rows,
        Err(errors) => panic!("unexpected errors: {}", shown(&errors).join("\n")),
    }
}

/// Every error of the file, as the import command prints it.
fn errors(text: &str) -> Vec<String> {
    errors_of(text.as_bytes())
}

fn errors_of(bytes: &[u8]) -> Vec<String> {
    match parse_participants(bytes) {
        Ok(rows) => panic!("expected errors, got {rows:?}"),
        Err(errors) => shown(&errors),
    }
}

fn shown(errors: &[RowError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

fn one_email(email: &str) -> Result<Vec<ParticipantRow>, Vec<RowError>> {
    parse(&format!("Region;Land;E-Mail\nJena;TH;{email}\n"))
}

#[test]
fn semicolon_file_from_german_excel_is_read() {
    let file = "Region;Land;E-Mail;Ansprechperson\r\n\
                MINT-Region  Jena ;Thüringen; Info@MINT-Jena.DE;Erika  Muster\r\n";
    let expected = ParticipantRow {
        line: 2,
        region: "MINT-Region Jena".to_owned(),
        land_code: "DE-TH",
        email: "Info@mint-jena.de".to_owned(),
        name: Some("Erika Muster".to_owned()),
        attributes: IndexMap::new(),
        in_wave: false,
    };
    assert_eq!(rows(file), vec![expected]);
}

#[test]
fn comma_file_with_english_headers_is_read() {
    let rows =
        rows("region,land,email,name\nKiel,DE-SH,mint@kiel.de,\nLübeck,sh,info@luebeck.de,Max\n");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].line, rows[0].land_code, rows[0].name.as_deref()),
        (2, "DE-SH", None)
    );
    assert_eq!(
        (rows[1].region.as_str(), rows[1].name.as_deref()),
        ("Lübeck", Some("Max"))
    );
}

#[test]
fn byte_order_mark_is_stripped() {
    let file = "\u{feff}Region;Land;E-Mail\nJena;TH;a@jena.de\n;TH;b@jena.de\n";
    assert_eq!(errors(file), ["line 3, column Region: the region is empty"]);
    let rows = rows("\u{feff}Region;Land;E-Mail\nJena;TH;a@jena.de\n");
    assert_eq!(rows[0].region, "Jena");
}

#[test]
fn crlf_line_endings_are_accepted() {
    let file = "Region;Land;E-Mail\r\n\"Jena\r\nSaale\";TH;a@jena.de\r\nErfurt;TH;b@erfurt.de\r\n";
    let rows = rows(file);
    assert_eq!((rows[0].line, rows[0].region.as_str()), (2, "Jena Saale"));
    assert_eq!((rows[1].line, rows[1].email.as_str()), (4, "b@erfurt.de"));
    let file = "Region;Land;E-Mail\r\n\r\n;;\r\nJena;TH;a@jena.de\r\n\r\nErfurt;TH;\r\n";
    assert_eq!(
        errors(file),
        ["line 6, column E-Mail: the email address is empty"]
    );
    let old_mac = "Region;Land;E-Mail\rJena;TH;a@jena.de\rErfurt;TH;\r";
    assert_eq!(
        errors(old_mac),
        ["line 3, column E-Mail: the email address is empty"]
    );
    assert_eq!(
        errors("Region;Land;E-Mail\r\nJena;TH;a@jena.de\r\nErfurt;TH;\r\n"),
        ["line 3, column E-Mail: the email address is empty"]
    );
}

#[test]
fn quoted_fields_may_hold_delimiters_quotes_and_line_breaks() {
    let file = "Region;Land;E-Mail;Adresse\n\
                \"Jena; Saale-Holzland\";TH;a@jena.de;\"Haus \"\"Zeiss\"\"\nCarl-Zeiss-Platz 1\"\n\
                Weimar;TH;b@weimar.de;\n";
    let rows = rows(file);
    assert_eq!(rows[0].region, "Jena; Saale-Holzland");
    assert_eq!(
        rows[0].attributes["adresse"],
        "Haus \"Zeiss\"\nCarl-Zeiss-Platz 1"
    );
    assert_eq!((rows[1].line, rows[1].region.as_str()), (4, "Weimar"));

    let file = "region,land,email\n\"Kiel, Förde\",SH,a@kiel.de\n\"Flens-\nburg\",SH,\n";
    assert_eq!(
        errors(file),
        ["line 3, column email: the email address is empty"]
    );
}

#[test]
fn delimiter_is_chosen_by_the_header_line_and_a_tie_means_comma() {
    assert_eq!(
        detect_delimiter("Region;Land;E-Mail\nJena, Saale,TH,a@b.de"),
        b';'
    );
    assert_eq!(detect_delimiter("\"Region; Name\",Land,E-Mail"), b',');
    assert_eq!(detect_delimiter("\n\nRegion;Land\n,,,,"), b';');
    assert_eq!(detect_delimiter("Region;Land,E-Mail"), b',');
    assert_eq!(detect_delimiter("E-Mail\na;b;c"), b',');
    let rows = rows("Region;Land;E-Mail\nJena, Saale;TH;a@jena.de\n");
    assert_eq!(rows[0].region, "Jena, Saale");
}

#[test]
fn german_and_english_header_names_are_recognised() {
    let spellings: [&[&str]; 4] = [
        &[
            "region",
            "Region",
            "MINT-Region",
            "Regionsname",
            "Name der Region",
            "REGION",
            "mint_region",
        ],
        &[
            "land",
            "Land",
            "Bundesland",
            "land_code",
            "Landeskürzel",
            "LANDESKÜRZEL",
            "Landeskuerzel",
        ],
        &[
            "email",
            "E-Mail",
            "e-mail",
            "Email",
            "E-Mail-Adresse",
            "Mail",
            "EMAIL",
            "e-mail adresse",
        ],
        &[
            "name",
            "Name",
            "Ansprechperson",
            "Ansprechpartner",
            "Ansprechpartnerin",
            "Kontakt",
            "Kontaktperson",
            " KONTAKT ",
        ],
    ];
    for (position, headers) in spellings.into_iter().enumerate() {
        for header in headers {
            let mut names = ["Region", "Land", "E-Mail", "Name"];
            names[position] = header;
            let file = format!("{}\nJena;TH;a@jena.de;Erika\n", names.join(";"));
            let rows = rows(&file);
            assert_eq!(rows[0].name.as_deref(), Some("Erika"), "{header}");
            assert!(rows[0].attributes.is_empty(), "{header}");
        }
    }
    assert_eq!(Field::of_header("Netzwerk"), None);
}

#[test]
fn further_columns_become_attributes_in_column_order_without_empty_cells() {
    let file = "Region;Landesnetzwerk;Land;E-Mail;Größe Netzwerk;Träger\nJena; ja ;TH;a@jena.de;;Verein e. V.\n";
    let rows = rows(file);
    let attributes: Vec<(&str, &str)> = rows[0]
        .attributes
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    assert_eq!(
        attributes,
        [("landesnetzwerk", "ja"), ("traeger", "Verein e. V.")]
    );
}

#[test]
fn attribute_key_transliterates_umlauts_and_collapses_separators() {
    assert_eq!(attribute_key("Landesnetzwerk"), "landesnetzwerk");
    assert_eq!(attribute_key("Größe Netzwerk"), "groesse_netzwerk");
    assert_eq!(
        attribute_key("  ÄRZTE -- Öffnung (Übersicht) "),
        "aerzte_oeffnung_uebersicht"
    );
    assert_eq!(
        attribute_key("_Anzahl_Schulen_2020_"),
        "anzahl_schulen_2020"
    );
    assert_eq!(attribute_key("Gru\u{308}n"), "gruen");
    assert_eq!(attribute_key("?!"), "");
}

#[test]
fn every_land_spelling_is_recognised() {
    for spelling in [
        "DE-TH",
        "de-th",
        "TH",
        "th",
        "Thüringen",
        "thueringen",
        "THÜRINGEN",
        " De Th ",
    ] {
        assert_eq!(land_code(spelling), Some("DE-TH"), "{spelling}");
    }
    for spelling in [
        "Baden-Württemberg",
        "baden wuerttemberg",
        "BADEN-WUERTTEMBERG",
        "BadenWürttemberg",
    ] {
        assert_eq!(land_code(spelling), Some("DE-BW"), "{spelling}");
    }
    assert_eq!(land_code("Nordrhein Westfalen"), Some("DE-NW"));
    for unknown in [
        "NRW",
        "",
        "  ",
        "DE",
        "Bayrn",
        "Thuringen",
        "DE-XX",
        "Deutschland",
    ] {
        assert_eq!(land_code(unknown), None, "{unknown}");
    }
}

#[test]
fn all_sixteen_codes_and_names_round_trip() {
    for (code, name) in LAENDER {
        let short = code.trim_start_matches("DE-");
        let transliterated = name.replace('ü', "ue");
        let spaced = name.replace('-', " ");
        for spelling in [
            code,
            &code.to_lowercase(),
            short,
            &short.to_lowercase(),
            name,
        ] {
            assert_eq!(land_code(spelling), Some(code), "{spelling}");
        }
        for spelling in [
            &name.to_uppercase(),
            &name.to_lowercase(),
            &transliterated,
            &spaced,
        ] {
            assert_eq!(land_code(spelling), Some(code), "{spelling}");
        }
        let file = format!("Region;Land;E-Mail\nA;{name};a@a.de\nB;{code};b@b.de\n");
        assert!(rows(&file).iter().all(|row| row.land_code == code));
    }
}

#[test]
fn unknown_land_is_refused_with_the_closest_name_as_suggestion() {
    let file = "Region;Land;E-Mail\nJena;Thuringen;a@jena.de\nPassau;Bayrn;b@passau.de\n\
                Köln;Nordrhein-Westphalen;c@koeln.de\n";
    assert_eq!(
        errors(file),
        [
            "line 2, column Land: `Thuringen` is not a Land; write the code (DE-TH) or the German name (Thüringen)",
            "line 3, column Land: `Bayrn` is not a Land; write the code (DE-BY) or the German name (Bayern)",
            "line 4, column Land: `Nordrhein-Westphalen` is not a Land; \
         write the code (DE-NW) or the German name (Nordrhein-Westfalen)",
        ]
    );
}

#[test]
fn unknown_land_far_from_every_name_gets_a_general_hint() {
    let file = "Region;Land;E-Mail\nWien;Österreich;a@wien.at\nX;NRW;b@x.de\n";
    assert_eq!(
        errors(file),
        [
            "line 2, column Land: `Österreich` is not a Land; write an ISO code such as DE-BY or the German name",
            "line 3, column Land: `NRW` is not a Land; write an ISO code such as DE-BY or the German name",
        ]
    );
}

#[test]
fn empty_cells_are_reported_each_in_its_column() {
    let file = "Region;Land;E-Mail\nJena;TH;a@jena.de\n  ; ;\n";
    assert_eq!(
        errors(&file.replace("  ; ;", " ;TH;b@b.de")),
        ["line 3, column Region: the region is empty"]
    );
    assert_eq!(
        errors(&file.replace("  ; ;", "Erfurt; ;b@b.de")),
        ["line 3, column Land: the Land is empty"]
    );
    assert_eq!(
        errors(&file.replace("  ; ;", "Erfurt;TH; ")),
        ["line 3, column E-Mail: the email address is empty"]
    );
}

#[test]
fn invalid_email_addresses_are_refused() {
    let long_local = format!("{}@b.de", "a".repeat(65));
    let long_label = format!("a@{}.de", "b".repeat(64));
    let long_domain = format!("a@{}.de", vec!["b".repeat(60); 5].join("."));
    let long_total = format!(
        "{}@{}.de",
        "a".repeat(64),
        vec!["b".repeat(60); 4].join(".")
    );
    let invalid = [
        "max@",
        "@b.de",
        "max",
        "a@@b.de",
        "a@b@c.de",
        "max mustermann@b.de",
        "a@b",
        "a@b.d",
        "a@-b.de",
        "a@b-.de",
        "a@b..de",
        "a@.b.de",
        "a@b.de.",
        "a@b_c.de",
        "a@b .de",
        "a\u{7}@b.de",
    ];
    let long = [long_local.as_str(), &long_label, &long_domain, &long_total];
    for email in invalid.into_iter().chain(long) {
        let expected = format!("line 2, column E-Mail: `{email}` is not a valid email address");
        match one_email(email) {
            Ok(rows) => panic!("{email} was accepted as {rows:?}"),
            Err(errors) => assert_eq!(shown(&errors), [expected]),
        }
    }
}

#[test]
fn valid_email_addresses_are_kept_with_the_domain_lower_cased() {
    let longest_local = format!("{}@b.de", "a".repeat(64));
    let cases = [
        ("Max.Mustermann@Example.DE", "Max.Mustermann@example.de"),
        ("info@müller.de", "info@müller.de"),
        ("Info@MÜLLER.de", "Info@müller.de"),
        ("a+tag@sub.Domain-1.org", "a+tag@sub.domain-1.org"),
        (" x@b.co ", "x@b.co"),
        (&longest_local, &longest_local),
    ];
    for (written, kept) in cases {
        match one_email(written) {
            Ok(rows) => assert_eq!(rows[0].email, kept),
            Err(errors) => panic!("{written} was refused: {errors:?}"),
        }
    }
}

#[test]
fn duplicate_email_is_reported_on_the_later_row() {
    let file =
        "Region;Land;E-Mail\nJena;TH;a@b.de\nErfurt;TH;c@d.de\nGera;TH;A@B.DE\nSuhl;TH;a@b.de\n";
    assert_eq!(
        errors(file),
        [
            "line 4, column E-Mail: `A@B.DE` already appears in line 2",
            "line 5, column E-Mail: `a@b.de` already appears in line 2",
        ]
    );
}

#[test]
fn several_errors_in_one_row_are_all_reported_in_column_order() {
    let file = "E-Mail;Land;Region;Träger\nmax@;Bayrn;;x;y\nok@b.de;BY;Passau\n";
    assert_eq!(
        errors(file),
        [
            "line 2: the row has 5 cells, the header 4",
            "line 2, column E-Mail: `max@` is not a valid email address",
            "line 2, column Land: `Bayrn` is not a Land; write the code (DE-BY) or the German name (Bayern)",
            "line 2, column Region: the region is empty",
        ]
    );
}

#[test]
fn errors_of_all_rows_are_reported_sorted_by_line() {
    let file = "Region;Land;E-Mail\nJena;TH;a@jena.de\n;TH;b@jena.de\nGera;XX;c@gera.de\nSuhl;TH;d@suhl.de\n";
    let errors = parse(file).err().unwrap_or_default();
    assert_eq!(
        errors.iter().map(|error| error.line).collect::<Vec<_>>(),
        [3, 4]
    );
    assert_eq!(
        errors[0],
        RowError {
            line: 3,
            column: Some("Region".to_owned()),
            message: "the region is empty".to_owned(),
            german: "die Region ist leer".to_owned(),
        }
    );
}

#[test]
fn blank_rows_and_trailing_delimiters_are_skipped() {
    let file =
        "Region;Land;E-Mail\n;;\n\nJena;TH;a@jena.de;;\n  ;  ; \n;;;\nErfurt;TH;b@erfurt.de\n;;\n";
    let lines: Vec<usize> = rows(file).iter().map(|row| row.line).collect();
    assert_eq!(lines, [4, 7]);
}

#[test]
fn row_with_more_cells_than_the_header_is_refused() {
    let file = "Region;Land;E-Mail;Name;Träger\nJena;TH;a@jena.de;Erika;Verein;x;y\n";
    assert_eq!(errors(file), ["line 2: the row has 7 cells, the header 5"]);
}

#[test]
fn row_with_fewer_cells_treats_the_missing_ones_as_empty() {
    let file = "Region;Land;E-Mail;Ansprechperson\nJena;TH\nErfurt;TH;b@erfurt.de\n";
    assert_eq!(
        errors(file),
        ["line 2, column E-Mail: the email address is empty"]
    );
    let rows = rows("Region;Land;E-Mail;Ansprechperson\nErfurt;TH;b@erfurt.de\n");
    assert_eq!(rows[0].name, None);
}

/// "Thüringen", "Müller", "Größe", "Straße" and "€" as German Excel writes them in "CSV
/// (Trennzeichen-getrennt)": Windows-1252, CRLF.
const WINDOWS_1252: &[u8] = b"Region;Bundesland;E-Mail;Ansprechperson;Gr\xF6\xDFe\r\n\
    MINT-Region Jena-S\xFCd;Th\xFCringen;info@jena.de;Erika M\xFCller;gro\xDF\r\n\
    Stra\xDFburg-Nord;Baden-W\xFCrttemberg;b@example.org;;80 \x80\r\n";

#[test]
fn windows_1252_file_from_german_excel_is_read_with_its_umlauts() {
    let file = read_participants(WINDOWS_1252, &ImportTarget::default());
    assert_eq!(file.encoding, Encoding::Windows1252);
    assert_eq!(file.errors, []);
    let [jena, strassburg] = file.rows.as_slice() else {
        panic!("two rows expected: {:?}", file.rows);
    };
    assert_eq!(
        (jena.region.as_str(), jena.land_code, jena.name.as_deref()),
        ("MINT-Region Jena-Süd", "DE-TH", Some("Erika Müller"))
    );
    assert_eq!(jena.attributes["groesse"], "groß");
    assert_eq!(
        (
            strassburg.line,
            strassburg.region.as_str(),
            strassburg.land_code
        ),
        (3, "Straßburg-Nord", "DE-BW")
    );
    assert_eq!(strassburg.attributes["groesse"], "80 €");
}

#[test]
fn utf8_with_or_without_byte_order_mark_and_plain_ascii_are_utf8() {
    let utf8 = "Region;Land;E-Mail;Name\nJena-Süd;Thüringen;a@jena.de;Erika Müller\n";
    for bytes in [
        utf8.as_bytes().to_vec(),
        [b"\xEF\xBB\xBF", utf8.as_bytes()].concat(),
        b"Region;Land;E-Mail\nJena;TH;a@jena.de\n".to_vec(),
    ] {
        let file = read_participants(&bytes, &ImportTarget::default());
        assert_eq!(
            (file.encoding, file.errors.as_slice()),
            (Encoding::Utf8, &[][..])
        );
    }
    let rows = rows(utf8);
    assert_eq!(rows[0].name.as_deref(), Some("Erika Müller"));
}

#[test]
fn windows_1252_file_with_problems_still_names_each_row_by_its_line() {
    let file = b"Region;Land;E-Mail\r\nJena;Th\xFCringn;a@jena.de\r\n;;\r\nGera;TH;\r\n";
    assert_eq!(
        errors_of(file),
        [
            "line 2, column Land: `Thüringn` is not a Land; write the code (DE-TH) or the German name (Thüringen)",
            "line 4, column E-Mail: the email address is empty",
        ]
    );
}

#[test]
fn file_that_starts_with_a_byte_order_mark_but_is_not_utf8_is_refused() {
    let file = b"\xEF\xBB\xBFRegion;Land;E-Mail\nJena;Th\xFCringen;a@jena.de\n";
    assert_eq!(
        errors_of(file),
        [
            "line 2: the file starts as UTF-8 but is not UTF-8 (byte 0xFC); in Excel save it as \
             \"CSV UTF-8 (durch Trennzeichen getrennt)\""
        ]
    );
}

#[test]
fn binary_files_are_refused_with_one_clear_error() {
    let text_file = "the file is not a text file (it holds binary data)";
    let workbook = "the file is a workbook (.xlsx, .xls, .ods), not CSV";
    let utf16 = "the file is UTF-16 (Excel's \"Unicode-Text\")";
    let mut controls = b"Region;Land;E-Mail\n".to_vec();
    controls.extend((0..200_u8).map(|i| [0x01, 0x02, 0x1B, b'a'][usize::from(i % 4)]));
    let cases: [(&[u8], &str); 6] = [
        (b"Region;Land;E-Mail\nJena;TH;a@jena.de\0\n", text_file),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", text_file),
        (&controls, text_file),
        (b"PK\x03\x04\x14\0\x06\0[Content_Types].xml", workbook),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", workbook),
        (b"\xFF\xFER\0e\0g\0i\0o\0n\0\t\0", utf16),
    ];
    for (bytes, expected) in cases {
        let file = read_participants(bytes, &ImportTarget::default());
        let [error] = file.errors.as_slice() else {
            panic!("one error expected: {:?}", file.errors);
        };
        assert!(file.rows.is_empty());
        assert_eq!(error.line, 1);
        assert!(error.message.starts_with(expected), "{error}");
        assert!(error.message.contains("CSV UTF-8"), "{error}");
        assert!(
            error.in_german().starts_with("Zeile 1: die Datei "),
            "{error}"
        );
    }
    // A stray control character in a text file is no reason to refuse it.
    let file = b"Region;Land;E-Mail;Notiz\nJena;TH;a@jena.de;x\x0By\n";
    assert_eq!(
        rows(&String::from_utf8_lossy(file))[0].attributes["notiz"],
        "x\u{b}y"
    );
    let file = read_participants(
        b"Region;Land;E-Mail\nJ\xFCna;TH;a@jena.de\x01\n",
        &ImportTarget::default(),
    );
    assert_eq!(file.encoding, Encoding::Windows1252);
    assert_eq!(
        file.errors.len(),
        1,
        "only the address is wrong: {:?}",
        file.errors
    );
}

#[test]
fn tab_separated_file_is_read() {
    let file = "Region\tBundesland\tE-Mail\tAnsprechperson\r\n\
                Jena, Saale\tThüringen\ta@jena.de\tMüller; Erika\r\n\
                \"Gera\tOst\"\tTH\tb@gera.de\t\r\n";
    let rows = rows(file);
    assert_eq!(
        (rows[0].region.as_str(), rows[0].name.as_deref()),
        ("Jena, Saale", Some("Müller; Erika"))
    );
    assert_eq!((rows[1].line, rows[1].region.as_str()), (3, "Gera Ost"));
    let bytes = b"Region\tLand\tE-Mail\r\nJena\tTh\xFCringen\t\r\n";
    assert_eq!(
        errors_of(bytes),
        ["line 2, column E-Mail: the email address is empty"]
    );
}

#[test]
fn tab_is_the_delimiter_only_when_the_header_has_more_tabs_than_semicolons_or_commas() {
    assert_eq!(detect_delimiter("Region\tLand\tE-Mail\nJena;Saale"), b'\t');
    assert_eq!(detect_delimiter("Region, Name\tLand\tE-Mail"), b'\t');
    assert_eq!(detect_delimiter("Region;Land\tE-Mail"), b';');
    assert_eq!(detect_delimiter("Region\tLand;E-Mail,Name"), b',');
    assert_eq!(detect_delimiter("\"Region\tName\";Land;E-Mail"), b';');
    assert_eq!(detect_delimiter("\t\t\t\nRegion;Land;E-Mail"), b';');
    assert_eq!(detect_delimiter(""), b',');
}

/// A wave whose survey declares `landesnetzwerk` (ja, nein) and that has erika@jena.de for Jena.
fn wave() -> ImportTarget {
    let network = crate::survey::definition::Attribute {
        label: "Landesnetzwerk".to_owned(),
        values: vec!["ja".to_owned(), "nein".to_owned()],
    };
    ImportTarget {
        attributes: IndexMap::from([("landesnetzwerk".to_owned(), network)]),
        contacts: HashMap::from([("erika@jena.de".to_owned(), "MINT-Region Jena".to_owned())]),
    }
}

fn errors_in_wave(text: &str) -> Vec<String> {
    shown(&read_participants(text.as_bytes(), &wave()).errors)
}

#[test]
fn every_problem_of_a_row_is_reported_also_those_against_the_wave() {
    let file = "Region;Land;E-Mail;Landesnetzwerk;Träger\n\
                Erfurt;Bayrn;Erika@Jena.de;vielleicht;Verein;zu viel\n\
                \n\
                ;TH;max@;jein\n\
                Gera;TH;gera@example.org;Ja\n";
    assert_eq!(
        errors_in_wave(file),
        [
            "line 2: the row has 6 cells, the header 5",
            "line 2, column Land: `Bayrn` is not a Land; write the code (DE-BY) or the German name (Bayern)",
            "line 2, column E-Mail: `Erika@jena.de` is already in this wave, for region MINT-Region Jena",
            "line 2, column Landesnetzwerk: `vielleicht` is not a value of landesnetzwerk; the survey allows ja, nein",
            "line 4, column Region: the region is empty",
            "line 4, column E-Mail: `max@` is not a valid email address",
            "line 4, column Landesnetzwerk: `jein` is not a value of landesnetzwerk; the survey allows ja, nein",
        ]
    );
    let german: Vec<String> = read_participants(file.as_bytes(), &wave())
        .errors
        .iter()
        .map(Bilingual::german)
        .collect();
    assert_eq!(
        german[2],
        "Zeile 2, Spalte E-Mail: „Erika@jena.de“ ist in dieser Welle schon für die Region MINT-Region Jena eingetragen"
    );
    assert_eq!(
        german[3],
        "Zeile 2, Spalte Landesnetzwerk: „vielleicht“ ist kein Wert von landesnetzwerk; die Umfrage erlaubt ja, nein"
    );
}

#[test]
fn address_in_the_wave_for_the_same_region_is_marked_and_values_take_the_surveys_spelling() {
    let file = "Region;Land;E-Mail;Landesnetzwerk;Träger\n\
                mint-region  JENA;TH;ERIKA@jena.de;JA;Verein\n\
                Gera;TH;gera@example.org;Nein;\n";
    let file = read_participants(file.as_bytes(), &wave());
    assert_eq!(file.errors, []);
    let marked: Vec<(bool, &str)> = file
        .rows
        .iter()
        .map(|r| (r.in_wave, r.attributes["landesnetzwerk"].as_str()))
        .collect();
    assert_eq!(marked, [(true, "ja"), (false, "nein")]);
    assert_eq!(
        file.rows[0].attributes["traeger"], "Verein",
        "undeclared: as written"
    );
}

#[test]
fn windows_1252_file_with_only_a_header_has_no_participants() {
    assert_eq!(
        errors_of(b"Region;Land;E-Mail;Stra\xDFe\r\n;;;\r\n"),
        ["line 2: the file has no participants"]
    );
}

#[test]
fn empty_file_has_no_participants() {
    for file in [&b""[..], b"\xEF\xBB\xBF", b"\n\r\n", b";;;\n"] {
        assert_eq!(errors_of(file), ["line 1: the file has no participants"]);
    }
}

#[test]
fn file_with_only_a_header_has_no_participants() {
    for file in [
        "Region;Land;E-Mail",
        "Region;Land;E-Mail\r\n",
        "Region;Land;E-Mail\n;;\n\n",
    ] {
        assert_eq!(
            errors(file),
            ["line 2: the file has no participants"],
            "{file:?}"
        );
    }
}

#[test]
fn missing_column_is_named_with_the_columns_found() {
    let file = "Region;Land;Kontakt\nJena;XX;Erika\n";
    assert_eq!(
        errors(file),
        [
            "line 1: no column for the email address (expected one of email, E-Mail, \
         E-Mail-Adresse, Mail); found: Region, Land, Kontakt"
        ]
    );
    let errors = errors("Netzwerk\nJena\n");
    assert_eq!(errors.len(), 3);
    assert_eq!(
        errors[0],
        "line 1: no column for the region (expected one of region, MINT-Region, Regionsname, \
         Name der Region); found: Netzwerk"
    );
}

#[test]
fn two_columns_for_the_same_field_are_refused() {
    let file = "Region;Land;E-Mail;Mail;Kontakt;Name\nJena;TH;a@jena.de;b@jena.de;Erika;Max\n";
    assert_eq!(
        errors(file),
        [
            "line 1: the columns `E-Mail` and `Mail` both hold the email address",
            "line 1: the columns `Kontakt` and `Name` both hold the contact person",
        ]
    );
}

#[test]
fn two_columns_with_the_same_attribute_key_are_refused() {
    let file = "Region;Land;E-Mail;Größe;groesse\nJena;TH;a@jena.de;1;2\n";
    assert_eq!(
        errors(file),
        ["line 1: the columns `Größe` and `groesse` both become the attribute `groesse`"]
    );
}

#[test]
fn nameless_column_is_refused_only_when_it_holds_data() {
    let file = "Region;Land;E-Mail;;Träger;?\nJena;TH;a@jena.de;;Verein;\nGera;TH;b@gera.de;x;;y\n";
    assert_eq!(
        errors(file),
        [
            "line 1: column 4 has no name",
            "line 1: column 6 (`?`) needs letters or digits in its name",
        ]
    );
    let rows = rows("Region;Land;E-Mail;;?\nJena;TH;a@jena.de;;\n");
    assert!(rows[0].attributes.is_empty());
}

#[test]
fn row_error_display_names_line_and_column_in_english_and_german() {
    let bad = both("`max@` is bad", "„max@“ ist falsch");
    let error = RowError::new(4, Some("E-Mail".to_owned()), bad);
    assert_eq!(error.to_string(), "line 4, column E-Mail: `max@` is bad");
    assert_eq!(
        error.in_german(),
        "Zeile 4, Spalte E-Mail: „max@“ ist falsch"
    );
    let error = RowError {
        column: None,
        ..error
    };
    assert_eq!(error.to_string(), "line 4: `max@` is bad");
    assert_eq!(error.in_german(), "Zeile 4: „max@“ ist falsch");
}

#[test]
fn every_problem_has_a_german_text() {
    let files = [
        "Region;Land;E-Mail;Region\nJena;TH;a@jena.de;x\n",
        "Region;Land;E-Mail;Merkmal;merkmal\nJena;TH;a@jena.de;1;2\n",
        "Region;Land;E-Mail;;?\nJena;TH;a@jena.de;1;2\n",
        "Region;E-Mail\nJena;a@jena.de\n",
        "Region;Land;E-Mail\nJena;TH;a@jena.de;zu viel\n;;b@jena.de\nA;Thüringn;c@\nB;;a@jena.de\nC;XX;\n",
        "Region;Land;E-Mail\n",
    ];
    for file in files {
        for error in parse(file).err().unwrap_or_default() {
            assert!(!error.german.is_empty(), "{error}");
            assert_ne!(error.german, error.message, "{error}");
            assert!(error.in_german().starts_with("Zeile "), "{error}");
        }
    }
    let errors = parse(files[4]).err().unwrap_or_default();
    let german: Vec<String> = errors.iter().map(RowError::in_german).collect();
    assert_eq!(
        german,
        [
            "Zeile 2: die Zeile hat 4 Zellen, die Kopfzeile 3",
            "Zeile 3, Spalte Region: die Region ist leer",
            "Zeile 3, Spalte Land: das Land ist leer",
            "Zeile 4, Spalte Land: „Thüringn“ ist kein Land; schreiben Sie das Kürzel (DE-TH) \
             oder den Namen (Thüringen)",
            "Zeile 4, Spalte E-Mail: „c@“ ist keine gültige E-Mail-Adresse",
            "Zeile 5, Spalte Land: das Land ist leer",
            "Zeile 5, Spalte E-Mail: „a@jena.de“ steht schon in Zeile 2",
            "Zeile 6, Spalte Land: „XX“ ist kein Land; schreiben Sie ein Kürzel wie DE-BY oder \
             den Namen",
            "Zeile 6, Spalte E-Mail: die E-Mail-Adresse ist leer",
        ]
    );
}

/// Bytes that make up files with headers, quotes, line breaks and windows-1252 umlauts.
fn file_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    let alphabet = b"Region;Land,E-Mail\"x@b.de TH \r\n\xFC\xC3\xBC".to_vec();
    proptest::collection::vec(proptest::sample::select(alphabet), 0..200)
}

proptest::proptest! {
    #[test]
    fn any_bytes_give_rows_or_errors_sorted_by_line(bytes in file_bytes()) {
        match parse_participants(&bytes) {
            Ok(rows) => proptest::prop_assert!(!rows.is_empty()),
            Err(errors) => {
                proptest::prop_assert!(!errors.is_empty());
                let sorted = errors.windows(2).all(|pair| pair[0].line <= pair[1].line);
                proptest::prop_assert!(sorted);
            }
        }
    }

    #[test]
    fn attribute_keys_are_lower_case_words_joined_by_single_underscores(
        header in "\\PC{0,30}",
    ) {
        let key = attribute_key(&header);
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
        proptest::prop_assert!(key.chars().all(allowed));
        proptest::prop_assert!(!key.starts_with('_') && !key.ends_with('_'));
        proptest::prop_assert!(!key.contains("__"));
        proptest::prop_assert_eq!(attribute_key(&key), key.clone());
    }

    #[test]
    fn quoted_regions_come_back_with_the_line_they_start_on(
        regions in proptest::collection::vec("[a-zäöüß;,\" \n-]{0,12}[A-Z]", 1..8),
        semicolon in proptest::bool::ANY,
        crlf in proptest::bool::ANY,
    ) {
        let delimiter = if semicolon { ";" } else { "," };
        let newline = if crlf { "\r\n" } else { "\n" };
        let mut file = ["Region", "Land", "E-Mail"].join(delimiter) + newline;
        let mut expected = Vec::new();
        let mut line = 2;
        for (i, region) in regions.iter().enumerate() {
            let quoted = format!("\"{}\"", region.replace('"', "\"\""));
            file += &([quoted, "TH".to_owned(), format!("r{i}@b.de")].join(delimiter) + newline);
            expected.push((line, collapse_spaces(region)));
            line += 1 + region.matches('\n').count();
        }
        let found: Vec<(usize, String)> =
            rows(&file).into_iter().map(|row| (row.line, row.region)).collect();
        proptest::prop_assert_eq!(found, expected);
    }
}
