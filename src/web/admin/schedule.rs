//! A wave's schedule on the staff pages: the form on the settings page (`POST
//! /admin/wellen/{wave}/zeitplan`: save, pause, resume, through `app::schedule::set`, the rules of
//! `wave schedule`), and what the wave's page says about it: the plan in German and the history of
//! the mailings.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};

use super::settings::{Shown, render_settings};
use crate::app::schedule::{self, Outlook, ScheduleError, ScheduleInput};
use crate::schedule::{Weekdays, WindowError};
use crate::store::outbox::Run;
use crate::store::waves::Schedule;
use crate::text::Bilingual;
use crate::web::AppState;
use crate::web::errors::{AppError, refusal};
use crate::web::extract::{CsrfForm, StaffUser};
use crate::web::shared::{see_other, with_db};

/// The weekday boxes of the form: field name and German label, Monday first.
pub const DAYS: [(&str, &str); 7] = [
    ("tag_mo", "Montag"),
    ("tag_di", "Dienstag"),
    ("tag_mi", "Mittwoch"),
    ("tag_do", "Donnerstag"),
    ("tag_fr", "Freitag"),
    ("tag_sa", "Samstag"),
    ("tag_so", "Sonntag"),
];

/// The schedule form, kept as typed when it is refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    aktion: String,
    /// "auto" or "hand".
    #[serde(default)]
    pub einladungen: String,
    /// "auto" or "hand".
    #[serde(default)]
    pub erinnerungen: String,
    /// Days before the end of the last reminder (blank: none).
    #[serde(default)]
    pub letzte: String,
    /// First hour.
    #[serde(default)]
    pub von: String,
    /// End hour.
    #[serde(default)]
    pub bis: String,
    #[serde(default)]
    tag_mo: String,
    #[serde(default)]
    tag_di: String,
    #[serde(default)]
    tag_mi: String,
    #[serde(default)]
    tag_do: String,
    #[serde(default)]
    tag_fr: String,
    #[serde(default)]
    tag_sa: String,
    #[serde(default)]
    tag_so: String,
}

impl ScheduleForm {
    fn day_boxes(&self) -> [&str; 7] {
        [
            &self.tag_mo,
            &self.tag_di,
            &self.tag_mi,
            &self.tag_do,
            &self.tag_fr,
            &self.tag_sa,
            &self.tag_so,
        ]
    }

    /// Whether the box of weekday `index` (0 Monday) is ticked.
    pub fn day(&self, index: &usize) -> bool {
        self.day_boxes().get(*index).is_some_and(|v| v == &"ja")
    }

    /// The form filled from the schedule as it is.
    pub fn of(schedule: &Schedule) -> ScheduleForm {
        let auto = |on: bool| if on { "auto" } else { "hand" }.to_owned();
        let day = |i: usize| {
            let day = chrono::Weekday::try_from(u8::try_from(i).unwrap_or(0))
                .unwrap_or(chrono::Weekday::Mon);
            if schedule.window.days.contains(day) {
                "ja".to_owned()
            } else {
                String::new()
            }
        };
        ScheduleForm {
            aktion: String::new(),
            einladungen: auto(schedule.invitations_auto),
            erinnerungen: auto(schedule.reminders_auto),
            letzte: schedule
                .last_reminder_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            von: schedule.window.from.to_string(),
            bis: schedule.window.to.to_string(),
            tag_mo: day(0),
            tag_di: day(1),
            tag_mi: day(2),
            tag_do: day(3),
            tag_fr: day(4),
            tag_sa: day(5),
            tag_so: day(6),
        }
    }

    /// The operation's input: "anhalten"/"fortsetzen" only pause or resume; saving gives every
    /// setting as shown.
    fn input(&self) -> Result<ScheduleInput, ScheduleError> {
        match self.aktion.as_str() {
            "anhalten" => {
                return Ok(ScheduleInput {
                    pause: Some(true),
                    ..ScheduleInput::default()
                });
            }
            "fortsetzen" => {
                return Ok(ScheduleInput {
                    pause: Some(false),
                    ..ScheduleInput::default()
                });
            }
            _ => {}
        }
        let letzte = self.letzte.trim();
        let last_reminder_days = if letzte.is_empty() {
            0
        } else {
            letzte
                .parse()
                .map_err(|_| ScheduleError::LastReminderNotANumber(letzte.to_owned()))?
        };
        let hour = |text: &str| {
            text.trim().parse::<u8>().map_err(|_| {
                ScheduleError::Window(WindowError::Hours(format!("{}–{}", self.von, self.bis)))
            })
        };
        let ticked: Vec<&str> = DAYS
            .iter()
            .zip(self.day_boxes())
            .filter(|(_, value)| *value == "ja")
            .map(|((name, _), _)| &name[4..])
            .collect();
        let days = Weekdays::parse(&ticked.join(","))
            .map_err(|_| ScheduleError::Window(WindowError::Days(String::new())))?;
        Ok(ScheduleInput {
            invitations_auto: Some(self.einladungen == "auto"),
            reminders_auto: Some(self.erinnerungen == "auto"),
            last_reminder_days: Some(last_reminder_days),
            hours: Some((hour(&self.von)?, hour(&self.bis)?)),
            days: Some(days),
            pause: None,
        })
    }
}

