// Staff back office: the doctors and, below, the self-registered facilities waiting for verification
// (`GET /v1/staff/facility-verifications`, typed `FacilityQueue`). The doctors waiting for verification (`GET /v1/staff/verifications`, docs/api/documents.md:
// `{pending: [{doctor_id, rpps, first_name, last_name, email, registered_ms, identity_document…}]}`), each with
// approve / reject (a reason is required to reject) sent as `POST /v1/staff/verifications/{doctor_id}`.
// The entries are read defensively (the list's shape is the verification area's); a server without
// the queue shows the honest "not available" state.
import { api } from "../ipc";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { lang, t } from "../i18n";
import type { DesktopError, PendingFacility } from "../generated";

export interface PendingDoctor {
  doctorId: string;
  name: string;
  rpps: string;
  detail: string;
  /** The doctor uploaded an identity document (staff can save it to look at it before deciding). */
  hasDocument: boolean;
}

type Obj = Record<string, unknown>;

function s(o: Obj, ...keys: string[]): string {
  for (const k of keys) if (typeof o[k] === "string" && o[k] !== "") return o[k] as string;
  return "";
}

/** The queue's entries: a doctor id is required; the name comes from the entry or its `doctor`/`profile`. */
export function pendingDoctors(data: unknown): PendingDoctor[] {
  const d = typeof data === "object" && data !== null ? (data as Obj) : {};
  const raw: unknown[] = Array.isArray(data) ? data : (Object.values(d).find(Array.isArray) as unknown[] | undefined) ?? [];
  const out: PendingDoctor[] = [];
  for (const x of raw) {
    if (typeof x !== "object" || x === null) continue;
    const o = x as Obj;
    const inner = [o.doctor, o.profile].find((v): v is Obj => typeof v === "object" && v !== null) ?? o;
    const doctorId = s(o, "doctor_id") || s(inner, "id") || s(o, "id");
    if (!doctorId) continue;
    const name = s(o, "name", "display_name") || [s(inner, "first_name"), s(inner, "last_name")].filter(Boolean).join(" ");
    out.push({
      doctorId,
      name: name || doctorId,
      rpps: s(inner, "rpps") || s(o, "rpps"),
      detail: [
        s(o, "email"),
        typeof o.registered_ms === "number" ? `${t("staff.registered")} ${new Date(o.registered_ms).toLocaleDateString(lang() === "en" ? "en-GB" : "fr-FR")}` : "",
        "identity_document" in o ? t(o.identity_document ? "staff.idDocument" : "staff.noIdDocument") : "",
      ]
        .filter(Boolean)
        .join(" · "),
      hasDocument: Boolean(o.identity_document),
    });
  }
  return out;
}

