// French by default, English on the switch. Keys are English-ish ids; every string a screen shows goes
// through `t`. Errors from Rust come in French; `errorText` gives the English of the known codes.
import type { AppError } from "./types";

export type Lang = "fr" | "en";

const fr = {
  "app.title": "Rempla — établissements",
  "nav.dashboard": "Tableau de bord",
  "nav.newRequest": "Nouvelle demande",
  "nav.map": "Carte",
  "nav.planning": "Planning",
  "nav.invoices": "Factures et frais",
  "nav.members": "Membres et droits",
  "nav.staff": "Vérifications (équipe Rempla)",
  "nav.signOut": "Se déconnecter",
  "lang.switch": "English",
  "signin.title": "Connexion",
  "signin.server": "Serveur",
  "signin.email": "Adresse e-mail",
  "signin.password": "Mot de passe",
  "signin.submit": "Se connecter",
  "signin.progress": "Connexion en cours…",
  "terms.title": "Conditions générales d'utilisation",
  "terms.accept": "J'accepte les conditions générales",
  "terms.progress": "Enregistrement de votre acceptation…",
  "switcher.facility": "Établissement",
  "switcher.site": "Site",
  "switcher.allSites": "Tous les sites",
  "offline.banner": "Hors ligne : vos modifications sont gardées sur cet ordinateur et partiront au retour du réseau.",
  "status.pending": "{n} modification(s) en attente d'envoi",
  "status.synced": "À jour",
  "status.syncNow": "Synchroniser",
  "status.syncing": "Synchronisation…",
  "dashboard.title": "Demandes ouvertes",
  "dashboard.count": "{n} demande(s) ouverte(s)",
  "dashboard.empty": "Aucune demande ouverte. Créez-en une avec « Nouvelle demande ».",
  "dashboard.loading": "Chargement des demandes…",
  "dashboard.col.when": "Période",
  "dashboard.col.site": "Site",
  "dashboard.col.specialty": "Spécialité",
  "dashboard.col.shifts": "Créneaux",
  "dashboard.col.matches": "Candidats complets / partiels",
  "dashboard.col.deadline": "Début dans",
  "dashboard.matchesUnavailable": "—",
  "dashboard.days": "{n} j",
  "dashboard.today": "aujourd'hui",
  "dashboard.candidates": "Candidats",
  "editor.title": "Nouvelle demande",
  "editor.site": "Site",
  "editor.specialty": "Spécialité",
  "editor.kind": "Type de créneau à ajouter",
  "editor.calendarHelp": "Cliquez sur un jour pour ajouter un créneau du type choisi ; cliquez sur un créneau pour le retirer.",
  "editor.repeat": "Répéter chaque semaine pendant",
  "editor.weeks": "semaine(s)",
  "editor.doctors": "Médecins par créneau",
  "editor.thesed": "Médecins thésés uniquement",
  "editor.languages": "Langues requises (codes, séparés par des virgules)",
  "editor.pay": "Rémunération par jour (€)",
  "editor.shifts": "{n} créneau(x) choisi(s)",
  "editor.submit": "Publier la demande",
  "editor.progress": "Publication…",
  "editor.done": "Demande enregistrée : elle part vers le serveur.",
  "map.title": "Carte de France",
  "map.legend": "Sites de vos demandes (regroupés) ; fond de carte embarqué, sans connexion.",
  "map.attribution": "Contours : Natural Earth (domaine public) ; communes : INSEE COG via @etalab/decoupage-administratif (Licence Ouverte 2.0), GeoNames (CC BY 4.0)",
  "candidates.title": "Candidats",
  "candidates.loading": "Recherche des candidats…",
  "candidates.unavailable": "Le classement des candidats n'est pas encore disponible sur ce serveur.",
  "candidates.none": "Aucun candidat pour l'instant.",
  "candidates.complete": "couverture complète",
  "candidates.partial": "couverture partielle",
  "candidates.propose": "Proposer la mission",
  "candidates.proposing": "Envoi de la proposition…",
  "candidates.proposed": "Proposition envoyée",
  "candidates.notOpen": "Cette demande n'est plus ouverte (pourvue ou close) : voici ses propositions.",
  "candidates.proposalsUnavailable": "L'envoi de propositions n'est pas encore disponible sur ce serveur.",
  "candidates.split": "Couverture partagée proposée (le plus petit groupe de médecins)",
  "candidates.counts": "{complete} couverture(s) complète(s), {partial} partielle(s)",
  "criterion.coverage": "Couverture",
  "criterion.distance": "Distance",
  "criterion.shift_kind": "Type de créneau",
  "planning.title": "Planning",
  "planning.unavailable": "Les missions ne sont pas encore disponibles sur ce serveur ; seules les demandes ouvertes sont affichées.",
  "planning.export": "Exporter pour la paie (CSV)",
  "planning.open": "À pourvoir",
  "planning.mission": "Mission confirmée",
  "proposal.sent": "Proposition envoyée, en attente de réponse",
  "proposal.accepted": "Proposition acceptée : mission confirmée",
  "proposal.declined": "Proposition refusée",
  "proposal.expired": "Proposition expirée",
  "proposal.withdrawn": "Proposition retirée",
  "area.unavailable": "Cet écran n'est pas encore disponible sur ce serveur.",
  "area.empty": "Rien à afficher.",
  "area.loading": "Chargement…",
  "invoices.title": "Factures et frais",
  "members.title": "Membres et droits",
  "staff.title": "File de vérification",
  "notice.close": "Fermer",
};

