// Calendar subscription (docs/calendar-sync.md): the facility's — or the selected site's — secret
// address that Google Calendar, Apple Calendar, Outlook or Thunderbird subscribe to, shown as a link to
// copy, a `webcal://` link and a QR code (drawn here, offline, by the `qrcode` package). A new address
// can replace it (the old one stops) and it can be deleted, each after a confirming second click.
import QRCode from "qrcode";
import { api } from "../ipc";
import { state } from "../app";
import { confirming, errorBox, h, showNotice, withProgress } from "../dom";
import { t } from "../i18n";
import { day } from "./invitations";
import type { DesktopError } from "../generated";

type Obj = Record<string, unknown>;

export interface FeedRow {
  id: string;
  name: string;
  url: string;
  webcal: string;
  facilityId: string;
  siteId: string | null;
  lastReadMs: number | null;
}

/** The account's feeds of this facility (and site, when one is selected), read defensively. */
export function feedRows(data: unknown, facilityId: string | null, siteId: string | null): FeedRow[] {
  const d = typeof data === "object" && data !== null ? (data as Obj) : {};
  const raw = Array.isArray(d.feeds) ? d.feeds : [];
  return raw
    .filter((x): x is Obj => typeof x === "object" && x !== null && typeof (x as Obj).id === "string" && typeof (x as Obj).url === "string")
    .map((o) => ({
      id: o.id as string,
      name: typeof o.name === "string" ? o.name : "",
      url: o.url as string,
      webcal: typeof o.webcal_url === "string" ? o.webcal_url : "",
      facilityId: typeof o.facility_id === "string" ? o.facility_id : "",
      siteId: typeof o.site_id === "string" ? o.site_id : null,
      lastReadMs: typeof o.last_read_ms === "number" ? o.last_read_ms : null,
    }))
    .filter((f) => f.facilityId === facilityId && f.siteId === siteId);
}

function feedCard(f: FeedRow, reload: () => void): HTMLElement {
  const err = h("div", {});
  const input = h("input", { type: "text", readonly: true, value: f.url, "aria-label": t("feeds.address"), "data-feed-url": f.id, class: "feed-url" });
  const copy = h("button", { class: "secondary", "data-copy-feed": f.id }, t("feeds.copy"));
  copy.addEventListener("click", () => {
    input.select();
    void navigator.clipboard
      ?.writeText(f.url)
      .then(() => showNotice({ level: "success", title: t("feeds.copied"), body: f.name }))
      .catch(() => undefined);
  });
  const qr = h("div", { class: "qr", role: "img", "aria-label": t("feeds.qr"), "data-feed-qr": f.id });
  void QRCode.toString(f.webcal || f.url, { type: "svg", margin: 1, width: 160, errorCorrectionLevel: "M" })
    .then((svg) => {
      qr.innerHTML = svg; // produced locally by the QR library from our own address: no user markup
    })
    .catch(() => qr.replaceChildren(h("p", { class: "muted" }, t("feeds.noQr"))));
  const rotate = confirming(t("feeds.rotate"), t("feeds.confirmRotate"), { "data-rotate-feed": f.id }, (b) =>
    withProgress(b, t("members.saving"), () => api.feedRotate(f.id))
      .then(() => {
        showNotice({ level: "success", title: t("feeds.rotated"), body: f.name });
        reload();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError))),
  );
  const remove = confirming(t("feeds.revoke"), t("feeds.confirmRevoke"), { "data-revoke-feed": f.id }, (b) =>
    withProgress(b, t("members.saving"), () => api.feedRevoke(f.id))
      .then(() => {
        showNotice({ level: "success", title: t("feeds.revoked"), body: f.name });
        reload();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError))),
  );
  return h(
    "div",
    { class: "feed", "data-feed": f.id },
    h("div", { class: "feed-text" }, h("strong", {}, f.name), h("p", { class: "muted" }, t("feeds.help")), h("div", { class: "actions" }, input, copy), h("p", {}, h("span", { class: "muted" }, t("feeds.webcal")), " ", h("code", {}, f.webcal)), h("p", { class: "muted" }, f.lastReadMs ? t("feeds.lastRead", { date: day(f.lastReadMs) }) : t("feeds.neverRead")), h("div", { class: "actions" }, rotate, remove), err),
    qr,
  );
}

/** The planning screen's panel: the subscription address of the facility or of the selected site. */
export function feedsPanel(): HTMLElement {
  const body = h("div", {});
  const panel = h("section", { class: "card feeds", id: "calendar-feeds" }, h("h3", {}, t("feeds.title")), body);
  const facilityId = state.facilityId;
  const siteId = state.siteId;
  const load = () => {
    body.replaceChildren(h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
    void (async () => {
      try {
        const f = await api.areaList("feeds", null);
        if (!f.available) {
          body.replaceChildren(h("p", { class: "empty", "data-unavailable": "feeds" }, t("area.unavailable")));
          return;
        }
        const rows = feedRows(f.data, facilityId, siteId);
        if (rows.length > 0) {
          body.replaceChildren(...rows.map((r) => feedCard(r, load)));
          return;
        }
        const err = h("div", {});
        const make = h("button", { class: "primary", id: "feed-create" }, siteId ? t("feeds.createSite") : t("feeds.createFacility"));
        make.addEventListener("click", () => {
          err.replaceChildren();
          if (!facilityId) return;
          void withProgress(make, t("members.saving"), () => api.feedCreate(facilityId, siteId))
            .then(load)
            .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
        });
        body.replaceChildren(h("p", { class: "muted", id: "no-feed" }, t("feeds.none")), make, err);
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  load();
  return panel;
}
