// Request editor: site, specialty, shifts picked on a FullCalendar month grid (day, night, gardes…, with a
// weekly recurrence), requirements. The Rust side builds the request with core's shift templates in the
// site's zone and refuses what core refuses (a day garde on a weekday, a bad rule), in plain French.
import { Calendar, type EventInput } from "@fullcalendar/core";
import dayGridPlugin from "@fullcalendar/daygrid";
import interactionPlugin from "@fullcalendar/interaction";
import frLocale from "@fullcalendar/core/locales/fr";
import { api } from "../ipc";
import { go, state } from "../app";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { lang, t } from "../i18n";
import type { DesktopError, Catalogue, RequestDraft, ShiftDraft, ShiftKind } from "../generated";

const FALLBACK_KINDS: Catalogue["shiftKinds"] = [
  { code: "day", label: "journée" },
  { code: "night", label: "nuit" },
  { code: "garde_night", label: "garde de nuit" },
  { code: "garde_day", label: "garde de jour" },
];

/** The editor's pure model: chosen shifts keyed by `date|kind`. */
export class ShiftPicker {
  private shifts = new Map<string, ShiftDraft>();

  toggle(date: string, kind: ShiftKind): boolean {
    const key = `${date}|${kind}`;
    if (this.shifts.has(key)) {
      this.shifts.delete(key);
      return false;
    }
    this.shifts.set(key, { kind, date });
    return true;
  }

  remove(key: string): void {
    this.shifts.delete(key);
  }

  get size(): number {
    return this.shifts.size;
  }

  /** The drafts sent to Rust, each repeated weekly `weeks` times when `weeks > 1`. */
  drafts(weeks: number): ShiftDraft[] {
    return [...this.shifts.values()]
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((s) => (weeks > 1 ? { ...s, repeat: `FREQ=WEEKLY;COUNT=${Math.floor(weeks)}` } : { ...s }));
  }

  events(labels: Map<string, string>): EventInput[] {
    return [...this.shifts.entries()].map(([key, s]) => ({
      id: key,
      title: labels.get(s.kind) ?? s.kind,
      start: s.date,
      allDay: true,
      classNames: [`kind-${s.kind}`],
    }));
  }
}

export function editorView(): HTMLElement {
  const picker = new ShiftPicker();
  const labels = new Map<string, string>();
  const sites = state.facility?.sites ?? [];
  const site = h("select", { id: "site", required: true });
  for (const s of sites) {
    const o = h("option", { value: s.id }, s.name);
    if (s.id === state.siteId) o.selected = true;
    site.append(o);
  }
  const specialty = h("select", { id: "specialty", required: true });
  const kind = h("select", { id: "shift-kind" });
  const weeks = h("input", { id: "repeat-weeks", type: "number", min: 1, max: 52, value: 1 });
  const doctors = h("input", { id: "doctors", type: "number", min: 1, max: 20, value: 1 });
  const thesed = h("input", { id: "thesed", type: "checkbox" });
  const languages = h("input", { id: "languages", type: "text", placeholder: "en, de" });
  const pay = h("input", { id: "pay", type: "number", min: 0, step: 10, placeholder: "700" });
  const count = h("p", { id: "shift-count", "aria-live": "polite" }, t("editor.shifts", { n: 0 }));
  const err = h("div", { id: "editor-error" });
  const submit = h("button", { id: "submit-request", class: "primary", type: "submit" }, t("editor.submit"));
  const calEl = h("div", { id: "editor-calendar", class: "calendar" });

  const fillKinds = (cat: Catalogue["shiftKinds"]) => {
    kind.replaceChildren(...cat.filter((k) => k.code !== "custom").map((k) => h("option", { value: k.code }, k.label)));
    cat.forEach((k) => labels.set(k.code, k.label));
  };
  fillKinds(FALLBACK_KINDS);
  void api
    .catalogue()
    .then((cat) => {
      specialty.replaceChildren(...cat.specialties.map((s) => h("option", { value: s.code }, s.label)));
      fillKinds(cat.shiftKinds);
    })
    .catch(() => undefined);

  const calendar = new Calendar(calEl, {
    plugins: [dayGridPlugin, interactionPlugin],
    initialView: "dayGridMonth",
    locale: lang() === "fr" ? frLocale : "en-gb",
    firstDay: 1,
    height: 460,
    headerToolbar: { left: "prev,next today", center: "title", right: "" },
    dateClick: (info) => {
      picker.toggle(info.dateStr, kind.value as ShiftKind);
      refresh();
    },
    eventClick: (info) => {
      picker.remove(info.event.id);
      refresh();
    },
  });
  const refresh = () => {
    calendar.removeAllEvents();
    for (const e of picker.events(labels)) calendar.addEvent(e);
    count.textContent = t("editor.shifts", { n: picker.size });
  };
  // FullCalendar measures its box: render once the element is in the document.
  requestAnimationFrame(() => calendar.render());

  const form = h(
    "form",
    { id: "editor", class: "card" },
    h("h2", {}, t("editor.title")),
    h("div", { class: "cols" }, h("label", {}, t("editor.site"), site), h("label", {}, t("editor.specialty"), specialty)),
    h("div", { class: "cols" }, h("label", {}, t("editor.kind"), kind), h("label", {}, t("editor.repeat"), h("span", { class: "inline" }, weeks, " ", t("editor.weeks")))),
    h("p", { class: "muted" }, t("editor.calendarHelp")),
    calEl,
    count,
    h(
      "div",
      { class: "cols" },
      h("label", {}, t("editor.doctors"), doctors),
      h("label", { class: "check" }, thesed, " ", t("editor.thesed")),
      h("label", {}, t("editor.languages"), languages),
      h("label", {}, t("editor.pay"), pay),
    ),
    err,
    submit,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    err.replaceChildren();
    if (!state.facilityId) return;
    const draft: RequestDraft = {
      facilityId: state.facilityId,
      siteId: site.value,
      specialty: specialty.value,
      shifts: picker.drafts(Number(weeks.value) || 1),
      doctorsNeeded: Number(doctors.value) || 1,
      thesedOnly: thesed.checked,
      languages: languages.value
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s.length > 0),
      ...(pay.value ? { remunerationEurosPerDay: Number(pay.value) } : {}),
    };
    void withProgress(submit, t("editor.progress"), async () => {
      try {
        await api.createRequest(draft);
        showNotice({ level: "success", title: t("editor.title"), body: t("editor.done") });
        go({ name: "dashboard" });
      } catch (e) {
        err.replaceChildren(errorBox(e as DesktopError));
      }
    });
  });
  return form;
}
