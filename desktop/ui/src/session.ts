// Entering a session: pick the first facility, load its sites, go to the dashboard (or the terms).
import { api } from "./ipc";
import { go, state } from "./app";
import type { SessionView } from "./generated";

/**
 * Counts session changes (each entry, each sign-out). An entry awaits the server twice before it
 * navigates; if the user signed out or another session began meanwhile, the late entry must not draw
 * its dashboard over the new session's screen.
 */
let epoch = 0;

export async function loadFacility(): Promise<void> {
  state.facility = null;
  if (!state.facilityId) return;
  try {
    state.facility = await api.facility(state.facilityId);
  } catch {
    state.facility = null;
  }
}

/** Leaves the session: whatever entry is still loading is dropped, then the sign-in form shows. */
export function leave(): void {
  epoch += 1;
  state.session = null;
  state.facility = null;
  go({ name: "signin" });
}

export async function enter(session: SessionView): Promise<void> {
  epoch += 1;
  const mine = epoch;
  state.session = session;
  if (session.terms) {
    go({ name: "signin" });
    return;
  }
  const memberships = session.me?.memberships ?? [];
  const chosen = state.facilityId;
  state.facilityId = chosen && memberships.some((m) => m.facility_id === chosen) ? chosen : (memberships[0]?.facility_id ?? null);
  await loadFacility();
  if (!state.catalogue) state.catalogue = await api.catalogue().catch(() => null);
  if (mine !== epoch) return;
  // A doctor lands on their calendar; the Rempla team's staff accounts belong to no facility: their
  // work is the verification queue.
  if (session.role === "doctor") go({ name: "calendar" });
  else go({ name: session.role === "staff" && memberships.length === 0 ? "staff" : "dashboard" });
}
