//! Waves: one run of one survey version, with its dates, reminder policy and mail texts.

use chrono::{DateTime, Months, NaiveDate, Utc};
use diesel::prelude::*;

use super::schema::{contacts, mail_outbox, participants, survey_versions, wave_schedules, waves};

/// Where a wave stands. Derived from its dates and manual actions, never stored, so that a wave
/// opens and closes on its dates without anyone acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveState {
    /// Not open yet: links show a "not yet open" page, invitations may be prepared.
    Draft,
    /// Open: links work, invitations and reminders go out.
    Open,
    /// Closed: links show a "closed" page; answers are final.
    Closed,
}

impl crate::text::Bilingual for WaveState {
    /// The word shown to staff: "Entwurf", "offen", "geschlossen".
    fn german(&self) -> String {
        match self {
            WaveState::Draft => "Entwurf",
            WaveState::Open => "offen",
            WaveState::Closed => "geschlossen",
        }
        .to_owned()
    }

    /// The word the command line prints: "draft", "open", "closed".
    fn english(&self) -> String {
        match self {
            WaveState::Draft => "draft",
            WaveState::Open => "open",
            WaveState::Closed => "closed",
        }
        .to_owned()
    }
}

/// A wave as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = waves)]
pub struct Wave {
    /// Row id.
    pub id: i64,
    /// Short name used on the command line and in URLs (`fruehjahr-2020`).
    pub slug: String,
    /// Title shown to respondents and in mails.
    pub title: String,
    /// The survey version the wave asks.
    pub survey_version_id: i64,
    /// Opens by itself at this time.
    pub opens_at: Option<DateTime<Utc>>,
    /// Closes by itself at this time (the deadline shown in mails).
    pub closes_at: Option<DateTime<Utc>>,
    /// Opened by hand at this time.
    pub opened_at: Option<DateTime<Utc>>,
    /// Closed by hand at this time.
    pub closed_at: Option<DateTime<Utc>>,
    /// Smallest group shown in reports.
    pub suppress_below: i32,
    /// At most this many reminders per participant.
    pub reminders_max: i32,
    /// At least this many days between two mails to the same participant.
    pub reminder_interval_days: i32,
    /// Replacements of the default mail texts, a JSON form of [`MailTexts`].
    pub mail_texts: serde_json::Value,
    /// The wave this one was copied from.
    pub copied_from: Option<i64>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Until when its answers are kept (`None`: 24 months after the end, see
    /// [`Wave::answers_kept_until`]).
    pub keep_answers_until: Option<NaiveDate>,
}

/// When and what a wave's schedule sends by itself. The default sends nothing by itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Invitations when the wave opens.
    pub invitations_auto: bool,
    /// Reminders under the policy.
    pub reminders_auto: bool,
    /// A last reminder this many days before the end.
    pub last_reminder_days: Option<i32>,
    /// When scheduled mails may go out.
    pub window: crate::schedule::Window,
    /// Paused since then.
    pub paused_at: Option<DateTime<Utc>>,
}

impl Schedule {
    /// Whether the schedule sends anything by itself (switched on and not paused).
    pub fn is_active(&self) -> bool {
        (self.invitations_auto || self.reminders_auto) && self.paused_at.is_none()
    }
}

/// A wave's own mail texts, replacing the defaults where set. Texts use the placeholders of the
/// default templates (`{{ region }}`, `{{ link }}`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailTexts {
    /// Subject of the invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_subject: Option<String>,
    /// Plain text of the invitation (the HTML part is made from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_body: Option<String>,
    /// Subject of reminders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_subject: Option<String>,
    /// Plain text of reminders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_body: Option<String>,
}

impl MailTexts {
    /// The JSON stored in `waves.mail_texts`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({}))
    }
}

/// How long answers are kept after a wave's end unless the wave says otherwise.
pub const KEEP_ANSWERS_MONTHS: u32 = 24;

impl Wave {
    /// The wave's own mail texts (unknown or malformed entries are ignored: the defaults apply).
    pub fn mail_texts(&self) -> MailTexts {
        serde_json::from_value(self.mail_texts.clone()).unwrap_or_default()
    }

