// Planning: missions per site by week and month (FullCalendar), open shifts shown "to fill", and the
// payroll export (CSV) of the missions shown. Missions come from `GET /v1/missions`; without it the
// screen says so and shows only the open requests.
import { Calendar, type EventInput } from "@fullcalendar/core";
import dayGridPlugin from "@fullcalendar/daygrid";
import timeGridPlugin from "@fullcalendar/timegrid";
import frLocale from "@fullcalendar/core/locales/fr";
import { api } from "../ipc";
import { state } from "../app";
import { errorBox, h } from "../dom";
import { lang, t } from "../i18n";
import { hoursBetween, toCsv } from "../format";
import type { DesktopError } from "../generated";
import { feedsPanel } from "./feeds";
import { missionPanel } from "./mission";

/** The mission open below the calendar, kept across redraws of the screen. */
let openMission: string | null = null;

export interface MissionRow {
  id: string;
  doctor: string;
  site: string;
  unit: string;
  start: string;
  end: string;
  status: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const s = (o: Obj, k: string): string => (typeof o[k] === "string" ? (o[k] as string) : "");

/** Flattens the server's missions (each possibly with several shifts) into one row per shift. */
export function missionRows(data: unknown, facilityId: string | null = null, siteId: string | null = null): MissionRow[] {
  const items = Array.isArray(data) ? data : isObj(data) && Array.isArray(data.missions) ? data.missions : [];
  const rows: MissionRow[] = [];
  for (const m of items) {
    if (!isObj(m)) continue;
    if (facilityId && s(m, "facility_id") && s(m, "facility_id") !== facilityId) continue;
    if (siteId && s(m, "site_id") && s(m, "site_id") !== siteId) continue;
    const doctor = s(m, "doctor_name") || s(m, "doctor_id");
    const site = state.facility?.sites.find((x) => x.id === s(m, "site_id"))?.name || s(m, "site_name") || s(m, "site_id");
    const shifts = Array.isArray(m.shifts) ? m.shifts : [m];
    for (const sh of shifts) {
      if (!isObj(sh)) continue;
      const iv = isObj(sh.interval) ? sh.interval : sh;
      rows.push({ id: s(m, "id"), doctor, site, unit: s(m, "unit_name") || s(m, "title"), start: s(iv, "start"), end: s(iv, "end"), status: s(m, "status") });
    }
  }
  return rows.filter((r) => r.start && r.end);
}

/** The payroll CSV: one line per worked shift, hours computed from the exact instants. */
export function payrollCsv(rows: MissionRow[]): string {
  return toCsv(
    ["mission", "medecin", "site", "unite", "debut", "fin", "heures", "statut"],
    rows.map((r) => [r.id, r.doctor, r.site, r.unit, r.start, r.end, hoursBetween(r.start, r.end), r.status]),
  );
}

export function planningView(): HTMLElement {
  const calEl = h("div", { id: "planning-calendar", class: "calendar" });
  const note = h("div", {});
  const exportBtn = h("button", { id: "export-csv", class: "secondary", disabled: true }, t("planning.export"));
  const detail = h("div", { id: "mission-slot" });
  const open = (id: string) => {
    openMission = id;
    detail.replaceChildren(
      missionPanel(id, () => {
        openMission = null;
        detail.replaceChildren();
      }),
    );
  };
  // The screen redraws when the server's data moves (a signature, a new mission): the open mission
  // stays open.
  if (openMission) open(openMission);
  const section = h("section", { id: "planning" }, h("div", { class: "row" }, h("h2", {}, t("planning.title")), exportBtn), note, calEl, detail, feedsPanel());
  let rows: MissionRow[] = [];
  exportBtn.addEventListener("click", () => {
    const blob = new Blob([payrollCsv(rows)], { type: "text/csv;charset=utf-8" });
    const a = h("a", { href: URL.createObjectURL(blob), download: "rempla-missions.csv" });
    document.body.append(a);
    a.click();
    a.remove();
  });
  const calendar = new Calendar(calEl, {
    plugins: [dayGridPlugin, timeGridPlugin],
    initialView: "dayGridMonth",
    locale: lang() === "fr" ? frLocale : "en-gb",
    firstDay: 1,
    height: 560,
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek" },
    // A mission opens below the calendar: its doctor, contacts and contract.
    eventClick: (info) => {
      const id = info.event.extendedProps.mission;
      if (typeof id === "string" && id) open(id);
    },
  });
  requestAnimationFrame(() => calendar.render());
  void (async () => {
    const events: EventInput[] = [];
    try {
      const requests = await api.listRequests(state.facilityId);
      for (const r of requests) {
        if (state.siteId && r.site_id !== state.siteId) continue;
        for (const sh of r.shifts) {
          events.push({ title: t("planning.open"), start: sh.interval.start, end: sh.interval.end, classNames: ["open-shift"] });
        }
      }
      if (state.facilityId) {
        const f = await api.missions();
        if (f.available) {
          rows = missionRows(f.data, state.facilityId, state.siteId).filter((r) => r.status !== "cancelled");
          for (const r of rows) {
            events.push({ title: `${t("planning.mission")} · ${r.doctor} · ${r.unit || r.site}`, start: r.start, end: r.end, classNames: ["mission"], extendedProps: { mission: r.id, doctor: r.doctor } });
          }
          exportBtn.disabled = rows.length === 0;
        } else {
          note.replaceChildren(h("p", { class: "empty", id: "missions-unavailable" }, t("planning.unavailable")));
        }
      }
    } catch (e) {
      note.replaceChildren(errorBox(e as DesktopError));
    }
    calendar.addEventSource(events);
    section.dataset.ready = "true";
  })();
  return section;
}