function row(p: PendingDoctor, onDone: () => void): HTMLElement {
  const reason = h("input", { type: "text", class: "reason", placeholder: t("staff.reason"), "aria-label": t("staff.reason") });
  const approve = h("button", { class: "primary", "data-approve": p.doctorId }, t("staff.approve"));
  const reject = h("button", { "data-reject": p.doctorId }, t("staff.reject"));
  const err = h("div", {});
  const decide = (button: HTMLButtonElement, decision: "approve" | "reject") => async () => {
    err.replaceChildren();
    try {
      const f = await withProgress(button, t("staff.sending"), () => api.verificationDecide(p.doctorId, decision, reason.value));
      if (!f.available) {
        err.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
        return;
      }
      showNotice({ level: "success", title: t(decision === "approve" ? "staff.approved" : "staff.rejected"), body: p.name });
      onDone();
    } catch (e) {
      err.replaceChildren(errorBox(e as DesktopError));
    }
  };
  const docButton = p.hasDocument ? h("button", { class: "secondary", "data-document": p.doctorId }, t("staff.document")) : null;
  docButton?.addEventListener("click", () => {
    err.replaceChildren();
    void withProgress(docButton, t("area.loading"), () => api.verificationDocument(p.doctorId))
      .then((path) => showNotice({ level: "success", title: t("staff.documentSaved"), body: path }))
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  approve.addEventListener("click", () => void decide(approve, "approve")());
  reject.addEventListener("click", () => void decide(reject, "reject")());
  return h(
    "li",
    { "data-doctor": p.doctorId },
    h("strong", {}, p.name),
    p.rpps ? ` — RPPS ${p.rpps}` : "",
    p.detail ? h("span", { class: "muted" }, ` (${p.detail})`) : null,
    h("div", { class: "actions" }, docButton, reason, approve, reject),
    err,
  );
}

function facilityRow(f: PendingFacility, onDone: () => void): HTMLElement {
  const reason = h("input", { type: "text", class: "reason", placeholder: t("staff.reason"), "aria-label": t("staff.reason") });
  const approve = h("button", { class: "primary", "data-approve-facility": f.facility_id }, t("staff.approve"));
  const reject = h("button", { "data-reject-facility": f.facility_id }, t("staff.reject"));
  const err = h("div", {});
  const decide = (button: HTMLButtonElement, decision: "approve" | "reject") => async () => {
    err.replaceChildren();
    try {
      const r = await withProgress(button, t("staff.sending"), () => api.facilityDecide(f.facility_id, decision, reason.value));
      if (!r.available) {
        err.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
        return;
      }
      showNotice({ level: "success", title: t(decision === "approve" ? "staff.facilities.approved" : "staff.facilities.rejected"), body: f.name });
      onDone();
    } catch (e) {
      err.replaceChildren(errorBox(e as DesktopError));
    }
  };
  approve.addEventListener("click", () => void decide(approve, "approve")());
  reject.addEventListener("click", () => void decide(reject, "reject")());
  const when = f.created_ms > 0 ? `${t("staff.registered")} ${new Date(f.created_ms).toLocaleDateString(lang() === "en" ? "en-GB" : "fr-FR")}` : "";
  const admins = f.admins.map((a) => `${a.display_name} <${a.email}>`).join(", ");
  return h(
    "li",
    { "data-facility": f.facility_id },
    h("strong", {}, f.name),
    ` — SIRET ${f.siret}`,
    h("span", { class: "muted" }, ` (${[when, admins ? `${t("staff.facilities.admins")} : ${admins}` : ""].filter(Boolean).join(" · ")})`),
    h("div", { class: "actions" }, reason, approve, reject),
    err,
  );
}

/** The facilities' queue, below the doctors'. */
function facilityQueue(): HTMLElement {
  const body = h("div", {});
  const section = h("section", { id: "facility-queue" }, h("h3", {}, t("staff.facilities.title")), h("p", { class: "muted" }, t("staff.facilities.hint")), body);
  const load = () => {
    body.replaceChildren(h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
    void (async () => {
      try {
        const f = await api.areaList("facility_verifications", null);
        if (!f.available || f.data === null || !("facilities" in f.data)) {
          body.replaceChildren(h("p", { class: "empty", "data-unavailable": "facility_verifications" }, t("area.unavailable")));
          return;
        }
        const list = f.data.facilities;
        body.replaceChildren(
          list.length
            ? h("ul", { class: "queue" }, ...list.map((x) => facilityRow(x, load)))
            : h("p", { class: "empty", id: "facility-queue-empty" }, t("staff.facilities.empty")),
        );
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  load();
  return section;
}

export function staffView(): HTMLElement {
  const body = h("div", {});
  const section = h("section", { id: "area-staff" }, h("h2", {}, t("staff.title")), body, facilityQueue());
  const load = () => {
    body.replaceChildren(h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
    void (async () => {
      try {
        const f = await api.areaList("verifications", null);
        if (!f.available) {
          body.replaceChildren(h("p", { class: "empty", "data-unavailable": "verifications" }, t("area.unavailable")));
          return;
        }
        const list = pendingDoctors(f.data);
        body.replaceChildren(list.length ? h("ul", { class: "queue" }, ...list.map((p) => row(p, load))) : h("p", { class: "empty", id: "queue-empty" }, t("staff.empty")));
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  load();
  return section;
}
