// « Missions », the doctor's: upcoming then past, read offline from what the sync worker pulled, each
// with its facility, site, shifts and whether each party signed the contract. A mission opened shows the
// facility's contacts (unlocked by the mission, read on the server which audits it), the contract to
// read (PDF) and sign by click, and the reminder to declare it to the Ordre des médecins.
import { api } from "../ipc";
import { errorBox, h } from "../dom";
import { t, type TextKey } from "../i18n";
import { formatDate, formatTime } from "../format";
import { missionPanel } from "./mission";
import type { DesktopError, DoctorMissionView } from "../generated";

/** Upcoming (not ended, not cancelled) first by start; then the others, latest first. */
export function splitMissions(list: DoctorMissionView[], now: Date = new Date()): { upcoming: DoctorMissionView[]; past: DoctorMissionView[] } {
  const upcoming = list.filter((m) => m.status !== "cancelled" && Date.parse(m.endsAt) > now.getTime()).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const past = list.filter((m) => !upcoming.includes(m)).sort((a, b) => b.startsAt.localeCompare(a.startsAt));
  return { upcoming, past };
}

function row(m: DoctorMissionView, open: (id: string) => void): HTMLElement {
  const place = [m.facilityName, m.siteName].filter(Boolean).join(" · ") || m.title;
  const button = h("button", { class: "link", "data-open-mission": m.id }, place);
  button.addEventListener("click", () => open(m.id));
  const first = m.shifts[0];
  const when = first ? `${formatDate(m.startsAt, m.zone)} ${formatTime(m.startsAt, m.zone)} → ${formatDate(m.endsAt, m.zone)} ${formatTime(m.endsAt, m.zone)}` : "";
  const signed = m.signedByDoctor ? t("missions.youSigned") : t("missions.toSign");
  return h(
    "li",
    { "data-mission": m.id, "data-status": m.status },
    button,
    h("span", { class: "muted" }, ` — ${when} · ${t("missions.shifts", { n: m.shifts.length })} · `),
    h("span", { class: m.signedByDoctor ? "badge" : "badge warn" }, m.status === "cancelled" ? t("mission.cancelled") : signed),
    m.status !== "confirmed" && m.status !== "cancelled" ? h("span", { class: "muted" }, ` · ${t(`missions.status.${m.status}` as TextKey)}`) : null,
  );
}

/** The screen; `selected` opens one mission at once (after accepting its proposal). */
export function doctorMissionsView(selected?: string): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const detail = h("div", { id: "mission-detail" });
  const section = h("section", { id: "area-missions" }, h("h2", {}, t("missions.title")), body, detail);
  const open = (id: string) => detail.replaceChildren(missionPanel(id, () => detail.replaceChildren(), "doctor", () => void api.syncNow().finally(list)));
  const list = () => void (async () => {
    try {
      const { upcoming, past } = splitMissions(await api.doctorMissions());
      const parts: HTMLElement[] = [
        h("h3", {}, t("missions.upcoming")),
        upcoming.length ? h("ul", { id: "missions-upcoming", class: "queue" }, ...upcoming.map((m) => row(m, open))) : h("p", { class: "empty", id: "missions-none" }, t("missions.none")),
      ];
      if (past.length) parts.push(h("h3", {}, t("missions.past")), h("ul", { id: "missions-past", class: "queue" }, ...past.map((m) => row(m, open))));
      body.replaceChildren(...parts);
      section.dataset.ready = "true";
      if (selected && !detail.firstChild) open(selected);
    } catch (e) {
      body.replaceChildren(errorBox(e as DesktopError));
    }
  })();
  list();
  return section;
}
