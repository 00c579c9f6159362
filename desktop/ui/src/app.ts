// The app's state shared by screens: session, chosen facility and site, sync status. Screens read it and
// call `go` to navigate; `main.ts` draws the shell around the current screen.
import type { Catalogue, FacilityView, SessionView, SyncStatusView } from "./generated";

export type Route =
  | { name: "signin" }
  | { name: "dashboard" }
  | { name: "editor" }
  | { name: "map" }
  | { name: "candidates"; requestId: string }
  | { name: "planning" }
  | { name: "invoices" }
  | { name: "members" }
  | { name: "staff" }
  | { name: "inbox" }
  | { name: "account" }
  | { name: "signup"; server: string }
  | { name: "documents" }
  | { name: "profile" }
  | { name: "calendar" }
  | { name: "nearby" }
  | { name: "proposals" }
  | { name: "missions"; missionId?: string };

export interface AppState {
  session: SessionView | null;
  facilityId: string | null;
  facility: FacilityView | null;
  siteId: string | null;
  status: SyncStatusView;
  route: Route;
  /** Core's specialties and shift kinds with labels (loaded once at sign-in). */
  catalogue: Catalogue | null;
}

export const state: AppState = {
  session: null,
  facilityId: null,
  facility: null,
  siteId: null,
  status: { online: true, pending: 0, lastSyncAt: null, conflicts: 0 },
  route: { name: "signin" },
  catalogue: null,
};

let render: () => void = () => undefined;

export function setRenderer(f: () => void): void {
  render = f;
}

let liveHook: (() => void) | null = null;

/**
 * A screen that must not be redrawn under the user (a form beside a calendar) registers how it
 * refreshes itself when the sync worker pulled changes; leaving the screen drops it.
 */
export function setLiveHook(f: (() => void) | null): void {
  liveHook = f;
}

/** The current screen's own refresh, if it registered one. */
export function currentLiveHook(): (() => void) | null {
  return liveHook;
}

export function go(route: Route): void {
  state.route = route;
  liveHook = null;
  render();
}

export function rerender(): void {
  render();
}