type Key = keyof typeof fr;

const en: Record<Key, string> = {
  "app.title": "Rempla — facilities",
  "nav.dashboard": "Dashboard",
  "nav.newRequest": "New request",
  "nav.map": "Map",
  "nav.planning": "Planning",
  "nav.invoices": "Invoices and charges",
  "nav.members": "Members and rights",
  "nav.staff": "Verifications (Rempla staff)",
  "nav.signOut": "Sign out",
  "lang.switch": "Français",
  "signin.title": "Sign in",
  "signin.server": "Server",
  "signin.email": "E-mail address",
  "signin.password": "Password",
  "signin.submit": "Sign in",
  "signin.progress": "Signing in…",
  "terms.title": "Terms of use",
  "terms.accept": "I accept the terms of use",
  "terms.progress": "Saving your acceptance…",
  "switcher.facility": "Facility",
  "switcher.site": "Site",
  "switcher.allSites": "All sites",
  "offline.banner": "Offline: your changes are kept on this computer and will be sent when the network is back.",
  "status.pending": "{n} change(s) waiting to be sent",
  "status.synced": "Up to date",
  "status.syncNow": "Sync",
  "status.syncing": "Syncing…",
  "dashboard.title": "Open requests",
  "dashboard.count": "{n} open request(s)",
  "dashboard.empty": "No open request. Create one with “New request”.",
  "dashboard.loading": "Loading requests…",
  "dashboard.col.when": "Period",
  "dashboard.col.site": "Site",
  "dashboard.col.specialty": "Specialty",
  "dashboard.col.shifts": "Shifts",
  "dashboard.col.matches": "Complete / partial candidates",
  "dashboard.col.deadline": "Starts in",
  "dashboard.matchesUnavailable": "—",
  "dashboard.days": "{n} d",
  "dashboard.today": "today",
  "dashboard.candidates": "Candidates",
  "editor.title": "New request",
  "editor.site": "Site",
  "editor.specialty": "Specialty",
  "editor.kind": "Kind of shift to add",
  "editor.calendarHelp": "Click a day to add a shift of the chosen kind; click a shift to remove it.",
  "editor.repeat": "Repeat every week for",
  "editor.weeks": "week(s)",
  "editor.doctors": "Doctors per shift",
  "editor.thesed": "Doctors with a thesis only",
  "editor.languages": "Required languages (codes, comma-separated)",
  "editor.pay": "Pay per day (€)",
  "editor.shifts": "{n} shift(s) chosen",
  "editor.submit": "Post the request",
  "editor.progress": "Posting…",
  "editor.done": "Request saved: it is on its way to the server.",
  "map.title": "Map of France",
  "map.legend": "Sites of your requests (clustered); the basemap ships with the app, no connection needed.",
  "map.attribution": "Outlines: Natural Earth (public domain); communes: INSEE COG via @etalab/decoupage-administratif (Licence Ouverte 2.0), GeoNames (CC BY 4.0)",
  "candidates.title": "Candidates",
  "candidates.loading": "Finding candidates…",
  "candidates.unavailable": "Candidate ranking is not available on this server yet.",
  "candidates.none": "No candidate yet.",
  "candidates.complete": "complete coverage",
  "candidates.partial": "partial coverage",
  "candidates.propose": "Propose the mission",
  "candidates.proposing": "Sending the proposal…",
  "candidates.proposed": "Proposal sent",
  "candidates.notOpen": "This request is no longer open (filled or closed): here are its proposals.",
  "candidates.proposalsUnavailable": "Sending proposals is not available on this server yet.",
  "candidates.split": "Suggested split coverage (the smallest group of doctors)",
  "candidates.counts": "{complete} complete, {partial} partial",
  "criterion.coverage": "Coverage",
  "criterion.distance": "Distance",
  "criterion.shift_kind": "Kind of shift",
  "planning.title": "Planning",
  "planning.unavailable": "Missions are not available on this server yet; only open requests are shown.",
  "planning.export": "Export for payroll (CSV)",
  "planning.open": "To fill",
  "planning.mission": "Confirmed mission",
  "proposal.sent": "Proposal sent, waiting for an answer",
  "proposal.accepted": "Proposal accepted: mission confirmed",
  "proposal.declined": "Proposal declined",
  "proposal.expired": "Proposal expired",
  "proposal.withdrawn": "Proposal withdrawn",
  "area.unavailable": "This screen is not available on this server yet.",
  "area.empty": "Nothing to show.",
  "area.loading": "Loading…",
  "invoices.title": "Invoices and charges",
  "members.title": "Members and rights",
  "staff.title": "Verification queue",
  "notice.close": "Close",
};

