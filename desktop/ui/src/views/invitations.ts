// Invitations (docs/api/members.md, "Invitations"): an invitation is an offer the invited person accepts.
// The members screen lists the offers the facility sent (`area_list` "invitations") with a withdraw
// button (second click confirms); the dashboard lists the offers made to the signed-in coordinator
// (`area_list` "my_invitations") with Accept / Decline — accepting refreshes the session so the new
// facility appears in the switcher. Answers are read defensively: unknown entries are skipped.
import { api } from "../ipc";
import { state } from "../app";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import { formatDate } from "../format";
import { enter } from "../session";
import type { DesktopError } from "../generated";

type Obj = Record<string, unknown>;

export const STATUSES = ["pending", "accepted", "declined", "revoked", "expired"] as const;
export type Status = (typeof STATUSES)[number];

export interface SentRow {
  id: string;
  email: string;
  name: string;
  role: string;
  invitedBy: string;
  expiresMs: number;
  status: Status;
}

export interface ReceivedRow {
  id: string;
  facilityId: string;
  facilityName: string;
  role: string;
  invitedBy: string;
  expiresMs: number;
}

function list(data: unknown): Obj[] {
  const d = typeof data === "object" && data !== null ? (data as Obj) : {};
  const raw = Array.isArray(d.invitations) ? d.invitations : [];
  return raw.filter((x): x is Obj => typeof x === "object" && x !== null && typeof (x as Obj).id === "string");
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** The facility's sent invitations, as the server lists them (pending first). */
export function sentRows(data: unknown): SentRow[] {
  return list(data).map((o) => ({
    id: str(o.id),
    email: str(o.email),
    name: str(o.display_name),
    role: str(o.role),
    invitedBy: str(o.invited_by),
    expiresMs: num(o.expires_ms),
    status: (STATUSES as readonly string[]).includes(str(o.status)) ? (o.status as Status) : "revoked",
  }));
}

/** The offers made to the signed-in account. */
export function receivedRows(data: unknown): ReceivedRow[] {
  return list(data)
    .filter((o) => typeof o.facility_id === "string")
    .map((o) => ({
      id: str(o.id),
      facilityId: str(o.facility_id),
      facilityName: str(o.facility_name),
      role: str(o.role),
      invitedBy: str(o.invited_by),
      expiresMs: num(o.expires_ms),
    }));
}

function roleName(role: string): string {
  return ["admin", "planner", "viewer"].includes(role) ? t(`members.role.${role}` as TextKey) : role;
}

/** A day in the facility's zone (or Paris), from epoch milliseconds. */
export function day(ms: number): string {
  return formatDate(new Date(ms).toISOString(), state.facility?.sites[0]?.zone ?? "Europe/Paris");
}

/** The members screen's panel: what the facility offered and where each offer stands. */
export function sentInvitationsPanel(facilityId: string): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const panel = h("div", { class: "invitations", id: "sent-invitations" }, h("h3", {}, t("invitations.sentTitle")), h("p", { class: "muted" }, t("invitations.sentHelp")), body);
  const load = () => {
    void (async () => {
      try {
        const f = await api.areaList("invitations", facilityId);
        if (!f.available) {
          body.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
          return;
        }
        const rows = sentRows(f.data);
        if (rows.length === 0) {
          body.replaceChildren(h("p", { class: "empty", id: "no-invitations" }, t("invitations.sentEmpty")));
          return;
        }
        const tbody = h("tbody", {});
        for (const r of rows) tbody.append(...sentRow(r, facilityId, load));
        body.replaceChildren(
          h(
            "table",
            { class: "grid", id: "invitations-table", "data-count": rows.length },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", {}, t("invitations.col.who")),
                h("th", {}, t("invitations.col.role")),
                h("th", {}, t("invitations.col.by")),
                h("th", {}, t("invitations.col.until")),
                h("th", {}, t("invitations.col.status")),
                h("th", {}, ""),
              ),
            ),
            tbody,
          ),
        );
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  load();
  panel.addEventListener("invitation-sent", load);
  return panel;
}

function sentRow(r: SentRow, facilityId: string, reload: () => void): HTMLElement[] {
  const err = h("td", { colspan: 6 });
  let action: HTMLElement | null = null;
  if (r.status === "pending") {
    const revoke = h("button", { "data-revoke": r.id }, t("invitations.revoke"));
    let armed = false;
    revoke.addEventListener("click", () => {
      err.replaceChildren();
      if (!armed) {
        armed = true;
        revoke.textContent = t("invitations.confirmRevoke");
        revoke.classList.add("danger");
        return;
      }
      void withProgress(revoke, t("members.saving"), () => api.invitationRevoke(facilityId, r.id))
        .then(() => {
          showNotice({ level: "success", title: t("invitations.revoked"), body: r.email });
          reload();
        })
        .catch((e: unknown) => {
          armed = false;
          revoke.textContent = t("invitations.revoke");
          revoke.classList.remove("danger");
          err.replaceChildren(errorBox(e as DesktopError));
        });
    });
    action = revoke;
  }
  const main = h(
    "tr",
    { "data-invitation": r.id, "data-status": r.status, class: r.status === "pending" ? "" : "muted" },
    h("td", {}, h("strong", {}, r.name), h("br"), h("span", { class: "muted" }, r.email)),
    h("td", {}, roleName(r.role)),
    h("td", {}, r.invitedBy),
    h("td", {}, r.expiresMs ? day(r.expiresMs) : "—"),
    h("td", {}, h("span", { class: r.status === "pending" ? "badge" : "" }, t(`invitations.status.${r.status}` as TextKey))),
    h("td", {}, action),
  );
  return [main, h("tr", { class: "row-error" }, err)];
}

/** The dashboard's panel of offers made to me; empty (hidden) when there are none. */
export function receivedInvitationsPanel(): HTMLElement {
  const panel = h("section", { class: "card invitations-received", id: "my-invitations", hidden: true, "aria-live": "polite" });
  const load = () => {
    void (async () => {
      try {
        const f = await api.areaList("my_invitations", null);
        const rows = f.available ? receivedRows(f.data) : [];
        if (rows.length === 0) {
          panel.hidden = true;
          panel.replaceChildren();
          return;
        }
        panel.hidden = false;
        panel.replaceChildren(h("h3", {}, t("invitations.receivedTitle")), ...rows.map((r) => receivedCard(r, load)));
      } catch {
        panel.hidden = true; // the dashboard works without this panel
      }
    })();
  };
  load();
  return panel;
}

function receivedCard(r: ReceivedRow, reload: () => void): HTMLElement {
  const err = h("div", {});
  const accept = h("button", { class: "primary", "data-accept-invitation": r.id }, t("invitations.accept"));
  const decline = h("button", { "data-decline-invitation": r.id }, t("invitations.decline"));
  accept.addEventListener("click", () => {
    err.replaceChildren();
    void withProgress(accept, t("members.saving"), async () => {
      await api.invitationAnswer(r.id, true);
      showNotice({ level: "success", title: t("invitations.joined", { facility: r.facilityName }), body: roleName(r.role) });
      const session = await api.session();
      if (session) {
        state.facilityId = r.facilityId;
        await enter(session);
      }
    }).catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  decline.addEventListener("click", () => {
    err.replaceChildren();
    void withProgress(decline, t("members.saving"), () => api.invitationAnswer(r.id, false))
      .then(() => {
        showNotice({ level: "info", title: t("invitations.declined"), body: r.facilityName });
        reload();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  return h(
    "div",
    { class: "invitation", "data-received-invitation": r.id },
    h("p", {}, t("invitations.receivedLine", { facility: r.facilityName, role: roleName(r.role), by: r.invitedBy, date: day(r.expiresMs) })),
    h("div", { class: "actions" }, accept, decline),
    err,
  );
}
