// Dashboard: the facility's open requests (from the local store: instant, offline), with their first
// start, shifts and, when the server ranks candidates, complete / partial counts. Live: redrawn when the
// sync worker pulls changes (server events).
import { api } from "../ipc";
import { go, state } from "../app";
import { errorBox, h } from "../dom";
import { t } from "../i18n";
import { daysUntil, formatDate, requestSpan } from "../format";
import { candidateCounts } from "./candidates";
import type { DesktopError, Request } from "../generated";
import { receivedInvitationsPanel } from "./invitations";

/** How many rows get their candidate counts fetched (the rest show "—" until opened). */
const COUNTED_ROWS = 25;

function siteName(id: string): string {
  return state.facility?.sites.find((s) => s.id === id)?.name ?? "—";
}

function specialtyLabel(code: string): string {
  return state.catalogue?.specialties.find((s) => s.code === code)?.label ?? code;
}

export function requestRow(r: Request): HTMLTableRowElement {
  const span = requestSpan(r);
  const days = span ? daysUntil(span.start) : 0;
  const open = h("button", { class: "link", "data-request": r.id }, t("dashboard.candidates"));
  open.addEventListener("click", () => go({ name: "candidates", requestId: r.id }));
  return h(
    "tr",
    { "data-request-row": r.id },
    h("td", {}, span ? `${formatDate(span.start, r.zone)} → ${formatDate(span.end, r.zone)}` : "—"),
    h("td", {}, siteName(r.site_id)),
    h("td", {}, specialtyLabel(r.specialty)),
    h("td", { class: "num" }, String(r.shifts.length)),
    h("td", { class: "num matches", "data-matches": r.id }, t("dashboard.matchesUnavailable")),
    h("td", { class: days <= 7 ? "num urgent" : "num" }, days === 0 ? t("dashboard.today") : t("dashboard.days", { n: days })),
    h("td", {}, open),
  );
}

async function fillCounts(table: HTMLElement, requests: Request[]): Promise<void> {
  for (const r of requests.slice(0, COUNTED_ROWS)) {
    const cell = table.querySelector<HTMLElement>(`[data-matches="${r.id}"]`);
    if (!cell) return;
    try {
      const f = await api.candidates(r.id);
      if (!f.available) return; // the server has no ranking yet: every row keeps "—"
      const { complete, partial } = candidateCounts(f.data);
      cell.textContent = `${complete} / ${partial}`;
    } catch {
      return;
    }
  }
}

/** While Rempla's staff have not verified the facility: what it can do now and what waits. */
function pendingBanner(): HTMLElement | null {
  const membership = (state.session?.me?.memberships ?? []).find((m) => m.facility_id === state.facilityId);
  if (!membership || membership.facility_verified) return null;
  return h(
    "div",
    { class: "notice warning", id: "facility-pending", role: "status" },
    h("strong", {}, t("dashboard.pending.title")),
    " ",
    t("dashboard.pending.body"),
  );
}

export function dashboardView(): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("dashboard.loading")));
  const section = h("section", { id: "dashboard" }, h("h2", {}, t("dashboard.title")), pendingBanner(), receivedInvitationsPanel(), body);
  void (async () => {
    try {
      const all = await api.listRequests(state.facilityId);
      const requests = state.siteId ? all.filter((r) => r.site_id === state.siteId) : all;
      if (requests.length === 0) {
        body.replaceChildren(h("p", { class: "empty", id: "no-requests" }, t("dashboard.empty")));
        return;
      }
      const tbody = h("tbody", {});
      // One fragment: 1,000 rows are one layout, not a thousand.
      const frag = document.createDocumentFragment();
      for (const r of requests) frag.append(requestRow(r));
      tbody.append(frag);
      const table = h(
        "table",
        { class: "grid", id: "requests-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, t("dashboard.col.when")),
            h("th", {}, t("dashboard.col.site")),
            h("th", {}, t("dashboard.col.specialty")),
            h("th", {}, t("dashboard.col.shifts")),
            h("th", {}, t("dashboard.col.matches")),
            h("th", {}, t("dashboard.col.deadline")),
            h("th", {}, ""),
          ),
        ),
        tbody,
      );
      body.replaceChildren(h("p", { id: "request-count", "data-count": requests.length }, t("dashboard.count", { n: requests.length })), table);
      section.dataset.ready = "true";
      void fillCounts(table, requests);
    } catch (e) {
      body.replaceChildren(errorBox(e as DesktopError));
    }
  })();
  return section;
}
