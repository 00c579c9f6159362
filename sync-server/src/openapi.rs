//! `GET /v1/openapi.json`: an OpenAPI 3.1 description built from the route table below, which lists
//! every route the router serves (a test checks both agree), with its request and answer shapes.

use axum::Json;
use serde_json::{Map, Value, json};

/// One documented route: method, path, summary, whether it needs a token, request body schema name.
pub const ROUTES: &[(&str, &str, &str, bool, Option<&str>)] = &[
    ("get", "/v1/health", "Le processus répond", false, None),
    ("get", "/v1/ready", "La base de données répond", false, None),
    ("get", "/v1/openapi.json", "Cette description", false, None),
    (
        "post",
        "/v1/accounts/doctors",
        "Inscription d'un médecin (e-mail d'activation)",
        false,
        Some("DoctorSignUp"),
    ),
    (
        "post",
        "/v1/accounts/facilities",
        "Inscription d'un établissement et de son premier administrateur",
        false,
        Some("FacilitySignUp"),
    ),
    (
        "post",
        "/v1/accounts/activate",
        "Activation par le jeton reçu par e-mail",
        false,
        Some("Activate"),
    ),
    (
        "get",
        "/v1/accounts/activate",
        "Lien d'activation ouvert dans un navigateur",
        false,
        None,
    ),
    (
        "post",
        "/v1/auth/login",
        "Connexion : jeton par appareil",
        false,
        Some("Login"),
    ),
    (
        "post",
        "/v1/auth/logout",
        "Déconnexion de cet appareil",
        true,
        None,
    ),
    (
        "post",
        "/v1/auth/lost-password",
        "Mot de passe perdu : révoque tous les jetons, envoie un lien",
        false,
        Some("LostPassword"),
    ),
    (
        "post",
        "/v1/auth/reset-password",
        "Nouveau mot de passe par le lien reçu",
        false,
        Some("ResetPassword"),
    ),
    ("get", "/v1/terms/current", "CGU en vigueur", false, None),
    (
        "post",
        "/v1/terms/accept",
        "Acceptation des CGU (preuve conservée)",
        true,
        Some("AcceptTerms"),
    ),
    (
        "get",
        "/v1/me",
        "Compte, profil et appartenances de l'appelant",
        true,
        None,
    ),
    (
        "get",
        "/v1/doctors/{id}",
        "Profil d'un médecin tel que l'appelant peut le voir",
        true,
        None,
    ),
    (
        "post",
        "/v1/staff/doctors/{id}/status",
        "Décision de l'équipe sur un médecin",
        true,
        Some("SetStatus"),
    ),
    (
        "get",
        "/v1/facilities/{id}",
        "Établissement et sites (membres, équipe)",
        true,
        None,
    ),
    (
        "post",
        "/v1/facilities/{id}/sites",
        "Ajout ou modification d'un site",
        true,
        Some("Site"),
    ),
    (
        "get",
        "/v1/facilities/{id}/members",
        "Membres de l'établissement, leurs rôles et droits",
        true,
        None,
    ),
    (
        "post",
        "/v1/facilities/{id}/members",
        "Invitation d'une personne : une offre envoyée par e-mail, rien n'est créé avant son accord",
        true,
        Some("Invite"),
    ),
    (
        "get",
        "/v1/facilities/{id}/invitations",
        "Invitations envoyées par l'établissement et leur état",
        true,
        None,
    ),
    (
        "delete",
        "/v1/facilities/{id}/invitations/{invitation_id}",
        "Retrait d'une invitation en attente",
        true,
        None,
    ),
    (
        "get",
        "/v1/me/devices",
        "Appareils connectés au compte",
        true,
        None,
    ),
    (
        "delete",
        "/v1/me/devices/{device_id}",
        "Déconnexion d'un appareil",
        true,
        None,
    ),
    (
        "post",
        "/v1/me/password",
        "Changement du mot de passe (l'actuel requis) ; les autres sessions sont fermées",
        true,
        Some("ChangePassword"),
    ),
    (
        "get",
        "/v1/me/feeds",
        "Abonnements d'agenda de l'appelant, avec leurs adresses secrètes",
        true,
        None,
    ),
    (
        "post",
        "/v1/me/feeds",
        "Nouvel abonnement d'agenda (médecin : ses missions ; établissement : un site ou tous)",
        true,
        Some("NewFeed"),
    ),
    (
        "post",
        "/v1/me/feeds/{id}/rotate",
        "Nouvelle adresse secrète d'un abonnement (l'ancienne cesse aussitôt)",
        true,
        None,
    ),
    (
        "delete",
        "/v1/me/feeds/{id}",
        "Suppression d'un abonnement d'agenda",
        true,
        None,
    ),
    (
        "get",
        "/feeds/{id}/{secret}",
        "Flux iCalendar d'un abonnement, pour qui détient son adresse (ETag, 304)",
        false,
        None,
    ),
    (
        "get",
        "/v1/me/invitations",
        "Invitations reçues par l'adresse du compte",
        true,
        None,
    ),
    (
        "post",
        "/v1/me/invitations/{id}/accept",
        "Acceptation d'une invitation reçue",
        true,
        None,
    ),
    (
        "post",
        "/v1/me/invitations/{id}/decline",
        "Refus d'une invitation reçue",
        true,
        None,
    ),
    (
        "post",
        "/v1/invitations/accept",
        "Acceptation d'une invitation par le lien de l'e-mail, avec création du compte",
        false,
        Some("AcceptInvitation"),
    ),
    (
        "post",
        "/v1/invitations/decline",
        "Refus d'une invitation par le lien de l'e-mail",
        false,
        Some("DeclineInvitation"),
    ),
    (
        "put",
        "/v1/facilities/{id}/members/{member_id}",
        "Changement du rôle et des droits d'un membre",
        true,
        Some("RightsBody"),
    ),
    (
        "delete",
        "/v1/facilities/{id}/members/{member_id}",
        "Retrait d'un membre (jamais le dernier administrateur)",
        true,
        None,
    ),
    (
        "post",
        "/v1/sync/push",
        "Envoi d'un lot d'opérations",
        true,
        Some("PushRequest"),
    ),
    (
        "post",
        "/v1/sync/pull",
        "Changements après un curseur",
        true,
        Some("PullRequest"),
    ),
    ("get", "/v1/events", "Flux SSE des changements", true, None),
    (
        "get",
        "/v1/requests/{id}/candidates",
        "Candidats d'une demande : classés, expliqués, couverture complète ou partielle, répartition",
        true,
        None,
    ),
    (
        "get",
        "/v1/me/requests",
        "Demandes ouvertes qui correspondent au calendrier du médecin (et regroupements pour la carte)",
        true,
        None,
    ),
    (
        "post",
        "/v1/requests/{id}/proposals",
        "Proposition d'une demande à un médecin (délai de réponse : 3 jours ouvrés)",
        true,
        Some("ProposalBody"),
    ),
    (
        "post",
        "/v1/requests/{id}/applications",
        "Candidature d'un médecin vérifié à une demande ouverte",
        true,
        Some("ApplicationBody"),
    ),
    (
        "get",
        "/v1/proposals",
        "Propositions et candidatures de l'appelant, par pages (limit, before)",
        true,
        None,
    ),
    (
        "post",
        "/v1/proposals/{id}/answer",
        "Réponse à une proposition (acceptation : mission, déblocage des coordonnées)",
        true,
        Some("AnswerBody"),
    ),
    (
        "get",
        "/v1/missions",
        "Missions de l'appelant, par pages (limit, before)",
        true,
        None,
    ),
    (
        "get",
        "/v1/missions/{id}",
        "Mission et coordonnées débloquées de l'autre partie (lecture journalisée)",
        true,
        None,
    ),
    (
        "post",
        "/v1/missions/{id}/cancel",
        "Annulation d'une mission (retard par rapport au début enregistré)",
        true,
        Some("CancelBody"),
    ),
    (
        "get",
        "/v1/missions/{id}/contract",
        "Contrat de remplacement : éléments, empreinte de version, signatures",
        true,
        None,
    ),
    (
        "get",
        "/v1/missions/{id}/contract.pdf",
        "Contrat de remplacement en PDF",
        true,
        None,
    ),
    (
        "post",
        "/v1/missions/{id}/contract/sign",
        "Signature du contrat par clic (preuve conservée)",
        true,
        Some("SignBody"),
    ),
    (
        "get",
        "/v1/me/matching-preferences",
        "Préférence « ne me contacter que si je suis disponible »",
        true,
        None,
    ),
    (
        "put",
        "/v1/me/matching-preferences",
        "Modification de la préférence « ne me contacter que si je suis disponible »",
        true,
        Some("MatchPrefs"),
    ),
    (
        "put",
        "/v1/staff/tariffs",
        "Grille tarifaire à partir d'une date (équipe Rempla)",
        true,
        Some("TariffInput"),
    ),
    (
        "get",
        "/v1/tariffs",
        "Grille en vigueur et historique",
        true,
        None,
    ),
    (
        "get",
        "/v1/staff/invoices",
        "Journal des ventes d'une année (?year=), contrôle de continuité (équipe Rempla)",
        true,
        None,
    ),
    (
        "get",
        "/v1/invoices/{id}",
        "Une facture ou un avoir (JSON)",
        true,
        None,
    ),
    (
        "get",
        "/v1/invoices/{id}.pdf",
        "Une facture ou un avoir (PDF)",
        true,
        None,
    ),
    (
        "get",
        "/v1/facilities/{id}/invoices",
        "Factures et avoirs d'un établissement",
        true,
        None,
    ),
    (
        "get",
        "/v1/facilities/{id}/charges",
        "Relevé des frais d'un établissement (?from=&to=&format=json|csv)",
        true,
        None,
    ),
    (
        "put",
        "/v1/me/push-targets",
        "Cible push de cet appareil (Web Push, FCM, APNs)",
        true,
        Some("PushTarget"),
    ),
    (
        "get",
        "/v1/me/push-targets",
        "Cibles push du compte",
        true,
        None,
    ),
    (
        "delete",
        "/v1/me/push-targets/{id}",
        "Suppression d'une cible push",
        true,
        None,
    ),
    (
        "get",
        "/v1/me/notification-preferences",
        "Préférences de notification",
        true,
        None,
    ),
    (
        "put",
        "/v1/me/notification-preferences",
        "Remplacement des préférences de notification",
        true,
        Some("NotificationPreferences"),
    ),
    (
        "get",
        "/v1/notifications",
        "Boîte de réception (page)",
        true,
        None,
    ),
    (
        "get",
        "/v1/me/deliveries",
        "Envois de notifications du compte (échecs compris)",
        true,
        None,
    ),
    (
        "get",
        "/v1/staff/deliveries",
        "Envois de notifications (équipe)",
        true,
        None,
    ),
    (
        "post",
        "/v1/staff/deliveries/{id}/retry",
        "Relance d'un envoi en échec (équipe)",
        true,
        None,
    ),
    (
        "get",
        "/v1/facilities/{id}/sms-credits",
        "Crédits SMS d'un établissement",
        true,
        None,
    ),
    (
        "post",
        "/v1/staff/facilities/{id}/sms-credits",
        "Recharge de crédits SMS (équipe)",
        true,
        Some("SmsTopUp"),
    ),
    (
        "get",
        "/v1/push/vapid-public-key",
        "Clé publique VAPID pour les abonnements Web Push",
        false,
        None,
    ),
    (
        "post",
        "/v1/me/documents",
        "Dépôt d'un document (corps brut PDF, JPEG ou PNG ; kind, name, expires_on, birth_date en paramètres)",
        true,
        None,
    ),
    (
        "get",
        "/v1/me/documents",
        "Coffre de documents du médecin",
        true,
        None,
    ),
    (
        "get",
        "/v1/me/documents/{id}",
        "Téléchargement d'un de ses documents",
        true,
        None,
    ),
    (
        "delete",
        "/v1/me/documents/{id}",
        "Suppression d'un de ses documents",
        true,
        None,
    ),
    (
        "get",
        "/v1/missions/{id}/documents",
        "Documents partagés pour une mission (établissement de la mission)",
        true,
        None,
    ),
    (
        "get",
        "/v1/missions/{id}/documents/{document_id}",
        "Lecture d'un document partagé (journalisée)",
        true,
        None,
    ),
    (
        "get",
        "/v1/staff/verifications",
        "File des médecins à vérifier, plus anciens d'abord",
        true,
        None,
    ),
    (
        "post",
        "/v1/staff/verifications/{id}",
        "Validation ou refus motivé d'un médecin",
        true,
        Some("VerificationDecision"),
    ),
    (
        "get",
        "/v1/staff/verifications/{id}/document",
        "Pièce d'identité d'un médecin à vérifier (journalisée)",
        true,
        None,
    ),
    (
        "get",
        "/v1/me/profile",
        "Mon profil : toutes mes données",
        true,
        None,
    ),
    (
        "patch",
        "/v1/me/profile",
        "Correction de mes données",
        true,
        Some("ProfilePatch"),
    ),
    (
        "get",
        "/v1/me/export",
        "Téléchargement de toutes mes données (ZIP)",
        true,
        None,
    ),
    (
        "get",
        "/v1/me/audit",
        "Qui a consulté ou modifié mes données",
        true,
        None,
    ),
    (
        "delete",
        "/v1/me",
        "Fermeture de mon compte (mot de passe requis)",
        true,
        Some("CloseAccount"),
    ),
];

