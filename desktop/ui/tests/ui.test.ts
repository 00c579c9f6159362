// UI unit tests: screens against a mocked Tauri IPC (`@tauri-apps/api/mocks`), and the pure helpers.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { events } from "../src/ipc";
import { showNotice } from "../src/dom";
import { setRenderer, state } from "../src/app";
import { enter, leave } from "../src/session";
import { setLang, t, errorText } from "../src/i18n";
import { signInView } from "../src/views/signin";
import { dashboardView } from "../src/views/dashboard";
import { candidateList, candidatesView } from "../src/views/candidates";
import { ShiftPicker } from "../src/views/editor";
import { missionRows, payrollCsv } from "../src/views/planning";
import { canManage, delegationsFor, memberRows, membersView, roleRights } from "../src/views/members";
import { daysUntil, formatCents, toCsv } from "../src/format";
import { invoicesView } from "../src/views/invoices";
import { showCandidates, showSite } from "../src/views/map-candidates";
import { inboxItems, inboxView } from "../src/views/inbox";
import { pendingDoctors, staffView } from "../src/views/staff";
import { receivedInvitationsPanel, receivedRows, sentInvitationsPanel, sentRows } from "../src/views/invitations";
import { feedRows, feedsPanel } from "../src/views/feeds";
import { missionFacts, missionPanel } from "../src/views/mission";
import { accountView } from "../src/views/account";
import { readPrefs, writePrefs } from "../src/views/notification-prefs";
import { OFFERED_KINDS, busyEvent, occurrenceEvent, repeatRule, skippedDates, doctorCalendarView } from "../src/views/doctor-calendar";
import { doctorProposalsView, lastMinute, timeLeft } from "../src/views/doctor-proposals";
import { doctorMissionsView, splitMissions } from "../src/views/doctor-missions";
import { fileProblem, sniff, vaultRows } from "../src/views/doctor-documents";
import { actionText, auditRows, changedFields, listField, profileFields } from "../src/views/doctor-profile";
import { signUpView } from "../src/views/signup";
import { DRAFT_DELAY_MS, keepDraft } from "../src/drafts";
import { doctorNearbyView, nearbyTitle, windowOf } from "../src/views/doctor-nearby";
import type { NearbyView } from "../src/generated";
import type { DoctorMissionView, DoctorProposalView, OccurrenceView } from "../src/generated";
import type { Request, SessionView } from "../src/generated";

const FACILITY = "0190f5d2-0000-7000-8000-0000000000fa";
const SITE = "0190f5d2-0000-7000-8000-0000000000s1";

function request(id: string, start: string, end: string): Request {
  return {
    id,
    facility_id: FACILITY,
    site_id: SITE,
    specialty: "medecine-generale",
    shifts: [{ kind: "day", interval: { start, end } }],
    zone: "Europe/Paris",
    department: "22",
    location: { lat: 48.73, lon: -3.46 },
    doctors_needed: 1,
    requirements: { thesed_only: false, languages: [] },
    status: "open",
    revision: 0,
  };
}

/** The account fields of `GET /v1/me` the tests do not look at. */
const ME = { account_id: "a1", email: "coord@example.fr", display_name: null, role: "facility_member" };

const session: SessionView = {
  server: "http://127.0.0.1:8080",
  accountId: "a1",
  role: "facility_member",
  me: { ...ME, memberships: [{ facility_id: FACILITY, facility_name: "CH de Lannion", member_id: "m1", role: "admin", delegations: [], facility_verified: true }] },
  terms: null,
};

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}

beforeEach(() => {
  setLang("fr");
  document.body.innerHTML = '<div id="app"></div>';
  state.session = session;
  state.facilityId = FACILITY;
  state.facility = { facility: { id: FACILITY, name: "CH de Lannion", siret: "", kind: "public_hospital" }, sites: [] };
  state.siteId = null;
});

afterEach(() => clearMocks());

describe("sign in", () => {
  it("sends the form to sign_in and shows a wrong password in plain French", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "sign_in") throw { code: "invalid_credentials", message: "Adresse e-mail ou mot de passe incorrect." };
      return null;
    });
    state.session = null;
    const view = signInView();
    document.body.append(view);
    (view.querySelector("#email") as HTMLInputElement).value = "x@y.fr";
    (view.querySelector("#password") as HTMLInputElement).value = "secret-secret";
    view.querySelector("form")?.dispatchEvent(new Event("submit")) ?? view.dispatchEvent(new Event("submit"));
    await settle();
    expect(calls[0]).toEqual(["sign_in", { form: { server: "http://127.0.0.1:8080", email: "x@y.fr", password: "secret-secret" } }]);
    const err = view.querySelector('[role="alert"]');
    expect(err?.textContent).toBe("Adresse e-mail ou mot de passe incorrect.");
    expect(err?.getAttribute("data-code")).toBe("invalid_credentials");
  });

  it("shows the terms when the server requires them", () => {
    state.session = { ...session, terms: { version: 3, text: "Article 1 : …" } };
    const view = signInView();
    expect(view.querySelector("#accept-terms")).not.toBeNull();
    expect(view.textContent).toContain("Article 1");
  });

  it("speaks English on the switch, errors included", () => {
    setLang("en");
    expect(t("signin.submit")).toBe("Sign in");
    expect(errorText({ code: "offline", message: "Le serveur Rempla est injoignable." })).toContain("cannot be reached");
    expect(errorText({ code: "garde_day_not_allowed", message: "Créneau impossible" })).toBe("Créneau impossible");
  });
});

describe("entering a session", () => {
  it("drops an entry still loading when the user signs out and another account signs in", async () => {
    let release: (v: unknown) => void = () => undefined;
    const slow = new Promise((r) => (release = r));
    mockIPC(async (cmd) => {
      if (cmd === "facility") {
        await slow;
        return state.facility;
      }
      return null;
    });
    const routes: string[] = [];
    setRenderer(() => routes.push(state.route.name));
    state.catalogue = null;
    state.facilityId = FACILITY;
    const first = enter(session);
    await settle();
    leave();
    const staff: SessionView = { ...session, accountId: "s1", role: "staff", me: { ...ME, role: "staff", memberships: [] } };
    await enter(staff);
    release(null);
    await first;
    await settle();
    // The staff account has no facility: the planner's Lannion is not kept for it.
    expect(state.facilityId).toBeNull();
    expect(state.session?.accountId).toBe("s1");
    expect(routes).toEqual(["signin", "staff"]);
    expect(state.route.name).toBe("staff");
    setRenderer(() => undefined);
  });
});

describe("dashboard", () => {
  it("tells a facility waiting for verification what it can do meanwhile", async () => {
    mockIPC((cmd) => (cmd === "list_requests" ? [] : null));
    state.session = { ...session, me: { ...ME, memberships: [{ facility_id: FACILITY, facility_name: "CH de Lannion", member_id: "m1", role: "admin", delegations: [], facility_verified: false }] } };
    const view = dashboardView();
    await settle();
    expect(view.querySelector("#facility-pending")?.textContent).toContain("Établissement en cours de vérification");
    state.session = session;
    const verified = dashboardView();
    await settle();
    expect(verified.querySelector("#facility-pending")).toBeNull();
  });

  it("lists the facility's open requests with an honest dash while the server has no ranking", async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      asked.push(cmd);
      if (cmd === "list_requests") {
        expect(args).toEqual({ facilityId: FACILITY });
        return [request("r1", "2030-01-07T07:00:00Z", "2030-01-07T19:00:00Z"), request("r2", "2030-02-07T07:00:00Z", "2030-02-07T19:00:00Z")];
      }
      if (cmd === "candidates") return { available: false, data: null };
      return null;
    });
    const view = dashboardView();
    await settle();
    expect(view.querySelector("#request-count")?.getAttribute("data-count")).toBe("2");
    expect(view.querySelectorAll("tr[data-request-row]").length).toBe(2);
    expect(view.querySelector('[data-matches="r1"]')?.textContent).toBe("—");
    expect(asked.filter((c) => c === "candidates").length).toBe(1);
  });

  it("shows complete / partial counts from the candidates endpoint", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_requests") return [request("r1", "2030-01-07T07:00:00Z", "2030-01-07T19:00:00Z")];
      if (cmd === "candidates") return { available: true, data: { request_id: "r1", complete_count: 2, partial_count: 1, candidates: [], split: null } };
      return null;
    });
    const view = dashboardView();
    await settle();
    expect(view.querySelector('[data-matches="r1"]')?.textContent).toBe("2 / 1");
  });

  it("says when there is nothing", async () => {
    mockIPC((cmd) => (cmd === "list_requests" ? [] : null));
    const view = dashboardView();
    await settle();
    expect(view.querySelector("#no-requests")).not.toBeNull();
  });
});

