// « Près de chez moi »: the open requests the last sync cached that the doctor's calendar fits, within
// their radius and départements — computed offline by the same matching the facilities see
// (`rempla_client::nearby`, as on the phones): complete or partial fit, score, distance, each criterion
// explained in French. « Postuler » sends an application the facility answers; it then shows in the
// proposals. The period looked at is chosen (a month, three, a year). Beside the list, the offline map
// of France with the requests' sites clustered (MapLibre's GeoJSON clustering); a site clicked brings
// its request's card into view, a cluster clicked zooms in.
import { api } from "../ipc";
import { go, state } from "../app";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import { formatCents, formatDate, formatTime } from "../format";
import type { DesktopError, NearbyView } from "../generated";

/** The periods offered, in days from today. */
export const PERIODS = [30, 90, 365] as const;

/** The window `[now, now + days)` as RFC 3339 instants. */
export function windowOf(days: number, now: Date = new Date()): { from: string; to: string } {
  return { from: now.toISOString(), to: new Date(now.getTime() + days * 86_400_000).toISOString() };
}

function specialtyLabel(code: string): string {
  return state.catalogue?.specialties.find((s) => s.code === code)?.label ?? code;
}

/** The card's first line: specialty, place, distance. */
export function nearbyTitle(r: NearbyView): string {
  const place = r.commune ? `${r.commune} (${r.department})` : r.department;
  const distance = r.distanceKm !== null ? ` · ${Math.round(r.distanceKm)} km` : "";
  return `${specialtyLabel(r.specialty)} · ${place}${distance}`;
}

function card(r: NearbyView): HTMLElement {
  const err = h("div", {});
  const apply = h("button", { class: "primary", "data-apply": r.id }, t("nearby.apply"));
  apply.addEventListener("click", () => {
    err.replaceChildren();
    void withProgress(apply, t("members.saving"), () => api.requestApply(r.id))
      .then(() => {
        showNotice({ level: "success", title: t("nearby.applied"), body: nearbyTitle(r) });
        go({ name: "proposals" });
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  return h(
    "div",
    { class: "card proposal", "data-nearby": r.id, "data-fit": r.complete ? "complete" : "partial" },
    h("h3", {}, nearbyTitle(r), " ", h("span", { class: r.complete ? "badge complete" : "badge partial" }, r.complete ? t("nearby.complete") : t("nearby.partial"))),
    h("ul", { class: "shifts" }, ...r.shifts.map((s) => h("li", {}, `${formatDate(s.start, r.zone)} · ${t(`calendar.kind.${s.kind}` as TextKey)} · ${formatTime(s.start, r.zone)} → ${formatTime(s.end, r.zone)}`))),
    r.feeCentsPerDay !== null ? h("p", {}, t("proposals.fee", { fee: formatCents(r.feeCentsPerDay) })) : null,
    h("details", {}, h("summary", {}, t("nearby.why", { score: r.score })), h("ul", { class: "criteria" }, ...r.explanations.map((x) => h("li", {}, x)))),
    h("div", { class: "actions" }, apply),
    err,
  );
}

/** The screen. */
export function doctorNearbyView(): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const period = h("select", { id: "nearby-period" }, ...PERIODS.map((d) => h("option", { value: String(d) }, t(`nearby.period.${d}` as TextKey))));
  period.value = "90";
  const mapEl = h("div", { id: "nearby-map", class: "map", role: "region", "aria-label": t("nearby.map") });
  const focus = (id: string) => {
    const c = body.querySelector(`[data-nearby="${id}"]`);
    body.querySelectorAll(".card.focused").forEach((x) => x.classList.remove("focused"));
    c?.classList.add("focused");
    c?.scrollIntoView({ block: "nearest" });
  };
  // The map module (MapLibre, WebGL) loads apart: the list works without it, and tests run without WebGL.
  let shown: NearbyView[] = [];
  let map: { show: (list: NearbyView[]) => void } | null = null;
  void import("./doctor-nearby-map")
    .then((m) => {
      map = m.nearbyMap(mapEl, focus);
      map.show(shown);
    })
    .catch((e: unknown) => mapEl.replaceChildren(errorBox({ code: "webgl", message: String(e) })));
  const section = h(
    "section",
    { id: "area-nearby" },
    h("h2", {}, t("nearby.title")),
    h("p", { class: "muted" }, t("nearby.help")),
    h("label", {}, t("nearby.period"), " ", period),
    h("div", { class: "map-layout nearby-layout" }, mapEl, body),
    h("p", { class: "attribution" }, t("map.attribution")),
  );
  const load = () => {
    void (async () => {
      try {
        const { from, to } = windowOf(Number(period.value));
        const list = await api.requestsNearMe(from, to);
        body.replaceChildren(list.length ? h("div", { id: "nearby-list" }, ...list.map(card)) : h("p", { class: "empty", id: "nearby-none" }, t("nearby.none")));
        shown = list;
        map?.show(list);
        section.dataset.ready = "true";
        section.dataset.count = String(list.length);
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  period.addEventListener("change", load);
  load();
  return section;
}
