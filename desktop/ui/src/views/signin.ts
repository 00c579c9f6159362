// Sign in, then terms acceptance when the server asks for it.
import { api } from "../ipc";
import { go, state } from "../app";
import { errorBox, h, withProgress } from "../dom";
import { t } from "../i18n";
import { enter } from "../session";
import type { DesktopError } from "../generated";

function termsView(): HTMLElement {
  const terms = state.session?.terms;
  const accept = h("button", { id: "accept-terms", class: "primary" }, t("terms.accept"));
  const err = h("div", {});
  accept.addEventListener("click", () => {
    void withProgress(accept, t("terms.progress"), async () => {
      try {
        await enter(await api.acceptTerms());
      } catch (e) {
        err.replaceChildren(errorBox(e as DesktopError));
      }
    });
  });
  return h(
    "section",
    { class: "card narrow" },
    h("h2", {}, t("terms.title")),
    h("pre", { class: "terms", tabindex: "0" }, terms?.text ?? ""),
    err,
    accept,
  );
}

export function signInView(): HTMLElement {
  if (state.session?.terms) return termsView();
  const server = h("input", { id: "server", type: "url", required: true, value: "http://127.0.0.1:8080", autocomplete: "url" });
  const email = h("input", { id: "email", type: "email", required: true, autocomplete: "username" });
  const password = h("input", { id: "password", type: "password", required: true, autocomplete: "current-password" });
  const submit = h("button", { id: "sign-in", class: "primary", type: "submit" }, t("signin.submit"));
  const err = h("div", { id: "signin-error" });
  const lost = h("button", { id: "lost-password", class: "link", type: "button" }, t("signin.lost"));
  lost.addEventListener("click", () => {
    err.replaceChildren();
    void withProgress(lost, t("signin.progress"), () => api.lostPassword(server.value, email.value))
      .then(() => err.replaceChildren(h("p", { class: "notice success", role: "status", id: "lost-sent" }, t("signin.lostSent", { email: email.value.trim() }))))
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  const signUp = h("button", { id: "sign-up", class: "link", type: "button" }, t("signin.signUp"));
  signUp.addEventListener("click", () => go({ name: "signup", server: server.value }));
  const form = h(
    "form",
    { class: "card narrow", "aria-labelledby": "signin-title" },
    h("h2", { id: "signin-title" }, t("signin.title")),
    h("label", {}, t("signin.server"), server),
    h("label", {}, t("signin.email"), email),
    h("label", {}, t("signin.password"), password),
    err,
    submit,
    lost,
    signUp,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    err.replaceChildren();
    void withProgress(submit, t("signin.progress"), async () => {
      try {
        await enter(await api.signIn(server.value, email.value, password.value));
      } catch (e) {
        err.replaceChildren(errorBox(e as DesktopError));
      }
    });
  });
  setTimeout(() => email.focus(), 0);
  return form;
}
