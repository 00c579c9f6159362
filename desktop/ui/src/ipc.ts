// The only door to the Rust side: typed wrappers over Tauri's `invoke` and `listen`. Screens never call
// `invoke` directly, so tests mock this whole surface with `@tauri-apps/api/mocks`.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
// Argument and answer types are generated from the Rust types (desktop/src-tauri/src/bindings.rs).
import type {
  AnswerView,
  AreaList,
  AvailabilityForm,
  BusyImportView,
  BusyView,
  Candidates,
  Catalogue,
  DecidedDoctor,
  DecidedFacility,
  DesktopError,
  DeviceList,
  DoctorMissionView,
  DoctorProposalView,
  DoctorSignUpForm,
  DoctorSpace,
  FacilityView,
  FeedView,
  Feature,
  Invited,
  Joined,
  MemberChanged,
  MemberRights,
  MissionList,
  NearbyView,
  NewProposal,
  OccurrenceView,
  PasswordChanged,
  Notice,
  ProposalList,
  ProposalView,
  Request,
  RequestDraft,
  SessionView,
  SyncStatusView,
} from "./generated";

/** Turns whatever a command threw into a `DesktopError` (the Rust side always sends `{code, message}`). */
export function asAppError(e: unknown): DesktopError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    return { code: String(code), message: String(message) };
  }
  return { code: "internal", message: typeof e === "string" ? e : "Erreur inattendue : réessayez." };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw asAppError(e);
  }
}

/** The read-only lists `area_list` serves (each answers one member of `AreaList`). */
export type AreaName =
  | "invoices"
  | "charges"
  | "members"
  | "invitations"
  | "my_invitations"
  | "feeds"
  | "verifications"
  | "facility_verifications"
  | "notifications";