const errorsEn: Record<string, string> = {
  offline: "The Rempla server cannot be reached. Check your connection: your changes are kept and will be sent when the network is back.",
  server_unavailable: "The Rempla server is temporarily unavailable. Nothing is lost: try again in a few minutes.",
  bad_credentials: "Wrong e-mail address or password.",
  session_expired: "Your session expired: please sign in again.",
  session_revoked: "Your session was closed: please sign in again.",
  forbidden: "You do not have the rights for this action. Ask an administrator of your facility.",
  rate_limited: "Too many attempts: wait a minute before trying again.",
  terms_not_accepted: "You must accept the terms of use to continue.",
  invalid_server_url: "Invalid server address: it must start with http:// or https://.",
};

let current: Lang = "fr";
const listeners: (() => void)[] = [];

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  document.documentElement.lang = l;
  try {
    localStorage.setItem("rempla.lang", l);
  } catch {
    // storage unavailable: the choice lasts for this run
  }
  listeners.forEach((f) => f());
}

export function onLangChange(f: () => void): void {
  listeners.push(f);
}

export function initLang(): void {
  try {
    const saved = localStorage.getItem("rempla.lang");
    if (saved === "en" || saved === "fr") current = saved;
  } catch {
    current = "fr";
  }
  document.documentElement.lang = current;
}

/** The text of `key` in the current language, `{n}`-style placeholders filled from `vars`. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const table = current === "en" ? en : fr;
  return (table[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** The error as the user reads it: the French message from Rust, or its English for known codes. */
export function errorText(e: AppError): string {
  if (current === "en") return errorsEn[e.code] ?? e.message;
  return e.message;
}

export type { Key as TextKey };
