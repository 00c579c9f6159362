// Shapes crossing the IPC boundary (see desktop/src-tauri/src/commands.rs and core's domain types).

export interface AppError {
  code: string;
  message: string;
}

export interface Membership {
  facility_id: string;
  facility_name: string;
  member_id: string;
  role: string;
  delegations: unknown[];
}

export interface Me {
  account_id?: string;
  display_name?: string;
  email?: string;
  role?: string;
  memberships?: Membership[];
}

export interface TermsView {
  version: unknown;
  text: string;
}

export interface Session {
  server: string;
  accountId: string;
  role: string;
  me: Me | null;
  terms: TermsView | null;
}

export interface Site {
  id: string;
  facility_id: string;
  name: string;
  address: string;
  postcode: string;
  commune_code: string;
  department: string;
  location: { lat: number; lon: number };
  zone: string;
}

export interface FacilityView {
  facility: { id: string; name: string; siret: string; kind: string };
  sites: Site[];
}

export type ShiftKind =
  | "day"
  | "morning"
  | "afternoon"
  | "night"
  | "garde_night"
  | "garde_day"
  | "astreinte"
  | "custom";

export interface RequestShift {
  kind: ShiftKind;
  interval: { start: string; end: string };
}

export interface Request {
  id: string;
  facility_id: string;
  site_id: string;
  specialty: string;
  shifts: RequestShift[];
  zone: string;
  department: string;
  location: { lat: number; lon: number };
  doctors_needed: number;
  requirements: { thesed_only?: boolean; languages?: string[] };
  remuneration_cents_per_day?: number;
  status: "open" | "filled" | "cancelled" | "closed";
  revision: number;
}

export interface ShiftDraft {
  kind: ShiftKind;
  date: string;
  start?: string;
  end?: string;
  repeat?: string;
}

export interface RequestDraft {
  facilityId: string;
  siteId: string;
  specialty: string;
  shifts: ShiftDraft[];
  doctorsNeeded: number;
  thesedOnly: boolean;
  languages: string[];
  remunerationEurosPerDay?: number;
}

export interface SyncStatus {
  online: boolean;
  pending: number;
  lastSyncAt: string | null;
  conflicts: number;
}

export interface Feature<T = unknown> {
  available: boolean;
  data: T;
}

export interface Notice {
  level: "info" | "success" | "warning";
  title: string;
  body: string;
}

export interface Catalogue {
  specialties: { code: string; label: string }[];
  shiftKinds: { code: ShiftKind; label: string }[];
}

/** Amounts of an invoice or a statement, integer cents (`docs/api/billing.md`). */
export interface Amounts {
  ht_cents: number;
  vat_cents: number;
  ttc_cents: number;
}

/** One invoice or credit note (`GET /v1/facilities/{id}/invoices`). */
export interface Invoice extends Amounts {
  id: string;
  number: string;
  kind: "invoice" | "credit_note";
  mission_id: string;
  issued_ms: number;
  vat_bps: number;
  subject: string;
  lines: { label: string; quantity: number; unit_cents: number; total_cents: number }[];
  cancels_id: string | null;
}

/** The statement of charges (`GET /v1/facilities/{id}/charges`). */
export interface ChargeStatement {
  charges: (Amounts & {
    mission_id: string;
    at_ms: number;
    invoice_number: string;
    credit_note_number: string | null;
    cancelled_ms: number | null;
  })[];
  totals: { charged: Amounts; credited: Amounts; net: Amounts };
}

/** A member's role and delegated rights as sent to `member_change` / `member_invite`. */
export interface MemberRights {
  role: string;
  delegations: { right: string; site_id?: string }[];
}