export const api = {
  signIn: (server: string, email: string, password: string) =>
    call<SessionView>("sign_in", { form: { server, email, password } }),
  autoSignIn: () => call<SessionView | null>("auto_sign_in"),
  lostPassword: (server: string, email: string) => call<null>("lost_password", { server, email }),
  acceptTerms: () => call<SessionView>("accept_terms"),
  session: () => call<SessionView | null>("session"),
  signOut: () => call<void>("sign_out"),
  facility: (id: string) => call<FacilityView>("facility", { id }),
  listRequests: (facilityId: string | null) => call<Request[]>("list_requests", { facilityId }),
  createRequest: (draft: RequestDraft) => call<Request>("create_request", { draft }),
  syncNow: () => call<SyncStatusView>("sync_now"),
  syncStatus: () => call<SyncStatusView>("sync_status"),
  candidates: (requestId: string) => call<Feature<Candidates>>("candidates", { requestId }),
  sendProposal: (requestId: string, proposal: NewProposal) =>
    call<Feature<ProposalView>>("send_proposal", { requestId, proposal }),
  missions: () => call<Feature<MissionList>>("missions"),
  proposals: (requestId: string) => call<Feature<ProposalList>>("proposals", { requestId }),
  areaList: (area: AreaName, facilityId: string | null) => call<Feature<AreaList>>("area_list", { area, facilityId }),
  verificationDecide: (doctorId: string, decision: "approve" | "reject", reason: string) =>
    call<Feature<DecidedDoctor>>("verification_decide", { doctorId, decision, reason }),
  verificationDocument: (doctorId: string) => call<string>("verification_document", { doctorId }),
  invoicePdf: (invoiceId: string, number: string, creditNote: boolean) =>
    call<Feature<string>>("invoice_pdf", { invoiceId, number, creditNote }),
  facilityDecide: (facilityId: string, decision: "approve" | "reject", reason: string) =>
    call<Feature<DecidedFacility>>("facility_decide", { facilityId, decision, reason }),
  memberChange: (facilityId: string, memberId: string, rights: MemberRights) =>
    call<Feature<MemberChanged>>("member_change", { facilityId, memberId, rights }),
  memberRemove: (facilityId: string, memberId: string) => call<Feature<null>>("member_remove", { facilityId, memberId }),
  memberInvite: (facilityId: string, email: string, displayName: string, rights: MemberRights) =>
    call<Feature<Invited>>("member_invite", { facilityId, email, displayName, rights }),
  invitationRevoke: (facilityId: string, invitationId: string) =>
    call<Feature<null>>("invitation_revoke", { facilityId, invitationId }),
  invitationAnswer: (invitationId: string, accept: boolean) =>
    call<Feature<Joined | null>>("invitation_answer", { invitationId, accept }),
  feedCreate: (facilityId: string, siteId: string | null) => call<Feature<FeedView>>("feed_create", { facilityId, siteId }),
  feedRotate: (feedId: string) => call<Feature<FeedView>>("feed_rotate", { feedId }),
  feedRevoke: (feedId: string) => call<Feature<null>>("feed_revoke", { feedId }),
  missionOpen: (missionId: string) => call<Feature<unknown>>("mission_open", { missionId }),
  contractSign: (missionId: string, sha256: string) => call<Feature<unknown>>("contract_sign", { missionId, sha256 }),
  contractPdf: (missionId: string) => call<Feature<string>>("contract_pdf", { missionId }),
  doctorSpace: () => call<DoctorSpace>("doctor_space"),
  calendarRange: (from: string, to: string) => call<OccurrenceView[]>("calendar_range", { from, to }),
  availabilityAdd: (form: AvailabilityForm) => call<string>("availability_add", { form }),
  busyRange: (from: string, to: string) => call<BusyView[]>("busy_range", { from, to }),
  /** The `.ics` file's bytes go as the raw request body; the calendar's name in a header (percent-encoded). */
  busyImport: (bytes: Uint8Array, source: string) =>
    invoke<BusyImportView>("busy_import", bytes, { headers: { "x-source": encodeURIComponent(source) } }).catch((e: unknown) => {
      throw asAppError(e);
    }),
  availabilityRemove: (id: string) => call<null>("availability_remove", { id }),
  occurrenceRemove: (id: string, localDate: string) => call<null>("occurrence_remove", { id, localDate }),
  requestsNearMe: (from: string, to: string) => call<NearbyView[]>("requests_near_me", { from, to }),
  requestApply: (requestId: string) => call<null>("request_apply", { requestId }),
  matchingPreferences: () => call<Feature<boolean>>("matching_preferences"),
  matchingPreferencesSet: (onlyWhenAvailable: boolean) => call<Feature<boolean>>("matching_preferences_set", { onlyWhenAvailable }),
  doctorProposals: () => call<DoctorProposalView[]>("doctor_proposals"),
  doctorMissions: () => call<DoctorMissionView[]>("doctor_missions"),
  proposalAnswer: (proposalId: string, accept: boolean, reason: string | null) => call<AnswerView>("proposal_answer", { proposalId, accept, reason }),
  doctorSignUp: (form: DoctorSignUpForm) => call<string>("doctor_sign_up", { form }),
  myVault: () => call<Feature<unknown>>("my_vault"),
  /** The file's bytes go as the raw request body; its description in headers (ASCII: the name percent-encoded). */
  documentUpload: (bytes: Uint8Array, meta: { kind: string; name: string; mediaType: string; expiresOn: string | null; birthDate: string | null }) =>
    invoke<Feature<unknown>>("document_upload", bytes, {
      headers: {
        "x-kind": meta.kind,
        "x-name": encodeURIComponent(meta.name),
        "x-media-type": meta.mediaType,
        "x-expires-on": meta.expiresOn ?? "",
        "x-birth-date": meta.birthDate ?? "",
      },
    }).catch((e: unknown) => {
      throw asAppError(e);
    }),
  documentDelete: (id: string) => call<Feature<null>>("document_delete", { id }),
  myProfile: () => call<Feature<unknown>>("my_profile"),
  profileUpdate: (changes: Record<string, unknown>) => call<Feature<unknown>>("profile_update", { changes }),
  dataExport: () => call<Feature<string>>("data_export"),
  myAudit: () => call<Feature<unknown>>("my_audit"),
  accountClose: (password: string) => call<Feature<null>>("account_close", { password }),
  draftSave: (key: string, value: Record<string, string>) => call<null>("draft_save", { key, value }),
  draftLoad: (key: string) => call<unknown>("draft_load", { key }),
  draftClear: (key: string) => call<null>("draft_clear", { key }),
  notificationPreferences: () => call<Feature<unknown>>("notification_preferences"),
  notificationPreferencesSet: (preferences: Record<string, unknown>) => call<Feature<unknown>>("notification_preferences_set", { preferences }),
  myDevices: () => call<Feature<DeviceList>>("my_devices"),
  deviceSignOut: (deviceId: string) => call<Feature<null>>("device_sign_out", { deviceId }),
  passwordChange: (current: string, next: string) => call<Feature<PasswordChanged>>("password_change", { current, new: next }),
  catalogue: () => call<Catalogue>("catalogue"),
};

export const events = {
  onStatus: (f: (s: SyncStatusView) => void): Promise<UnlistenFn> => listen<SyncStatusView>("sync-status", (e) => f(e.payload)),
  onRequestsChanged: (f: () => void): Promise<UnlistenFn> => listen<number>("requests-changed", () => f()),
  onServerChange: (f: (raw: string) => void): Promise<UnlistenFn> => listen<string>("server-change", (e) => f(e.payload)),
  onNotice: (f: (n: Notice) => void): Promise<UnlistenFn> => listen<Notice>("notify", (e) => f(e.payload)),
};
