// Pure helpers: dates in the site's zone, periods, CSV. No DOM, no IPC (unit-tested directly).
import { lang } from "./i18n";
import type { Request } from "./generated";

function locale(): string {
  return lang() === "en" ? "en-GB" : "fr-FR";
}

// Building an Intl formatter costs far more than using one: a 1,000-row dashboard needs two per row.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: "date" | "time", zone: string): Intl.DateTimeFormat {
  const key = `${kind}|${locale()}|${zone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      locale(),
      kind === "date"
        ? { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: zone }
        : { hour: "2-digit", minute: "2-digit", timeZone: zone },
    );
    formatters.set(key, f);
  }
  return f;
}

/** `lun. 1 mars 2027` in the given zone. */
export function formatDate(iso: string, zone: string): string {
  return formatter("date", zone).format(new Date(iso));
}

/** `08:00` in the given zone. */
export function formatTime(iso: string, zone: string): string {
  return formatter("time", zone).format(new Date(iso));
}

/** First start and last end of a request's shifts. */
export function requestSpan(r: Request): { start: string; end: string } | null {
  if (r.shifts.length === 0) return null;
  let start = r.shifts[0]!.interval.start;
  let end = r.shifts[0]!.interval.end;
  for (const s of r.shifts) {
    if (s.interval.start < start) start = s.interval.start;
    if (s.interval.end > end) end = s.interval.end;
  }
  return { start, end };
}

/** Whole days from `now` until `iso` (0 when already started). */
export function daysUntil(iso: string, now: Date = new Date()): number {
  const ms = new Date(iso).getTime() - now.getTime();
  return Math.max(0, Math.floor(ms / 86_400_000));
}

/** One CSV field (RFC 4180 quoting; `;` separated, as French spreadsheets expect). */
function csvField(v: string | number): string {
  const s = String(v);
  return /[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document with a header row, `;`-separated, CRLF line ends, UTF-8 BOM for spreadsheet apps. */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  const lines = [header, ...rows].map((r) => r.map(csvField).join(";"));
  return "\uFEFF" + lines.join("\r\n") + "\r\n";
}

/** Hours between two instants, one decimal. */
export function hoursBetween(start: string, end: string): number {
  return Math.round(((new Date(end).getTime() - new Date(start).getTime()) / 3_600_000) * 10) / 10;
}

const money = new Map<string, Intl.NumberFormat>();
/** `170,13 €` from integer cents (exact: cents are split with integer arithmetic, never floats). */
export function formatCents(cents: number): string {
  const key = locale();
  let f = money.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale(), { style: "currency", currency: "EUR" });
    money.set(key, f);
  }
  const sign = cents < 0 ? -1 : 1;
  const abs = Math.abs(Math.trunc(cents));
  return f.format(sign * (Math.floor(abs / 100) + (abs % 100) / 100));
}