describe("candidates", () => {
  const answer = {
    request_id: "r1",
    complete_count: 1,
    partial_count: 1,
    candidates: [
      {
        doctor: "d1",
        profile: { id: "d1", first_name: "Anne", last_name: "Martin", specialties: ["urgences"] },
        status: "complete",
        coverage: { shifts: [{ shift: { start: "2030-01-07T07:00:00Z", end: "2030-01-07T19:00:00Z" }, covered: [{ start: "2030-01-07T07:00:00Z", end: "2030-01-07T19:00:00Z" }], uncovered: [] }] },
        reach: { by: "radius", distance_km: 31.2, radius_km: 50 },
        score: 912,
        criteria: [{ name: "distance", points: 212, max_points: 250, explanation: "À 31,2 km du site." }],
      },
      {
        doctor: "d2",
        profile: { id: "d2", first_name: "Yann", last_name: "Le Gall" },
        status: "partial",
        coverage: { shifts: [{ shift: { start: "2030-01-07T07:00:00Z", end: "2030-01-07T19:00:00Z" }, covered: [{ start: "2030-01-07T07:00:00Z", end: "2030-01-07T13:00:00Z" }], uncovered: [] }] },
        score: 500,
        criteria: [],
      },
    ],
    split: { parts: [{ doctor: "d2", intervals: [{ start: "2030-01-07T07:00:00Z", end: "2030-01-07T13:00:00Z" }] }], complete: false, uncovered: [], method: "exact" },
  };

  it("lists the selected request's candidates beside the map, with distances and no positions", async () => {
    setLang("fr");
    const asked: string[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "candidates") return null;
      asked.push((args as { requestId: string }).requestId);
      return { available: true, data: answer };
    });
    const panel = document.createElement("aside");
    await showCandidates(panel, "r1");
    expect(asked).toEqual(["r1"]);
    const items = panel.querySelectorAll("li[data-candidate]");
    expect([...items].map((li) => li.getAttribute("data-candidate"))).toEqual(["d1", "d2"]);
    expect(items[0]!.textContent).toContain("31 km du site");
    expect(panel.textContent).toContain(t("map.privacy"));
    expect(panel.innerHTML).not.toMatch(/lat|lon/);
  });

  it("a cluster of one site's requests lists them beside the map, soonest first, with the candidates of the chosen one", async () => {
    setLang("fr");
    const asked: string[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "candidates") return null;
      asked.push((args as { requestId: string }).requestId);
      return { available: true, data: answer };
    });
    const panel = document.createElement("aside");
    await showSite(panel, [request("late", "2030-02-07T07:00:00Z", "2030-02-07T19:00:00Z"), request("soon", "2030-01-07T07:00:00Z", "2030-01-07T19:00:00Z")]);
    expect(panel.querySelector("h3")!.textContent).toBe("2 demande(s) sur ce site");
    const buttons = [...panel.querySelectorAll<HTMLButtonElement>("[data-site-request]")];
    expect(buttons.map((b) => [b.dataset.siteRequest, b.getAttribute("aria-pressed")])).toEqual([
      ["soon", "true"],
      ["late", "false"],
    ]);
    expect(asked).toEqual(["soon"]);
    expect(panel.querySelectorAll("li[data-candidate]").length).toBe(2);
    buttons[1]!.click();
    await settle();
    expect(asked).toEqual(["soon", "late"]);
    expect(buttons[1]!.getAttribute("aria-pressed")).toBe("true");
    expect(panel.dataset.site).toBe(SITE);
  });

  it("reads ranked candidates with their explained criteria", () => {
    const list = candidateList(answer);
    expect(list.map((c) => [c.doctorId, c.name, c.coverage])).toEqual([
      ["d1", "Anne Martin", "complete"],
      ["d2", "Yann Le Gall", "partial"],
    ]);
    expect(list[0]?.criteria[0]).toEqual({ name: "distance", detail: "À 31,2 km du site.", points: 212, maxPoints: 250 });
    expect(list[0]?.distanceKm).toBe(31.2);
  });

  it("draws coverage on the timeline, the split, and sends a proposal", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "list_requests") return [request("r1", "2030-01-07T07:00:00Z", "2030-01-07T19:00:00Z")];
      if (cmd === "candidates") return { available: true, data: answer };
      if (cmd === "send_proposal") return { available: true, data: { id: "p1" } };
      return null;
    });
    const view = candidatesView("r1");
    document.body.append(view);
    await settle();
    const fills = view.querySelectorAll<HTMLElement>('[data-doctor="d2"] .timeline .fill');
    expect(fills.length).toBe(1);
    expect(fills[0]?.style.width).toBe("50%");
    expect(view.querySelector('[data-criterion="distance"]')?.textContent).toContain("Distance (212 / 250) — À 31,2 km du site.");
    expect(view.querySelector("#split")?.textContent).toContain("Yann Le Gall");
    expect(view.querySelector("#candidate-counts")?.textContent).toBe("1 couverture(s) complète(s), 1 partielle(s)");
    (view.querySelector('[data-propose="d1"]') as HTMLButtonElement).click();
    await settle();
    expect(calls.find(([c]) => c === "send_proposal")).toEqual(["send_proposal", { requestId: "r1", proposal: { doctor_id: "d1" } }]);
  });

  it("says the ranking is unavailable instead of inventing one", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_requests") return [];
      if (cmd === "candidates") return { available: false, data: null };
      return null;
    });
    const view = candidatesView("r1");
    await settle();
    expect(view.querySelector("#candidates-unavailable")).not.toBeNull();
  });
});

describe("editor model", () => {
  it("toggles shifts and repeats them weekly", () => {
    const p = new ShiftPicker();
    p.toggle("2030-03-02", "night");
    p.toggle("2030-03-01", "day");
    p.toggle("2030-03-03", "day");
    p.toggle("2030-03-03", "day");
    expect(p.size).toBe(2);
    expect(p.drafts(4)).toEqual([
      { kind: "day", date: "2030-03-01", repeat: "FREQ=WEEKLY;COUNT=4" },
      { kind: "night", date: "2030-03-02", repeat: "FREQ=WEEKLY;COUNT=4" },
    ]);
    expect(p.drafts(1)[0]).toEqual({ kind: "day", date: "2030-03-01" });
  });
});

describe("planning and payroll", () => {
  it("exports one CSV line per worked shift with exact hours", () => {
    const rows = missionRows({ missions: [{ id: "m1", doctor_name: "Dr Le Gall", site_name: "CH; Lannion", status: "confirmed", shifts: [{ kind: "night", interval: { start: "2027-03-27T19:00:00Z", end: "2027-03-28T06:00:00Z" } }] }] });
    const csv = payrollCsv(rows);
    expect(csv.startsWith("\uFEFFmission;medecin;site")).toBe(true);
    expect(csv).toContain('m1;Dr Le Gall;"CH; Lannion";;2027-03-27T19:00:00Z;2027-03-28T06:00:00Z;11;confirmed');
  });

  it("quotes CSV fields", () => {
    expect(toCsv(["a"], [['x"y']])).toBe('\uFEFFa\r\n"x""y"\r\n');
  });

  it("counts days to a start", () => {
    expect(daysUntil("2030-01-10T00:00:00Z", new Date("2030-01-07T12:00:00Z"))).toBe(2);
    expect(daysUntil("2020-01-10T00:00:00Z")).toBe(0);
  });
});

describe("areas not on the server yet", () => {
  it("show their unavailable state", async () => {
    mockIPC((cmd) => (cmd === "area_list" ? { available: false, data: null } : null));
    const view = membersView();
    await settle();
    expect(view.querySelectorAll("[data-unavailable]").length).toBe(1);
    const invoices = invoicesView();
    await settle();
    expect(invoices.querySelectorAll("[data-unavailable]").length).toBe(2);
  });
});

