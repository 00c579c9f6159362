// Candidates of one request: ranked list with each criterion explained, coverage drawn on a timeline of
// the request's shifts, the split coverage the server suggests, and "propose" buttons. Everything comes
// from the server's matching (core's rules); when the server has no ranking yet the screen says so.
import { api } from "../ipc";
import { go, state } from "../app";
import { errorBox, h, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import { formatDate, formatTime } from "../format";
import type { DesktopError, Request } from "../generated";

export interface CriterionView {
  /** Stable criterion name (`coverage`, `distance`, `shift_kind`). */
  name: string;
  /** The server's French sentence. */
  detail: string;
  points: number | null;
  maxPoints: number | null;
}

export interface Span {
  start: string;
  end: string;
}

export interface ShiftCoverage {
  shift: Span;
  covered: Span[];
}

export interface CandidateView {
  doctorId: string;
  name: string;
  coverage: "complete" | "partial";
  score: number | null;
  criteria: CriterionView[];
  /** Per shift of the request, the parts this doctor covers (as sent by the server). */
  shifts: ShiftCoverage[];
  distanceKm: number | null;
}

export interface SplitView {
  parts: { doctorId: string; intervals: Span[] }[];
  complete: boolean;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(o: Obj, k: string): string | null {
  return typeof o[k] === "string" ? (o[k] as string) : null;
}

function num(o: Obj, k: string): number | null {
  return typeof o[k] === "number" ? (o[k] as number) : null;
}

function span(v: unknown): Span | null {
  return isObj(v) && typeof v.start === "string" && typeof v.end === "string" ? { start: v.start, end: v.end } : null;
}

function spans(v: unknown): Span[] {
  return Array.isArray(v) ? v.map(span).filter((x): x is Span => x !== null) : [];
}

/** Reads `GET /v1/requests/{id}/candidates` (docs/api/matching.md) into views, best first as sent. */
export function candidateList(data: unknown): CandidateView[] {
  const items = isObj(data) && Array.isArray(data.candidates) ? data.candidates : Array.isArray(data) ? data : [];
  const out: CandidateView[] = [];
  for (const item of items) {
    if (!isObj(item)) continue;
    const profile = isObj(item.profile) ? item.profile : {};
    const name = [str(profile, "first_name"), str(profile, "last_name")].filter(Boolean).join(" ") || "?";
    const criteria = (Array.isArray(item.criteria) ? item.criteria : []).filter(isObj).map((c) => ({
      name: str(c, "name") ?? "",
      detail: str(c, "explanation") ?? "",
      points: num(c, "points"),
      maxPoints: num(c, "max_points"),
    }));
    const coverage = isObj(item.coverage) && Array.isArray(item.coverage.shifts) ? item.coverage.shifts : [];
    const shifts = coverage.filter(isObj).flatMap((sc) => {
      const shift = span(sc.shift);
      return shift ? [{ shift, covered: spans(sc.covered) }] : [];
    });
    const reach = isObj(item.reach) ? item.reach : {};
    out.push({
      doctorId: str(item, "doctor") ?? str(profile, "id") ?? "",
      name,
      coverage: str(item, "status") === "complete" ? "complete" : "partial",
      score: num(item, "score"),
      criteria,
      shifts,
      distanceKm: num(reach, "distance_km"),
    });
  }
  return out;
}

/** Complete and partial counts, as the server counts them. */
export function candidateCounts(data: unknown): { complete: number; partial: number } {
  if (isObj(data) && typeof data.complete_count === "number" && typeof data.partial_count === "number") {
    return { complete: data.complete_count, partial: data.partial_count };
  }
  const list = candidateList(data);
  const complete = list.filter((c) => c.coverage === "complete").length;
  return { complete, partial: list.length - complete };
}

/** The split coverage the server suggests when nobody covers everything (`null` otherwise). */
export function splitOf(data: unknown): SplitView | null {
  if (!isObj(data) || !isObj(data.split) || !Array.isArray(data.split.parts)) return null;
  return {
    parts: data.split.parts.filter(isObj).map((p) => ({ doctorId: str(p, "doctor") ?? "", intervals: spans(p.intervals) })),
    complete: data.split.complete === true,
  };
}

const ms = (iso: string): number => new Date(iso).getTime();

/** Timeline: one block per shift of the request, the covered parts filled in proportion. */
export function timeline(request: Request | null, covered: (shift: Span) => Span[]): HTMLElement {
  const bar = h("div", { class: "timeline", role: "img" });
  const zone = request?.zone ?? "Europe/Paris";
  let total = 0;
  let done = 0;
  for (const s of request?.shifts ?? []) {
    const shift = s.interval;
    const a = ms(shift.start);
    const len = Math.max(1, ms(shift.end) - a);
    total += len;
    const cell = h("span", { class: "cell", title: `${formatDate(shift.start, zone)} ${formatTime(shift.start, zone)}–${formatTime(shift.end, zone)}` });
    for (const c of covered(shift)) {
      const from = Math.max(0, ms(c.start) - a);
      const to = Math.min(len, ms(c.end) - a);
      if (to <= from) continue;
      done += to - from;
      cell.append(h("span", { class: "fill", style: `left:${(100 * from) / len}%;width:${(100 * (to - from)) / len}%` }));
    }
    bar.append(cell);
  }
  bar.setAttribute("aria-label", `${Math.round((100 * done) / Math.max(1, total))} %`);
  return bar;
}

function coveredBy(c: CandidateView): (shift: Span) => Span[] {
  return (shift) => c.shifts.find((s) => ms(s.shift.start) === ms(shift.start))?.covered ?? [];
}

function criterionLabel(name: string): string {
  const key = `criterion.${name}` as TextKey;
  const text = t(key);
  return text === key ? name : text;
}

/** Names of the doctors already seen in a candidate list (a filled request has no list any more). */
const knownNames = new Map<string, string>();

/** Doctor id → state of this request's latest proposal to them (`sent`, `accepted`…). */
async function proposalStates(requestId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  try {
    const f = await api.proposals(requestId);
    const items = f.available && isObj(f.data) && Array.isArray(f.data.proposals) ? f.data.proposals : [];
    // Newest first: keep the first seen per doctor.
    for (const p of items.filter(isObj)) {
      const doctor = str(p, "doctor_id");
      const st = str(p, "state");
      if (doctor && st && !out.has(doctor)) out.set(doctor, st);
    }
  } catch {
    // the list still shows; states appear on the next visit
  }
  return out;
}

export function candidatesView(requestId: string): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("candidates.loading")));
  const back = h("button", { class: "link" }, "← " + t("nav.dashboard"));
  back.addEventListener("click", () => go({ name: "dashboard" }));
  const section = h("section", { id: "candidates" }, back, h("h2", {}, t("candidates.title")), body);
  void (async () => {
    let request: Request | null = null;
    try {
      request = (await api.listRequests(state.facilityId)).find((r) => r.id === requestId) ?? null;
      const f = await api.candidates(requestId);
      if (!f.available) {
        body.replaceChildren(h("p", { class: "empty", id: "candidates-unavailable" }, t("candidates.unavailable")));
        return;
      }
      const list = candidateList(f.data);
      list.forEach((c) => knownNames.set(c.doctorId, c.name));
      const states = await proposalStates(requestId);
      if (list.length === 0) {
        body.replaceChildren(h("p", { class: "empty" }, t("candidates.none")));
        return;
      }
      const ol = h("ol", { class: "candidates", id: "candidate-list" });
      for (const c of list) {
        const propose = h("button", { class: "primary", "data-propose": c.doctorId }, t("candidates.propose"));
        const result = h("span", { class: "muted" });
        const known = states.get(c.doctorId);
        if (known) {
          result.replaceChildren(h("span", { "data-proposal-state": known }, t(`proposal.${known}` as TextKey)));
          if (known === "sent" || known === "accepted") propose.hidden = true;
        }
        propose.addEventListener("click", () => {
          void withProgress(propose, t("candidates.proposing"), async () => {
            try {
              const answer = await api.sendProposal(requestId, { doctor_id: c.doctorId });
              if (!answer.available) {
                result.replaceChildren(h("span", { "data-proposal-unavailable": "true" }, t("candidates.proposalsUnavailable")));
                return;
              }
              result.replaceChildren(h("span", { "data-proposal-sent": "true", "data-proposal-state": "sent" }, t("proposal.sent")));
              propose.hidden = true;
            } catch (e) {
              result.replaceChildren(errorBox(e as DesktopError));
            }
          });
        });
        const crit = h("ul", { class: "criteria" });
        for (const k of c.criteria) {
          const pts = k.points !== null ? ` (${k.points}${k.maxPoints !== null ? ` / ${k.maxPoints}` : ""})` : "";
          crit.append(h("li", { "data-criterion": k.name }, h("strong", {}, criterionLabel(k.name)), pts, k.detail ? ` — ${k.detail}` : ""));
        }
        ol.append(
          h(
            "li",
            { class: `candidate ${c.coverage}`, "data-doctor": c.doctorId },
            h("div", { class: "row" }, h("strong", {}, c.name), h("span", { class: `badge ${c.coverage}` }, t(c.coverage === "complete" ? "candidates.complete" : "candidates.partial")), c.score !== null ? h("span", { class: "muted" }, `score ${c.score}`) : null),
            timeline(request, coveredBy(c)),
            crit,
            h("div", { class: "row" }, propose, result),
          ),
        );
      }
      const split = splitOf(f.data);
      const counts = candidateCounts(f.data);
      body.replaceChildren(h("p", { id: "candidate-counts" }, t("candidates.counts", { complete: counts.complete, partial: counts.partial })), ol);
      if (split && split.parts.length > 0) {
        const names = new Map(list.map((c) => [c.doctorId, c.name]));
        body.append(
          h("h3", {}, t("candidates.split")),
          h("ul", { id: "split", class: "split" }, ...split.parts.map((p) => h("li", {}, h("strong", {}, names.get(p.doctorId) ?? "?"), timeline(request, () => p.intervals)))),
        );
      }
      section.dataset.ready = "true";
    } catch (e) {
      const err = e as DesktopError;
      if (err.code !== "conflict") {
        body.replaceChildren(errorBox(err));
        return;
      }
      // The request is no longer open (filled by an accepted proposal, or closed): show its proposals.
      const states = await proposalStates(requestId);
      body.replaceChildren(
        h("p", { class: "empty", id: "request-not-open" }, t("candidates.notOpen")),
        h("ul", { id: "proposal-list" }, ...[...states].map(([doctor, st]) => h("li", { "data-doctor": doctor }, h("strong", {}, knownNames.get(doctor) ?? doctor), " — ", h("span", { "data-proposal-state": st }, t(`proposal.${st}` as TextKey))))),
      );
      section.dataset.ready = "true";
    }
  })();
  return section;
}
