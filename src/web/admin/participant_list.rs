//! The participants table of a wave's page: search by region or address, filter by Land and state
//! (with a count per choice), sort, pages of 50 (links, no JavaScript), and the filtered list as a
//! CSV file for German Excel (`/admin/wellen/{wave}/teilnehmende.csv`, recorded in the audit log).

use std::collections::HashMap;

use actix_web::{HttpResponse, web};

use crate::app::participants::{self as participant_ops, ParticipantState, ParticipantStatus};
use crate::survey::LAENDER;
use crate::text::{Bilingual, spreadsheet_safe};
use crate::web::AppState;
use crate::web::errors::{AppError, refusal};
use crate::web::extract::StaffUser;
use crate::web::shared::{csv_download, encode, with_db};

/// Rows on one page of the table.
const PAGE_SIZE: usize = 50;

/// The table's choices, from the query string (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ListFilter {
    /// Part of a region's name or an address, any case.
    pub(super) search: String,
    /// A Land's code, or "".
    pub(super) land: String,
    /// A [`ParticipantState::code`], or "".
    pub(super) state: String,
    /// `region` (default), `land`, `email` or `stand`.
    pub(super) sort: String,
    /// 1-based page.
    pub(super) page: usize,
}

impl ListFilter {
    /// The filter of a query string (`suche`, `land`, `stand`, `sortierung`, `seite`).
    pub(super) fn of(query: &HashMap<String, String>) -> ListFilter {
        let get = |name: &str| {
            query
                .get(name)
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        ListFilter {
            search: get("suche").chars().take(100).collect(),
            land: Some(get("land"))
                .filter(|l| LAENDER.iter().any(|(c, _)| c == l))
                .unwrap_or_default(),
            state: Some(get("stand"))
                .filter(|s| ParticipantState::ALL.iter().any(|st| st.code() == s))
                .unwrap_or_default(),
            sort: Some(get("sortierung"))
                .filter(|s| ["land", "email", "stand"].contains(&s.as_str()))
                .unwrap_or_default(),
            page: get("seite").parse().unwrap_or(1).max(1),
        }
    }

    /// The query string of this filter on `page` (for links).
    pub(super) fn query(&self, page: usize) -> String {
        format!(
            "suche={}&land={}&stand={}&sortierung={}&seite={page}",
            encode(&self.search),
            self.land,
            self.state,
            self.sort
        )
    }

    fn matches_search_and_land(&self, status: &ParticipantStatus) -> bool {
        let listing = &status.listing;
        let needle = self.search.to_lowercase();
        let found = needle.is_empty()
            || listing.region.to_lowercase().contains(&needle)
            || listing
                .email
                .as_deref()
                .is_some_and(|e| e.to_lowercase().contains(&needle));
        found && (self.land.is_empty() || listing.participant.land_code == self.land)
    }

    /// The participants this filter keeps, sorted.
    fn select(&self, statuses: Vec<ParticipantStatus>) -> Vec<ParticipantStatus> {
        let mut kept: Vec<ParticipantStatus> = statuses
            .into_iter()
            .filter(|s| self.matches_search_and_land(s))
            .filter(|s| self.state.is_empty() || s.state.code() == self.state)
            .collect();
        match self.sort.as_str() {
            "land" => kept.sort_by(|a, b| {
                (&a.listing.participant.land_code, &a.listing.region)
                    .cmp(&(&b.listing.participant.land_code, &b.listing.region))
            }),
            "email" => kept.sort_by(|a, b| a.listing.email.cmp(&b.listing.email)),
            "stand" => kept.sort_by_key(|s| s.state),
            _ => {} // by region: the store's order
        }
        kept
    }
}

/// One row of the table.
pub(super) struct ParticipantRow {
    pub(super) id: i64,
    pub(super) revoked: bool,
    pub(super) region: String,
    pub(super) land: String,
    pub(super) email: String,
    pub(super) mail: String,
    pub(super) state: String,
    pub(super) submitted: bool,
}

/// The latest mail of a participant in German: "Einladung: gesendet".
fn last_mail(status: &ParticipantStatus) -> String {
    status.mails.last().map_or_else(
        || "keine".to_owned(),
        |(kind, _, status, _, error, _)| {
            let kind = if kind == "invitation" {
                "Einladung"
            } else {
                "Erinnerung"
            };
            let status = match status.as_str() {
                "sent" => "gesendet",
                "queued" => "in der Warteschlange",
                "failed" => "fehlgeschlagen",
                _ => "übersprungen",
            };
            match error {
                Some(error) if !error.is_empty() => format!("{kind}: {status} ({error})"),
                _ => format!("{kind}: {status}"),
            }
        },
    )
}

impl ParticipantRow {
    fn of(status: ParticipantStatus) -> ParticipantRow {
        let mail = last_mail(&status);
        let state = status.state.german();
        let listing = status.listing;
        ParticipantRow {
            id: listing.participant.id,
            revoked: listing.participant.revoked_at.is_some(),
            region: listing.region,
            land: listing.participant.land_code,
            email: listing.email.unwrap_or_else(|| "(gelöscht)".to_owned()),
            mail,
            state,
            submitted: listing.participant.submitted_at.is_some(),
        }
    }
}

/// The table as the page shows it.
pub(super) struct Listed {
    /// This page's rows.
    pub(super) rows: Vec<ParticipantRow>,
    /// Participants of the wave.
    pub(super) total: usize,
    /// Participants the filter keeps.
    pub(super) matched: usize,
    /// The page shown, and how many there are.
    pub(super) page: usize,
    /// See `page`.
    pub(super) pages: usize,
    /// Each state with its German name, and how many of the search and Land match it.
    pub(super) states: Vec<(&'static str, String, usize)>,
    /// Each Land with participants: code, name, count.
    pub(super) laender: Vec<(&'static str, &'static str, usize)>,
    /// The filter, for the form and the links.
    pub(super) filter: ListFilter,
}

impl Listed {
    /// The table of `statuses` under `filter`.
    pub(super) fn of(statuses: Vec<ParticipantStatus>, filter: ListFilter) -> Listed {
        let total = statuses.len();
        let states = ParticipantState::ALL
            .iter()
            .map(|state| {
                let n = statuses
                    .iter()
                    .filter(|s| s.state == *state && filter.matches_search_and_land(s))
                    .count();
                (state.code(), state.german(), n)
            })
            .collect();
        let laender = LAENDER
            .iter()
            .map(|(code, name)| {
                let n = statuses
                    .iter()
                    .filter(|s| s.listing.participant.land_code == *code)
                    .count();
                (*code, *name, n)
            })
            .filter(|(_, _, n)| *n > 0)
            .collect();
        let kept = filter.select(statuses);
        let matched = kept.len();
        let pages = matched.div_ceil(PAGE_SIZE).max(1);
        let page = filter.page.clamp(1, pages);
        let rows = kept
            .into_iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(ParticipantRow::of)
            .collect();
        Listed {
            rows,
            total,
            matched,
            page,
            pages,
            states,
            laender,
            filter,
        }
    }

