// « Mon agenda », the doctor's calendar, offline-first: month and week views (FullCalendar, as the
// request editor), the availabilities drawn from the local store (open, booked by a mission, withdrawn),
// a form to add one of every kind — one-off or repeating weekly, fortnightly or monthly, with dates
// skipped — and, on a clicked occurrence, removing that day only or the whole availability. Each change
// is saved on this computer with its outbox op and leaves when the server answers; core builds the
// shifts in the département's zone and refuses what it refuses (a day garde on a weekday) in French.
import { Calendar, type EventInput } from "@fullcalendar/core";
import dayGridPlugin from "@fullcalendar/daygrid";
import timeGridPlugin from "@fullcalendar/timegrid";
import interactionPlugin from "@fullcalendar/interaction";
import frLocale from "@fullcalendar/core/locales/fr";
import { api } from "../ipc";
import { go, setLiveHook, state } from "../app";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { lang, t, type TextKey } from "../i18n";
import { keepDraft } from "../drafts";
import type { AvailabilityForm, BusyView, DesktopError, DoctorSpace, OccurrenceView, ShiftKind } from "../generated";

/** The kinds a doctor offers from this form (a free period is for imports and the phones' editor). */
export const OFFERED_KINDS: ShiftKind[] = ["day", "morning", "afternoon", "night", "garde_night", "garde_day", "astreinte"];

export type Repeat = "none" | "weekly" | "fortnightly" | "monthly";

/** The RFC 5545 rule of the form's repetition, `null` for a single slot. */
export function repeatRule(repeat: Repeat, count: number): string | null {
  const n = Math.max(2, Math.min(104, Math.round(count)));
  switch (repeat) {
    case "none":
      return null;
    case "weekly":
      return `FREQ=WEEKLY;COUNT=${n}`;
    case "fortnightly":
      return `FREQ=WEEKLY;INTERVAL=2;COUNT=${n}`;
    case "monthly":
      return `FREQ=MONTHLY;COUNT=${n}`;
  }
}

/** The skipped dates typed in the form (`2027-01-19, 2027-02-02`): valid ISO dates only, sorted, unique. */
export function skippedDates(text: string): string[] {
  const out = new Set<string>();
  for (const part of text.split(/[\s,;]+/)) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(part) && !Number.isNaN(Date.parse(part))) out.add(part);
  }
  return [...out].sort();
}

function kindLabel(kind: ShiftKind): string {
  return t(`calendar.kind.${kind}` as TextKey);
}

/** An occurrence as a calendar event: coloured by status, the series marked. */
export function occurrenceEvent(o: OccurrenceView): EventInput {
  const status = t(`calendar.status.${o.status}` as TextKey);
  return {
    id: `${o.availabilityId}|${o.localDate}`,
    title: `${kindLabel(o.kind)}${o.isSeries ? " ↻" : ""} · ${status}`,
    start: o.start,
    end: o.end,
    classNames: ["availability", `availability-${o.status}`],
    extendedProps: { occurrence: o },
  };
}

/** A busy period of another calendar: drawn behind, never clickable. */
export function busyEvent(b: BusyView): EventInput {
  return { title: b.summary ? `${t("calendar.busy")} · ${b.summary}` : t("calendar.busy"), start: b.start, end: b.end, classNames: ["busy"], display: "block", editable: false, extendedProps: { busy: true } };
}

/** Importing another calendar's `.ics` export as busy times (all or nothing, re-import replaces). */
function importCard(refresh: () => void): HTMLElement {
  const file = h("input", { type: "file", id: "ics-file", accept: ".ics,text/calendar" });
  const source = h("input", { type: "text", id: "ics-source", placeholder: t("calendar.importSourceHint"), maxlength: "200" });
  const run = h("button", { type: "submit", class: "secondary", id: "ics-import" }, t("calendar.import"));
  const err = h("div", {});
  const form = h("form", { class: "card", id: "ics-form" }, h("h3", {}, t("calendar.importTitle")), h("p", { class: "muted" }, t("calendar.importHelp")), h("label", {}, t("calendar.importFile"), file), h("label", {}, t("calendar.importSource"), source), run, err);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    err.replaceChildren();
    const chosen = file.files?.[0];
    if (!chosen) {
      err.replaceChildren(errorBox({ code: "ical_empty", message: t("documents.choose") }));
      return;
    }
    const name = source.value.trim() || chosen.name.replace(/\.ics$/i, "");
    void withProgress(run, t("documents.sending"), async () => api.busyImport(new Uint8Array(await chosen.arrayBuffer()), name))
      .then((r) => {
        showNotice({ level: "success", title: t("calendar.imported", { n: r.periods }), body: t("calendar.importedDetail", { added: r.upserted, removed: r.removed, name }) });
        form.reset();
        refresh();
      })
      .catch((e2: unknown) => err.replaceChildren(errorBox(e2 as DesktopError)));
  });
  return form;
}