    /// Until when the wave's answers are kept: the date set, or 24 months after the wave's last
    /// day (`None`: neither is known, the wave has no end yet).
    pub fn answers_kept_until(&self) -> Option<NaiveDate> {
        self.keep_answers_until
            .or_else(|| self.default_keep_answers_until())
    }

    /// [`KEEP_ANSWERS_MONTHS`] after the wave's last day, if it has an end.
    pub fn default_keep_answers_until(&self) -> Option<NaiveDate> {
        self.closes_at
            .map(crate::time::last_day)
            .and_then(|day| day.checked_add_months(Months::new(KEEP_ANSWERS_MONTHS)))
    }

    /// The wave's state at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> WaveState {
        let passed = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t <= now);
        if passed(self.closed_at) || passed(self.closes_at) {
            WaveState::Closed
        } else if passed(self.opened_at) || passed(self.opens_at) {
            WaveState::Open
        } else {
            WaveState::Draft
        }
    }
}

/// The settings a wave is created with.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = waves)]
pub struct NewWave {
    /// See [`Wave::slug`].
    pub slug: String,
    /// See [`Wave::title`].
    pub title: String,
    /// See [`Wave::survey_version_id`].
    pub survey_version_id: i64,
    /// See [`Wave::opens_at`].
    pub opens_at: Option<DateTime<Utc>>,
    /// See [`Wave::closes_at`].
    pub closes_at: Option<DateTime<Utc>>,
    /// See [`Wave::suppress_below`].
    pub suppress_below: i32,
    /// See [`Wave::reminders_max`].
    pub reminders_max: i32,
    /// See [`Wave::reminder_interval_days`].
    pub reminder_interval_days: i32,
    /// See [`Wave::mail_texts`].
    pub mail_texts: serde_json::Value,
    /// See [`Wave::copied_from`].
    pub copied_from: Option<i64>,
    /// See [`Wave::keep_answers_until`].
    pub keep_answers_until: Option<NaiveDate>,
}

/// Changes to a wave's settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, AsChangeset)]
#[diesel(table_name = waves)]
pub struct WaveChanges {
    /// New opening time.
    pub opens_at: Option<Option<DateTime<Utc>>>,
    /// New closing time.
    pub closes_at: Option<Option<DateTime<Utc>>>,
    /// New threshold.
    pub suppress_below: Option<i32>,
    /// New reminder count.
    pub reminders_max: Option<i32>,
    /// New reminder interval.
    pub reminder_interval_days: Option<i32>,
    /// New mail texts (all four together).
    pub mail_texts: Option<serde_json::Value>,
    /// New date until which the answers are kept (`Some(None)`: back to the default).
    pub keep_answers_until: Option<Option<NaiveDate>>,
}

/// One line of `wave list`.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveSummary {
    /// The wave.
    pub wave: Wave,
    /// Its survey's id.
    pub survey_id: String,
    /// The survey version it asks.
    pub survey_version: i32,
    /// Participants not revoked.
    pub participants: i64,
    /// Participants whose invitation was sent.
    pub invited: i64,
    /// Participants who submitted.
    pub submitted: i64,
}

/// Stores a new wave.
pub fn insert(conn: &mut PgConnection, wave: &NewWave) -> QueryResult<Wave> {
    diesel::insert_into(waves::table)
        .values(wave)
        .returning(Wave::as_returning())
        .get_result(conn)
}

/// Whether a slug is taken.
pub fn slug_exists(conn: &mut PgConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        waves::table.filter(waves::slug.eq(slug)),
    ))
    .get_result(conn)
}

/// The wave with this slug.
pub fn find_by_slug(conn: &mut PgConnection, slug: &str) -> QueryResult<Option<Wave>> {
    waves::table
        .filter(waves::slug.eq(slug))
        .select(Wave::as_select())
        .first(conn)
        .optional()
}

/// Applies changes to a wave's settings.
pub fn update(conn: &mut PgConnection, id: i64, changes: &WaveChanges) -> QueryResult<Wave> {
    diesel::update(waves::table.find(id))
        .set(changes)
        .returning(Wave::as_returning())
        .get_result(conn)
}