describe("members and rights", () => {
  const SITE_A = "0190f5d2-0000-7000-8000-0000000000a1";
  const list = {
    members: [
      { member_id: "m1", email: "coordination@ch.fr", display_name: "Coordination", role: "admin", delegations: [], rights: [], activated: true, you: true },
      {
        member_id: "m2",
        email: "secretariat@ch.fr",
        display_name: "Secrétariat",
        role: "viewer",
        delegations: [{ right: "billing" }, { right: "propose", site_id: SITE_A }],
        activated: false,
        you: false,
      },
      { email: "no-id@ch.fr" },
    ],
  };

  it("reads the list and computes the rights to send", () => {
    const rows = memberRows(list);
    expect(rows.map((r) => [r.memberId, r.role, r.you, r.activated])).toEqual([
      ["m1", "admin", true, true],
      ["m2", "viewer", false, false],
    ]);
    expect(roleRights("planner")).toEqual(["read", "post_requests", "propose"]);
    // Rights of the role are not delegated; the site-limited delegation is kept unless made facility-wide.
    expect(delegationsFor("viewer", ["read", "billing"], rows[1]!.delegations)).toEqual([{ right: "billing" }, { right: "propose", site_id: SITE_A }]);
    expect(delegationsFor("viewer", ["propose"], rows[1]!.delegations)).toEqual([{ right: "propose" }]);
    expect(delegationsFor("planner", ["billing"], rows[1]!.delegations)).toEqual([{ right: "billing" }]);
  });

  it("lists members with role boxes, and saves a change of rights", async () => {
    setLang("fr");
    const sent: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "area_list") return { available: true, data: list };
      if (cmd === "member_change") {
        sent.push(args);
        return { available: true, data: { member: {} } };
      }
      return null;
    });
    const view = membersView();
    document.body.append(view);
    await settle();
    expect(view.querySelector("#members-table")?.getAttribute("data-count")).toBe("2");
    const m2 = view.querySelector('[data-member="m2"]')!;
    expect(m2.textContent).toContain("compte non activé");
    const box = (r: string) => m2.querySelector<HTMLInputElement>(`[data-right="${r}"]`)!;
    // `read` comes with the role (greyed), billing is delegated.
    expect([box("read").checked, box("read").disabled]).toEqual([true, true]);
    expect([box("billing").checked, box("billing").disabled]).toEqual([true, false]);
    expect(box("post_requests").checked).toBe(false);
    box("post_requests").checked = true;
    box("post_requests").dispatchEvent(new Event("change"));
    box("billing").checked = false;
    box("billing").dispatchEvent(new Event("change"));
    m2.querySelector<HTMLButtonElement>('[data-save="m2"]')!.click();
    await settle();
    expect(sent).toEqual([
      {
        facilityId: FACILITY,
        memberId: "m2",
        rights: { role: "viewer", delegations: [{ right: "post_requests" }, { right: "propose", site_id: SITE_A }] },
      },
    ]);
    // Choosing the planner role greys its rights.
    const role = m2.querySelector<HTMLSelectElement>("[data-role]")!;
    role.value = "planner";
    role.dispatchEvent(new Event("change"));
    expect([box("propose").checked, box("propose").disabled]).toEqual([true, true]);
  });

  it("shows the last-admin refusal in plain French next to the row and removes only after confirming", async () => {
    setLang("fr");
    const calls: string[] = [];
    mockIPC((cmd) => {
      if (cmd === "area_list") return { available: true, data: list };
      calls.push(cmd);
      if (cmd === "member_change" || cmd === "member_remove") {
        throw { code: "last_admin", message: "Impossible : l'établissement doit garder au moins un administrateur. Nommez d'abord un autre administrateur." };
      }
      return null;
    });
    const view = membersView();
    document.body.append(view);
    await settle();
    const m1 = view.querySelector('[data-member="m1"]')!;
    const role = m1.querySelector<HTMLSelectElement>("[data-role]")!;
    role.value = "viewer";
    role.dispatchEvent(new Event("change"));
    m1.querySelector<HTMLButtonElement>('[data-save="m1"]')!.click();
    await settle();
    expect(m1.querySelector('[role="alert"]')).toBeNull();
    const alert = view.querySelector('[data-member-error="m1"] [role="alert"]')!;
    expect(alert.getAttribute("data-code")).toBe("last_admin");
    expect(alert.textContent).toContain("au moins un administrateur");
    const remove = m1.querySelector<HTMLButtonElement>('[data-remove="m1"]')!;
    remove.click();
    await settle();
    expect(calls).toEqual(["member_change"]);
    expect(remove.textContent).toBe("Confirmer le retrait");
    remove.click();
    await settle();
    expect(calls).toEqual(["member_change", "member_remove"]);
    expect(remove.textContent).toBe("Retirer");
    setLang("en");
    expect(errorText({ code: "last_admin", message: "x" })).toContain("at least one administrator");
  });

  it("invites someone and reloads the list", async () => {
    setLang("fr");
    const invites: unknown[] = [];
    let loads = 0;
    mockIPC((cmd, args) => {
      if (cmd === "area_list") {
        loads++;
        return { available: true, data: list };
      }
      if (cmd === "member_invite") {
        invites.push(args);
        return { available: true, data: { member_id: "m3" } };
      }
      return null;
    });
    const view = membersView();
    document.body.append(view);
    await settle();
    view.querySelector<HTMLInputElement>("#invite-email")!.value = "nouveau@ch.fr";
    view.querySelector<HTMLInputElement>("#invite-name")!.value = "Nouveau";
    const role = view.querySelector<HTMLSelectElement>("#invite-role")!;
    role.value = "planner";
    view.querySelector<HTMLButtonElement>("#invite-send")!.click();
    await settle();
    expect(invites).toEqual([{ facilityId: FACILITY, email: "nouveau@ch.fr", displayName: "Nouveau", rights: { role: "planner", delegations: [] } }]);
    expect(loads).toBe(2);
  });

  it("is for administrators only", async () => {
    let asked = false;
    mockIPC(() => {
      asked = true;
      return null;
    });
    expect(canManage(FACILITY)).toBe(true);
    state.session = { ...session, me: { ...ME, memberships: [{ facility_id: FACILITY, facility_name: "CH", member_id: "m9", role: "viewer", delegations: [], facility_verified: true }] } };
    expect(canManage(FACILITY)).toBe(false);
    const view = membersView();
    await settle();
    expect(view.querySelector("#members-admin-only")).not.toBeNull();
    expect(asked).toBe(false);
    state.session = { ...session, me: { ...ME, memberships: [{ facility_id: FACILITY, facility_name: "CH", member_id: "m9", role: "viewer", delegations: [{ right: "manage_members" }], facility_verified: true }] } };
    expect(canManage(FACILITY)).toBe(true);
  });
});