fn schemas() -> Value {
    let s = |v: &[&str]| json!({"type": "object", "required": v});
    json!({
        "ApiError": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}}},
        "DoctorSignUp": s(&["email", "password", "rpps", "first_name", "last_name", "specialties"]),
        "FacilitySignUp": s(&["email", "password", "display_name", "facility"]),
        "Activate": s(&["token"]),
        "Login": s(&["email", "password", "device_id", "device_name", "platform"]),
        "LostPassword": s(&["email"]),
        "ResetPassword": s(&["token", "password"]),
        "AcceptTerms": s(&["version", "sha256"]),
        "SetStatus": s(&["status"]),
        "Site": s(&["id", "name", "address", "postcode", "commune_code", "department", "location", "zone"]),
        "Invite": s(&["email", "display_name", "role"]),
        "AcceptInvitation": s(&["token", "display_name", "password"]),
        "DeclineInvitation": s(&["token"]),
        "NewFeed": s(&[]),
        "ChangePassword": s(&["current_password", "new_password"]),
        "RightsBody": s(&["role"]),
        "PushRequest": s(&["protocol", "device_id", "ops"]),
        "PullRequest": s(&["protocol"]),
        "PushTarget": s(&["kind"]),
        "NotificationPreferences": s(&[]),
        "SmsTopUp": s(&["amount"]),
        "ProposalBody": s(&["doctor_id"]),
        "ApplicationBody": s(&[]),
        "AnswerBody": s(&["answer"]),
        "CancelBody": s(&["reason"]),
        "SignBody": s(&["sha256"]),
        "MatchPrefs": s(&["only_when_available"]),
        "TariffInput": s(&["valid_from", "day_cents", "night_cents", "garde_day_cents", "garde_night_cents", "astreinte_cents", "vat_bps"]),
        "VerificationDecision": s(&["decision"]),
        "ProfilePatch": s(&[]),
        "CloseAccount": s(&["password"]),
    })
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for (method, path, summary, auth, body) in ROUTES {
        let mut op = json!({
            "summary": summary,
            "responses": {
                "default": {"description": "Erreur", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ApiError"}}}},
                "200": {"description": "Succès"}
            }
        });
        if *auth {
            op["security"] = json!([{"bearer": []}]);
        }
        if let Some(b) = body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{b}")}}}});
        }
        let parameters = path_parameters(path);
        if !parameters.is_empty() {
            op["parameters"] = Value::Array(parameters);
        }
        let entry = paths
            .entry((*path).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(o) = entry.as_object_mut() {
            o.insert((*method).to_owned(), op);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Rempla", "version": env!("CARGO_PKG_VERSION"),
                 "description": "API du serveur de synchronisation Rempla, protocole v1 (docs/sync-protocol.md)"},
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        }
    })
}

/// One OpenAPI path parameter per `{name}` in a route template (OpenAPI requires each to be declared):
/// names ending in `id` are UUIDs, the others plain strings.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .map(|name| {
            let schema = if name == "id" || name.ends_with("_id") {
                json!({"type": "string", "format": "uuid"})
            } else {
                json!({"type": "string"})
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect()
}

/// `GET /v1/openapi.json`.
pub async fn openapi_json() -> Json<Value> {
    Json(document())
}