/// Records that the wave was opened by hand now (and clears an earlier manual close).
pub fn mark_opened(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<Wave> {
    diesel::update(waves::table.find(id))
        .set((
            waves::opened_at.eq(now),
            waves::closed_at.eq(None::<DateTime<Utc>>),
        ))
        .returning(Wave::as_returning())
        .get_result(conn)
}

/// A wave's schedule as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = wave_schedules, treat_none_as_null = true)]
struct ScheduleRow {
    wave_id: i64,
    invitations_auto: bool,
    reminders_auto: bool,
    last_reminder_days: Option<i32>,
    send_from_hour: i32,
    send_to_hour: i32,
    send_days: i32,
    paused_at: Option<DateTime<Utc>>,
}

impl ScheduleRow {
    fn schedule(self) -> Schedule {
        let hour = |h: i32| u8::try_from(h.clamp(0, 24)).unwrap_or(0);
        Schedule {
            invitations_auto: self.invitations_auto,
            reminders_auto: self.reminders_auto,
            last_reminder_days: self.last_reminder_days,
            window: crate::schedule::Window {
                from: hour(self.send_from_hour),
                to: hour(self.send_to_hour),
                days: crate::schedule::Weekdays::from_bits(self.send_days),
            },
            paused_at: self.paused_at,
        }
    }

    fn of(wave_id: i64, schedule: &Schedule) -> ScheduleRow {
        ScheduleRow {
            wave_id,
            invitations_auto: schedule.invitations_auto,
            reminders_auto: schedule.reminders_auto,
            last_reminder_days: schedule.last_reminder_days,
            send_from_hour: i32::from(schedule.window.from),
            send_to_hour: i32::from(schedule.window.to),
            send_days: schedule.window.days.bits(),
            paused_at: schedule.paused_at,
        }
    }
}

/// The wave's schedule (by hand, 8–18 Uhr Mo–Fr, when none was set).
pub fn find_schedule(conn: &mut PgConnection, wave_id: i64) -> QueryResult<Schedule> {
    let row: Option<ScheduleRow> = wave_schedules::table
        .find(wave_id)
        .select(ScheduleRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(ScheduleRow::schedule).unwrap_or_default())
}

/// Stores the wave's schedule, pause included.
pub fn set_schedule(conn: &mut PgConnection, wave_id: i64, schedule: &Schedule) -> QueryResult<()> {
    let row = ScheduleRow::of(wave_id, schedule);
    diesel::insert_into(wave_schedules::table)
        .values(row)
        .on_conflict(wave_schedules::wave_id)
        .do_update()
        .set(row)
        .execute(conn)
        .map(drop)
}

/// The waves whose schedule sends something by itself and is not paused (open or not), with it.
pub fn find_scheduled(conn: &mut PgConnection) -> QueryResult<Vec<(Wave, Schedule)>> {
    let rows: Vec<(Wave, ScheduleRow)> = waves::table
        .inner_join(wave_schedules::table)
        .filter(wave_schedules::invitations_auto.or(wave_schedules::reminders_auto))
        .filter(wave_schedules::paused_at.is_null())
        .order(waves::id)
        .select((Wave::as_select(), ScheduleRow::as_select()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(w, s)| (w, s.schedule())).collect())
}

/// The schedules of every wave, by wave id (`wave list`).
pub fn find_schedules(
    conn: &mut PgConnection,
) -> QueryResult<std::collections::HashMap<i64, Schedule>> {
    let rows: Vec<ScheduleRow> = wave_schedules::table
        .select(ScheduleRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.wave_id, r.schedule()))
        .collect())
}

/// Takes the wave's scheduler lock until the transaction ends, if no other process holds it
/// (`pg_try_advisory_xact_lock`): one process at a time decides what a wave's schedule queues.
pub fn try_lock_schedule(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    // A key of its own: "MINT" in the high half, the wave in the low half.
    diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<diesel::sql_types::BigInt, _>(SCHEDULE_LOCK << 32 | (id & 0xFFFF_FFFF))
        .get_result::<Locked>(conn)
        .map(|l| l.locked)
}