describe("invoices and charges", () => {
  const amounts = { ht_cents: 17013, vat_cents: 3403, ttc_cents: 20416 };
  const zero = { ht_cents: 0, vat_cents: 0, ttc_cents: 0 };
  it("formats cents exactly", () => {
    setLang("fr");
    expect(formatCents(20416).replace(/\s/g, " ")).toBe("204,16 €");
    expect(formatCents(5).replace(/\s/g, " ")).toBe("0,05 €");
    expect(formatCents(123456789).replace(/\s/g, " ")).toBe("1 234 567,89 €");
  });

  it("lists the facility's invoices and the statement totals from the billing endpoints", async () => {
    setLang("fr");
    const areas: string[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "area_list") return null;
      const { area, facilityId } = args as { area: string; facilityId: string };
      areas.push(`${area}:${facilityId}`);
      if (area === "invoices") {
        return {
          available: true,
          data: {
            invoices: [
              { id: "i1", number: "2026-000001", year: 2026, seq: 1, kind: "invoice", facility_id: FACILITY, doctor_id: "d", mission_id: "m1",
                issued_ms: Date.UTC(2026, 10, 23, 9), vat_bps: 2000, ...amounts, customer: { name: "CH", siret: "x", address: "y" },
                subject: "Mise en relation avec Dr Kerbrat", lines: [], cancels_id: null },
              { id: "i2", number: "2026-000002", kind: "credit_note", mission_id: "m1", issued_ms: Date.UTC(2026, 10, 24, 9), vat_bps: 2000,
                ...amounts, subject: "Avoir", lines: [], cancels_id: "i1" },
            ],
          },
        };
      }
      return { available: true, data: { facility_id: FACILITY, charges: [], totals: { charged: amounts, credited: amounts, net: zero } } };
    });
    const view = invoicesView();
    await settle();
    expect(areas).toEqual([`invoices:${FACILITY}`, `charges:${FACILITY}`]);
    const rows = view.querySelectorAll("#invoices-table tbody tr");
    expect(rows.length).toBe(2);
    expect(rows[0]!.textContent).toContain("2026-000001");
    expect(rows[0]!.textContent?.replace(/\s/g, " ")).toContain("204,16 €");
    expect(rows[1]!.textContent).toContain("Avoir");
    expect(view.querySelector('[data-total="net"]')?.textContent?.replace(/\s/g, " ")).toContain("0,00 €");
  });

  it("saves an invoice's or a credit note's PDF and says where", async () => {
    setLang("fr");
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "area_list") {
        return (args as { area: string }).area === "invoices"
          ? { available: true, data: { invoices: [
              { id: "i1", number: "2026-000001", kind: "invoice", issued_ms: 1, ...amounts, subject: "S", lines: [] },
              { id: "i2", number: "2026-000002", kind: "credit_note", issued_ms: 2, ...amounts, subject: "Avoir", lines: [] },
            ] } }
          : { available: true, data: { charges: [], totals: { charged: zero, credited: zero, net: zero } } };
      }
      calls.push([cmd, args]);
      if ((args as { invoiceId: string }).invoiceId === "i2") throw { code: "forbidden", message: "Vous n'avez pas les droits nécessaires pour cette action." };
      return { available: true, data: "/home/x/Downloads/facture-2026-000001.pdf" };
    });
    const view = invoicesView();
    document.body.append(view);
    await settle();
    view.querySelector<HTMLButtonElement>('[data-invoice-pdf="i1"]')!.click();
    await settle();
    expect(calls).toEqual([["invoice_pdf", { invoiceId: "i1", number: "2026-000001", creditNote: false }]]);
    expect(document.getElementById("notices")?.textContent).toContain("/home/x/Downloads/facture-2026-000001.pdf");
    view.querySelector<HTMLButtonElement>('[data-invoice-pdf="i2"]')!.click();
    await settle();
    expect(calls[1]).toEqual(["invoice_pdf", { invoiceId: "i2", number: "2026-000002", creditNote: true }]);
    expect(view.querySelector('#invoice-pdf-error [role="alert"]')?.textContent).toContain("droits");
  });

  it("says how invoices appear when there are none", async () => {
    mockIPC((cmd, args) =>
      cmd === "area_list"
        ? (args as { area: string }).area === "invoices"
          ? { available: true, data: { invoices: [] } }
          : { available: true, data: { charges: [], totals: { charged: zero, credited: zero, net: zero } } }
        : null,
    );
    const view = invoicesView();
    await settle();
    expect(view.querySelector("#invoices-empty")).not.toBeNull();
  });

  it("explains a refusal (member without the billing right)", async () => {
    mockIPC((cmd) => {
      if (cmd === "area_list") throw { code: "forbidden", message: "interdit" };
      return null;
    });
    const view = invoicesView();
    await settle();
    expect(view.textContent).toContain(errorText({ code: "forbidden", message: "interdit" }));
  });
});

describe("notifications inbox", () => {
  const page = {
    notifications: [
      { id: "n2", kind: "invoice_issued", title: "Facture 2026-000001", body: "Émise.", created_at: "2026-11-23T03:00:00.000Z", payload: {}, read_at: null, seq: 2 },
      { id: "n1", kind: "proposal_accepted", title: "Proposition acceptée", body: "", created_at: "2026-11-22T03:00:00.000Z", payload: {}, read_at: "2026-11-22T04:00:00.000Z", seq: 1 },
      { kind: "broken" },
    ],
    next_before: null,
    unread: 1,
  };

  it("reads the server's inbox page, skipping malformed items", () => {
    const r = inboxItems(page);
    expect(r.unread).toBe(1);
    expect(r.items.map((i) => [i.id, i.read])).toEqual([["n2", false], ["n1", true]]);
  });

  it("shows the inbox newest first with unread marked, or the unavailable state", async () => {
    mockIPC((cmd, args) => (cmd === "area_list" && (args as { area: string }).area === "notifications" ? { available: true, data: page } : null));
    const view = inboxView();
    await settle();
    expect(view.querySelectorAll("li.unread[data-notification=n2]").length).toBe(1);
    expect(view.querySelector("#inbox-unread")?.textContent).toContain("1");
    clearMocks();
    mockIPC((cmd) => (cmd === "area_list" ? { available: false, data: null } : null));
    const gone = inboxView();
    await settle();
    expect(gone.querySelector('[data-unavailable="notifications"]')).not.toBeNull();
  });
});

describe("staff verification queue", () => {
  const queue = { pending: [{ doctor_id: "0190f5d2-0000-7000-8000-00000000d0c1", rpps: "10001234567", first_name: "Léa", last_name: "Morvan", email: "lea@example.fr", identity_document: null }, { nothing: 1 }] };

  it("reads the queue defensively", () => {
    expect(pendingDoctors(queue)).toEqual([{ doctorId: "0190f5d2-0000-7000-8000-00000000d0c1", name: "Léa Morvan", rpps: "10001234567", detail: `lea@example.fr · ${t("staff.noIdDocument")}`, hasDocument: false }]);
    expect(pendingDoctors(null)).toEqual([]);
  });

  it("sends a rejection with its reason and reloads the queue", async () => {
    const calls: unknown[] = [];
    let listed = 0;
    mockIPC((cmd, args) => {
      if (cmd === "area_list" && (args as { area?: string } | undefined)?.area === "facility_verifications") return { available: true, data: { facilities: [] } };
      if (cmd === "area_list") {
        listed++;
        return { available: true, data: listed === 1 ? queue : { pending: [] } };
      }
      if (cmd === "verification_decide") {
        calls.push(args);
        return { available: true, data: {} };
      }
      return null;
    });
    const view = staffView();
    await settle();
    (view.querySelector("input.reason") as HTMLInputElement).value = "RPPS inconnu";
    (view.querySelector("[data-reject]") as HTMLButtonElement).click();
    await settle();
    expect(calls).toEqual([{ doctorId: "0190f5d2-0000-7000-8000-00000000d0c1", decision: "reject", reason: "RPPS inconnu" }]);
    expect(view.querySelector("#queue-empty")).not.toBeNull();
  });

  it("saves a doctor's identity document and says where; no button without a document", async () => {
    const withDoc = { pending: [{ ...queue.pending[0], identity_document: { id: "d1" } }, { ...queue.pending[0], doctor_id: "0190f5d2-0000-7000-8000-00000000d0c2", identity_document: null }] };
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "area_list" && (args as { area?: string } | undefined)?.area === "facility_verifications") return { available: true, data: { facilities: [] } };
      if (cmd === "area_list") return { available: true, data: withDoc };
      if (cmd === "verification_document") {
        asked.push(args);
        return "/home/coord/Téléchargements/piece-identite-0190f5d2-0000-7000-8000-00000000d0c1.pdf";
      }
      return null;
    });
    const view = staffView();
    document.body.append(view);
    await settle();
    const buttons = view.querySelectorAll<HTMLButtonElement>("[data-document]");
    expect(buttons.length).toBe(1);
    buttons[0]!.click();
    await settle();
    expect(asked).toEqual([{ doctorId: "0190f5d2-0000-7000-8000-00000000d0c1" }]);
    expect(document.getElementById("notices")?.textContent).toContain("piece-identite-0190f5d2-0000-7000-8000-00000000d0c1.pdf");
    view.remove();
  });

  it("shows a refused download as a plain error beside the doctor", async () => {
    const withDoc = { pending: [{ ...queue.pending[0], identity_document: { id: "d1" } }] };
    mockIPC((cmd, args) => {
      if (cmd === "area_list" && (args as { area?: string } | undefined)?.area === "facility_verifications") return { available: true, data: { facilities: [] } };
      if (cmd === "area_list") return { available: true, data: withDoc };
      if (cmd === "verification_document") throw { code: "offline", message: "Pas de connexion au serveur." };
      return null;
    });
    const view = staffView();
    await settle();
    view.querySelector<HTMLButtonElement>("[data-document]")!.click();
    await settle();
    expect(view.textContent).toContain("Pas de connexion au serveur.");
  });

  it("shows 'not available' when the server has no queue", async () => {
    mockIPC((cmd) => (cmd === "area_list" ? { available: false, data: null } : null));
    const view = staffView();
    await settle();
    expect(view.querySelector('[data-unavailable="verifications"]')).not.toBeNull();
  });

  it("lists the facilities to verify with their SIRET and administrators; a rejection sends its reason", async () => {
    const facilities = {
      facilities: [
        {
          facility_id: "0190f5d2-0000-7000-8000-0000000fac01",
          name: "Clinique Nouvelle",
          siret: "73282932000074",
          kind: "clinic",
          status: "pending",
          created_ms: 1_796_000_000_000,
          reason: null,
          decided_ms: null,
          admins: [{ email: "claire@clinique-nouvelle.fr", display_name: "Claire Petit" }],
        },
      ],
    };
    const calls: unknown[] = [];
    let served = 0;
    mockIPC((cmd, args) => {
      if (cmd === "area_list") {
        if ((args as { area: string }).area === "verifications") return { available: true, data: { pending: [] } };
        served++;
        return { available: true, data: served === 1 ? facilities : { facilities: [] } };
      }
      if (cmd === "facility_decide") {
        calls.push(args);
        return { available: true, data: { facility_id: "0190f5d2-0000-7000-8000-0000000fac01", name: "Clinique Nouvelle", status: "rejected" } };
      }
      return null;
    });
    const view = staffView();
    await settle();
    const row = view.querySelector('[data-facility="0190f5d2-0000-7000-8000-0000000fac01"]')!;
    expect(row.textContent).toContain("Clinique Nouvelle");
    expect(row.textContent).toContain("SIRET 73282932000074");
    expect(row.textContent).toContain("claire@clinique-nouvelle.fr");
    (row.querySelector("input.reason") as HTMLInputElement).value = "SIRET d'une autre entreprise";
    row.querySelector<HTMLButtonElement>("[data-reject-facility]")!.click();
    await settle();
    expect(calls).toEqual([{ facilityId: "0190f5d2-0000-7000-8000-0000000fac01", decision: "reject", reason: "SIRET d'une autre entreprise" }]);
    expect(view.querySelector("#facility-queue-empty")).not.toBeNull();
  });
});


