// « Mes documents », the doctor's vault (docs/api/documents.md): identity document, insurance (RCP),
// diplomas, licence de remplacement. A file chosen with the picker is checked here first — PDF, JPEG or
// PNG by its first bytes, 10 Mo at most — then sent as raw bytes (no JSON, no base64) with its kind,
// name, expiry date (required for the insurance) and, for the identity document, the birth date the
// Rempla team checks. Each document shows its expiry (expired or soon, in colour); one is deleted after
// a confirming second click (every share of it ends).
import { api } from "../ipc";
import { confirming, errorBox, h, showNotice, withProgress } from "../dom";
import { t, type TextKey } from "../i18n";
import type { DesktopError } from "../generated";

/** Largest file the server keeps (`MAX_DOCUMENT_BYTES`). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
export const KINDS = ["identity", "insurance", "diploma", "licence", "other"] as const;
export type DocumentKind = (typeof KINDS)[number];

/** The media type the file's first bytes say, or `null` for anything but PDF, JPEG and PNG. */
export function sniff(head: Uint8Array): "application/pdf" | "image/jpeg" | "image/png" | null {
  const starts = (...b: number[]) => b.every((x, i) => head[i] === x);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return "application/pdf";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  return null;
}

/** Why a file cannot be sent, before sending it (`null` when it can). */
export function fileProblem(size: number, head: Uint8Array): TextKey | null {
  if (size === 0) return "documents.empty";
  if (size > MAX_DOCUMENT_BYTES) return "documents.tooLarge";
  if (!sniff(head)) return "documents.badType";
  return null;
}

interface VaultRow {
  id: string;
  kind: string;
  name: string;
  size: number;
  expiresOn: string | null;
  expired: boolean;
  uploadedMs: number;
}

type Obj = Record<string, unknown>;

/** The vault's documents, read defensively. */
export function vaultRows(data: unknown): VaultRow[] {
  const d = typeof data === "object" && data !== null ? (data as Obj) : {};
  const list = Array.isArray(d.documents) ? d.documents : [];
  return list
    .filter((x): x is Obj => typeof x === "object" && x !== null && typeof (x as Obj).id === "string")
    .map((o) => ({
      id: o.id as string,
      kind: typeof o.kind === "string" ? o.kind : "other",
      name: typeof o.name === "string" ? o.name : "",
      size: typeof o.size === "number" ? o.size : 0,
      expiresOn: typeof o.expires_on === "string" ? o.expires_on : null,
      expired: o.expired === true,
      uploadedMs: typeof o.uploaded_ms === "number" ? o.uploaded_ms : 0,
    }));
}

function sizeText(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} Mo` : `${Math.max(1, Math.round(n / 1024))} Ko`;
}

function kindText(kind: string): string {
  return (KINDS as readonly string[]).includes(kind) ? t(`documents.kind.${kind}` as TextKey) : kind;
}

function row(d: VaultRow, reload: () => void, err: HTMLElement): HTMLElement {
  const soon = d.expiresOn !== null && !d.expired && Date.parse(d.expiresOn) - Date.now() < 30 * 86_400_000;
  const expiry = d.expiresOn
    ? h("span", { class: d.expired ? "badge expired" : soon ? "badge warn" : "badge" }, d.expired ? t("documents.expired", { date: d.expiresOn }) : t("documents.validUntil", { date: d.expiresOn }))
    : null;
  const remove = confirming(t("documents.delete"), t("documents.confirmDelete"), { "data-delete-document": d.id }, (b) =>
    withProgress(b, t("members.saving"), () => api.documentDelete(d.id))
      .then(() => {
        showNotice({ level: "success", title: t("documents.deleted"), body: d.name });
        reload();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError))),
  );
  return h("li", { "data-document-row": d.id, "data-kind": d.kind }, h("strong", {}, kindText(d.kind)), ` — ${d.name} (${sizeText(d.size)}) `, expiry, " ", remove);
}

function uploadForm(reload: () => void): HTMLElement {
  const kind = h("select", { id: "document-kind" }, ...KINDS.map((k) => h("option", { value: k }, kindText(k))));
  const file = h("input", { type: "file", id: "document-file", accept: "application/pdf,image/jpeg,image/png" });
  const expires = h("input", { type: "date", id: "document-expires" });
  const birth = h("input", { type: "date", id: "document-birth-date" });
  const birthRow = h("label", {}, t("documents.birthDate"), birth);
  const expiresRow = h("label", {}, t("documents.expiresOn"), expires);
  const sync = () => {
    birthRow.hidden = kind.value !== "identity";
    expires.required = kind.value === "insurance";
  };
  kind.addEventListener("change", sync);
  sync();
  const submit = h("button", { class: "primary", type: "submit", id: "document-upload" }, t("documents.upload"));
  const err = h("div", {});
  const form = h("form", { class: "card", id: "document-form" }, h("h3", {}, t("documents.add")), h("label", {}, t("documents.kind"), kind), h("label", {}, t("documents.file"), file), expiresRow, birthRow, submit, err);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    err.replaceChildren();
    const chosen = file.files?.[0];
    if (!chosen) {
      err.replaceChildren(errorBox({ code: "document_empty", message: t("documents.choose") }));
      return;
    }
    void withProgress(submit, t("documents.sending"), async () => {
      const bytes = new Uint8Array(await chosen.arrayBuffer());
      const problem = fileProblem(bytes.length, bytes.subarray(0, 16));
      if (problem) throw { code: problem === "documents.tooLarge" ? "document_too_large" : problem === "documents.empty" ? "document_empty" : "unsupported_media_type", message: t(problem) } as DesktopError;
      return api.documentUpload(bytes, {
        kind: kind.value,
        name: chosen.name,
        mediaType: sniff(bytes.subarray(0, 16)) ?? "",
        expiresOn: expires.value || null,
        birthDate: kind.value === "identity" ? birth.value || null : null,
      });
    })
      .then(() => {
        showNotice({ level: "success", title: t("documents.uploaded"), body: chosen.name });
        form.reset();
        sync();
        reload();
      })
      .catch((e: unknown) => err.replaceChildren(errorBox(e as DesktopError)));
  });
  return form;
}

/** The screen. */
export function doctorDocumentsView(): HTMLElement {
  const list = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const section = h("section", { id: "area-documents" }, h("h2", {}, t("documents.title")), h("p", { class: "muted" }, t("documents.help")), list);
  const load = () => {
    void (async () => {
      try {
        const f = await api.myVault();
        if (!f.available) {
          list.replaceChildren(h("p", { class: "empty" }, t("area.unavailable")));
          return;
        }
        const rows = vaultRows(f.data);
        const err = h("div", {});
        list.replaceChildren(rows.length ? h("ul", { class: "queue", id: "vault" }, ...rows.map((d) => row(d, load, err))) : h("p", { class: "empty", id: "vault-empty" }, t("documents.none")), err);
        section.dataset.ready = "true";
      } catch (e) {
        list.replaceChildren(errorBox(e as DesktopError));
      }
    })();
  };
  section.append(uploadForm(load));
  load();
  return section;
}
