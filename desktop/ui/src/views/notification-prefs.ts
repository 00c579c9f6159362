// « Mes notifications » in « Mon compte » (docs/api/notifications.md, "Preferences"): which channels
// carry each kind of notice — e-mail, push, SMS — with the channels' defaults and a switch per kind, the
// quiet hours (notices wait for their end; the in-app inbox is always on) and the number SMS go to. The
// whole document is sent back; the server checks every field and its refusals show in plain French.
import { api } from "../ipc";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import type { DesktopError } from "../generated";

export const CHANNELS = ["email", "push", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];
/** The kinds a person most often tunes (others follow the channels' defaults). */
export const KINDS = ["proposal_received", "proposal_reminder", "proposal_accepted", "proposal_declined", "proposal_expired", "application_received", "mission_cancelled", "contract_reminder", "document_expiring"] as const;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** The preferences as the form edits them. */
export interface Prefs {
  channels: Record<Channel, boolean>;
  kinds: Record<string, Partial<Record<Channel, boolean>>>;
  quiet: { start: string; end: string; timeZone: string } | null;
  smsPhone: string;
}

/** The server's document, read defensively (defaults: e-mail and push on, SMS off). */
export function readPrefs(data: unknown): Prefs {
  const d = obj(data);
  const ch = obj(d.channels);
  const channels = { email: ch.email !== false, push: ch.push !== false, sms: ch.sms === true };
  const kinds: Prefs["kinds"] = {};
  for (const [k, v] of Object.entries(obj(d.kinds))) {
    const o = obj(v);
    const entry: Partial<Record<Channel, boolean>> = {};
    for (const c of CHANNELS) if (typeof o[c] === "boolean") entry[c] = o[c] as boolean;
    kinds[k] = entry;
  }
  const q = obj(d.quiet_hours);
  const quiet = typeof q.start === "string" && typeof q.end === "string" ? { start: q.start, end: q.end, timeZone: typeof q.time_zone === "string" ? q.time_zone : "Europe/Paris" } : null;
  return { channels, kinds, quiet, smsPhone: typeof d.sms_phone === "string" ? d.sms_phone : "" };
}

/** The document to send: a kind's switch only where it differs from its channel's default. */
export function writePrefs(p: Prefs): Record<string, unknown> {
  const kinds: Record<string, Partial<Record<Channel, boolean>>> = {};
  for (const [k, v] of Object.entries(p.kinds)) {
    const entry: Partial<Record<Channel, boolean>> = {};
    for (const c of CHANNELS) if (v[c] !== undefined && v[c] !== p.channels[c]) entry[c] = v[c];
    if (Object.keys(entry).length) kinds[k] = entry;
  }
  const out: Record<string, unknown> = { channels: p.channels, kinds };
  if (p.quiet) out.quiet_hours = { start: p.quiet.start, end: p.quiet.end, time_zone: p.quiet.timeZone };
  if (p.smsPhone.trim()) out.sms_phone = p.smsPhone.trim().replace(/[\s.]/g, "");
  return out;
}

function kindLabel(kind: string): string {
  return (KINDS as readonly string[]).includes(kind) ? t(`notif.kind.${kind}` as TextKey) : kind;
}

/** The card. */
export function notificationPrefsCard(): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const card = h("section", { class: "card", id: "notification-prefs" }, h("h3", {}, t("notif.title")), h("p", { class: "muted" }, t("notif.help")), body);
  void (async () => {
    try {
      const f = await api.notificationPreferences();
      if (!f.available) {
        body.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
        return;
      }
      const prefs = readPrefs(f.data);
      const box = (checked: boolean, attrs: Record<string, string>) => {
        const b = h("input", { type: "checkbox", ...attrs });
        b.checked = checked;
        return b;
      };
      const channelBoxes = CHANNELS.map((c) => box(prefs.channels[c], { "data-channel": c, "aria-label": t(`notif.channel.${c}` as TextKey) }));
      const rows = KINDS.map((k) => {
        const cells = CHANNELS.map((c) => h("td", {}, box(prefs.kinds[k]?.[c] ?? prefs.channels[c], { "data-kind": k, "data-kind-channel": c, "aria-label": `${kindLabel(k)} — ${t(`notif.channel.${c}` as TextKey)}` })));
        return h("tr", {}, h("th", { scope: "row" }, kindLabel(k)), ...cells);
      });
      const quietOn = box(prefs.quiet !== null, { id: "quiet-on" });
      const start = h("input", { type: "time", id: "quiet-start", value: prefs.quiet?.start ?? "22:00" });
      const end = h("input", { type: "time", id: "quiet-end", value: prefs.quiet?.end ?? "07:00" });
      const phone = h("input", { type: "tel", id: "sms-phone", value: prefs.smsPhone, placeholder: "+33612345678" });
      const save = h("button", { class: "primary", id: "notif-save" }, t("profile.save"));
      const err = h("div", {});
      save.addEventListener("click", () => {
        err.replaceChildren();
        const next: Prefs = {
          channels: { email: channelBoxes[0]?.checked ?? true, push: channelBoxes[1]?.checked ?? true, sms: channelBoxes[2]?.checked ?? false },
          kinds: {},
          quiet: quietOn.checked ? { start: start.value, end: end.value, timeZone: prefs.quiet?.timeZone ?? "Europe/Paris" } : null,
          smsPhone: phone.value,
        };
        for (const b of card.querySelectorAll<HTMLInputElement>("input[data-kind]")) {
          const k = b.dataset.kind ?? "";
          const c = b.dataset.kindChannel as Channel;
          next.kinds[k] = { ...(next.kinds[k] ?? {}), [c]: b.checked };
        }
        void withProgress(save, t("members.saving"), () => api.notificationPreferencesSet(writePrefs(next)))
          .then(() => showNotice({ level: "success", title: t("notif.saved"), body: "" }))
          .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
      });
      body.replaceChildren(
        h("p", {}, t("notif.defaults"), " ", ...CHANNELS.flatMap((c, i) => [h("label", { class: "check" }, channelBoxes[i], " ", t(`notif.channel.${c}` as TextKey)), " "])),
        h("table", { class: "members", id: "notif-kinds" }, h("thead", {}, h("tr", {}, h("th", {}, t("notif.kind")), ...CHANNELS.map((c) => h("th", {}, t(`notif.channel.${c}` as TextKey))))), h("tbody", {}, ...rows)),
        h("p", {}, h("label", { class: "check" }, quietOn, " ", t("notif.quiet")), " ", start, " → ", end),
        h("label", {}, t("notif.smsPhone"), phone),
        save,
        err,
      );
      card.dataset.ready = "true";
    } catch (e) {
      body.replaceChildren(errorBox(e as DesktopError));
    }
  })();
  return card;
}
