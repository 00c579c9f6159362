// A mission opened from the planning (docs/api/workflow.md): the doctor and how to reach them (read on
// the server, which audits every read; the phone and e-mail only for members who organise the mission),
// the shifts, and the contract — who signed, « Signer le contrat » by click for the facility, the PDF
// saved to the downloads folder, and the reminder of the declaration to the Ordre des médecins.
import { api } from "../ipc";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import { formatDate, formatTime } from "../format";
import type { DesktopError } from "../generated";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface MissionFacts {
  id: string;
  title: string;
  zone: string;
  status: string;
  shifts: { start: string; end: string }[];
  doctor: { name: string; rpps: string; email: string; phone: string } | null;
  /** What the mission unlocks for its doctor: the facility, the site's address, whom to call. */
  facility: { name: string; site: string; address: string; people: { name: string; role: string; email: string }[] } | null;
  sha256: string;
  signedBy: string[];
}

/** The `mission_open` answer, read defensively. */
export function missionFacts(data: unknown): MissionFacts | null {
  const d = obj(data);
  const detail = obj(d.detail);
  const m = obj(detail.mission);
  if (!str(m.id)) return null;
  const contacts = obj(detail.contacts);
  const doc = obj(contacts.doctor);
  const fac = obj(contacts.facility);
  const card = str(fac.name) ? fac : obj(fac.facility);
  const site = obj(str(fac.name) ? contacts.site : fac.site);
  const people = arr(str(fac.name) ? contacts.people : fac.people).map(obj);
  const contract = obj(d.contract);
  return {
    id: str(m.id),
    title: str(m.title),
    zone: str(m.zone) || "Europe/Paris",
    status: str(contract.status) || str(m.status),
    shifts: arr(m.shifts).map((s) => obj(obj(s).interval)).map((iv) => ({ start: str(iv.start), end: str(iv.end) })).filter((s) => s.start && s.end),
    facility:
      str(card.name) || str(obj(contacts.facility).name) || arr(contacts.people).length
        ? {
            name: str(card.name),
            site: str(site.name),
            address: [str(site.address), [str(site.postcode), str(site.city)].filter(Boolean).join(" ")].filter(Boolean).join(", "),
            people: people.map((p) => ({ name: str(p.display_name), role: str(p.role), email: str(p.email) })),
          }
        : null,
    doctor: str(doc.last_name) ? { name: `Dr ${str(doc.first_name)} ${str(doc.last_name)}`, rpps: str(doc.rpps), email: str(doc.email), phone: str(doc.phone) } : null,
    sha256: str(contract.sha256),
    signedBy: arr(contract.signatures).map((s) => str(obj(s).party)).filter(Boolean),
  };
}

function contactLines(f: MissionFacts, party: Party): HTMLElement {
  if (party === "doctor") {
    if (!f.facility) return h("p", { class: "muted" }, t("mission.noContacts"));
    return h(
      "div",
      { "data-facility-contacts": "" },
      h("p", {}, h("strong", {}, f.facility.name), f.facility.site ? ` — ${f.facility.site}` : ""),
      f.facility.address ? h("p", { "data-site-address": "" }, f.facility.address) : null,
      h("ul", { class: "people" }, ...f.facility.people.map((p) => h("li", { "data-person": p.email }, `${p.name} (${roleText(p.role)})${p.email ? ` · ${p.email}` : ""}`))),
    );
  }
  if (!f.doctor) return h("p", { class: "muted" }, t("mission.noContacts"));
  const lines: HTMLElement[] = [h("p", {}, h("strong", {}, f.doctor.name), ` — RPPS ${f.doctor.rpps}`)];
  if (f.doctor.email || f.doctor.phone) {
    lines.push(h("p", { "data-contacts": "" }, [f.doctor.phone, f.doctor.email].filter(Boolean).join(" · ")));
  } else {
    lines.push(h("p", { class: "muted" }, t("mission.contactsByRight")));
  }
  return h("div", {}, ...lines);
}

function roleText(role: string): string {
  return ["admin", "planner", "viewer"].includes(role) ? t(`members.role.${role}` as TextKey) : role;
}

function contractBlock(f: MissionFacts, reload: () => void, party: Party): HTMLElement {
  const err = h("div", {});
  const state = (party: string) => (f.signedBy.includes(party) ? t("mission.signed") : t("mission.notSigned"));
  const sign = h("button", { class: "primary", id: "contract-sign" }, t("mission.sign"));
  sign.addEventListener("click", () => {
    err.replaceChildren();
    void withProgress(sign, t("members.saving"), () => api.contractSign(f.id, f.sha256))
      .then(() => {
        showNotice({ level: "success", title: t("mission.signedNotice"), body: f.title });
        reload();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  const pdf = h("button", { class: "secondary", id: "contract-pdf" }, t("mission.pdf"));
  pdf.addEventListener("click", () => {
    err.replaceChildren();
    void withProgress(pdf, t("invoices.saving"), () => api.contractPdf(f.id))
      .then((r) => {
        if (r.available && r.data) showNotice({ level: "success", title: t("mission.pdfSaved"), body: r.data });
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  const canSign = !f.signedBy.includes(party) && f.status !== "cancelled" && f.sha256.length === 64;
  return h(
    "div",
    { class: "contract", "data-contract": f.signedBy.join(",") },
    h("h4", {}, t("mission.contract")),
    h("p", { id: "contract-doctor" }, `${t("mission.doctorSide")} : ${state("doctor")}`),
    h("p", { id: "contract-facility" }, `${t("mission.facilitySide")} : ${state("facility")}`),
    h("div", { class: "actions" }, canSign ? sign : null, pdf),
    h("p", { class: "muted" }, t("mission.cdom")),
    err,
  );
}

/** Who opens the mission: a facility member sees the doctor, the doctor sees the facility. */
export type Party = "facility" | "doctor";

/** The panel of one mission; `close` empties it. */
export function missionPanel(missionId: string, close: () => void, party: Party = "facility", onSigned?: () => void): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const shut = h("button", { class: "link", id: "mission-close", "aria-label": t("notice.close") }, "×");
  shut.addEventListener("click", close);
  const panel = h("section", { class: "card mission", id: "mission-panel", "data-mission": missionId, tabindex: "-1" }, h("div", { class: "row" }, h("h3", {}, t("mission.title")), shut), body);
  const load = () => {
    void (async () => {
      try {
        const r = await api.missionOpen(missionId);
        const f = r.available ? missionFacts(r.data) : null;
        if (!f) {
          body.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
          return;
        }
        body.replaceChildren(
          h("p", {}, h("strong", {}, f.title), f.status === "cancelled" ? h("span", { class: "badge" }, ` ${t("mission.cancelled")}`) : null),
          h("ul", { class: "shifts" }, ...f.shifts.map((s) => h("li", {}, `${formatDate(s.start, f.zone)} ${formatTime(s.start, f.zone)} → ${formatDate(s.end, f.zone)} ${formatTime(s.end, f.zone)}`))),
          contactLines(f, party),
          contractBlock(f, () => {
            load();
            onSigned?.();
          }, party),
        );
        panel.dataset.ready = "true";
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  load();
  setTimeout(() => panel.focus(), 0);
  return panel;
}