describe("notifications from the Rust side", () => {
  it("a server notification announced by the sync worker (`notify` event) shows as a notice", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    await events.onNotice(showNotice);
    // What `worker::announce_notifications` emits (the OS notification is shown by Rust alongside).
    await emit("notify", { level: "info", title: "Proposition acceptée", body: "Dr Léa Le Goff a accepté la mission du 12 décembre." });
    await settle();
    const area = document.getElementById("notices")!;
    expect(area.getAttribute("aria-live")).toBe("polite");
    expect(area.textContent).toContain("Proposition acceptée");
    expect(area.textContent).toContain("Dr Léa Le Goff");
  });
});

describe("invitations", () => {
  const INV = "0190f5d2-0000-7000-8000-00000000a001";
  const sentList = {
    invitations: [
      { id: INV, email: "nora@ch.fr", display_name: "Nora", role: "planner", delegations: [], invited_by: "Coordination", created_ms: 1, expires_ms: Date.UTC(2027, 0, 15), status: "pending" },
      { id: "old", email: "paul@ch.fr", display_name: "Paul", role: "viewer", invited_by: "Coordination", created_ms: 0, expires_ms: 0, status: "declined" },
      { id: "odd", email: "x@ch.fr", status: "hacked" },
      { email: "no-id@ch.fr" },
    ],
  };

  it("reads both lists defensively", () => {
    expect(sentRows(sentList).map((r) => [r.id, r.status])).toEqual([
      [INV, "pending"],
      ["old", "declined"],
      ["odd", "revoked"],
    ]);
    expect(receivedRows({ invitations: [{ id: "i1", facility_id: FACILITY, facility_name: "CHU", role: "viewer", invited_by: "A", expires_ms: 5 }, { id: "i2" }] })).toHaveLength(1);
    expect(sentRows(null)).toEqual([]);
  });

  it("lists the sent offers and withdraws one only after confirming", async () => {
    setLang("fr");
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "area_list") return { available: true, data: sentList };
      calls.push([cmd, args]);
      return { available: true, data: null };
    });
    const panel = sentInvitationsPanel(FACILITY);
    document.body.append(panel);
    await settle();
    expect(panel.querySelector("#invitations-table")?.getAttribute("data-count")).toBe("3");
    const row = panel.querySelector(`[data-invitation="${INV}"]`)!;
    expect(row.textContent).toContain("en attente de réponse");
    expect(row.textContent).toContain("Planification");
    expect(panel.querySelector('[data-invitation="old"] [data-revoke]')).toBeNull();
    const revoke = row.querySelector<HTMLButtonElement>("[data-revoke]")!;
    revoke.click();
    await settle();
    expect(calls).toEqual([]);
    expect(revoke.textContent).toBe("Confirmer le retrait");
    revoke.click();
    await settle();
    expect(calls).toEqual([["invitation_revoke", { facilityId: FACILITY, invitationId: INV }]]);
  });

  it("offers received wait on the dashboard: accepting refreshes the session, a refusal shows in French", async () => {
    setLang("fr");
    const OTHER = "0190f5d2-0000-7000-8000-0000000000fb";
    const received = { invitations: [{ id: "i1", facility_id: OTHER, facility_name: "CHU de Rennes", role: "viewer", rights: ["read"], invited_by: "Claire Petit", expires_ms: Date.UTC(2027, 0, 15) }] };
    const answers: unknown[] = [];
    let refuse = true;
    mockIPC((cmd, args) => {
      if (cmd === "area_list") return { available: true, data: received };
      if (cmd === "invitation_answer") {
        answers.push(args);
        if (refuse) throw { code: "invalid_token", message: "invitation invalide, déjà utilisée, retirée ou expirée" };
        return { available: true, data: { facility_id: OTHER, facility_name: "CHU de Rennes", member_id: "m9" } };
      }
      if (cmd === "session") return { ...session, me: { ...ME, memberships: [...session.me!.memberships, { facility_id: OTHER, facility_name: "CHU de Rennes", member_id: "m9", role: "viewer", delegations: [], facility_verified: true }] } };
      if (cmd === "list_requests") return [];
      if (cmd === "facility") return { facility: { id: OTHER, name: "CHU de Rennes", siret: "", kind: "public_hospital" }, sites: [] };
      return null;
    });
    const panel = receivedInvitationsPanel();
    document.body.append(panel);
    await settle();
    expect(panel.hidden).toBe(false);
    expect(panel.textContent).toContain("« CHU de Rennes » vous invite");
    expect(panel.textContent).toContain("Claire Petit");
    panel.querySelector<HTMLButtonElement>("[data-accept-invitation]")!.click();
    await settle();
    expect(panel.querySelector('[role="alert"]')?.textContent).toContain("invitation invalide");
    refuse = false;
    panel.querySelector<HTMLButtonElement>("[data-accept-invitation]")!.click();
    await settle();
    expect(answers).toEqual([
      { invitationId: "i1", accept: true },
      { invitationId: "i1", accept: true },
    ]);
    expect(state.facilityId).toBe(OTHER);
    expect((state.session?.me?.memberships ?? []).map((m) => m.facility_name)).toContain("CHU de Rennes");
  });

  it("stays hidden with no offer", async () => {
    mockIPC((cmd) => (cmd === "area_list" ? { available: true, data: { invitations: [] } } : null));
    const panel = receivedInvitationsPanel();
    await settle();
    expect(panel.hidden).toBe(true);
  });
});