function occurrencePanel(o: OccurrenceView, done: () => void): HTMLElement {
  const err = h("div", {});
  const close = h("button", { class: "link", "aria-label": t("notice.close") }, "×");
  const panel = h("section", { class: "card", id: "occurrence-panel", "data-availability": o.availabilityId, "data-date": o.localDate });
  close.addEventListener("click", () => panel.remove());
  const act = (b: HTMLButtonElement, work: () => Promise<unknown>, notice: TextKey) => {
    err.replaceChildren();
    void withProgress(b, t("members.saving"), work)
      .then(() => {
        showNotice({ level: "success", title: t(notice), body: state.status.online ? t("calendar.willSync") : t("calendar.savedOffline") });
        panel.remove();
        done();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  };
  const booked = o.status === "booked";
  const day = h("button", { id: "remove-occurrence" }, t("calendar.removeDay"));
  day.addEventListener("click", () => act(day, () => api.occurrenceRemove(o.availabilityId, o.localDate), "calendar.dayRemoved"));
  const all = h("button", { class: "danger", id: "remove-availability" }, o.isSeries ? t("calendar.removeSeries") : t("calendar.remove"));
  all.addEventListener("click", () => act(all, () => api.availabilityRemove(o.availabilityId), "calendar.removed"));
  panel.append(
    h("div", { class: "row" }, h("h3", {}, `${kindLabel(o.kind)} — ${o.localDate}`), close),
    h("p", {}, t(`calendar.status.${o.status}` as TextKey), o.note ? ` · ${o.note}` : ""),
    booked ? h("p", { class: "muted" }, t("calendar.bookedHelp")) : h("div", { class: "actions" }, o.isSeries ? day : null, all),
    err,
  );
  return panel;
}

function addForm(space: DoctorSpace | null, refresh: () => void): { form: HTMLFormElement; pick: (date: string) => void } {
  const kind = h("select", { id: "availability-kind" }, ...OFFERED_KINDS.map((k) => h("option", { value: k }, kindLabel(k))));
  const date = h("input", { type: "date", id: "availability-date", required: true });
  const departments = space?.departments.length ? space.departments : ["22"];
  const dept = h("select", { id: "availability-department" }, ...departments.map((d) => h("option", { value: d }, d)));
  const repeat = h(
    "select",
    { id: "availability-repeat" },
    ...(["none", "weekly", "fortnightly", "monthly"] as Repeat[]).map((r) => h("option", { value: r }, t(`calendar.repeat.${r}` as TextKey))),
  );
  const count = h("input", { type: "number", id: "availability-count", min: "2", max: "104", value: "4" });
  const skip = h("input", { type: "text", id: "availability-skip", placeholder: "2027-01-19, 2027-02-02" });
  const note = h("input", { type: "text", id: "availability-note", maxlength: "500" });
  const submit = h("button", { class: "primary", type: "submit", id: "availability-add" }, t("calendar.add"));
  const err = h("div", {});
  const repeatOnly = h("div", { class: "repeat-only" }, h("label", {}, t("calendar.count"), count), h("label", {}, t("calendar.skip"), skip));
  const sync = () => (repeatOnly.hidden = repeat.value === "none");
  repeat.addEventListener("change", sync);
  sync();
  const draftNote = h("p", { class: "muted", id: "availability-draft", hidden: true }, t("drafts.restored"));
  const draft = keepDraft("availability", [kind, date, dept, repeat, count, skip, note], () => (draftNote.hidden = false));
  const form = h(
    "form",
    { class: "card", id: "availability-form" },
    h("h3", {}, t("calendar.new")),
    draftNote,
    h("label", {}, t("calendar.kind"), kind),
    h("label", {}, t("calendar.date"), date),
    h("label", {}, t("calendar.department"), dept),
    h("label", {}, t("calendar.repeat"), repeat),
    repeatOnly,
    h("label", {}, t("calendar.note"), note),
    submit,
    err,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    err.replaceChildren();
    const body: AvailabilityForm = {
      kind: kind.value as ShiftKind,
      date: date.value || null,
      department: dept.value,
      customStart: null,
      customEnd: null,
      rrule: repeatRule(repeat.value as Repeat, Number(count.value)),
      exceptions: repeat.value === "none" ? [] : skippedDates(skip.value),
      note: note.value.trim() || null,
    };
    if (!body.date) {
      err.replaceChildren(errorBox({ code: "invalid_date", message: t("calendar.needDate") }));
      return;
    }
    void withProgress(submit, t("members.saving"), () => api.availabilityAdd(body))
      .then(() => {
        showNotice({ level: "success", title: t("calendar.added"), body: state.status.online ? t("calendar.willSync") : t("calendar.savedOffline") });
        note.value = "";
        draft.clear();
        draftNote.hidden = true;
        refresh();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  return { form, pick: (d: string) => (date.value = d) };
}

/** The screen. */
export function doctorCalendarView(): HTMLElement {
  const calEl = h("div", { id: "doctor-calendar", class: "calendar" });
  const side = h("div", { class: "side" });
  const who = h("p", { class: "muted", id: "doctor-name" });
  const section = h("section", { id: "area-calendar" }, h("h2", {}, t("calendar.title")), who, h("p", { class: "muted" }, t("calendar.help")), h("div", { class: "split-view" }, calEl, side));
  let shown = 0;
  // Timings of the screen's first draw (read by scripts/bench-desktop.sh): created, grid drawn,
  // occurrences read from the store, events drawn.
  const t0 = performance.now();
  const mark = (name: string) => {
    if (!section.dataset[name]) section.dataset[name] = String(Math.round(performance.now() - t0));
  };
  const calendar = new Calendar(calEl, {
    plugins: [dayGridPlugin, timeGridPlugin, interactionPlugin],
    initialView: "dayGridMonth",
    locale: lang() === "fr" ? frLocale : "en-gb",
    firstDay: 1,
    height: 620,
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek" },
    events: (info, ok, fail) => {
      const from = info.start.toISOString();
      const to = info.end.toISOString();
      Promise.all([api.calendarRange(from, to), api.busyRange(from, to).catch(() => [] as BusyView[])])
        .then(([list, busy]) => {
          mark("tRead");
          shown = list.length;
          section.dataset.occurrences = String(shown);
          const blocks = busy ?? [];
          section.dataset.busy = String(blocks.length);
          ok([...list.map(occurrenceEvent), ...blocks.map(busyEvent)]);
        })
        .catch((e: unknown) => {
          side.prepend(errorBox(e as DesktopError));
          fail(new Error(String((e as DesktopError).message ?? e)));
        });
    },
    eventsSet: () => mark("tEvents"),
    dateClick: (info) => picker?.pick(info.dateStr.slice(0, 10)),
    eventClick: (info) => {
      if (info.event.extendedProps.busy) return;
      const o = info.event.extendedProps.occurrence as OccurrenceView | undefined;
      if (!o) return;
      document.getElementById("occurrence-panel")?.remove();
      side.prepend(occurrencePanel(o, () => calendar.refetchEvents()));
    },
  });
  let picker: { pick: (date: string) => void } | null = null;
  requestAnimationFrame(() => {
    calendar.render();
    mark("tGrid");
  });
  // Live: the sync worker pulled (a mission booked a slot, another device edited): refetch, never redraw
  // the form under the user's fingers.
  setLiveHook(() => calendar.refetchEvents());
  void (async () => {
    let space: DoctorSpace | null = null;
    try {
      space = await api.doctorSpace();
      who.textContent = space.name;
      if (space.status && space.status !== "verified") {
        who.append(" · ", h("span", { class: "badge warn", id: "doctor-pending" }, t("calendar.notVerified")));
        const upload = h("button", { class: "link", id: "go-documents" }, t("calendar.uploadIdentity"));
        upload.addEventListener("click", () => go({ name: "documents" }));
        who.after(h("p", { class: "callout", id: "identity-callout" }, upload));
      }
    } catch (e) {
      side.append(errorBox(e as DesktopError));
    }
    const { form, pick } = addForm(space, () => calendar.refetchEvents());
    picker = { pick };
    side.append(form, importCard(() => calendar.refetchEvents()));
    section.dataset.ready = "true";
  })();
  return section;
}