    /// The link to page `page` of this table (on the wave's page, at the table).
    pub(super) fn page_link(&self, page: usize) -> String {
        format!("?{}#teilnehmende", self.filter.query(page))
    }

    /// The query string of the CSV export of this filter.
    pub(super) fn export_query(&self) -> String {
        self.filter.query(1)
    }
}

/// `GET /admin/wellen/{wave}/teilnehmende.csv`: the filtered participants list for German Excel
/// (UTF-8 with byte order mark, `;`), recorded in the audit log (it holds addresses).
pub async fn export_participants(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let filter = ListFilter::of(&query);
    let (actor, wave_slug) = (user.actor(), slug.clone());
    let listed = with_db(&state, move |conn| {
        let Ok((_, statuses)) = refusal(participant_ops::list(conn, &wave_slug))? else {
            return Err(AppError::NotFound);
        };
        let kept = filter.select(statuses);
        let details = format!("{} Teilnehmende", kept.len());
        actor.audit(conn, "participants_exported", &wave_slug, &details)?;
        Ok(kept)
    })
    .await?;
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| AppError::Internal(e.into());
    out.write_record(["Region", "Land", "E-Mail", "Stand", "Letzte Mail"])
        .map_err(fail)?;
    for status in &listed {
        let mail = last_mail(status);
        let listing = &status.listing;
        out.write_record([
            spreadsheet_safe(&listing.region).as_ref(),
            listing.participant.land_code.as_str(),
            spreadsheet_safe(listing.email.as_deref().unwrap_or("(gelöscht)")).as_ref(),
            status.state.german().as_str(),
            spreadsheet_safe(&mail).as_ref(),
        ])
        .map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(csv_download(&format!("teilnehmende-{slug}.csv"), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_reads_only_known_choices_and_round_trips_through_its_query() {
        let query: HashMap<String, String> = [
            ("suche", " Jena "),
            ("land", "DE-XX"),
            ("stand", "abgeschickt"),
            ("sortierung", "drop table"),
            ("seite", "0"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let filter = ListFilter::of(&query);
        assert_eq!(filter.search, "Jena");
        assert_eq!(filter.land, "", "an unknown Land is no filter");
        assert_eq!(filter.state, "abgeschickt");
        assert_eq!(filter.sort, "");
        assert_eq!(filter.page, 1);
        let again: HashMap<String, String> = filter
            .query(3)
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(ListFilter::of(&again), ListFilter { page: 3, ..filter });
    }
}