describe("calendar feeds", () => {
  const FEED = "0190f5d2-0000-7000-8000-00000000f001";
  const feed = {
    id: FEED,
    scope: "facility",
    facility_id: FACILITY,
    name: "Rempla – CH de Lannion",
    url: `https://rempla.example/feeds/${FEED}/secret.ics`,
    webcal_url: `webcal://rempla.example/feeds/${FEED}/secret.ics`,
    created_ms: 1,
    include_availabilities: false,
  };

  it("keeps the feeds of this facility and site only", () => {
    const data = { feeds: [feed, { ...feed, id: "x", site_id: SITE }, { ...feed, id: "y", facility_id: "other" }, { id: "z" }] };
    expect(feedRows(data, FACILITY, null).map((f) => f.id)).toEqual([FEED]);
    expect(feedRows(data, FACILITY, SITE).map((f) => f.id)).toEqual(["x"]);
    expect(feedRows(null, FACILITY, null)).toEqual([]);
  });

  it("creates the address, then shows it with a QR code; rotating asks first", async () => {
    setLang("fr");
    let feeds: unknown[] = [];
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "area_list") return { available: true, data: { feeds } };
      calls.push([cmd, args]);
      if (cmd === "feed_create") {
        feeds = [feed];
        return { available: true, data: feed };
      }
      return { available: true, data: feed };
    });
    const panel = feedsPanel();
    document.body.append(panel);
    await settle();
    expect(panel.querySelector("#no-feed")).not.toBeNull();
    panel.querySelector<HTMLButtonElement>("#feed-create")!.click();
    await settle();
    await settle();
    expect(calls).toEqual([["feed_create", { facilityId: FACILITY, siteId: null }]]);
    const url = panel.querySelector<HTMLInputElement>(`[data-feed-url="${FEED}"]`)!;
    expect(url.value).toBe(feed.url);
    expect(panel.textContent).toContain("webcal://rempla.example");
    for (let i = 0; i < 20 && !panel.querySelector("[data-feed-qr] svg"); i++) await settle();
    expect(panel.querySelector("[data-feed-qr] svg")).not.toBeNull();
    const rotate = panel.querySelector<HTMLButtonElement>(`[data-rotate-feed="${FEED}"]`)!;
    rotate.click();
    await settle();
    expect(calls).toHaveLength(1);
    expect(rotate.textContent).toContain("Confirmer");
    rotate.click();
    await settle();
    expect(calls[1]).toEqual(["feed_rotate", { feedId: FEED }]);
  });

  it("shows the server's refusal in plain French", async () => {
    setLang("fr");
    mockIPC((cmd) => {
      if (cmd === "area_list") return { available: true, data: { feeds: [] } };
      throw { code: "too_many_feeds", message: "Vous avez déjà 20 abonnements d'agenda : supprimez-en un avant d'en créer un autre." };
    });
    const panel = feedsPanel();
    document.body.append(panel);
    await settle();
    panel.querySelector<HTMLButtonElement>("#feed-create")!.click();
    await settle();
    expect(panel.querySelector('[role="alert"]')?.textContent).toContain("20 abonnements");
  });
});

describe("forgotten password", () => {
  it("asks the server for a reset link for the address typed, and says what happens next", async () => {
    setLang("fr");
    state.session = null;
    const calls: unknown[] = [];
    let fail = false;
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (fail) throw { code: "invalid", message: "Saisissez l'adresse e-mail de votre compte, puis « Mot de passe oublié »." };
      return null;
    });
    const view = signInView();
    document.body.append(view);
    view.querySelector<HTMLInputElement>("#email")!.value = "  coord@example.fr ";
    view.querySelector<HTMLButtonElement>("#lost-password")!.click();
    await settle();
    expect(calls).toEqual([["lost_password", { server: "http://127.0.0.1:8080", email: "coord@example.fr" }]]);
    expect(view.querySelector("#lost-sent")?.textContent).toContain("coord@example.fr");
    fail = true;
    view.querySelector<HTMLButtonElement>("#lost-password")!.click();
    await settle();
    expect(view.querySelector('[role="alert"]')?.textContent).toContain("Mot de passe oublié");
  });
});

describe("a mission opened from the planning", () => {
  const MISSION = "0190f5d2-0000-7000-8000-00000000a0a1";
  const SHA = "a".repeat(64);
  const answer = (signed: string[], contacts: Record<string, unknown> = { email: "kerbrat@exemple.fr", phone: "+33 6 12 34 56 78" }) => ({
    available: true,
    data: {
      detail: {
        mission: { id: MISSION, title: "Remplacement – Site 1", zone: "Europe/Paris", status: "confirmed", shifts: [{ kind: "night", interval: { start: "2027-02-01T19:00:00Z", end: "2027-02-02T07:00:00Z" } }] },
        contacts: { doctor: { first_name: "Camille", last_name: "Kerbrat", rpps: "10000001916", ...contacts } },
      },
      contract: { sha256: SHA, status: "confirmed", signatures: signed.map((party) => ({ party })) },
    },
  });

  it("reads the answer defensively", () => {
    const f = missionFacts(answer(["doctor"]).data)!;
    expect([f.doctor?.name, f.signedBy, f.shifts.length]).toEqual(["Dr Camille Kerbrat", ["doctor"], 1]);
    expect(missionFacts({})).toBeNull();
    expect(missionFacts({ detail: { mission: { id: "x" } } })?.doctor).toBeNull();
  });

  it("shows the doctor and the contract, signs by click, then shows the signature", async () => {
    setLang("fr");
    let signed = ["doctor"];
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "mission_open") return answer(signed);
      if (cmd === "contract_sign") {
        signed = ["doctor", "facility"];
        return { available: true, data: {} };
      }
      return null;
    });
    const panel = missionPanel(MISSION, () => undefined);
    document.body.append(panel);
    await settle();
    expect(panel.textContent).toContain("Dr Camille Kerbrat");
    expect(panel.textContent).toContain("+33 6 12 34 56 78");
    expect(panel.querySelector("#contract-facility")?.textContent).toContain("pas encore signé");
    expect(panel.textContent).toContain("conseil départemental de l'Ordre");
    panel.querySelector<HTMLButtonElement>("#contract-sign")!.click();
    await settle();
    await settle();
    expect(calls).toContainEqual(["contract_sign", { missionId: MISSION, sha256: SHA }]);
    expect(panel.querySelector("#contract-facility")?.textContent).toContain("signé");
    expect(panel.querySelector("#contract-facility")?.textContent).not.toContain("pas encore");
    expect(panel.querySelector("#contract-sign")).toBeNull();
  });

  it("says why a viewer sees no phone, and shows a stale-contract refusal in French", async () => {
    setLang("fr");
    mockIPC((cmd) => {
      if (cmd === "mission_open") return answer([], {});
      throw { code: "stale_contract", message: "Impossible maintenant : le contrat a changé depuis votre lecture." };
    });
    const panel = missionPanel(MISSION, () => undefined);
    document.body.append(panel);
    await settle();
    expect(panel.textContent).toContain("réservés aux membres qui organisent");
    panel.querySelector<HTMLButtonElement>("#contract-sign")!.click();
    await settle();
    expect(panel.querySelector('[role="alert"]')?.textContent).toContain("le contrat a changé");
  });
});

describe("my account", () => {
  const devices = {
    devices: [
      { device_id: "0190f5d2-0000-7000-8000-00000000de01", device_name: "Poste du secrétariat", platform: "desktop", signed_in_ms: Date.UTC(2026, 11, 1), expires_ms: 0, this_device: true },
      { device_id: "0190f5d2-0000-7000-8000-00000000de02", device_name: "Pixel 8", platform: "android", signed_in_ms: Date.UTC(2026, 10, 20), expires_ms: 0, this_device: false },
    ],
  };

  it("lists the devices, this one marked, and signs another out on the second click", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "my_devices") return { available: true, data: devices };
      if (cmd === "notification_preferences") return { available: true, data: {} };
      if (cmd === "device_sign_out") return { available: true, data: null };
      return null;
    });
    const view = accountView();
    document.body.append(view);
    await settle();
    const rows = [...view.querySelectorAll("li[data-device]")].map((li) => li.textContent);
    expect(rows[0]).toContain("Poste du secrétariat · Ordinateur · connecté le");
    expect(rows[0]).toContain("cet ordinateur");
    expect(rows[1]).toContain("Pixel 8 · Android");
    expect(view.querySelectorAll("[data-sign-out-device]").length).toBe(1);
    const out = view.querySelector("[data-sign-out-device]") as HTMLButtonElement;
    out.click();
    expect(calls.some((c) => (c as unknown[])[0] === "device_sign_out")).toBe(false);
    out.click();
    await settle();
    expect(calls).toContainEqual(["device_sign_out", { deviceId: "0190f5d2-0000-7000-8000-00000000de02" }]);
  });

  it("changes the password only when both new ones match, and shows the server's refusal", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "my_devices") return { available: true, data: devices };
      if (cmd === "password_change") {
        const a = args as { current: string };
        if (a.current !== "ancien-mot-de-passe") throw { code: "wrong_password", message: "Certaines informations sont invalides : mot de passe actuel incorrect" };
        return { available: true, data: { sessions_ended: 1 } };
      }
      return null;
    });
    const view = accountView();
    document.body.append(view);
    await settle();
    const fill = (current: string, a: string, b: string) => {
      (view.querySelector("#current-password") as HTMLInputElement).value = current;
      (view.querySelector("#new-password") as HTMLInputElement).value = a;
      (view.querySelector("#new-password-again") as HTMLInputElement).value = b;
      view.querySelector("#password-form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    };
    fill("ancien-mot-de-passe", "nouveau-mot-de-passe", "nouveau-mot-de-passX");
    await settle();
    expect(view.querySelector("#password-form [role=alert]")?.textContent).toBe("Les deux nouveaux mots de passe ne sont pas identiques.");
    expect(calls.some((c) => (c as unknown[])[0] === "password_change")).toBe(false);
    fill("pas-le-bon", "nouveau-mot-de-passe", "nouveau-mot-de-passe");
    await settle();
    expect(view.querySelector("#password-form [role=alert]")?.getAttribute("data-code")).toBe("wrong_password");
    fill("ancien-mot-de-passe", "nouveau-mot-de-passe", "nouveau-mot-de-passe");
    await settle();
    expect(calls).toContainEqual(["password_change", { current: "ancien-mot-de-passe", new: "nouveau-mot-de-passe" }]);
    expect(view.querySelector("#password-form [role=alert]")).toBeNull();
    expect((view.querySelector("#new-password") as HTMLInputElement).value).toBe("");
    expect(document.getElementById("notices")?.textContent).toContain("Autres appareils déconnectés : 1");
  });
});

