// Entry point: the shell (navigation, facility and site switcher, offline banner, language switch,
// notices) around the current screen. Keyboard: every control is a native button/link/select in tab
// order; Alt+1…8 jump to the main screens.
import "./style.css";
import { api, events } from "./ipc";
import { currentLiveHook, go, rerender, setRenderer, state, type Route } from "./app";
import { h, showNotice } from "./dom";
import { initLang, lang, onLangChange, setLang, t, type TextKey } from "./i18n";
import { signInView } from "./views/signin";
import { dashboardView } from "./views/dashboard";
import { editorView } from "./views/editor";
import { mapView } from "./views/map";
import { candidatesView } from "./views/candidates";
import { planningView } from "./views/planning";
import { membersView } from "./views/members";
import { invoicesView } from "./views/invoices";
import { inboxView } from "./views/inbox";
import { staffView } from "./views/staff";
import { accountView } from "./views/account";
import { doctorCalendarView } from "./views/doctor-calendar";
import { doctorProposalsView } from "./views/doctor-proposals";
import { doctorMissionsView } from "./views/doctor-missions";
import { doctorDocumentsView } from "./views/doctor-documents";
import { doctorProfileView } from "./views/doctor-profile";
import { signUpView } from "./views/signup";
import { doctorNearbyView } from "./views/doctor-nearby";
import { enter, leave, loadFacility } from "./session";

const NAV: [Route["name"], TextKey][] = [
  ["dashboard", "nav.dashboard"],
  ["editor", "nav.newRequest"],
  ["map", "nav.map"],
  ["planning", "nav.planning"],
  ["invoices", "nav.invoices"],
  ["members", "nav.members"],
  ["inbox", "nav.inbox"],
  ["account", "nav.account"],
];

/** A replacement doctor's screens: their calendar, proposals, missions, inbox, account. */
const DOCTOR_NAV: [Route["name"], TextKey][] = [
  ["calendar", "nav.calendar"],
  ["nearby", "nav.nearby"],
  ["proposals", "nav.proposals"],
  ["missions", "nav.missions"],
  ["documents", "nav.documents"],
  ["profile", "nav.profile"],
  ["inbox", "nav.inbox"],
  ["account", "nav.account"],
];

/** Whether the signed-in account is a doctor's (the doctor space, not a facility's screens). */
export function isDoctor(): boolean {
  return state.session?.role === "doctor";
}

/** A staff account with no facility (the Rempla team) has no facility screens: only its queue and inbox. */
function facilityless(): boolean {
  return state.session?.role === "staff" && (state.session.me?.memberships ?? []).length === 0;
}

/** The main screens offered to this session, in Alt+1… order. */
function navEntries(): [Route["name"], TextKey][] {
  if (isDoctor()) return DOCTOR_NAV;
  return facilityless() ? NAV.filter(([name]) => name === "inbox" || name === "account") : NAV;
}

function screen(): HTMLElement {
  const r = state.route;
  switch (r.name) {
    case "signin":
      return signInView();
    case "dashboard":
      return dashboardView();
    case "editor":
      return editorView();
    case "map":
      return mapView();
    case "candidates":
      return candidatesView(r.requestId);
    case "planning":
      return planningView();
    case "invoices":
      return invoicesView();
    case "members":
      return membersView();
    case "staff":
      return staffView();
    case "inbox":
      return inboxView();
    case "account":
      return accountView();
    case "signup":
      return signUpView(r.server);
    case "documents":
      return doctorDocumentsView();
    case "profile":
      return doctorProfileView();
    case "calendar":
      return doctorCalendarView();
    case "nearby":
      return doctorNearbyView();
    case "proposals":
      return doctorProposalsView();
    case "missions":
      return doctorMissionsView(r.missionId);
  }
}

function switcher(): HTMLElement {
  const memberships = state.session?.me?.memberships ?? [];
  const fac = h("select", { id: "facility-switch", "aria-label": t("switcher.facility") });
  for (const m of memberships) {
    const o = h("option", { value: m.facility_id }, m.facility_name);
    if (m.facility_id === state.facilityId) o.selected = true;
    fac.append(o);
  }
  fac.addEventListener("change", () => {
    state.facilityId = fac.value;
    state.siteId = null;
    void loadFacility().then(rerender);
  });
  const site = h("select", { id: "site-switch", "aria-label": t("switcher.site") }, h("option", { value: "" }, t("switcher.allSites")));
  for (const s of state.facility?.sites ?? []) {
    const o = h("option", { value: s.id }, s.name);
    if (s.id === state.siteId) o.selected = true;
    site.append(o);
  }
  site.addEventListener("change", () => {
    state.siteId = site.value || null;
    rerender();
  });
  return h(
    "div",
    { class: "switcher" },
    h("label", {}, t("switcher.facility"), " ", fac),
    h("label", {}, t("switcher.site"), " ", site),
  );
}