/// The high half of the scheduler's advisory lock keys ("MINT").
const SCHEDULE_LOCK: i64 = 0x4D49_4E54;

/// Records that the wave was closed by hand now.
pub fn mark_closed(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<Wave> {
    diesel::update(waves::table.find(id))
        .set(waves::closed_at.eq(now))
        .returning(Wave::as_returning())
        .get_result(conn)
}

/// Every wave with its survey and participation counts, oldest first.
pub fn find_summaries(conn: &mut PgConnection) -> QueryResult<Vec<WaveSummary>> {
    let rows: Vec<(Wave, String, i32)> = waves::table
        .inner_join(survey_versions::table)
        .order(waves::id)
        .select((
            Wave::as_select(),
            survey_versions::survey_id,
            survey_versions::version,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(wave, survey_id, survey_version)| {
            let active = participants::table
                .filter(participants::wave_id.eq(wave.id))
                .filter(participants::revoked_at.is_null());
            let participants = active.count().get_result(conn)?;
            let submitted = active
                .filter(participants::submitted_at.is_not_null())
                .count()
                .get_result(conn)?;
            let invited = mail_outbox::table
                .filter(mail_outbox::wave_id.eq(wave.id))
                .filter(mail_outbox::kind.eq("invitation"))
                .filter(mail_outbox::status.eq("sent"))
                .count()
                .get_result(conn)?;
            Ok(WaveSummary {
                wave,
                survey_id,
                survey_version,
                participants,
                invited,
                submitted,
            })
        })
        .collect()
}

/// Drops the names and addresses of a wave's participants; answers and counts stay. Returns how many.
pub fn delete_contacts(conn: &mut PgConnection, wave_id: i64) -> QueryResult<usize> {
    diesel::delete(contacts::table.filter(contacts::wave_id.eq(wave_id))).execute(conn)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn wave() -> Wave {
        Wave {
            id: 1,
            slug: "w".into(),
            title: "W".into(),
            survey_version_id: 1,
            opens_at: None,
            closes_at: None,
            opened_at: None,
            closed_at: None,
            suppress_below: 5,
            reminders_max: 2,
            reminder_interval_days: 7,
            mail_texts: serde_json::json!({}),
            copied_from: None,
            created_at: Utc::now(),
            keep_answers_until: None,
        }
    }

    #[test]
    fn answers_are_kept_24_months_after_the_last_day_unless_a_date_is_set() {
        let midnight = crate::time::parse_berlin("05.05.2020", crate::time::DayEdge::End);
        let w = Wave {
            closes_at: midnight,
            ..wave()
        };
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(w.answers_kept_until(), day(2022, 5, 5));
        let set = Wave {
            keep_answers_until: day(2023, 1, 31),
            ..w.clone()
        };
        assert_eq!(set.answers_kept_until(), day(2023, 1, 31));
        assert_eq!(wave().answers_kept_until(), None, "no end, no default");
    }

    #[test]
    fn a_wave_opens_and_closes_on_its_dates() {
        let at = |d| Utc.with_ymd_and_hms(2020, 4, d, 12, 0, 0).unwrap();
        let w = Wave {
            opens_at: Some(at(23)),
            closes_at: Some(at(30)),
            ..wave()
        };
        assert_eq!(w.state(at(22)), WaveState::Draft);
        assert_eq!(w.state(at(23)), WaveState::Open);
        assert_eq!(w.state(at(30)), WaveState::Closed);
    }

    #[test]
    fn manual_actions_win_over_dates() {
        let at = |d| Utc.with_ymd_and_hms(2020, 4, d, 12, 0, 0).unwrap();
        let opened = Wave {
            opens_at: Some(at(23)),
            opened_at: Some(at(20)),
            ..wave()
        };
        assert_eq!(opened.state(at(21)), WaveState::Open);
        let closed = Wave {
            closed_at: Some(at(25)),
            ..opened
        };
        assert_eq!(closed.state(at(26)), WaveState::Closed);
    }
}