describe("the doctor space", () => {
  it("turns the repeat choice into an RFC 5545 rule and reads the skipped dates", () => {
    expect(repeatRule("none", 4)).toBeNull();
    expect(repeatRule("weekly", 4)).toBe("FREQ=WEEKLY;COUNT=4");
    expect(repeatRule("fortnightly", 1)).toBe("FREQ=WEEKLY;INTERVAL=2;COUNT=2");
    expect(repeatRule("monthly", 500)).toBe("FREQ=MONTHLY;COUNT=104");
    expect(skippedDates("2027-02-24, 2027-01-03;2027-02-24 demain 2027-13-45")).toEqual(["2027-01-03", "2027-02-24"]);
    expect(OFFERED_KINDS).toContain("astreinte");
    expect(OFFERED_KINDS).not.toContain("custom");
  });

  it("draws occurrences by status, series marked", () => {
    const o: OccurrenceView = { availabilityId: "a1", kind: "garde_night", start: "2027-02-17T19:00:00+00:00", end: "2027-02-18T07:00:00+00:00", localDate: "2027-02-17", status: "booked", isSeries: true, note: null };
    const e = occurrenceEvent(o);
    expect(e.title).toBe("garde de nuit ↻ · mission");
    expect(e.classNames).toEqual(["availability", "availability-booked"]);
    expect(e.id).toBe("a1|2027-02-17");
  });

  it("draws another calendar's busy times behind, labelled, never clickable", () => {
    const e = busyEvent({ start: "2027-01-05T08:00:00Z", end: "2027-01-05T12:00:00Z", summary: "Consultation" });
    expect(e.title).toBe("occupé · Consultation");
    expect(e.classNames).toEqual(["busy"]);
    expect(e.extendedProps).toEqual({ busy: true });
    expect(busyEvent({ start: "a", end: "b", summary: null }).title).toBe("occupé");
  });

  it("sends the form to availability_add as core's draft wants it, and shows core's refusal", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "doctor_space") return { doctorId: "d1", name: "Dr Camille Kerbrat", departments: ["22", "29"], status: "verified" };
      if (cmd === "calendar_range") return [];
      if (cmd === "availability_add") {
        const f = (args as { form: { kind: string } }).form;
        if (f.kind === "garde_day") throw { code: "garde_day_not_allowed", message: "Créneau impossible : une garde de jour n'a lieu que le dimanche ou un jour férié" };
        return "a-new";
      }
      return null;
    });
    const view = doctorCalendarView();
    document.body.append(view);
    await settle();
    expect(view.querySelector("#doctor-name")?.textContent).toBe("Dr Camille Kerbrat");
    expect([...view.querySelectorAll("#availability-department option")].map((o) => o.textContent)).toEqual(["22", "29"]);
    const set = (sel: string, v: string) => {
      const el = view.querySelector(sel) as HTMLInputElement | HTMLSelectElement;
      el.value = v;
      el.dispatchEvent(new Event("change"));
    };
    set("#availability-kind", "night");
    set("#availability-date", "2027-02-17");
    set("#availability-repeat", "weekly");
    set("#availability-count", "4");
    set("#availability-skip", "2027-02-24");
    set("#availability-note", "  Nuits à Lannion ");
    view.querySelector("#availability-form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(calls).toContainEqual([
      "availability_add",
      { form: { kind: "night", date: "2027-02-17", department: "22", customStart: null, customEnd: null, rrule: "FREQ=WEEKLY;COUNT=4", exceptions: ["2027-02-24"], note: "Nuits à Lannion" } },
    ]);
    set("#availability-kind", "garde_day");
    view.querySelector("#availability-form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(view.querySelector("#availability-form [role=alert]")?.getAttribute("data-code")).toBe("garde_day_not_allowed");
  });

  it("counts the deadline down and says it as the last minute", () => {
    const now = new Date("2026-12-04T04:00:00Z");
    expect(timeLeft("2026-12-09T23:00:00Z", now)).toBe("5 j 19 h");
    expect(timeLeft("2026-12-04T07:20:00Z", now)).toBe("3 h 20 min");
    expect(timeLeft("2026-12-04T03:00:00Z", now)).toBeNull();
    // 23:00 UTC is midnight in Paris: the last minute is 23:59 the day before.
    expect(lastMinute("2026-12-09T23:00:00Z", "Europe/Paris")).toContain("23:59");
  });

  it("answers a proposal with the reason typed, and shows answered ones with theirs", async () => {
    const deadline = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const open: DoctorProposalView = { id: "p1", state: "sent", fromFacility: true, facilityName: "CH de Lannion", siteName: "Kergomar", specialty: "urgences", feeCentsPerDay: 90000, zone: "Europe/Paris", shifts: [{ kind: "night", start: "2026-12-27T19:00:00+00:00", end: "2026-12-28T07:00:00+00:00" }], deadline, answerable: true, overdue: false, answerReason: null, businessDaysLeft: 3 };
    const past: DoctorProposalView = { ...open, id: "p0", state: "declined", answerable: false, answerReason: "Déjà pris" };
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "doctor_proposals") return [open, past];
      if (cmd === "proposal_answer") return { state: "declined", missionId: null };
      return null;
    });
    const view = doctorProposalsView();
    document.body.append(view);
    await settle();
    const card = view.querySelector('[data-proposal="p1"]');
    expect(card?.textContent).toContain("CH de Lannion · Kergomar");
    expect(card?.textContent).toContain("900,00");
    expect(card?.querySelector("[data-deadline]")?.textContent).toMatch(/3 jour\(s\) ouvré\(s\), il reste (2|3) j/);
    expect(view.querySelector('[data-proposal="p0"]')?.textContent).toContain("« Déjà pris »");
    (view.querySelector('[data-reason="p1"]') as HTMLTextAreaElement).value = "  Pas ce week-end ";
    (view.querySelector('[data-decline-proposal="p1"]') as HTMLButtonElement).click();
    await settle();
    expect(calls).toContainEqual(["proposal_answer", { proposalId: "p1", accept: false, reason: "Pas ce week-end" }]);
  });

  it("lists upcoming missions first and past or cancelled ones after", async () => {
    const m = (id: string, start: string, end: string, status = "confirmed"): DoctorMissionView => ({ id, title: "Remplacement", facilityName: "CH de Lannion", siteName: "Kergomar", zone: "Europe/Paris", status, shifts: [{ kind: "night", start, end }], startsAt: start, endsAt: end, signedByDoctor: id === "m2", signedByFacility: true });
    const now = new Date("2026-12-04T00:00:00Z");
    const list = [m("m3", "2026-12-30T19:00:00Z", "2026-12-31T07:00:00Z"), m("m1", "2026-11-01T19:00:00Z", "2026-11-02T07:00:00Z"), m("m2", "2026-12-10T19:00:00Z", "2026-12-11T07:00:00Z"), m("m4", "2026-12-20T19:00:00Z", "2026-12-21T07:00:00Z", "cancelled")];
    const { upcoming, past } = splitMissions(list, now);
    expect(upcoming.map((x) => x.id)).toEqual(["m2", "m3"]);
    expect(past.map((x) => x.id)).toEqual(["m4", "m1"]);
    mockIPC((cmd) => (cmd === "doctor_missions" ? list : null));
    const view = doctorMissionsView();
    document.body.append(view);
    await settle();
    expect(view.querySelector('[data-mission="m2"]')?.textContent).toContain("contrat signé");
    expect(view.querySelector('[data-mission="m4"]')?.textContent).toContain("annulée");
  });
});