/// The id of the form field a refusal is about.
fn field_of(error: &ScheduleError) -> &'static str {
    match error {
        ScheduleError::Window(WindowError::Days(_)) => "tag_mo",
        ScheduleError::Window(_) => "von",
        ScheduleError::LastReminderDays(_)
        | ScheduleError::LastReminderNotANumber(_)
        | ScheduleError::LastReminderWithoutEnd(_) => "letzte",
        ScheduleError::NoReminders(_) => "erinnerungen-auto",
        _ => "einladungen-hand",
    }
}

/// `POST /admin/wellen/{wave}/zeitplan`: saves, pauses or resumes the schedule, wakes the scheduler
/// (a wave that is due goes out now, not within the minute) and shows the wave's page with the
/// plan; a refusal shows the settings page again with the form as typed.
pub async fn save_schedule(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<String>,
    form: CsrfForm<ScheduleForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let slug = path.into_inner();
    let saved = match form.input() {
        Ok(input) => {
            let (actor, wave_slug, now) = (user.actor(), slug.clone(), state.clock.now());
            with_db(&state, move |conn| {
                refusal(schedule::set(conn, &actor, &wave_slug, &input, now))
            })
            .await?
        }
        Err(refused) => Err(refused),
    };
    match saved {
        Ok(_) => {
            state.scheduler.wake();
            let what = match form.aktion.as_str() {
                "anhalten" => "angehalten",
                "fortsetzen" => "fortgesetzt",
                _ => "gespeichert",
            };
            Ok(see_other(format!(
                "/admin/wellen/{slug}?zeitplan={what}#zeitplan"
            )))
        }
        Err(ScheduleError::Wave(crate::app::waves::WaveError::NoSuchWave { .. })) => {
            Err(AppError::NotFound)
        }
        Err(error) => {
            let shown = Shown {
                schedule: Some((form, Some((error.german(), field_of(&error))))),
                ..Shown::default()
            };
            render_settings(&state, &request, &user, slug, shown).await
        }
    }
}

/// "04.05. um 8:00".
fn day_and_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Berlin)
        .format("%d.%m. um %-H:%M")
        .to_string()
}

fn people(n: usize) -> String {
    crate::app::plural(n, "Person", "Personen")
}

/// The plan as the wave's page says it: "Einladungen: automatisch am 04.05. um 8:00 (130
/// Personen)", "nächste Erinnerung: 11.05., voraussichtlich an 41 Personen".
pub fn plan_lines(outlook: &Outlook) -> Vec<String> {
    let schedule = &outlook.schedule;
    let mut lines = Vec::new();
    if let Some(since) = schedule.paused_at {
        lines.push(format!(
            "Der Zeitplan ist seit {} angehalten: Er sendet nichts, bis er fortgesetzt wird.",
            crate::time::format_berlin(since)
        ));
        return lines;
    }
    if !schedule.invitations_auto && !schedule.reminders_auto {
        lines.push(
            "Einladungen und Erinnerungen werden von Hand gesendet (kein Zeitplan).".to_owned(),
        );
        return lines;
    }
    match &outlook.invitations {
        Some(planned) => lines.push(match planned.at {
            Some(at) => format!(
                "Einladungen: automatisch am {} ({})",
                day_and_time(at),
                people(planned.people)
            ),
            None => format!(
                "Einladungen: automatisch, sobald die Welle geöffnet wird ({})",
                people(planned.people)
            ),
        }),
        None if schedule.invitations_auto => {
            lines.push("Einladungen: automatisch; alle sind eingeladen.".to_owned())
        }
        None => lines.push("Einladungen: von Hand".to_owned()),
    }
    if !schedule.reminders_auto {
        lines.push("Erinnerungen: von Hand".to_owned());
    } else if let Some(planned) = &outlook.next_reminder {
        let at = planned.at.map(day_and_time).unwrap_or_default();
        lines.push(format!(
            "nächste Erinnerung: {at}, voraussichtlich an {}",
            people(planned.people)
        ));
    } else {
        lines.push("nächste Erinnerung: keine weitere nach den Erinnerungsregeln".to_owned());
    }
    if let Some(planned) = &outlook.last_reminder {
        let at = planned.at.map(day_and_time).unwrap_or_default();
        lines.push(format!(
            "letzte Erinnerung: {at}, an alle, die bis dahin nicht geantwortet haben (derzeit {})",
            people(planned.people)
        ));
    }
    lines.push(format!("Versandzeit: {}", schedule.window.german()));
    lines
}

/// One line of the history: when, what, who, how many.
pub fn history_rows(history: &[Run]) -> Vec<(String, &'static str, String, String)> {
    history
        .iter()
        .rev()
        .map(|run| {
            let what = match run.kind.as_str() {
                "invitation" => "Einladungen",
                "last_reminder" => "letzte Erinnerung",
                _ => "Erinnerungen",
            };
            let queued = usize::try_from(run.queued).unwrap_or(0);
            (
                crate::time::format_berlin(run.started_at),
                what,
                run.actor.clone(),
                crate::app::plural(queued, "Mail", "Mails"),
            )
        })
        .collect()
}
