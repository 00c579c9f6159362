// The account's notifications inbox kept by the server (`GET /v1/notifications`, docs/api/notifications.md):
// newest first, unread ones marked, with the unread count. The app's own sync notices stay in the corner
// toasts; this screen is the durable record. A server without the inbox (404) shows "not available".
import { api } from "../ipc";
import { errorBox, h } from "../dom";
import { lang, t } from "../i18n";
import type { DesktopError } from "../generated";

export interface InboxItem {
  id: string;
  kind: string;
  title: string;
  body: string;
  createdAt: string;
  read: boolean;
}

type Obj = Record<string, unknown>;

/** Reads the inbox answer defensively: items without an id or a title are skipped. */
export function inboxItems(data: unknown): { items: InboxItem[]; unread: number } {
  const d = typeof data === "object" && data !== null ? (data as Obj) : {};
  const raw = Array.isArray(d.notifications) ? d.notifications : [];
  const items: InboxItem[] = [];
  for (const x of raw) {
    if (typeof x !== "object" || x === null) continue;
    const o = x as Obj;
    if (typeof o.id !== "string" || typeof o.title !== "string") continue;
    items.push({
      id: o.id,
      kind: typeof o.kind === "string" ? o.kind : "",
      title: o.title,
      body: typeof o.body === "string" ? o.body : "",
      createdAt: typeof o.created_at === "string" ? o.created_at : "",
      read: o.read_at !== null && o.read_at !== undefined,
    });
  }
  const unread = typeof d.unread === "number" ? d.unread : items.filter((i) => !i.read).length;
  return { items, unread };
}

function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "fr-FR", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Paris" }).format(d);
}

export function inboxView(): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const section = h("section", { id: "inbox" }, h("h2", {}, t("inbox.title")), body);
  void (async () => {
    try {
      const f = await api.areaList("notifications", null);
      if (!f.available) {
        body.replaceChildren(h("p", { class: "empty", "data-unavailable": "notifications" }, t("area.unavailable")));
        return;
      }
      const { items, unread } = inboxItems(f.data);
      body.replaceChildren(
        h("p", { class: "muted", id: "inbox-unread" }, `${unread} ${t("inbox.unread")}`),
        items.length
          ? h(
              "ul",
              { class: "inbox" },
              ...items.map((i) =>
                h(
                  "li",
                  { "data-notification": i.id, class: i.read ? "read" : "unread" },
                  h("strong", {}, i.title),
                  " ",
                  h("span", { class: "muted" }, when(i.createdAt)),
                  i.body ? h("div", {}, i.body) : null,
                ),
              ),
            )
          : h("p", { class: "empty" }, t("inbox.empty")),
      );
    } catch (e) {
      body.replaceChildren(errorBox(e as DesktopError));
    }
  })();
  return section;
}
