//! The invitation commands: a manager withdraws an offer the facility sent; a signed-in coordinator
//! accepts or declines an offer made to their address (the lists are `area_list`'s `invitations` and
//! `my_invitations`). The server decides; its refusals come back as [`DesktopError`]s in plain French.

use rempla_client::facility::Joined;
use rempla_core::domain::FacilityId;
use tauri::AppHandle;

use crate::commands::{Feature, blocking, checked_id, with_api};
use crate::error::DesktopError;

/// Withdraws a pending invitation of the facility
/// (`DELETE /v1/facilities/{id}/invitations/{invitation_id}`): its link stops working at once.
#[tauri::command]
pub async fn invitation_revoke(
    app: AppHandle,
    facility_id: String,
    invitation_id: String,
) -> Result<Feature<()>, DesktopError> {
    blocking(move || {
        let f: FacilityId = checked_id(&facility_id)?;
        let i: uuid::Uuid = checked_id(&invitation_id)?;
        with_api(&app, |api| api.revoke_invitation(f, i))
    })
    .await
}

/// Accepts (`accept` true) or declines an offer made to the signed-in account
/// (`POST /v1/me/invitations/{id}/accept|decline`); an acceptance answers the membership made, and the
/// UI then refreshes the session so the new facility appears.
#[tauri::command]
pub async fn invitation_answer(
    app: AppHandle,
    invitation_id: String,
    accept: bool,
) -> Result<Feature<Option<Joined>>, DesktopError> {
    blocking(move || {
        let i: uuid::Uuid = checked_id(&invitation_id)?;
        if accept {
            with_api(&app, |api| api.accept_invitation(i).map(Some))
        } else {
            with_api(&app, |api| api.decline_invitation(i).map(|()| None))
        }
    })
    .await
}
