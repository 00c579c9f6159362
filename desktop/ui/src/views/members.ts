// Members and rights (admins, docs/api/members.md): the facility's members from
// `GET /v1/facilities/{id}/members`, each with a role and check boxes for the rights beyond it, saved as
// a whole (`PUT …/members/{member_id}`); removal after a confirming second click (`DELETE`); an
// invitation form (`POST …/members`: an offer the person accepts, listed below with its state, see
// `invitations.ts`). The server decides (rights, last administrator): its refusals
// are shown in plain French under the row. A server without the list shows "not available".
import { api } from "../ipc";
import { state } from "../app";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import type { DesktopError } from "../generated";
import { day, sentInvitationsPanel } from "./invitations";

export const RIGHTS = ["read", "post_requests", "propose", "billing", "manage_members"] as const;
export type Right = (typeof RIGHTS)[number];
export const ROLES = ["admin", "planner", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** Rights every member of a role has (the server's `MemberRole::rights`). */
export function roleRights(role: string): Right[] {
  switch (role) {
    case "admin":
      return [...RIGHTS];
    case "planner":
      return ["read", "post_requests", "propose"];
    default:
      return ["read"];
  }
}

export interface Delegation {
  right: string;
  site_id?: string;
}

export interface MemberRow {
  memberId: string;
  name: string;
  email: string;
  role: Role;
  delegations: Delegation[];
  activated: boolean;
  you: boolean;
}

type Obj = Record<string, unknown>;

/** The list answer, read defensively: entries without a member id are skipped. */
export function memberRows(data: unknown): MemberRow[] {
  const d = typeof data === "object" && data !== null ? (data as Obj) : {};
  const raw = Array.isArray(d.members) ? d.members : [];
  const out: MemberRow[] = [];
  for (const x of raw) {
    if (typeof x !== "object" || x === null) continue;
    const o = x as Obj;
    if (typeof o.member_id !== "string") continue;
    const role = (ROLES as readonly string[]).includes(String(o.role)) ? (o.role as Role) : "viewer";
    const delegations = (Array.isArray(o.delegations) ? o.delegations : [])
      .filter((g): g is Obj => typeof g === "object" && g !== null && typeof (g as Obj).right === "string")
      .map((g) => (typeof g.site_id === "string" ? { right: g.right as string, site_id: g.site_id } : { right: g.right as string }));
    out.push({
      memberId: o.member_id,
      name: typeof o.display_name === "string" ? o.display_name : "",
      email: typeof o.email === "string" ? o.email : "",
      role,
      delegations,
      activated: o.activated !== false,
      you: o.you === true,
    });
  }
  return out;
}

/**
 * The delegations to send: the checked facility-wide rights the role does not already give, plus the
 * previous site-limited delegations (this screen does not edit them, so it keeps them).
 */
export function delegationsFor(role: string, checked: string[], previous: Delegation[]): Delegation[] {
  const base = roleRights(role) as string[];
  const wide = [...new Set(checked)].filter((r) => !base.includes(r)).map((right) => ({ right }));
  const limited = previous.filter((d) => d.site_id !== undefined && !base.includes(d.right) && !checked.includes(d.right));
  return [...wide, ...limited];
}

/** Whether the signed-in user may manage this facility's members (role or facility-wide delegation). */
export function canManage(facilityId: string | null): boolean {
  const m = (state.session?.me?.memberships ?? []).find((x) => x.facility_id === facilityId);
  if (!m) return false;
  if (m.role === "admin") return true;
  return (m.delegations ?? []).some((d) => typeof d === "object" && d !== null && (d as Obj).right === "manage_members" && !(d as Obj).site_id);
}

function roleSelect(value: string, label: string): HTMLSelectElement {
  const sel = h("select", { "aria-label": label, "data-role": "" });
  for (const r of ROLES) {
    const o = h("option", { value: r }, t(`members.role.${r}` as TextKey));
    if (r === value) o.selected = true;
    sel.append(o);
  }
  return sel;
}

function siteName(id: string): string {
  return state.facility?.sites.find((s) => s.id === id)?.name ?? id;
}

/** A member's row and, under it, a full-width row for the server's refusals. */
function row(m: MemberRow, facilityId: string, reload: () => void): HTMLElement[] {
  const role = roleSelect(m.role, `${t("members.role")} — ${m.name}`);
  const boxes = RIGHTS.map((r) => {
    const box = h("input", { type: "checkbox", "data-right": r, "aria-label": `${t(`members.right.${r}` as TextKey)} — ${m.name}` });
    return box;
  });
  const wide = m.delegations.filter((d) => d.site_id === undefined).map((d) => d.right);
  const paint = () => {
    const base = roleRights(role.value);
    boxes.forEach((b, i) => {
      const r = RIGHTS[i]!;
      b.disabled = base.includes(r);
      b.checked = base.includes(r) || wide.includes(r);
    });
  };
  paint();
  role.addEventListener("change", paint);
  boxes.forEach((b, i) =>
    b.addEventListener("change", () => {
      const r = RIGHTS[i]!;
      const at = wide.indexOf(r);
      if (b.checked && at < 0) wide.push(r);
      if (!b.checked && at >= 0) wide.splice(at, 1);
    }),
  );
  const err = h("td", { colspan: 3 + RIGHTS.length });
  const save = h("button", { class: "primary", "data-save": m.memberId }, t("members.save"));
  save.addEventListener("click", () => {
    err.replaceChildren();
    const checked = boxes.filter((b) => b.checked && !b.disabled).map((b) => b.dataset.right ?? "");
    void withProgress(save, t("members.saving"), () =>
      api.memberChange(facilityId, m.memberId, { role: role.value, delegations: delegationsFor(role.value, checked, m.delegations) }),
    )
      .then((f) => {
        if (!f.available) {
          err.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
          return;
        }
        showNotice({ level: "success", title: t("members.saved"), body: m.name });
        reload();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  const remove = h("button", { "data-remove": m.memberId }, t("members.remove"));
  let armed = false;
  remove.addEventListener("click", () => {
    err.replaceChildren();
    if (!armed) {
      armed = true;
      remove.textContent = t("members.confirmRemove");
      remove.classList.add("danger");
      return;
    }
    void withProgress(remove, t("members.saving"), () => api.memberRemove(facilityId, m.memberId))
      .then((f) => {
        if (!f.available) {
          err.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
          return;
        }
        showNotice({ level: "success", title: t("members.removed"), body: m.name });
        reload();
      })
      .catch((e: unknown) => {
        armed = false;
        remove.textContent = t("members.remove");
        remove.classList.remove("danger");
        err.replaceChildren(errorBox(e as DesktopError));
      });
  });
  const limited = m.delegations.filter((d) => d.site_id !== undefined);
  const main = h(
    "tr",
    { "data-member": m.memberId },
    h(
      "td",
      {},
      h("strong", {}, m.name),
      m.you ? h("span", { class: "muted" }, ` (${t("members.you")})`) : null,
      h("br"),
      h("span", { class: "muted" }, m.email),
      m.activated ? null : h("div", {}, h("span", { class: "badge" }, t("members.pending"))),
      limited.length ? h("div", { class: "muted" }, limited.map((d) => `${t(`members.right.${d.right}` as TextKey)} (${siteName(d.site_id ?? "")})`).join(", ")) : null,
    ),
    h("td", {}, role),
    ...boxes.map((b) => h("td", { class: "check" }, b)),
    h("td", {}, h("div", { class: "actions" }, save, remove)),
  );
  return [main, h("tr", { class: "row-error", "data-member-error": m.memberId }, err)];
}

function inviteForm(facilityId: string, sent: HTMLElement): HTMLElement {
  const email = h("input", { type: "email", id: "invite-email", "aria-label": t("members.inviteEmail"), placeholder: t("members.inviteEmail") });
  const name = h("input", { type: "text", id: "invite-name", "aria-label": t("members.inviteName"), placeholder: t("members.inviteName") });
  const role = roleSelect("viewer", t("members.role"));
  role.id = "invite-role";
  const send = h("button", { class: "primary", id: "invite-send" }, t("members.invite"));
  const err = h("div", {});
  send.addEventListener("click", () => {
    err.replaceChildren();
    void withProgress(send, t("members.saving"), () => api.memberInvite(facilityId, email.value, name.value, { role: role.value, delegations: [] }))
      .then((f) => {
        if (!f.available) {
          err.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
          return;
        }
        showNotice({
          level: "success",
          title: t("members.invited"),
          body: t("invitations.sent", { email: email.value.trim(), date: f.data ? day(f.data.expires_ms) : "—" }),
        });
        email.value = "";
        name.value = "";
        sent.dispatchEvent(new Event("invitation-sent"));
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  return h("div", { class: "invite" }, h("h3", {}, t("members.inviteTitle")), h("div", { class: "actions" }, email, name, role, send), err);
}

export function membersView(): HTMLElement {
  const body = h("div", {});
  const section = h("section", { id: "area-members" }, h("h2", {}, t("members.title")), body);
  const facilityId = state.facilityId;
  if (!facilityId || !canManage(facilityId)) {
    body.append(h("p", { class: "empty", id: "members-admin-only" }, t("members.adminOnly")));
    return section;
  }
  const load = () => {
    body.replaceChildren(h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
    void (async () => {
      try {
        const f = await api.areaList("members", facilityId);
        if (!f.available) {
          body.replaceChildren(h("p", { class: "empty", "data-unavailable": "members" }, t("area.unavailable")));
          return;
        }
        const rows = memberRows(f.data);
        const sent = sentInvitationsPanel(facilityId);
        const head = h(
          "tr",
          {},
          h("th", {}, t("members.member")),
          h("th", {}, t("members.role")),
          ...RIGHTS.map((r) => h("th", {}, t(`members.right.${r}` as TextKey))),
          h("th", {}, ""),
        );
        body.replaceChildren(
          h("p", { class: "muted" }, t("members.help")),
          h("table", { class: "grid members", id: "members-table", "data-count": rows.length }, h("thead", {}, head), h("tbody", {}, ...rows.flatMap((m) => row(m, facilityId, load)))),
          inviteForm(facilityId, sent),
          sent,
        );
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  load();
  return section;
}
