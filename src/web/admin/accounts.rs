//! `/admin/konten` (admins): the staff accounts with role, Land, state and latest login; adding an
//! account (it gets a mailed one-time link to set its password, as with `user add`), disabling and
//! enabling one (a disabled account's sessions end at once), and changing a role, all through
//! `app::accounts` with its guards: nobody changes their own account, the last active admin stays.
//! Also the API keys (`app::api_keys`): made for an account and shown once, listed with their last
//! use, revoked.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;

use super::Account;
use crate::accounts::Role;
use crate::app::accounts::{
    self, Account as Target, AccountChange, AccountError, AccountOverview, NewAccount,
};
use crate::app::api_keys::{self, ApiKeyError};
use crate::store::api_keys::ApiKey;
use crate::store::users::User;
use crate::survey::LAENDER;
use crate::text::Bilingual;
use crate::web::AppState;
use crate::web::errors::{AppError, refusal};
use crate::web::extract::{CsrfForm, StaffUser};
use crate::web::shared::{see_other, staff_page, with_db};

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct AccountsPage<'a> {
    user: &'a str,
    role: &'a str,
    csrf: &'a str,
    me: i64,
    accounts: Vec<AccountOverview>,
    roles: [(&'static str, &'static str); 3],
    laender: &'static [(&'static str, &'static str)],
    form: &'a NewAccountForm,
    keys: Vec<(ApiKey, User)>,
    key_form: &'a KeyForm,
    /// A key just made: its name and the key, shown this once.
    new_key: Option<(String, String)>,
    /// What was refused, and the field of the new-account form it is about (if any).
    error: Option<(String, Option<&'static str>)>,
    message: Option<String>,
}

/// The roles as the forms offer them: stored word and German name.
const ROLES: [(&str, &str); 3] = [
    ("board", "Länderbeirat"),
    ("coordinator", "Landeskoordination"),
    ("admin", "Administration"),
];

/// The "Zugang anlegen" form, kept as typed when it is refused.
#[derive(Debug, Default, Deserialize)]
pub struct NewAccountForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    rolle: String,
    #[serde(default)]
    land: String,
}

impl NewAccountForm {
    /// The empty form: a board member is the most common new account.
    fn blank() -> NewAccountForm {
        NewAccountForm {
            rolle: Role::Board.as_str().to_owned(),
            ..NewAccountForm::default()
        }
    }
}

/// `GET /admin/konten`.
pub async fn show_accounts(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let message = query.get("hinweis").and_then(|h| match h.as_str() {
        "gesperrt" => Some("Der Zugang ist gesperrt; seine Sitzungen sind beendet."),
        "entsperrt" => Some("Der Zugang ist wieder freigegeben."),
        "rolle" => Some("Die Rolle ist geändert; sie gilt ab der nächsten Seite."),
        _ => None,
    });
    let form = NewAccountForm::blank();
    let shown = Shown {
        message: message.map(str::to_owned),
        ..Shown::default()
    };
    render(&state, &request, &user, &form, shown, StatusCode::OK).await
}

/// What the page says besides the list.
#[derive(Default)]
struct Shown {
    error: Option<(String, Option<&'static str>)>,
    message: Option<String>,
    key_form: KeyForm,
    new_key: Option<(String, String)>,
}

/// The "API-Schlüssel anlegen" form, kept as typed when it is refused.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    schluessel_konto: String,
    #[serde(default)]
    schluessel_name: String,
}

async fn render(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    user: &StaffUser,
    form: &NewAccountForm,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = Account::of(user, request, state)?;
    let (accounts, keys) = with_db(state, |conn| {
        Ok((
            accounts::list(conn).map_err(AppError::unexpected)?,
            api_keys::list(conn).map_err(AppError::unexpected)?,
        ))
    })
    .await?;
    let page = AccountsPage {
        user: &account.user,
        role: &account.role,
        csrf: &account.csrf,
        me: user.id,
        accounts,
        roles: ROLES,
        laender: &LAENDER,
        form,
        keys,
        key_form: &shown.key_form,
        new_key: shown.new_key,
        error: shown.error,
        message: shown.message,
    };
    staff_page(status, page.render(), cookie)
}

