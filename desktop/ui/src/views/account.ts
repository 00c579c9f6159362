// « Mon compte » (docs/sync-protocol.md, "Accounts"): the signed-in person's own sessions and password.
// The devices signed in to the account — this computer marked — each of the others can be signed out
// after a confirming second click (a lost laptop, a phone given back); the password changes with the
// current one, typed twice, and every other session then ends. The server checks and audits each.
import { api } from "../ipc";
import { state } from "../app";
import { confirming, errorBox, h, showNotice, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import { day } from "./invitations";
import { notificationPrefsCard } from "./notification-prefs";
import type { DesktopError, DeviceView } from "../generated";

const PLATFORMS = ["android", "ios", "desktop", "cli"] as const;

/** A device's line: its name, its kind and since when it is signed in. */
export function deviceLabel(d: DeviceView): string {
  const known = (PLATFORMS as readonly string[]).includes(d.platform);
  const kind = known ? t(`account.platform.${d.platform}` as TextKey) : d.platform;
  return `${d.device_name || kind} · ${kind} · ${t("account.since", { date: day(d.signed_in_ms) })}`;
}

function devicesPanel(): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const panel = h("section", { class: "card", id: "my-devices" }, h("h3", {}, t("account.devices")), h("p", { class: "muted" }, t("account.devicesHelp")), body);
  const load = () => {
    void (async () => {
      try {
        const f = await api.myDevices();
        if (!f.available || !f.data) {
          body.replaceChildren(h("p", { class: "empty", "data-unavailable": "devices" }, t("area.unavailable")));
          return;
        }
        const err = h("div", {});
        const rows = f.data.devices.map((d) => {
          const action = d.this_device
            ? h("span", { class: "badge", "data-this-device": "" }, t("account.thisDevice"))
            : confirming(t("account.signOut"), t("account.confirmSignOut"), { "data-sign-out-device": d.device_id }, (b) =>
                withProgress(b, t("members.saving"), () => api.deviceSignOut(d.device_id))
                  .then(() => {
                    showNotice({ level: "success", title: t("account.signedOut"), body: d.device_name });
                    load();
                  })
                  .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError))),
              );
          return h("li", { "data-device": d.device_id }, h("span", {}, deviceLabel(d)), " ", action);
        });
        body.replaceChildren(h("ul", { class: "queue" }, ...rows), err);
      } catch (e) {
        body.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  load();
  return panel;
}

function passwordPanel(): HTMLElement {
  const current = h("input", { type: "password", id: "current-password", autocomplete: "current-password", required: true });
  const fresh = h("input", { type: "password", id: "new-password", autocomplete: "new-password", minlength: "10", required: true });
  const again = h("input", { type: "password", id: "new-password-again", autocomplete: "new-password", minlength: "10", required: true });
  const submit = h("button", { class: "primary", type: "submit", id: "change-password" }, t("account.change"));
  const err = h("div", {});
  const form = h(
    "form",
    { class: "card", id: "password-form" },
    h("h3", {}, t("account.password")),
    h("p", { class: "muted" }, t("account.passwordHelp")),
    h("label", {}, t("account.current"), current),
    h("label", {}, t("account.new"), fresh),
    h("label", {}, t("account.again"), again),
    submit,
    err,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    err.replaceChildren();
    if (fresh.value !== again.value) {
      err.replaceChildren(errorBox({ code: "passwords_differ", message: t("account.differ") }));
      return;
    }
    void withProgress(submit, t("members.saving"), () => api.passwordChange(current.value, fresh.value))
      .then((f) => {
        if (!f.available || !f.data) {
          err.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
          return;
        }
        form.reset();
        showNotice({ level: "success", title: t("account.changed"), body: t("account.ended", { n: f.data.sessions_ended }) });
        document.getElementById("my-devices")?.replaceWith(devicesPanel());
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  return form;
}

/** The screen: who is signed in, their devices, their password. */
export function accountView(): HTMLElement {
  const me = state.session?.me;
  return h(
    "section",
    { id: "area-account" },
    h("h2", {}, t("account.title")),
    h("p", { class: "muted", id: "account-email" }, me?.display_name ? `${me.display_name} · ${me.email}` : (me?.email ?? "")),
    devicesPanel(),
    notificationPrefsCard(),
    passwordPanel(),
  );
}
