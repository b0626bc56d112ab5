//! The files of a report, in memory: `index.html`, `report.pdf`, every table as CSV in both dialects
//! (`per-land-excel.csv` for German Excel, `per-land.csv` tidy), `report.xlsx`, the charts and
//! `report.zip` with all of them. The command writes them to `reports/<wave>/`; the board serves
//! the same bytes.

use std::io::Write;

use super::compare::{self, Comparison};
use super::csv::Dialect;
use super::diagrams::{self, Diagram};
use super::tables::Sheet;
use super::trend::Trend;
use super::{Report, chart, csv, html, tables, xlsx};
use crate::survey::definition::Survey;

/// One file of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the report folder (`charts/lage_gesamt.svg`).
    pub path: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A CSV file.
    #[error("could not write a CSV file: {0}")]
    Csv(#[from] ::csv::Error),
    /// The workbook.
    #[error("could not write report.xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A chart.
    #[error("could not draw a chart: {0}")]
    Chart(#[from] chart::ChartError),
    /// The page.
    #[error("could not render index.html: {0}")]
    Html(#[from] askama::Error),
    /// The PDF.
    #[error("could not write report.pdf: {0}")]
    Pdf(#[from] super::pdf::PdfError),
    /// The archive.
    #[error("could not write report.zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// The name of the PDF report.
pub const PDF: &str = "report.pdf";

/// The name of the archive with every file.
pub const ZIP: &str = "report.zip";

/// Every file of the report of `survey`'s wave, optionally compared with another wave.
pub fn render(
    survey: &Survey,
    report: &Report,
    comparison: Option<&Comparison>,
    trend: Option<&Trend>,
) -> Result<Vec<OutputFile>, RenderError> {
    let mut sheets = vec![tables::per_land(report)];
    sheets.extend(tables::rates(report));
    if !report.responses_by_attribute.is_empty() {
        sheets.push(tables::per_attribute(report));
    }
    sheets.push(tables::numeric(report));
    sheets.push(tables::codebook(survey));
    let mut workbook = sheets.clone();
    workbook.push(tables::responses(report));
    // Every CSV table: its file name without `.csv`, what it holds, its rows.
    let mut csv_tables: Vec<(String, String, &Sheet)> = sheets
        .iter()
        .map(|s| (s.file.to_owned(), describe(s.file).to_owned(), s))
        .collect();
    let compare_sheet = comparison.map(compare::sheet);
    if let (Some(c), Some(sheet)) = (comparison, &compare_sheet) {
        csv_tables.push((
            format!("compare-{}", c.compared.slug),
            format!("Vergleich mit {}", c.compared.title),
            sheet,
        ));
        workbook.push(sheet.clone());
    }
    let trend_sheet = trend.map(super::trend::sheet);
    if let Some(sheet) = &trend_sheet {
        csv_tables.push((
            "trend".to_owned(),
            "Verlauf über alle Wellen je Frage, Antwort, Land und Welle".to_owned(),
            sheet,
        ));
        workbook.push(sheet.clone());
    }
    let report_charts = draw(diagrams::diagrams(report))?;
    let trend_charts = match trend {
        Some(t) => draw(diagrams::trend_diagrams(t))?,
        None => Vec::new(),
    };
    let compared = match comparison {
        Some(c) => Some((c, draw(diagrams::comparison_diagrams(c))?)),
        None => None,
    };
    let report_inline = inline(&report_charts);
    let trend_inline = inline(&trend_charts);
    // The PDF is the slowest file (every page laid out, every chart drawn again as vector
    // graphics): it is written on a thread of its own while the tables and the page are.
    let (pdf, mut files) = std::thread::scope(|scope| -> Result<_, RenderError> {
        let pdf = scope.spawn(|| {
            super::pdf::pdf(
                report,
                &report_inline,
                trend.map(|t| (t, trend_inline.as_slice())),
            )
        });
        let mut files = Vec::new();
        // The PDF for the meeting first, then the board's dialect: German Excel, then the
        // workbook, then the tidy CSV files.
        let mut downloads = vec![(
            PDF.to_owned(),
            "der Bericht als PDF (A4, zum Versenden und Ausdrucken)".to_owned(),
        )];
        downloads.extend(write_csv(&csv_tables, Dialect::Excel, &mut files)?);
        files.push(OutputFile {
            path: "report.xlsx".to_owned(),
            bytes: xlsx::to_xlsx(&workbook)?,
        });
        downloads.push((
            "report.xlsx".to_owned(),
            "alle Tabellen als Excel-Arbeitsmappe".to_owned(),
        ));
        downloads.extend(write_csv(&csv_tables, Dialect::Tidy, &mut files)?);
        downloads.push((ZIP.to_owned(), "alles zusammen als ZIP-Archiv".to_owned()));
        let compared_inline = compared.as_ref().map(|(c, charts)| (*c, inline(charts)));
        let page = html::index(
            report,
            &report_inline,
            compared_inline
                .as_ref()
                .map(|(c, charts)| (*c, charts.as_slice())),
            trend.map(|t| (t, trend_inline.as_slice())),
            &downloads,
        )?;
        files.insert(
            0,
            OutputFile {
                path: "index.html".to_owned(),
                bytes: page.into_bytes(),
            },
        );
        let pdf = match pdf.join() {
            Ok(pdf) => pdf?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        Ok((pdf, files))
    })?;
    drop(report_inline);
    drop(trend_inline);
    files.insert(
        1,
        OutputFile {
            path: PDF.to_owned(),
            bytes: pdf,
        },
    );
    let all_charts = report_charts
        .into_iter()
        .chain(compared.into_iter().flat_map(|(_, charts)| charts))
        .chain(trend_charts);
    for (diagram, svg, png) in all_charts {
        files.push(OutputFile {
            path: format!("charts/{}.svg", diagram.file),
            bytes: svg.into_bytes(),
        });
        files.push(OutputFile {
            path: format!("charts/{}.png", diagram.file),
            bytes: png,
        });
    }
    let archive = zip_files(&files)?;
    files.push(OutputFile {
        path: ZIP.to_owned(),
        bytes: archive,
    });
    Ok(files)
}

fn inline(charts: &[(Diagram, String, Vec<u8>)]) -> Vec<html::InlineChart<'_>> {
    charts
        .iter()
        .map(|(d, svg, _)| html::InlineChart {
            file: &d.file,
            description: &d.description,
            svg,
            chart: &d.chart,
        })
        .collect()
}

/// Writes every table in `dialect` into `files` and returns their downloads (path, description).
fn write_csv(
    tables: &[(String, String, &Sheet)],
    dialect: Dialect,
    files: &mut Vec<OutputFile>,
) -> Result<Vec<(String, String)>, ::csv::Error> {
    let mut downloads = Vec::new();
    for (base, description, sheet) in tables {
        let path = dialect.file_name(base);
        downloads.push((
            path.clone(),
            format!("{description} – {}", dialect.description()),
        ));
        files.push(OutputFile {
            path,
            bytes: csv::to_csv(sheet, dialect)?,
        });
    }
    Ok(downloads)
}

fn describe(file: &str) -> &'static str {
    match file {
        "per-land" => "Häufigkeiten je Frage, Antwort und Land",
        "response-rates" => "Rücklaufquote je Land: eingeladen, abgeschickt, Anteil",
        "per-attribute" => "Häufigkeiten je Frage, Antwort und Merkmal, z. B. Landesnetzwerk",
        "numeric" => "Mittelwerte, Median, Minimum und Maximum je Land",
        "codebook" => "Codebuch: alle Fragen, Zeilen und Antworten mit ihren Codes",
        _ => "Tabelle",
    }
}

/// Draws every diagram as SVG and PNG, spread over the machine's cores.
fn draw(diagrams: Vec<Diagram>) -> Result<Vec<(Diagram, String, Vec<u8>)>, chart::ChartError> {
    let threads = crate::config::processor_cores().min(8);
    let chunk = diagrams.len().div_ceil(threads).max(1);
    let mut diagrams = diagrams;
    let mut parts = Vec::new();
    while !diagrams.is_empty() {
        let rest = diagrams.split_off(chunk.min(diagrams.len()));
        parts.push(diagrams);
        diagrams = rest;
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    part.into_iter()
                        .map(|d| {
                            let svg = chart::svg(&d.chart)?;
                            let png = chart::png(&d.chart)?;
                            Ok((d, svg, png))
                        })
                        .collect::<Result<Vec<_>, chart::ChartError>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part?),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(out)
    })
}

/// A ZIP archive of the files (deflated; charts, workbook and PDF are stored as they are).
pub fn zip_files(files: &[OutputFile]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for file in files {
        // PNG, the workbook and the PDF are compressed already.
        let compressed = ![".png", ".xlsx", ".pdf"]
            .iter()
            .any(|e| file.path.ends_with(e));
        let method = if compressed {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        zip.start_file(file.path.as_str(), options)?;
        zip.write_all(&file.bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
