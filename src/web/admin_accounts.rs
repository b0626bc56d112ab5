//! `/admin/konten` (admins): the staff accounts with role, Land, state and latest login; adding an
//! account (it gets a mailed one-time link to set its password, as with `user add`), disabling and
//! enabling one (a disabled account's sessions end at once), and changing a role. An admin cannot
//! disable or change their own account here, so the acting admin always remains: there is always
//! someone who can manage accounts (`user disable` keeps the last active admin for the same reason).

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use diesel::Connection;
use serde::Deserialize;
use std::collections::HashMap;

use super::admin::staff_page;
use super::errors::AppError;
use super::respondent::with_db;
use super::staff::staff_of;
use super::{AppState, csrf};
use crate::accounts::Role;
use crate::commands::users::{
    Delivery, insert_account, password_link, role_with_land, send_welcome_mail,
};
use crate::store::users::{self, AccountListing};
use crate::survey::LAENDER;

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct AccountsPage<'a> {
    user: &'a str,
    role: &'static str,
    csrf: &'a str,
    me: i64,
    accounts: Vec<AccountListing>,
    roles: [(&'static str, &'static str); 3],
    laender: &'static [(&'static str, &'static str)],
    form: &'a NewAccountForm,
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
    csrf: String,
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
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let message = query.get("hinweis").and_then(|h| match h.as_str() {
        "gesperrt" => Some("Der Zugang ist gesperrt; seine Sitzungen sind beendet."),
        "entsperrt" => Some("Der Zugang ist wieder freigegeben."),
        "rolle" => Some("Die Rolle ist geändert; sie gilt ab der nächsten Seite."),
        _ => None,
    });
    let form = NewAccountForm::blank();
    render(
        &state,
        &request,
        &form,
        None,
        message.map(str::to_owned),
        StatusCode::OK,
    )
    .await
}

async fn render(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    form: &NewAccountForm,
    error: Option<(String, Option<&'static str>)>,
    message: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let me = staff_of(request)?;
    let (token, cookie) = csrf::token(request, state.secure_cookies())?;
    let accounts = with_db(state, |conn| Ok(users::find_accounts(conn)?)).await?;
    let page = AccountsPage {
        user: &me.email,
        role: me.role().label(),
        csrf: &token,
        me: me.id,
        accounts,
        roles: ROLES,
        laender: &LAENDER,
        form,
        error,
        message,
    };
    staff_page(status, page.render(), cookie)
}

/// `POST /admin/konten`: adds an account and mails its link to set the password.
pub async fn add_account(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<NewAccountForm>,
) -> Result<HttpResponse, AppError> {
    let me = staff_of(&request)?;
    csrf::verify(&request, &form.csrf)?;
    let (email, role, land) = (form.email.clone(), form.rolle.clone(), form.land.clone());
    let added = with_db(&state, move |conn| {
        insert_account(conn, &email, &role, Some(&land), (Some(me.id), &me.email))
            .map_err(AppError::Internal)
    })
    .await?;
    let (user, token) = match added {
        Ok(added) => added,
        Err(error) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let error = (error.german(), Some(error.field()));
            return render(&state, &request, &form, Some(error), None, status).await;
        }
    };
    let settings = state.settings.clone();
    let (mailed_to, mail_token) = (user.clone(), token.clone());
    let delivery =
        web::block(move || send_welcome_mail(&settings, &mailed_to, &mail_token)).await?;
    let added = format!(
        "Zugang für {} angelegt ({}).",
        user.email,
        user.role().label()
    );
    let message = match delivery {
        Ok(Delivery::Mailed) => format!(
            "{added} Der Link zum Festlegen des Passworts ging per Mail an {}; er gilt 48 Stunden.",
            user.email
        ),
        Ok(Delivery::Written(folder)) => format!(
            "{added} Ohne SMTP_URL liegt die Mail mit dem Link in {}.",
            folder.display()
        ),
        Err(error) => {
            tracing::error!(user.id = user.id, error = %format!("{error:#}"), "account mail not sent");
            format!(
                "{added} Die Mail konnte nicht versandt werden; bitte geben Sie diesen Link selbst \
                 weiter (er gilt 48 Stunden und nur einmal): {}",
                password_link(&state.settings.public_url, &token)
            )
        }
    };
    let blank = NewAccountForm::blank();
    render(
        &state,
        &request,
        &blank,
        None,
        Some(message),
        StatusCode::OK,
    )
    .await
}

/// The form of "Sperren" and "Entsperren": the CSRF token only.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    csrf: String,
}

/// `POST /admin/konten/{id}/{sperren|entsperren}`.
pub async fn set_disabled(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(i64, String)>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&request, &form.csrf)?;
    let (id, change) = path.into_inner();
    let change = match change.as_str() {
        "sperren" => Change::Disable,
        "entsperren" => Change::Enable,
        _ => return Err(AppError::NotFound),
    };
    apply(&state, &request, id, change).await
}

/// The "Rolle ändern" form.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    csrf: String,
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
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&request, &form.csrf)?;
    let id = form.konto.parse().map_err(|_| AppError::NotFound)?;
    let form = form.into_inner();
    let change = Change::Role {
        role: form.rolle,
        land: form.land,
    };
    apply(&state, &request, id, change).await
}

/// What happens to an account.
enum Change {
    Disable,
    Enable,
    Role { role: String, land: String },
}

/// Applies `change` to account `id` with its audit entry, then back to the list (or the page with
/// the reason it was refused).
async fn apply(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    id: i64,
    change: Change,
) -> Result<HttpResponse, AppError> {
    let me = staff_of(request)?;
    let done = match change {
        Change::Disable => "gesperrt",
        Change::Enable => "entsperrt",
        Change::Role { .. } => "rolle",
    };
    let refused = with_db(state, move |conn| {
        conn.transaction(|conn| {
            let user = users::find_by_id(conn, id)?.ok_or(AppError::NotFound)?;
            if user.id == me.id {
                let own = "Ihren eigenen Zugang können Sie hier weder sperren noch ändern.";
                return Ok(Some((own.to_owned(), None)));
            }
            let (action, details) = match change {
                Change::Disable => {
                    users::set_disabled(conn, user.id, Some(Utc::now()))?;
                    ("user_disabled", String::new())
                }
                Change::Enable => {
                    users::set_disabled(conn, user.id, None)?;
                    ("user_enabled", String::new())
                }
                Change::Role { role, land } => match role_with_land(&role, Some(&land)) {
                    Ok((role, land)) => {
                        users::set_role(conn, user.id, role, land)?;
                        let details = match land {
                            Some(land) => format!("{} → {} ({land})", user.role, role.as_str()),
                            None => format!("{} → {}", user.role, role.as_str()),
                        };
                        ("role_changed", details)
                    }
                    Err(error) => {
                        let field = match error.field() {
                            "land" => "neues-land",
                            _ => "neue-rolle",
                        };
                        return Ok(Some((error.german(), Some(field))));
                    }
                },
            };
            users::audit(conn, Some(me.id), &me.email, action, &user.email, &details)?;
            Ok(None)
        })
    })
    .await?;
    if let Some(refused) = refused {
        let form = NewAccountForm::blank();
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(state, request, &form, Some(refused), None, status).await;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/admin/konten?hinweis={done}")))
        .finish())
}
