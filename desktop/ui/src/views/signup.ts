// « Créer un compte médecin », from the sign-in screen: e-mail, password twice, RPPS, names, specialties.
// The Rust side checks each field with core's validators (the RPPS's check digit, the specialties'
// codes) before anything is sent; the server answers the same whether the address is new (no account
// enumeration) and e-mails the activation link, whose page it serves. Then the doctor signs in here, and
// their calendar asks for the identity document the Rempla team checks before the first proposal.
import { api } from "../ipc";
import { go, state } from "../app";
import { errorBox, h, withProgress } from "../dom";
import { t } from "../i18n";
import { keepDraft } from "../drafts";
import type { DesktopError } from "../generated";

/** The specialties the form offers (core's catalogue, loaded without a session). */
async function specialtyOptions(select: HTMLSelectElement): Promise<void> {
  const cat = state.catalogue ?? (await api.catalogue().catch(() => null));
  if (!cat) return;
  state.catalogue = cat;
  select.replaceChildren(...cat.specialties.map((s) => h("option", { value: s.code }, s.label)));
}

/** The screen; `server` is the address typed on the sign-in form. */
export function signUpView(server: string): HTMLElement {
  const serverIn = h("input", { id: "signup-server", type: "url", required: true, value: server });
  const email = h("input", { id: "signup-email", type: "email", required: true, autocomplete: "username" });
  const password = h("input", { id: "signup-password", type: "password", required: true, minlength: "10", autocomplete: "new-password" });
  const again = h("input", { id: "signup-password-again", type: "password", required: true, minlength: "10", autocomplete: "new-password" });
  const rpps = h("input", { id: "signup-rpps", inputmode: "numeric", required: true, maxlength: "11", pattern: "[0-9]{11}" });
  const first = h("input", { id: "signup-first-name", required: true, autocomplete: "given-name" });
  const last = h("input", { id: "signup-last-name", required: true, autocomplete: "family-name" });
  const specialties = h("select", { id: "signup-specialties", multiple: true, size: 6, required: true });
  void specialtyOptions(specialties);
  // Everything but the passwords survives a restart.
  const draft = keepDraft("signup", [serverIn, email, rpps, first, last]);
  const submit = h("button", { class: "primary", type: "submit", id: "signup-submit" }, t("signup.submit"));
  const back = h("button", { class: "link", type: "button", id: "signup-back" }, t("signup.back"));
  back.addEventListener("click", () => go({ name: "signin" }));
  const err = h("div", { id: "signup-error" });
  const form = h(
    "form",
    { class: "card narrow", id: "signup-form", "aria-labelledby": "signup-title" },
    h("h2", { id: "signup-title" }, t("signup.title")),
    h("p", { class: "muted" }, t("signup.help")),
    h("label", {}, t("signin.server"), serverIn),
    h("label", {}, t("signin.email"), email),
    h("label", {}, t("signup.password"), password),
    h("label", {}, t("account.again"), again),
    h("label", {}, t("signup.rpps"), rpps),
    h("label", {}, t("signup.firstName"), first),
    h("label", {}, t("signup.lastName"), last),
    h("label", {}, t("signup.specialties"), specialties),
    err,
    submit,
    back,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    err.replaceChildren();
    if (password.value !== again.value) {
      err.replaceChildren(errorBox({ code: "passwords_differ", message: t("account.differ") }));
      return;
    }
    const chosen = [...specialties.selectedOptions].map((o) => o.value);
    void withProgress(submit, t("signin.progress"), () =>
      api.doctorSignUp({
        server: serverIn.value,
        email: email.value,
        password: password.value,
        rpps: rpps.value,
        firstName: first.value,
        lastName: last.value,
        specialties: chosen,
      }),
    )
      .then((sentTo) => {
        draft.clear();
        form.replaceChildren(
          h("h2", {}, t("signup.sentTitle")),
          h("p", { id: "signup-sent", role: "status" }, t("signup.sent", { email: sentTo })),
          h("p", { class: "muted" }, t("signup.next")),
          back,
        );
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  setTimeout(() => email.focus(), 0);
  return form;
}
