// Invoices and charges of the selected facility (`docs/api/billing.md`): the invoices and credit notes
// in number order, and the statement of charges with its totals. Money arrives in integer cents and is
// only formatted here. A server without billing (404) shows the honest "not available" state; a member
// without the billing right gets the server's 403 explained.
import { api } from "../ipc";
import { state } from "../app";
import { errorBox, h, showNotice, withProgress } from "../dom";
import { formatCents } from "../format";
import { lang, t } from "../i18n";
import type { DesktopError, ChargeStatement, Invoice } from "../generated";

function isInvoice(x: unknown): x is Invoice {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.number === "string" && typeof o.ttc_cents === "number" && typeof o.issued_ms === "number";
}

function isStatement(x: unknown): x is ChargeStatement {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return Array.isArray(o.charges) && typeof o.totals === "object" && o.totals !== null;
}

function issuedOn(ms: number): string {
  return new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "fr-FR", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "Europe/Paris",
  }).format(new Date(ms));
}

/** The invoices table: one row per invoice or credit note, newest number last (server order). */
export function invoiceTable(invoices: Invoice[]): HTMLElement {
  if (invoices.length === 0) return h("p", { class: "empty", id: "invoices-empty" }, t("invoices.none"));
  return h(
    "table",
    { class: "grid", id: "invoices-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...(["invoices.number", "invoices.date", "invoices.kind", "invoices.subject", "invoices.ht", "invoices.vat", "invoices.ttc"] as const).map(
          (k) => h("th", {}, t(k)),
        ),
        h("th", {}, ""),
      ),
    ),
    h(
      "tbody",
      {},
      ...invoices.map((i) =>
        h(
          "tr",
          { "data-invoice": i.number, class: i.kind === "credit_note" ? "credit-note" : "" },
          h("td", {}, h("strong", {}, i.number)),
          h("td", {}, issuedOn(i.issued_ms)),
          h("td", {}, t(i.kind === "credit_note" ? "invoices.creditNote" : "invoices.invoice")),
          h("td", { class: "subject" }, i.subject),
          h("td", { class: "num" }, formatCents(i.ht_cents)),
          h("td", { class: "num" }, formatCents(i.vat_cents)),
          h("td", { class: "num" }, h("strong", {}, formatCents(i.ttc_cents))),
          h("td", {}, pdfButton(i)),
        ),
      ),
    ),
  );
}

/** « PDF »: saves the invoice's PDF to the downloads folder and says where. */
function pdfButton(i: Invoice): HTMLElement {
  const b = h("button", { class: "secondary", "data-invoice-pdf": i.id, "aria-label": `${t("invoices.pdf")} — ${i.number}` }, t("invoices.pdf"));
  b.addEventListener("click", () => {
    document.getElementById("invoice-pdf-error")?.replaceChildren();
    void withProgress(b, t("invoices.saving"), () => api.invoicePdf(i.id, i.number, i.kind === "credit_note"))
      .then((f) => {
        if (f.available && f.data) showNotice({ level: "success", title: t("invoices.saved", { number: i.number }), body: f.data });
      })
      .catch((e: unknown) => document.getElementById("invoice-pdf-error")?.replaceChildren(errorBox(e as DesktopError)));
  });
  return b;
}

/** The statement totals: charged, credited and net, each HT / TVA / TTC. */
export function statementTotals(s: ChargeStatement): HTMLElement {
  const rows = (["charged", "credited", "net"] as const).map((k) => {
    const a = s.totals[k];
    return h(
      "tr",
      { "data-total": k },
      h("th", {}, t(`invoices.${k}`)),
      h("td", { class: "num" }, formatCents(a.ht_cents)),
      h("td", { class: "num" }, formatCents(a.vat_cents)),
      h("td", { class: "num" }, h("strong", {}, formatCents(a.ttc_cents))),
    );
  });
  return h(
    "table",
    { class: "grid", id: "charges-totals" },
    h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", {}, t("invoices.ht")), h("th", {}, t("invoices.vat")), h("th", {}, t("invoices.ttc")))),
    h("tbody", {}, ...rows),
  );
}

export function invoicesView(): HTMLElement {
  const list = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const statement = h("div", {}, h("p", { class: "muted" }, h("span", { class: "spinner" }), t("area.loading")));
  const section = h(
    "section",
    { id: "area-invoices" },
    h("h2", {}, t("invoices.title")),
    h("h3", {}, t("invoices.list")),
    list,
    h("div", { id: "invoice-pdf-error" }),
    h("h3", {}, t("invoices.statement")),
    statement,
  );
  const unavailable = (what: string) => h("p", { class: "empty", "data-unavailable": what }, t("area.unavailable"));
  void (async () => {
    try {
      const f = await api.areaList("invoices", state.facilityId);
      const d = f.data as { invoices?: unknown } | null;
      const items = f.available && d && Array.isArray(d.invoices) ? d.invoices.filter(isInvoice) : null;
      list.replaceChildren(items ? invoiceTable(items) : unavailable("invoices"));
    } catch (e) {
      list.replaceChildren(errorBox(e as DesktopError));
    }
    try {
      const f = await api.areaList("charges", state.facilityId);
      statement.replaceChildren(f.available && isStatement(f.data) ? statementTotals(f.data) : unavailable("charges"));
    } catch (e) {
      statement.replaceChildren(errorBox(e as DesktopError));
    }
  })();
  return section;
}
