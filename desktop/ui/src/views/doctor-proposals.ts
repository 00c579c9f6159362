// « Propositions », the doctor's inbox, read offline from what the sync worker pulled: each facility's
// offer with its place, shifts, fee and answer deadline (the end of the third business day of the site's
// territory, counted down), accept or decline with a reason the facility reads, and the proposals already
// answered, expired or withdrawn below. An acceptance syncs at once: the mission and booked slots follow.
import { api } from "../ipc";
import { go, setLiveHook } from "../app";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import { keepDraft } from "../drafts";
import { formatCents, formatDate, formatTime } from "../format";
import type { DesktopError, DoctorProposalView } from "../generated";

/** Longest reason the server keeps. */
export const MAX_REASON = 500;

/** What is left before `deadline` at `now`: « 2 j 5 h », « 3 h 20 min », or `null` once passed. */
export function timeLeft(deadline: string, now: Date = new Date()): string | null {
  const ms = Date.parse(deadline) - now.getTime();
  if (!(ms > 0)) return null;
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return t("proposals.leftDays", { d: days, h: hours });
  return t("proposals.leftHours", { h: hours, m: minutes % 60 });
}

/**
 * The deadline as people say it: the server's instant is the first one too late (midnight after the
 * third business day), so « jusqu'au mercredi 9 décembre 23:59 » rather than « jeudi 10 00:00 ».
 */
export function lastMinute(deadline: string, zone: string): string {
  const last = new Date(Date.parse(deadline) - 60_000).toISOString();
  return `${formatDate(last, zone)} ${formatTime(last, zone)}`;
}

function shiftLine(p: DoctorProposalView, s: { kind: string; start: string; end: string }): HTMLElement {
  const kind = t(`calendar.kind.${s.kind}` as TextKey);
  return h("li", {}, `${formatDate(s.start, p.zone)} · ${kind} · ${formatTime(s.start, p.zone)} → ${formatTime(s.end, p.zone)}`);
}

function card(p: DoctorProposalView, reload: () => void): HTMLElement {
  const err = h("div", {});
  const place = [p.facilityName, p.siteName].filter(Boolean).join(" · ") || t("proposals.unknownPlace");
  const left = p.answerable ? timeLeft(p.deadline) : null;
  const facts: (HTMLElement | null)[] = [
    h("h3", {}, place),
    h("ul", { class: "shifts" }, ...p.shifts.map((s) => shiftLine(p, s))),
    p.feeCentsPerDay !== null ? h("p", {}, t("proposals.fee", { fee: formatCents(p.feeCentsPerDay) })) : null,
  ];
  if (p.answerable) {
    facts.push(
      h(
        "p",
        { class: left ? "deadline" : "deadline overdue", "data-deadline": p.deadline },
        t("proposals.deadline", { date: lastMinute(p.deadline, p.zone) }),
        left ? ` — ${p.businessDaysLeft !== null ? `${t("proposals.businessDays", { n: p.businessDaysLeft })}, ` : ""}${t("proposals.left", { left })}` : ` — ${t("proposals.passed")}`,
      ),
    );
    const reason = h("textarea", { id: `reason-${p.id}`, "data-reason": p.id, maxlength: String(MAX_REASON), rows: 2, placeholder: t("proposals.reasonHint") });
    const draft = keepDraft(`reason.${p.id}`, [reason]);
    const accept = h("button", { class: "primary", "data-accept-proposal": p.id }, t("proposals.accept"));
    const decline = h("button", { "data-decline-proposal": p.id }, t("proposals.decline"));
    const answer = (b: HTMLButtonElement, yes: boolean) => {
      err.replaceChildren();
      void withProgress(b, t("members.saving"), () => api.proposalAnswer(p.id, yes, reason.value.trim() || null))
        .then((a) => {
          draft.clear();
          showNotice({ level: "success", title: yes ? t("proposals.accepted") : t("proposals.declined"), body: place });
          if (yes && a.missionId) go({ name: "missions", missionId: a.missionId });
          else reload();
        })
        .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
    };
    accept.addEventListener("click", () => answer(accept, true));
    decline.addEventListener("click", () => answer(decline, false));
    facts.push(h("label", {}, t("proposals.reason"), reason), h("div", { class: "actions" }, accept, decline), err);
  } else {
    const label = !p.fromFacility && p.state === "sent" ? t("proposals.waitingFacility") : t(`proposal.${p.state}` as TextKey);
    facts.push(h("p", {}, h("span", { class: "badge", "data-proposal-state": p.state }, label), p.answerReason ? ` — « ${p.answerReason} »` : ""));
  }
  return h("div", { class: "card proposal", "data-proposal": p.id }, ...facts);
}

/** The screen. */
export function doctorProposalsView(): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const section = h("section", { id: "area-proposals" }, h("h2", {}, t("proposals.title")), body);
  const load = () => {
    void (async () => {
      try {
        const list = await api.doctorProposals();
        const open = list.filter((p) => p.answerable);
        const applied = list.filter((p) => !p.answerable && !p.fromFacility && p.state === "sent");
        const rest = list.filter((p) => !p.answerable && !applied.includes(p));
        const parts: HTMLElement[] = [open.length ? h("div", { id: "proposals-open" }, ...open.map((p) => card(p, load))) : h("p", { class: "empty", id: "proposals-none" }, t("proposals.none"))];
        if (applied.length) parts.push(h("h3", {}, t("proposals.applied")), h("div", { id: "proposals-applied" }, ...applied.map((p) => card(p, load))));
        if (rest.length) parts.push(h("h3", {}, t("proposals.past")), h("div", { id: "proposals-past" }, ...rest.map((p) => card(p, load))));
        body.replaceChildren(...parts);
        section.dataset.ready = "true";
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  load();
  // Live: a new offer or a withdrawal arrived; reload unless the doctor is typing a reason.
  setLiveHook(() => {
    const typing = [...section.querySelectorAll("textarea")].some((a) => a.value.trim() !== "");
    if (!typing) load();
  });
  return section;
}
