// Tiny DOM helpers: element builder, busy buttons (every slow action shows progress), notices.
import { errorText, t } from "./i18n";
import type { DesktopError, Notice } from "./generated";

type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/** Creates an element: `h("button", {class: "x", onclick: f}, "Texte")`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

/** Runs `work` with `button` disabled and showing `busyText` and a spinner; restores it afterwards. */
export async function withProgress<T>(button: HTMLButtonElement, busyText: string, work: () => Promise<T>): Promise<T> {
  const label = button.textContent ?? "";
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), busyText);
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.replaceChildren(label);
  }
}

/** A plain-language error box (role=alert, read by screen readers). */
export function errorBox(e: DesktopError): HTMLElement {
  return h("div", { class: "error", role: "alert", "data-code": e.code }, errorText(e));
}

/** Shows a notice in the notification area (top right), closing itself after 8 s. */
export function showNotice(n: Notice): void {
  let area = document.getElementById("notices");
  if (!area) {
    area = h("div", { id: "notices", role: "status", "aria-live": "polite" });
    document.body.append(area);
  }
  const close = h("button", { class: "link", "aria-label": t("notice.close") }, "×");
  const box = h("div", { class: `notice ${n.level}` }, h("strong", {}, n.title), h("p", {}, n.body), close);
  close.addEventListener("click", () => box.remove());
  area.append(box);
  setTimeout(() => box.remove(), 6000);
}

/** A button that acts on the second click only (the first one asks for confirmation). */
export function confirming(label: string, confirm: string, attrs: Record<string, string>, act: (b: HTMLButtonElement) => Promise<void>): HTMLButtonElement {
  const b = h("button", attrs, label);
  let armed = false;
  b.addEventListener("click", () => {
    if (!armed) {
      armed = true;
      b.textContent = confirm;
      b.classList.add("danger");
      return;
    }
    void act(b).finally(() => {
      armed = false;
      b.textContent = label;
      b.classList.remove("danger");
    });
  });
  return b;
}
