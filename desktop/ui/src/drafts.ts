// Drafts of the forms (an availability, an answer's reason, the sign-up): what a person types is kept in
// the local store as they type (`draft_save`, debounced), put back when the form is drawn again — after
// a redraw, a restart, a crash — and forgotten once the form is sent. Passwords are never kept: only the
// fields named here are.
import { api } from "./ipc";

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** How long typing pauses before the draft is written. */
export const DRAFT_DELAY_MS = 400;

/** Keeps the values of `fields` under `key`; `restored` runs after a draft was put back. */
export function keepDraft(key: string, fields: Field[], restored?: () => void): { clear: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let cleared = false;
  const save = () => {
    if (cleared) return;
    const value: Record<string, string> = {};
    for (const f of fields) if (f.id) value[f.id] = f.value;
    void api.draftSave(key, value).catch(() => undefined);
  };
  for (const f of fields) {
    const later = () => {
      cleared = false;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DRAFT_DELAY_MS);
    };
    f.addEventListener("input", later);
    f.addEventListener("change", later);
  }
  void api
    .draftLoad(key)
    .then((v) => {
      if (!v || typeof v !== "object") return;
      const saved = v as Record<string, unknown>;
      let any = false;
      for (const f of fields) {
        const x = saved[f.id];
        if (typeof x === "string" && x !== f.value) {
          f.value = x;
          any = true;
          if (f instanceof HTMLSelectElement) f.dispatchEvent(new Event("change"));
        }
      }
      if (any) restored?.();
    })
    .catch(() => undefined);
  return {
    clear: () => {
      cleared = true;
      if (timer) clearTimeout(timer);
      void api.draftClear(key).catch(() => undefined);
    },
  };
}
