// The map's side panel: the selected request's candidates, listed beside its site. Kept apart from the
// MapLibre module so it is unit-tested without WebGL. Doctors are never placed on the map: the API does
// not publish their home location (privacy), only their distance to the site (`reach.distance_km`).
import { api } from "../ipc";
import { go } from "../app";
import { errorBox, h } from "../dom";
import { t } from "../i18n";
import { candidateList, type CandidateView } from "./candidates";
import { formatDate, requestSpan } from "../format";
import type { DesktopError, Request } from "../generated";

/** The side panel's list: ranked candidates with coverage and distance to the site (never a position). */
export function candidatePanel(requestId: string, candidates: CandidateView[]): HTMLElement[] {
  const open = h("button", { class: "link" }, t("dashboard.candidates"));
  open.addEventListener("click", () => go({ name: "candidates", requestId }));
  const items = candidates.map((c) =>
    h(
      "li",
      { "data-candidate": c.doctorId },
      h("strong", {}, c.name),
      " — ",
      t(c.coverage === "complete" ? "candidates.complete" : "candidates.partial"),
      c.distanceKm === null ? ` · ${t("map.department")}` : ` · ${Math.round(c.distanceKm)} ${t("map.km")}`,
    ),
  );
  return [
    h("h3", {}, t("map.candidates")),
    items.length ? h("ol", {}, ...items) : h("p", { class: "empty" }, t("map.noCandidates")),
    h("p", { class: "muted" }, t("map.privacy")),
    open,
  ];
}

/** Fills the side panel with the candidates of `requestId` (or the honest unavailable state). */
export async function showCandidates(panel: HTMLElement, requestId: string): Promise<void> {
  panel.dataset.request = requestId;
  panel.replaceChildren(h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  try {
    const f = await api.candidates(requestId);
    if (panel.dataset.request !== requestId) return;
    panel.replaceChildren(...(f.available ? candidatePanel(requestId, candidateList(f.data)) : [h("p", { class: "empty", "data-unavailable": "candidates" }, t("area.unavailable"))]));
  } catch (e) {
    panel.replaceChildren(errorBox(e as DesktopError));
  }
}


function firstDay(r: Request): string {
  const span = requestSpan(r);
  return span ? formatDate(span.start, r.zone) : "";
}

/**
 * A cluster whose requests are all at one site (the map cannot split it by zooming): the panel lists
 * that site's requests, soonest first, and shows the candidates of the chosen one (the first at once).
 */

export async function showSite(panel: HTMLElement, requests: Request[]): Promise<void> {
  const sorted = [...requests].sort((a, b) => (requestSpan(a)?.start ?? "").localeCompare(requestSpan(b)?.start ?? ""));
  const list = h("div", { class: "candidates-of" });
  const choose = (r: Request, button: HTMLElement) => {
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    void showCandidates(list, r.id);
  };
  const buttons = sorted.map((r) => {
    const b = h("button", { class: "site-request", "data-site-request": r.id, "aria-pressed": "false" }, `${r.specialty} · ${firstDay(r)} · ${r.shifts.length} ${t("map.shifts")}`);
    b.addEventListener("click", () => choose(r, b));
    return b;
  });
  panel.dataset.site = sorted[0]?.site_id ?? "";
  panel.replaceChildren(h("h3", {}, t("map.siteRequests", { n: sorted.length })), h("div", { class: "site-requests" }, ...buttons), list);
  const first = sorted[0];
  if (first && buttons[0]) {
    buttons[0].setAttribute("aria-pressed", "true");
    await showCandidates(list, first.id);
  }
}
