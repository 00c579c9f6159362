//! The pages the account e-mails' links open, in any browser, without script (through
//! `crate::http::page`): the activation link (`GET /v1/accounts/activate?token=…`) activates and says
//! so; the reset link (`/reinitialiser-mot-de-passe?token=…`) shows a form to choose the new password
//! (twice), posts it back, and says that every session was closed. A used or lapsed link says so in
//! plain French, and a refused form comes back with the reason. The activation link's JSON `POST` is
//! routed here too (one path, one router).

use axum::Form;
use axum::Router;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::http::{activate, address, do_activate, reset_link_live, reset_with_token};
use super::throttle;
use crate::http::error::AppError;
use crate::http::extract::ClientIp;
use crate::http::page::{alert, escape, page, para, sentence, unreadable_form};
use crate::http::state::AppState;

/// The pages' routes (the activation link's `GET` lives beside its JSON `POST`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/accounts/activate", get(activation).post(activate))
        .route(
            "/reinitialiser-mot-de-passe",
            get(reset_form).post(reset_done),
        )
}

/// Query of a link.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    /// Token from the e-mail.
    #[serde(default)]
    pub token: String,
}

/// What the reset form posts.
#[derive(Deserialize)]
pub struct ResetForm {
    /// The e-mail's token (a hidden field).
    #[serde(default)]
    pub token: String,
    /// The new password.
    #[serde(default)]
    pub password: String,
    /// The new password again.
    #[serde(default)]
    pub password_confirm: String,
}

fn token_of(query: Result<Query<LinkQuery>, axum::extract::rejection::QueryRejection>) -> String {
    query.map(|Query(q)| q.token).unwrap_or_default()
}

/// `GET /v1/accounts/activate?token=…`: the link of the activation e-mail.
pub async fn activation(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    query: Result<Query<LinkQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    Ok(match do_activate(&state, &token_of(query), None).await {
        Ok(()) => page(
            StatusCode::OK,
            "Compte activé",
            &para("Votre adresse est confirmée. Vous pouvez vous connecter à Rempla."),
        ),
        Err(AppError::Validation { message, .. }) => page(
            StatusCode::BAD_REQUEST,
            "Lien d'activation",
            &para(&sentence(&message)),
        ),
        Err(e) => return Err(e),
    })
}

fn form(token: &str, error: Option<&str>) -> String {
    format!(
        "{}<form method=\"post\" action=\"/reinitialiser-mot-de-passe\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <label for=\"password\">Nouveau mot de passe</label>\
         <input id=\"password\" name=\"password\" type=\"password\" required minlength=\"10\" \
         autocomplete=\"new-password\" aria-describedby=\"password-hint\">\
         <p id=\"password-hint\" class=\"hint\">10 caractères au moins. Vos autres sessions seront fermées.</p>\
         <label for=\"password_confirm\">Nouveau mot de passe, encore une fois</label>\
         <input id=\"password_confirm\" name=\"password_confirm\" type=\"password\" required minlength=\"10\" \
         autocomplete=\"new-password\">\
         <button type=\"submit\">Enregistrer le nouveau mot de passe</button></form>",
        error.map(alert).unwrap_or_default(),
        escape(token)
    )
}

const GONE: &str = "Ce lien de réinitialisation n'est plus valable : il a déjà servi ou il a expiré. \
                    Demandez-en un nouveau depuis l'écran de connexion (« Mot de passe oublié »).";

/// `GET /reinitialiser-mot-de-passe?token=…`: the reset e-mail's link.
pub async fn reset_form(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    query: Result<Query<LinkQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    let token = token_of(query);
    Ok(if reset_link_live(&state, &token).await? {
        page(
            StatusCode::OK,
            "Choisir un nouveau mot de passe",
            &form(&token, None),
        )
    } else {
        page(StatusCode::GONE, "Lien expiré", &para(GONE))
    })
}

/// `POST /reinitialiser-mot-de-passe`: the form.
pub async fn reset_done(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    form_data: Result<Form<ResetForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    let Ok(Form(f)) = form_data else {
        return Ok(unreadable_form());
    };
    if !reset_link_live(&state, &f.token).await? {
        return Ok(page(StatusCode::GONE, "Lien expiré", &para(GONE)));
    }
    let title = "Choisir un nouveau mot de passe";
    if f.password != f.password_confirm {
        return Ok(page(
            StatusCode::BAD_REQUEST,
            title,
            &form(
                &f.token,
                Some("Les deux mots de passe diffèrent : tapez-les à nouveau."),
            ),
        ));
    }
    match reset_with_token(&state, &f.token, f.password).await {
        Ok(()) => Ok(page(
            StatusCode::OK,
            "Mot de passe changé",
            &format!(
                "{}{}",
                para("Votre nouveau mot de passe est enregistré."),
                para(
                    "Toutes vos sessions ouvertes ont été fermées : reconnectez-vous dans l'application \
                     Rempla avec ce mot de passe."
                )
            ),
        )),
        Err(AppError::Validation { message, .. }) => Ok(page(
            StatusCode::BAD_REQUEST,
            title,
            &form(&f.token, Some(&sentence(&message))),
        )),
        Err(e) => Err(e),
    }
}