function statusBar(): HTMLElement {
  const s = state.status;
  const sync = h("button", { id: "sync-now", class: "secondary" }, t("status.syncNow"));
  sync.addEventListener("click", () => {
    sync.disabled = true;
    sync.textContent = t("status.syncing");
    api
      .syncNow()
      .then((st) => {
        state.status = st;
      })
      .catch(() => undefined)
      // Only the status bar: what the round pulled redraws its screens through `requests-changed`,
      // as any sync does, so a half-filled form beside it is never rebuilt.
      .finally(() => refreshStatus());
  });
  return h(
    "div",
    { class: "statusbar" },
    h("span", { id: "sync-state" }, s.pending > 0 ? t("status.pending", { n: s.pending }) : t("status.synced")),
    sync,
  );
}

function shell(): HTMLElement {
  const langBtn = h("button", { id: "lang-switch", class: "link" }, t("lang.switch"));
  langBtn.addEventListener("click", () => setLang(lang() === "fr" ? "en" : "fr"));
  if (!state.session || state.session.terms || state.route.name === "signin" || state.route.name === "signup") {
    return h("div", { class: "signin-shell" }, h("header", { class: "top" }, h("h1", {}, "Rempla"), langBtn), screen());
  }
  const nav = h("nav", { "aria-label": "Navigation" });
  navEntries().forEach(([name, key], i) => {
    const b = h("button", { class: state.route.name === name ? "nav active" : "nav", "data-route": name, title: `Alt+${i + 1}` }, t(key));
    b.addEventListener("click", () => go({ name } as Route));
    nav.append(b);
  });
  if (state.session.role === "staff") {
    const b = h("button", { class: "nav", "data-route": "staff" }, t("nav.staff"));
    b.addEventListener("click", () => go({ name: "staff" }));
    nav.append(b);
  }
  const out = h("button", { class: "nav", id: "sign-out" }, t("nav.signOut"));
  out.addEventListener("click", () => {
    void api.signOut().finally(leave);
  });
  nav.append(out);
  const banner = state.status.online ? null : h("div", { class: "offline", role: "alert", id: "offline-banner" }, t("offline.banner"));
  return h(
    "div",
    { class: "layout" },
    h(
      "header",
      { class: "top" },
      h("h1", {}, "Rempla"),
      isDoctor() ? h("span", { class: "muted", id: "doctor-space" }, t("doctor.space")) : facilityless() ? h("span", { class: "muted", id: "no-facility" }, t("staff.noFacility")) : switcher(),
      statusBar(),
      langBtn,
    ),
    banner,
    h("div", { class: "body" }, nav, h("main", { id: "screen", tabindex: "-1" }, screen())),
  );
}

/**
 * Redraws only the status bar and the offline banner: a status change (going offline, an op sent) must
 * never rebuild the screen under the user, or a half-typed form (sign-in, invitation, editor) is lost.
 */
function refreshStatus(): void {
  const bar = document.querySelector(".statusbar");
  if (bar) bar.replaceWith(statusBar());
  const layout = document.querySelector(".layout");
  if (!layout) return;
  const banner = document.getElementById("offline-banner");
  if (state.status.online) banner?.remove();
  else if (!banner) layout.querySelector(".body")?.before(h("div", { class: "offline", role: "alert", id: "offline-banner" }, t("offline.banner")));
}

function draw(): void {
  const root = document.getElementById("app");
  if (!root) return;
  document.title = t("app.title");
  root.replaceChildren(shell());
}

document.addEventListener("keydown", (e) => {
  if (!e.altKey || !state.session || state.session.terms) return;
  const i = Number(e.key) - 1;
  const entry = navEntries()[i];
  if (entry) {
    e.preventDefault();
    go({ name: entry[0] } as Route);
  }
});

async function boot(): Promise<void> {
  initLang();
  setRenderer(draw);
  onLangChange(draw);
  draw();
  void events.onStatus((s) => {
    const changed = s.online !== state.status.online || s.pending !== state.status.pending;
    state.status = s;
    if (changed) refreshStatus();
  });
  void events.onNotice(showNotice);
  // Live: the sync worker pulled changes (server events) → redraw the screens that list requests.
  void events.onRequestsChanged(() => {
    const hook = currentLiveHook();
    if (hook) hook();
    else if (["dashboard", "planning", "candidates"].includes(state.route.name)) rerender();
    else if (state.route.name === "missions" && !document.getElementById("mission-panel")) rerender();
  });
  try {
    state.status = await api.syncStatus();
  } catch {
    // the shell shows the default status
  }
  try {
    const session = (await api.session()) ?? (await api.autoSignIn());
    if (session) await enter(session);
  } catch {
    go({ name: "signin" });
  }
}

if (document.getElementById("app")) void boot();
