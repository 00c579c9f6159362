//! The page an invitation e-mail's link opens (`GET /invitation?token=…`), in any browser, without
//! script: it says which facility offers which role, then — for someone without an account — a form to
//! accept (name and password: the account is made then) and a button to decline; for an address with
//! an account, where to accept (the app, signed in). Its forms post to `POST /invitation`, which answers
//! with the next page; a refused form comes back with the reason and the name typed kept.

use axum::Form;
use axum::Router;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use rempla_core::api::members::InvitationStatus;
use serde::Deserialize;

use super::invitations::StoredInvitation;
use super::invitations_http::{accept_by_token, decline_by_token, role_label};
use crate::accounts::http::address;
use crate::accounts::queries::AccountKind;
use crate::accounts::throttle;
use crate::auth::sha256_hex;
use crate::http::error::AppError;
use crate::http::extract::ClientIp;
use crate::http::page::{alert, escape, page, para, sentence, unreadable_form};
use crate::http::state::AppState;

/// The page's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/invitation", get(show).post(answer))
}

/// Query of the link.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    /// The e-mail's token.
    #[serde(default)]
    pub token: String,
}

/// What the page's forms post.
#[derive(Deserialize)]
pub struct AnswerForm {
    /// The e-mail's token (a hidden field).
    #[serde(default)]
    pub token: String,
    /// `accept` or `decline`.
    #[serde(default)]
    pub action: String,
    /// The name chosen (accept).
    #[serde(default)]
    pub display_name: String,
    /// The password chosen (accept).
    #[serde(default)]
    pub password: String,
    /// The password again (accept).
    #[serde(default)]
    pub password_confirm: String,
}

const GONE: &str = "Ce lien d'invitation n'est plus valable : il a déjà servi, l'établissement l'a \
                    retiré, ou il a expiré. Demandez une nouvelle invitation à l'établissement.";

fn gone() -> Response {
    page(StatusCode::GONE, "Invitation indisponible", &para(GONE))
}

fn summary(inv: &StoredInvitation) -> String {
    format!(
        "<p>L'établissement <strong>{}</strong>, vérifié par l'équipe Rempla, vous invite à rejoindre \
         son équipe comme <strong>{}</strong>.</p><p class=\"hint\">Invitation adressée à {}.</p>",
        escape(&inv.facility_name),
        escape(role_label(inv.offer.role)),
        escape(&inv.email),
    )
}

fn decline_form(token: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/invitation\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
         <input type=\"hidden\" name=\"action\" value=\"decline\">\
         <button type=\"submit\" class=\"secondary\">Refuser l'invitation</button></form>",
        escape(token)
    )
}

fn accept_form(token: &str, name: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/invitation\"><input type=\"hidden\" name=\"token\" value=\"{t}\">\
         <input type=\"hidden\" name=\"action\" value=\"accept\">\
         <h2>Accepter et créer mon compte</h2>\
         <label for=\"display_name\">Votre nom, tel que l'équipe le verra</label>\
         <input id=\"display_name\" name=\"display_name\" required maxlength=\"100\" autocomplete=\"name\" value=\"{n}\">\
         <label for=\"password\">Mot de passe</label>\
         <input id=\"password\" name=\"password\" type=\"password\" required minlength=\"10\" \
         autocomplete=\"new-password\" aria-describedby=\"password-hint\">\
         <p id=\"password-hint\" class=\"hint\">10 caractères au moins.</p>\
         <label for=\"password_confirm\">Mot de passe, encore une fois</label>\
         <input id=\"password_confirm\" name=\"password_confirm\" type=\"password\" required minlength=\"10\" \
         autocomplete=\"new-password\">\
         <button type=\"submit\">Accepter l'invitation</button></form>",
        t = escape(token),
        n = escape(name),
    )
}