describe("the doctor's account", () => {
  it("checks a file's type by its first bytes and its size before sending", () => {
    const pdf = new TextEncoder().encode("%PDF-1.7 ...");
    expect(sniff(pdf)).toBe("application/pdf");
    expect(sniff(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(sniff(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe("image/png");
    expect(sniff(new TextEncoder().encode("MZ\u0090"))).toBeNull();
    expect(fileProblem(0, pdf)).toBe("documents.empty");
    expect(fileProblem(11 * 1024 * 1024, pdf)).toBe("documents.tooLarge");
    expect(fileProblem(1000, new TextEncoder().encode("<html>"))).toBe("documents.badType");
    expect(fileProblem(1000, pdf)).toBeNull();
    expect(vaultRows({ documents: [{ id: "d1", kind: "insurance", name: "RCP.pdf", size: 2048, expires_on: "2027-12-31", expired: false, uploaded_ms: 1 }, { nope: 1 }] })).toEqual([
      { id: "d1", kind: "insurance", name: "RCP.pdf", size: 2048, expiresOn: "2027-12-31", expired: false, uploadedMs: 1 },
    ]);
  });

  it("sends only the profile fields that changed, in the server's names", () => {
    const before = profileFields({ doctor: { first_name: "Camille", last_name: "Kerbrat", contact: { email: "c@k.fr", phone: "+33600000000" }, travel_radius_km: 60, departments: ["22"], languages: ["fr"] } });
    expect(before.travelRadiusKm).toBe(60);
    expect(changedFields(before, { ...before })).toEqual({});
    expect(changedFields(before, { ...before, travelRadiusKm: 90, departments: listField("22, 29 ;56"), phone: "" })).toEqual({ travel_radius_km: 90, departments: ["22", "29", "56"], phone: "" });
    expect(actionText("contact_read")).toBe("coordonnées consultées pour une mission");
    expect(actionText("something_new")).toBe("something_new");
    expect(auditRows({ entries: [{ at_ms: 5, action: "contact_read", facility_name: "CH de Lannion" }, { action: "data_exported" }] })).toEqual([
      { at: 5, action: "contact_read", detail: "", facility: "CH de Lannion" },
      { at: 0, action: "data_exported", detail: "", facility: "" },
    ]);
  });

  it("signs up only with matching passwords and shows where the mail went", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "catalogue") return { specialties: [{ code: "medecine-generale", label: "Médecine générale" }], shiftKinds: [] };
      if (cmd === "doctor_sign_up") return "jeanne@exemple.fr";
      return null;
    });
    state.catalogue = null;
    const view = signUpView("http://127.0.0.1:9000");
    document.body.append(view);
    await settle();
    const set = (sel: string, v: string) => ((view.querySelector(sel) as HTMLInputElement).value = v);
    set("#signup-email", "jeanne@exemple.fr");
    set("#signup-password", "un-mot-de-passe");
    set("#signup-password-again", "un-autre-mot");
    set("#signup-rpps", "10000001916");
    set("#signup-first-name", "Jeanne");
    set("#signup-last-name", "Le Goff");
    (view.querySelector("#signup-specialties option") as HTMLOptionElement).selected = true;
    view.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(view.querySelector("[role=alert]")?.getAttribute("data-code")).toBe("passwords_differ");
    expect(calls.some((c) => (c as unknown[])[0] === "doctor_sign_up")).toBe(false);
    set("#signup-password-again", "un-mot-de-passe");
    view.dispatchEvent(new Event("submit", { cancelable: true }));
    await settle();
    expect(calls).toContainEqual(["doctor_sign_up", { form: { server: "http://127.0.0.1:9000", email: "jeanne@exemple.fr", password: "un-mot-de-passe", rpps: "10000001916", firstName: "Jeanne", lastName: "Le Goff", specialties: ["medecine-generale"] } }]);
    expect(view.querySelector("#signup-sent")?.textContent).toContain("jeanne@exemple.fr");
  });
});

describe("requests near me", () => {
  const near: NearbyView = { id: "r1", specialty: "urgences", commune: "Lannion", department: "22", zone: "Europe/Paris", shifts: [{ kind: "day", start: "2027-03-06T07:00:00+00:00", end: "2027-03-06T19:00:00+00:00" }], feeCentsPerDay: 70000, complete: true, score: 997, distanceKm: 3.4, explanations: ["Spécialité : urgences", "Distance : 3 km"], lat: 48.7, lon: -3.4 };

  it("names the request by specialty, commune and distance, over the chosen period", () => {
    state.catalogue = { specialties: [{ code: "urgences", label: "Médecine d'urgence" }], shiftKinds: [] };
    expect(nearbyTitle(near)).toBe("Médecine d'urgence · Lannion (22) · 3 km");
    expect(nearbyTitle({ ...near, commune: "", distanceKm: null })).toBe("Médecine d'urgence · 22");
    const w = windowOf(30, new Date("2027-01-01T00:00:00Z"));
    expect(w).toEqual({ from: "2027-01-01T00:00:00.000Z", to: "2027-01-31T00:00:00.000Z" });
  });

  it("lists what the calendar fits and applies to one", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "requests_near_me") return [near];
      return null;
    });
    const view = doctorNearbyView();
    document.body.append(view);
    await settle();
    expect(view.dataset.count).toBe("1");
    expect(view.querySelector('[data-nearby="r1"]')?.getAttribute("data-fit")).toBe("complete");
    expect(view.querySelectorAll(".criteria li").length).toBe(2);
    (view.querySelector('[data-apply="r1"]') as HTMLButtonElement).click();
    await settle();
    expect(calls).toContainEqual(["request_apply", { requestId: "r1" }]);
    expect(state.route.name).toBe("proposals");
  });
});

describe("drafts", () => {
  it("puts a draft back, keeps what is typed, and forgets it once sent", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "draft_load") return { "f-note": "Nuits à Lannion", "f-kind": "night" };
      return null;
    });
    const note = document.createElement("input");
    note.id = "f-note";
    const kind = document.createElement("select");
    kind.id = "f-kind";
    for (const v of ["day", "night"]) kind.append(new Option(v, v));
    let restored = false;
    const draft = keepDraft("availability", [note, kind], () => (restored = true));
    await settle();
    expect([note.value, kind.value, restored]).toEqual(["Nuits à Lannion", "night", true]);
    note.value = "Nuits à Lannion et Paimpol";
    note.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, DRAFT_DELAY_MS + 50));
    expect(calls).toContainEqual(["draft_save", { key: "availability", value: { "f-note": "Nuits à Lannion et Paimpol", "f-kind": "night" } }]);
    draft.clear();
    await settle();
    expect(calls).toContainEqual(["draft_clear", { key: "availability" }]);
  });
});

describe("notification preferences", () => {
  it("reads the server's document with its defaults and sends a kind's switch only where it differs", () => {
    const p = readPrefs({ channels: { sms: true }, kinds: { proposal_received: { sms: false }, junk: "x" }, quiet_hours: { start: "22:00", end: "07:00", time_zone: "Europe/Paris" }, sms_phone: "+33612345678" });
    expect(p.channels).toEqual({ email: true, push: true, sms: true });
    expect(p.kinds.proposal_received).toEqual({ sms: false });
    expect(p.quiet).toEqual({ start: "22:00", end: "07:00", timeZone: "Europe/Paris" });
    const out = writePrefs({ ...p, kinds: { proposal_received: { email: true, push: true, sms: false }, proposal_reminder: { email: true, push: true, sms: true } }, smsPhone: " +33 6 12 34 56 78 " });
    expect(out).toEqual({
      channels: { email: true, push: true, sms: true },
      kinds: { proposal_received: { sms: false } },
      quiet_hours: { start: "22:00", end: "07:00", time_zone: "Europe/Paris" },
      sms_phone: "+33612345678",
    });
    expect(writePrefs({ ...p, quiet: null, smsPhone: "" })).not.toHaveProperty("quiet_hours");
  });
});
