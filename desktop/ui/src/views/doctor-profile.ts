// « Mon profil » (docs/api/privacy.md): what the server holds about the doctor, corrected field by field
// (only what changed is sent; names stay locked once the identity is verified), the whole export saved as
// a ZIP in the downloads folder (streamed to disk, with progress), who read or changed their data (the
// audit trail, facilities' reads included), and closing the account with the password.
import { api } from "../ipc";
import { state } from "../app";
import { leave } from "../session";
import { confirming, errorBox, h, showNotice, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import type { DesktopError } from "../generated";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** The editable fields of the profile, as the form shows them. */
export interface ProfileFields {
  firstName: string;
  lastName: string;
  contactEmail: string;
  phone: string;
  travelRadiusKm: number;
  departments: string[];
  languages: string[];
}

/** The `GET /v1/me/profile` answer's editable fields, read defensively. */
export function profileFields(data: unknown): ProfileFields {
  const doctor = obj(obj(data).doctor);
  const contact = obj(doctor.contact);
  return {
    firstName: str(doctor.first_name),
    lastName: str(doctor.last_name),
    contactEmail: str(contact.email),
    phone: str(contact.phone),
    travelRadiusKm: typeof doctor.travel_radius_km === "number" ? doctor.travel_radius_km : 0,
    departments: strs(doctor.departments),
    languages: strs(doctor.languages),
  };
}

/** A comma-separated list typed in a field, trimmed, empty parts dropped. */
export function listField(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Only the fields that changed, in the server's names (`PATCH /v1/me/profile`). */
export function changedFields(before: ProfileFields, after: ProfileFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (after.firstName !== before.firstName) out.first_name = after.firstName;
  if (after.lastName !== before.lastName) out.last_name = after.lastName;
  if (after.contactEmail !== before.contactEmail) out.contact_email = after.contactEmail;
  if (after.phone !== before.phone) out.phone = after.phone;
  if (after.travelRadiusKm !== before.travelRadiusKm) out.travel_radius_km = after.travelRadiusKm;
  if (after.departments.join(",") !== before.departments.join(",")) out.departments = after.departments;
  if (after.languages.join(",") !== before.languages.join(",")) out.languages = after.languages;
  return out;
}

/** A specialty's label from core's catalogue (its code when the catalogue is not loaded). */
function specialtyLabel(code: string): string {
  return state.catalogue?.specialties.find((s) => s.code === code)?.label ?? code;
}

function facts(data: unknown): HTMLElement {
  const d = obj(data);
  const doctor = obj(d.doctor);
  const account = obj(d.account);
  return h(
    "div",
    { class: "card", id: "profile-facts" },
    h("p", {}, h("strong", {}, `Dr ${str(doctor.first_name)} ${str(doctor.last_name)}`), ` — RPPS ${str(doctor.rpps)}`),
    h("p", {}, `${t("profile.login")} : ${str(account.email)}`),
    h("p", {}, `${t("profile.specialties")} : ${strs(doctor.specialties).map(specialtyLabel).join(", ")}`),
    h("p", { id: "profile-status" }, `${t("profile.status")} : ${t(str(doctor.status) === "verified" ? "profile.verified" : "profile.pending")}`),
  );
}

function editForm(before: ProfileFields, reload: () => void): HTMLElement {
  const input = (id: string, value: string, attrs: Record<string, string> = {}) => h("input", { id, value, ...attrs });
  const first = input("profile-first-name", before.firstName);
  const last = input("profile-last-name", before.lastName);
  const email = input("profile-contact-email", before.contactEmail, { type: "email" });
  const phone = input("profile-phone", before.phone, { type: "tel" });
  const radius = input("profile-radius", String(before.travelRadiusKm), { type: "number", min: "0", max: "1000" });
  const depts = input("profile-departments", before.departments.join(", "));
  const langs = input("profile-languages", before.languages.join(", "));
  const submit = h("button", { class: "primary", type: "submit", id: "profile-save" }, t("profile.save"));
  const err = h("div", {});
  const form = h(
    "form",
    { class: "card", id: "profile-form" },
    h("h3", {}, t("profile.correct")),
    h("label", {}, t("signup.firstName"), first),
    h("label", {}, t("signup.lastName"), last),
    h("label", {}, t("profile.contactEmail"), email),
    h("label", {}, t("profile.phone"), phone),
    h("label", {}, t("profile.radius"), radius),
    h("label", {}, t("profile.departments"), depts),
    h("label", {}, t("profile.languages"), langs),
    submit,
    err,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    err.replaceChildren();
    const after: ProfileFields = {
      firstName: first.value.trim(),
      lastName: last.value.trim(),
      contactEmail: email.value.trim(),
      phone: phone.value.trim(),
      travelRadiusKm: Number(radius.value),
      departments: listField(depts.value).map((x) => x.toUpperCase()),
      languages: listField(langs.value).map((x) => x.toLowerCase()),
    };
    const changes = changedFields(before, after);
    if (Object.keys(changes).length === 0) {
      showNotice({ level: "info", title: t("profile.unchanged"), body: "" });
      return;
    }
    void withProgress(submit, t("members.saving"), () => api.profileUpdate(changes))
      .then(() => {
        showNotice({ level: "success", title: t("profile.saved"), body: Object.keys(changes).join(", ") });
        reload();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  return form;
}

function alertsCard(): HTMLElement {
  const box = h("input", { type: "checkbox", id: "only-when-available" });
  const err = h("div", {});
  box.disabled = true;
  void api
    .matchingPreferences()
    .then((f) => {
      if (f.available && f.data !== null) box.checked = f.data;
      box.disabled = !f.available;
    })
    .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  box.addEventListener("change", () => {
    err.replaceChildren();
    box.disabled = true;
    void api
      .matchingPreferencesSet(box.checked)
      .then((f) => {
        if (f.available && f.data !== null) box.checked = f.data;
        showNotice({ level: "success", title: t("profile.alertsSaved"), body: box.checked ? t("profile.onlyWhenAvailable") : t("profile.allAlerts") });
      })
      .catch((e: unknown) => {
        box.checked = !box.checked;
        err.replaceChildren(errorBox(e as DesktopError));
      })
      .finally(() => (box.disabled = false));
  });
  return h("section", { class: "card", id: "alerts-card" }, h("h3", {}, t("profile.alerts")), h("label", { class: "check" }, box, " ", t("profile.onlyWhenAvailable")), h("p", { class: "muted" }, t("profile.alertsHelp")), err);
}

function exportCard(): HTMLElement {
  const run = h("button", { class: "primary", id: "data-export" }, t("profile.export"));
  const err = h("div", {});
  run.addEventListener("click", () => {
    err.replaceChildren();
    void withProgress(run, t("profile.exporting"), () => api.dataExport())
      .then((f) => {
        if (f.available && f.data) showNotice({ level: "success", title: t("profile.exported"), body: f.data });
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  return h("section", { class: "card", id: "export-card" }, h("h3", {}, t("profile.exportTitle")), h("p", { class: "muted" }, t("profile.exportHelp")), run, err);
}

/** The audit trail, read defensively: newest first. */
export function auditRows(data: unknown): { at: number; action: string; detail: string; facility: string }[] {
  const list = Array.isArray(obj(data).entries) ? (obj(data).entries as unknown[]) : [];
  return list.map(obj).map((e) => ({ at: typeof e.at_ms === "number" ? e.at_ms : 0, action: str(e.action), detail: str(e.detail), facility: str(e.facility_name) }));
}

const KNOWN_ACTIONS = ["doctor_profile_read", "contact_read", "identity_document_read", "document_read", "shared_documents_listed", "documents_shared", "document_uploaded", "data_exported", "profile_updated", "password_changed", "device_signed_out", "proposal_sent", "proposal_accepted", "proposal_declined", "contract_signed", "application_sent"];

/** An audit action in plain words (the code itself for one this build does not know). */
export function actionText(action: string): string {
  return KNOWN_ACTIONS.includes(action) ? t(`audit.${action}` as TextKey) : action;
}

function auditCard(): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  void (async () => {
    try {
      const f = await api.myAudit();
      const rows = f.available ? auditRows(f.data).slice(0, 50) : [];
      body.replaceChildren(
        rows.length
          ? h("ul", { id: "audit-list" }, ...rows.map((r) => h("li", { "data-action": r.action }, `${new Date(r.at).toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "fr-FR")} — ${actionText(r.action)}${r.facility ? ` — ${r.facility}` : ""}${r.detail ? ` (${r.detail})` : ""}`)))
          : h("p", { class: "empty" }, t("profile.noAudit")),
      );
    } catch (e) {
      body.replaceChildren(errorBox(e as DesktopError));
    }
  })();
  return h("section", { class: "card", id: "audit-card" }, h("h3", {}, t("profile.audit")), h("p", { class: "muted" }, t("profile.auditHelp")), body);
}

function closeCard(): HTMLElement {
  const password = h("input", { type: "password", id: "close-password", autocomplete: "current-password" });
  const err = h("div", {});
  const close = confirming(t("profile.close"), t("profile.confirmClose"), { id: "close-account" }, (b) =>
    withProgress(b, t("members.saving"), () => api.accountClose(password.value))
      .then(() => {
        showNotice({ level: "info", title: t("profile.closed"), body: "" });
        leave();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError))),
  );
  return h("section", { class: "card", id: "close-card" }, h("h3", {}, t("profile.closeTitle")), h("p", { class: "muted" }, t("profile.closeHelp")), h("label", {}, t("account.current"), password), close, err);
}

/** The screen. */
export function doctorProfileView(): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const section = h("section", { id: "area-profile" }, h("h2", {}, t("profile.title")), body);
  const load = () => {
    void (async () => {
      try {
        const f = await api.myProfile();
        if (!f.available) {
          body.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
          return;
        }
        body.replaceChildren(facts(f.data), editForm(profileFields(f.data), load), alertsCard(), exportCard(), auditCard(), closeCard());
        section.dataset.ready = "true";
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  load();
  return section;
}
