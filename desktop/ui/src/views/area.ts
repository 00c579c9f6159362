// Invoices and charges, members and rights, the staff verification queue: lists read from the server's
// endpoints of those areas. Until an area's endpoint exists the screen shows its honest "not available".
import { api } from "../ipc";
import { state } from "../app";
import { errorBox, h } from "../dom";
import { t, type TextKey } from "../i18n";
import type { AppError } from "../types";

const AREAS: Record<string, { title: TextKey; calls: string[] }> = {
  invoices: { title: "invoices.title", calls: ["invoices", "charges"] },
  members: { title: "members.title", calls: ["members"] },
  staff: { title: "staff.title", calls: ["verifications"] },
};

function table(items: unknown[]): HTMLElement {
  const objs = items.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null);
  const cols = [...new Set(objs.flatMap((o) => Object.keys(o).filter((k) => typeof o[k] !== "object")))].slice(0, 8);
  return h(
    "table",
    { class: "grid" },
    h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...objs.map((o) => h("tr", {}, ...cols.map((c) => h("td", {}, o[c] === undefined ? "" : String(o[c])))))),
  );
}

export function areaView(area: "invoices" | "members" | "staff"): HTMLElement {
  const spec = AREAS[area]!;
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const section = h("section", { id: `area-${area}` }, h("h2", {}, t(spec.title)), body);
  void (async () => {
    const parts: HTMLElement[] = [];
    for (const call of spec.calls) {
      try {
        const f = await api.areaList(call, state.facilityId);
        if (!f.available) {
          parts.push(h("p", { class: "empty", "data-unavailable": call }, t("area.unavailable")));
          continue;
        }
        const d = f.data;
        const list = Array.isArray(d) ? d : typeof d === "object" && d !== null ? (Object.values(d).find(Array.isArray) ?? []) : [];
        parts.push(list.length ? table(list) : h("p", { class: "empty" }, t("area.empty")));
      } catch (e) {
        parts.push(errorBox(e as AppError));
      }
    }
    body.replaceChildren(...parts);
  })();
  return section;
}
