// The only door to the Rust side: typed wrappers over Tauri's `invoke` and `listen`. Screens never call
// `invoke` directly, so tests mock this whole surface with `@tauri-apps/api/mocks`.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AppError,
  Catalogue,
  FacilityView,
  Feature,
  MemberRights,
  Notice,
  Request,
  RequestDraft,
  Session,
  SyncStatus,
} from "./types";

/** Turns whatever a command threw into an `AppError` (the Rust side always sends `{code, message}`). */
export function asAppError(e: unknown): AppError {
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

export const api = {
  signIn: (server: string, email: string, password: string) =>
    call<Session>("sign_in", { form: { server, email, password } }),
  autoSignIn: () => call<Session | null>("auto_sign_in"),
  acceptTerms: () => call<Session>("accept_terms"),
  session: () => call<Session | null>("session"),
  signOut: () => call<void>("sign_out"),
  facility: (id: string) => call<FacilityView>("facility", { id }),
  listRequests: (facilityId: string | null) => call<Request[]>("list_requests", { facilityId }),
  createRequest: (draft: RequestDraft) => call<Request>("create_request", { draft }),
  syncNow: () => call<SyncStatus>("sync_now"),
  syncStatus: () => call<SyncStatus>("sync_status"),
  candidates: (requestId: string) => call<Feature>("candidates", { requestId }),
  sendProposal: (requestId: string, proposal: Record<string, unknown>) =>
    call<Feature>("send_proposal", { requestId, proposal }),
  missions: () => call<Feature>("missions"),
  proposals: (requestId: string) => call<Feature>("proposals", { requestId }),
  areaList: (area: string, facilityId: string | null) => call<Feature>("area_list", { area, facilityId }),
  verificationDecide: (doctorId: string, decision: "approve" | "reject", reason: string) =>
    call<Feature>("verification_decide", { doctorId, decision, reason }),
  verificationDocument: (doctorId: string) => call<string>("verification_document", { doctorId }),
  memberChange: (facilityId: string, memberId: string, rights: MemberRights) =>
    call<Feature>("member_change", { facilityId, memberId, rights }),
  memberRemove: (facilityId: string, memberId: string) => call<Feature>("member_remove", { facilityId, memberId }),
  memberInvite: (facilityId: string, email: string, displayName: string, rights: MemberRights) =>
    call<Feature>("member_invite", { facilityId, email, displayName, rights }),
  catalogue: () => call<Catalogue>("catalogue"),
};

export const events = {
  onStatus: (f: (s: SyncStatus) => void): Promise<UnlistenFn> => listen<SyncStatus>("sync-status", (e) => f(e.payload)),
  onRequestsChanged: (f: () => void): Promise<UnlistenFn> => listen<number>("requests-changed", () => f()),
  onServerChange: (f: (raw: string) => void): Promise<UnlistenFn> => listen<string>("server-change", (e) => f(e.payload)),
  onNotice: (f: (n: Notice) => void): Promise<UnlistenFn> => listen<Notice>("notify", (e) => f(e.payload)),
};