/// The page for a live invitation: the offer, then the way to answer that fits the address.
fn offer_page(
    inv: &StoredInvitation,
    account: Option<(AccountKind, bool)>,
    token: &str,
    name: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let mut body = summary(inv);
    if let Some(e) = error {
        body.push_str(&alert(e));
    }
    match account {
        None => body.push_str(&accept_form(token, name)),
        Some((_, true)) => body.push_str(&para(
            "Le compte Rempla de cette adresse a été fermé : demandez à l'établissement une \
             invitation à une autre adresse.",
        )),
        Some((AccountKind::Facility, false)) => body.push_str(&para(&format!(
            "Vous avez déjà un compte Rempla avec l'adresse {}. Connectez-vous dans l'application \
             Rempla : l'invitation vous y attend, sur le tableau de bord, pour l'accepter ou la refuser.",
            inv.email
        ))),
        Some(_) => body.push_str(&para(
            "Cette adresse est celle d'un compte médecin sur Rempla. Un compte d'établissement demande \
             une autre adresse : demandez à l'établissement de vous inviter à celle-ci.",
        )),
    }
    body.push_str(&decline_form(token));
    page(status, "Invitation à rejoindre un établissement", &body)
}

/// `GET /invitation?token=…`.
pub async fn show(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    query: Result<Query<LinkQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    let token = query.map(|Query(q)| q.token).unwrap_or_default();
    let found = state
        .storage
        .invitation_by_token(sha256_hex(token.as_bytes()), state.clock.now_ms())
        .await?;
    Ok(match found {
        Some((inv, account))
            if inv.status == InvitationStatus::Pending && inv.facility_verified =>
        {
            offer_page(&inv, account, &token, "", None, StatusCode::OK)
        }
        _ => gone(),
    })
}

/// `POST /invitation`: the page's forms.
pub async fn answer(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    form: Result<Form<AnswerForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    let Ok(Form(form)) = form else {
        return Ok(unreadable_form());
    };
    if form.action == "decline" {
        return Ok(match decline_by_token(&state, &form.token).await {
            Ok(()) => page(
                StatusCode::OK,
                "Invitation refusée",
                &para(
                    "C'est noté : l'établissement sait que vous avez refusé. Aucun compte n'a été créé.",
                ),
            ),
            Err(AppError::Refused { .. }) => gone(),
            Err(e) => return Err(e),
        });
    }
    let token_hash = sha256_hex(form.token.as_bytes());
    let Some((inv, account)) = state
        .storage
        .invitation_by_token(token_hash, state.clock.now_ms())
        .await?
        .filter(|(inv, _)| inv.status == InvitationStatus::Pending && inv.facility_verified)
    else {
        return Ok(gone());
    };
    let refuse = |message: &str, status: StatusCode| {
        offer_page(
            &inv,
            account,
            &form.token,
            &form.display_name,
            Some(message),
            status,
        )
    };
    if form.password != form.password_confirm {
        return Ok(refuse(
            "Les deux mots de passe diffèrent : tapez-les à nouveau.",
            StatusCode::BAD_REQUEST,
        ));
    }
    match accept_by_token(
        &state,
        &form.token,
        &form.display_name,
        form.password.clone(),
    )
    .await
    {
        Ok(joined) => Ok(page(
            StatusCode::OK,
            "Bienvenue dans l'équipe",
            &format!(
                "{}{}",
                para(&format!(
                    "Vous avez rejoint {} sur Rempla. Votre compte est prêt.",
                    joined.facility_name
                )),
                para(&format!(
                    "Ouvrez l'application Rempla et connectez-vous avec l'adresse {} et le mot de passe \
                     que vous venez de choisir.",
                    inv.email
                )),
            ),
        )),
        Err(AppError::RateLimited) => Err(AppError::RateLimited),
        Err(e @ (AppError::Validation { .. } | AppError::Refused { .. })) => {
            let status = e.status();
            Ok(refuse(&sentence(&e.to_string()), status))
        }
        Err(e) => Err(e),
    }
}