/// `POST /admin/konten`: adds an account and mails its link to set the password.
pub async fn add_account(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    form: CsrfForm<NewAccountForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = NewAccount {
        email: form.email.clone(),
        role: form.rolle.clone(),
        land: Some(form.land.clone()),
    };
    let (actor, settings) = (user.actor(), state.settings.clone());
    let added = with_db(&state, move |conn| {
        refusal(accounts::add(conn, &settings, &actor, &input))
    })
    .await?;
    let added = match added {
        Ok(added) => added,
        Err(error) => {
            let shown = Shown {
                error: Some((error.german(), error.field())),
                ..Shown::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(&state, &request, &user, &form, shown, status).await;
        }
    };
    state.staff_mailer.wake();
    let (email, role) = (&added.user.email, added.user.role().german());
    let message = match &state.settings.smtp_url {
        Some(_) => format!(
            "Zugang für {email} angelegt ({role}). Der Link zum Festlegen des Passworts geht per Mail an {email}; er gilt 48 Stunden. Ob die Mail hinausging, zeigt die Liste unter „Stand“."
        ),
        None => format!(
            "Zugang für {email} angelegt ({role}). Es ist kein Mailserver eingerichtet: Die Mail mit dem Link liegt als Datei in {}; er gilt 48 Stunden.",
            state.settings.var_dir.join("outbox/staff").display()
        ),
    };
    let shown = Shown {
        message: Some(message),
        ..Shown::default()
    };
    let blank = NewAccountForm::blank();
    render(&state, &request, &user, &blank, shown, StatusCode::OK).await
}

/// `POST /admin/konten/{id}/{sperren|entsperren}`.
pub async fn set_disabled(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<(i64, String)>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (id, change) = path.into_inner();
    let change = match change.as_str() {
        "sperren" => AccountChange::Disable,
        "entsperren" => AccountChange::Enable,
        _ => return Err(AppError::NotFound),
    };
    apply(&state, &request, &user, id, change).await
}

/// The "Rolle ändern" form.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    konto: String,
    #[serde(default)]
    rolle: String,
    #[serde(default)]
    land: String,
}

/// `POST /admin/konten/rolle`.
pub async fn change_role(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    form: CsrfForm<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let id = form.konto.parse().map_err(|_| AppError::NotFound)?;
    let change = AccountChange::Role {
        role: form.rolle,
        land: Some(form.land),
    };
    apply(&state, &request, &user, id, change).await
}

/// Applies `change` to account `id`, then back to the list (or the page with the reason it was
/// refused).
async fn apply(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    user: &StaffUser,
    id: i64,
    change: AccountChange,
) -> Result<HttpResponse, AppError> {
    let done = match change {
        AccountChange::Disable => "gesperrt",
        AccountChange::Enable => "entsperrt",
        AccountChange::Role { .. } => "rolle",
    };
    let actor = user.actor();
    let outcome = with_db(state, move |conn| {
        refusal(accounts::change(conn, &actor, &Target::Id(id), &change))
    })
    .await?;
    match outcome {
        Ok(_) => Ok(see_other(format!("/admin/konten?hinweis={done}"))),
        Err(AccountError::NoSuchAccount(_)) => Err(AppError::NotFound),
        Err(error) => {
            // The role form's fields are `neue-rolle` and `neues-land`.
            let field = error.field().map(|field| match field {
                "land" => "neues-land",
                _ => "neue-rolle",
            });
            let shown = Shown {
                error: Some((error.german(), field)),
                ..Shown::default()
            };
            let form = NewAccountForm::blank();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(state, request, user, &form, shown, status).await
        }
    }
}

/// `POST /admin/konten/schluessel`: makes an API key for an account and shows it this once.
pub async fn create_api_key(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    form: CsrfForm<KeyForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let actor = user.actor();
    let input = form.clone();
    let created = with_db(&state, move |conn| {
        refusal(api_keys::create(
            conn,
            &actor,
            &input.schluessel_konto,
            &input.schluessel_name,
        ))
    })
    .await?;
    let (shown, status) = match created {
        Ok(created) => (
            Shown {
                new_key: Some((created.key.name, created.secret)),
                ..Shown::default()
            },
            StatusCode::OK,
        ),
        Err(error) => (
            Shown {
                error: Some((error.german(), error.field())),
                key_form: form,
                ..Shown::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let blank = NewAccountForm::blank();
    let mut response = render(&state, &request, &user, &blank, shown, status).await?;
    // The key is on this page only: never kept by a cache or the browser's history.
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// `POST /admin/konten/schluessel/{id}/widerrufen`: the key is refused from the next call on.
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<i64>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = user.actor();
    let outcome = with_db(&state, move |conn| {
        refusal(api_keys::revoke(conn, &actor, id))
    })
    .await?;
    let shown = match outcome {
        Ok(key) => Shown {
            message: Some(format!(
                "Der Schlüssel „{}“ ist widerrufen; Aufrufe mit ihm werden ab sofort abgelehnt.",
                key.name
            )),
            ..Shown::default()
        },
        Err(ApiKeyError::NoSuchKey(_)) => return Err(AppError::NotFound),
        Err(error) => Shown {
            error: Some((error.german(), None)),
            ..Shown::default()
        },
    };
    let status = if shown.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let blank = NewAccountForm::blank();
    render(&state, &request, &user, &blank, shown, status).await
}
