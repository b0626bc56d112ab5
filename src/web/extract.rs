//! Extractors that make a handler's checks part of its signature: [`StaffUser`] (the signed-in
//! account, put there by the staff guard), [`CsrfForm`] (a urlencoded form whose CSRF token has
//! been checked) and [`CsrfUpload`] (the same for a multipart upload). A handler that takes one of
//! them cannot read its form without the check having passed.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde::de::value::MapDeserializer;

use super::errors::AppError;
use super::staff::Staff;
use super::{csrf, upload};
use crate::app::Actor;
use crate::store::users::User;

/// The account of a request that passed the staff guard (`/admin`, `/board`).
#[derive(Debug, Clone)]
pub struct StaffUser(pub User);

impl StaffUser {
    /// The account as the actor of an operation.
    pub fn actor(&self) -> Actor {
        Actor::staff(&self.0)
    }
}

impl std::ops::Deref for StaffUser {
    type Target = User;

    fn deref(&self) -> &User {
        &self.0
    }
}

impl FromRequest for StaffUser {
    type Error = AppError;
    type Future = std::future::Ready<Result<StaffUser, AppError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let staff = request.extensions().get::<Staff>().map(|s| s.0.clone());
        std::future::ready(staff.map(StaffUser).ok_or(AppError::Forbidden))
    }
}

/// The form field that carries the CSRF token.
const CSRF_FIELD: &str = "csrf";

/// A urlencoded form whose `csrf` field matched the request's CSRF cookie; `T` is the rest of the
/// form (`Vec<(String, String)>` for a form of any fields, or a struct of `String` fields).
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T> CsrfForm<T> {
    /// The form without its token.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<CsrfForm<T>, actix_web::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The form's size limit and error pages are those of `web::Form` (see `FormConfig`).
        let pairs = web::Form::<Vec<(String, String)>>::from_request(request, payload);
        let request = request.clone();
        Box::pin(async move {
            let mut pairs = pairs.await?.into_inner();
            let token = pairs
                .iter()
                .position(|(name, _)| name == CSRF_FIELD)
                .map(|at| pairs.remove(at).1)
                .unwrap_or_default();
            csrf::verify(&request, &token)?;
            let deserializer =
                MapDeserializer::<_, serde::de::value::Error>::new(pairs.into_iter());
            let form = T::deserialize(deserializer).map_err(|_| AppError::BadRequest)?;
            Ok(CsrfForm(form))
        })
    }
}

/// A multipart upload of at most `LIMIT` bytes a field (the file in the field `datei`) whose
/// `csrf` field matched the request's CSRF cookie.
#[derive(Debug)]
pub struct CsrfUpload<const LIMIT: usize>(pub upload::Upload);

impl<const LIMIT: usize> FromRequest for CsrfUpload<LIMIT> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<CsrfUpload<LIMIT>, actix_web::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = upload::Body::new(request.headers(), payload.take());
        let request = request.clone();
        Box::pin(async move {
            let form = upload::read(body, "datei", LIMIT).await?;
            csrf::verify(&request, form.field(CSRF_FIELD))?;
            Ok(CsrfUpload(form))
        })
    }
}

/// The token of a personal link (`/t/{token}`), parsed once into its canonical form (a UUID v4,
/// any case or braces accepted). Anything else gets the same 404 as an unknown token, so nothing
/// tells a malformed link from a revoked one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalToken(String);

impl PersonalToken {
    /// The canonical token (what its SHA-256 is stored for).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromRequest for PersonalToken {
    type Error = AppError;
    type Future = std::future::Ready<Result<PersonalToken, AppError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = request
            .match_info()
            .get("token")
            .and_then(crate::tokens::canonical_token)
            .map(PersonalToken);
        std::future::ready(token.ok_or(AppError::NotFound))
    }
}
