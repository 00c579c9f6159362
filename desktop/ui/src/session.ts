// Entering a session: pick the first facility, load its sites, go to the dashboard (or the terms).
import { api } from "./ipc";
import { go, state } from "./app";
import type { SessionView } from "./generated";

export async function loadFacility(): Promise<void> {
  state.facility = null;
  if (!state.facilityId) return;
  try {
    state.facility = await api.facility(state.facilityId);
  } catch {
    state.facility = null;
  }
}

export async function enter(session: SessionView): Promise<void> {
  state.session = session;
  if (session.terms) {
    go({ name: "signin" });
    return;
  }
  const memberships = session.me?.memberships ?? [];
  state.facilityId = state.facilityId ?? memberships[0]?.facility_id ?? null;
  await loadFacility();
  if (!state.catalogue) state.catalogue = await api.catalogue().catch(() => null);
  // The Rempla team's staff accounts belong to no facility: their work is the verification queue.
  go({ name: session.role === "staff" && memberships.length === 0 ? "staff" : "dashboard" });
}
