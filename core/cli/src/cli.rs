//! Command-line grammar of `rempla`, with French help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use rempla_core::calendar::ShiftKind;

/// Rempla en ligne de commande : règles du calendrier français et calendrier hors ligne d'un remplaçant.
#[derive(Debug, Parser)]
#[command(
    name = "rempla",
    version,
    about,
    long_about = "Rempla en ligne de commande.\n\n\
        Vérifie les numéros RPPS, donne les jours fériés de chaque département (métropole, Alsace-Moselle, \
        outre-mer) et le délai de réponse d'une proposition (fin du 3e jour ouvré), et tient le calendrier \
        hors ligne d'un médecin remplaçant (disponibilités, récurrences, export et import iCalendar).\n\n\
        Codes de sortie : 0 succès, 1 refusé par une règle (numéro invalide, saisie incorrecte), \
        2 mauvaise utilisation, 3 erreur de fichier ou de base.",
    after_help = "Exemples :\n  rempla rpps check 10000001916\n  rempla holidays 2027 --department 57\n  \
        rempla deadline --sent 2027-04-30T16:00:00+02:00 --department 75\n  \
        rempla calendar --store agenda.sqlite3 add --date 2027-03-27 --kind night --department 22\n  \
        rempla calendar --store agenda.sqlite3 export --output agenda.ics"
)]
pub struct Cli {
    /// Sortie JSON (pour les scripts) au lieu du texte.
    #[arg(long, global = true)]
    pub json: bool,
    /// Commande.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Numéros RPPS (11 chiffres, clé de Luhn).
    Rpps {
        /// Action.
        #[command(subcommand)]
        action: RppsAction,
    },
    /// Jours fériés d'une année dans un département (une ligne par jour : date ISO et nom).
    Holidays {
        /// Année (1900 à 2200).
        year: i32,
        /// Code du département : 75, 2A, 57, 971…
        #[arg(long, short = 'd', value_name = "CODE")]
        department: String,
    },
    /// Délai de réponse d'une proposition : fin (24 h, heure locale) du N-ième jour ouvré suivant l'envoi.
    Deadline {
        /// Date et heure d'envoi, RFC 3339 (ex. 2027-04-30T16:00:00+02:00).
        #[arg(long, value_name = "RFC3339")]
        sent: String,
        /// Département du site de la demande (fixe le fuseau horaire et les jours fériés).
        #[arg(long, short = 'd', value_name = "CODE")]
        department: String,
        /// Nombre de jours ouvrés accordés pour répondre.
        #[arg(long, default_value_t = 3, value_name = "N")]
        business_days: u32,
    },
    /// Calendrier hors ligne d'un médecin remplaçant, dans un fichier local.
    Calendar(CalendarArgs),
    /// Appariement sur un jeu de données : candidats d'une demande (--request) ou demandes compatibles
    /// avec le calendrier d'un médecin (--doctor). Format des données et règles : docs/matching.md.
    Match(MatchArgs),
    /// Jeux de données d'appariement : génération d'un jeu synthétique national reproductible.
    Dataset {
        /// Action.
        #[command(subcommand)]
        action: DatasetAction,
    },
    /// Connecte cet appareil (le fichier --store) à un serveur Rempla. Le mot de passe est demandé sans
    /// écho, ou lu sur l'entrée standard avec --password-stdin ; jamais en argument.
    Login(LoginArgs),
    /// Déconnecte cet appareil (révoque son jeton) ; les modifications en attente sont gardées.
    Logout(StoreArg),
    /// Un tour de synchronisation : envoie les modifications en attente, reçoit celles du serveur,
    /// affiche les conflits (modifications refusées et annulées sur l'appareil).
    Sync(StoreArg),
    /// État de la synchronisation : serveur, compte, modifications en attente, dernière synchronisation.
    Status(StoreArg),
}

/// `rempla match --dataset FILE (--request ID | --doctor ID)`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["request", "doctor"])))]
pub struct MatchArgs {
    /// Jeu de données JSON (voir docs/matching.md).
    #[arg(long, value_name = "FILE")]
    pub dataset: PathBuf,
    /// Identifiant de la demande : affiche ses candidats, complets ou partiels, classés.
    #[arg(long, value_name = "ID")]
    pub request: Option<String>,
    /// Identifiant du médecin : affiche les demandes ouvertes compatibles avec son calendrier.
    #[arg(long, value_name = "ID")]
    pub doctor: Option<String>,
    /// Nombre de résultats affichés en texte (le JSON les donne tous).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
}

/// `rempla dataset …`
#[derive(Debug, Subcommand)]
pub enum DatasetAction {
    /// Génère un jeu synthétique déterministe (même graine, mêmes données, sur toute machine).
    Generate {
        /// Graine du générateur.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Nombre de médecins.
        #[arg(long, default_value_t = 50_000)]
        doctors: usize,
        /// Créneaux par médecin.
        #[arg(long, default_value_t = 100, value_name = "N")]
        slots_per_doctor: usize,
        /// Nombre d'établissements.
        #[arg(long, default_value_t = 10_000)]
        facilities: usize,
        /// Nombre de demandes ouvertes.
        #[arg(long, default_value_t = 100_000)]
        requests: usize,
        /// Premier jour de l'horizon (AAAA-MM-JJ, un lundi).
        #[arg(long, default_value = "2027-01-04", value_name = "DATE")]
        start: String,
        /// Durée de l'horizon en semaines.
        #[arg(long, default_value_t = 26)]
        weeks: u32,
        /// Fichier JSON à écrire.
        #[arg(
            long,
            short = 'o',
            value_name = "FILE",
            required_unless_present = "csv"
        )]
        output: Option<PathBuf>,
        /// Dossier où écrire aussi les tables CSV (chargement PostgreSQL par COPY).
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
    },
}

/// The local store file, shared by `calendar`, `login`, `sync`, `status`.
#[derive(Debug, Args)]
pub struct StoreArg {
    /// Fichier du calendrier local (créé s'il n'existe pas).
    #[arg(long, short = 's', value_name = "PATH", env = "REMPLA_STORE")]
    pub store: PathBuf,
}

/// `rempla login …`
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Fichier local.
    #[command(flatten)]
    pub store: StoreArg,
    /// Adresse du serveur (https://…, ou http:// en local).
    #[arg(long, value_name = "URL", env = "REMPLA_SERVER")]
    pub server: String,
    /// Adresse e-mail du compte.
    #[arg(long, value_name = "E-MAIL")]
    pub email: String,
    /// Lit le mot de passe sur la première ligne de l'entrée standard (scripts).
    #[arg(long)]
    pub password_stdin: bool,
    /// Nom de cet appareil dans la liste des appareils du compte.
    #[arg(long, default_value = "rempla-cli", value_name = "NOM")]
    pub device_name: String,
    /// Accepte la version en vigueur des conditions générales si le serveur le demande.
    #[arg(long)]
    pub accept_terms: bool,
}

/// `rempla rpps …`
#[derive(Debug, Subcommand)]
pub enum RppsAction {
    /// Vérifie un numéro RPPS (code de sortie 0 s'il est valide, 1 sinon, avec la raison).
    Check {
        /// Le numéro (les espaces sont tolérés ; « 8 » + RPPS de la carte CPS accepté).
        number: String,
    },
}

/// `rempla calendar --store PATH …`
#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// Fichier du calendrier local (créé s'il n'existe pas).
    #[arg(long, short = 's', value_name = "PATH", env = "REMPLA_STORE")]
    pub store: PathBuf,
    /// Action.
    #[command(subcommand)]
    pub action: CalendarAction,
}

/// `rempla calendar … <action>`
#[derive(Debug, Subcommand)]
pub enum CalendarAction {
    /// Ajoute une disponibilité (éventuellement récurrente).
    Add(AddArgs),
    /// Liste les disponibilités (occurrences développées) d'une période.
    List {
        /// Premier jour (AAAA-MM-JJ) ; par défaut le 1er du mois courant.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Jour de fin exclu (AAAA-MM-JJ) ; par défaut un mois après --from.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
    },
    /// Supprime une disponibilité, ou une seule occurrence d'une série avec --occurrence.
    Remove {
        /// Identifiant de la disponibilité (voir `list`).
        id: String,
        /// Jour local de l'occurrence à retirer d'une série (AAAA-MM-JJ).
        #[arg(long, value_name = "DATE")]
        occurrence: Option<String>,
    },
    /// Exporte le calendrier au format iCalendar (.ics).
    Export {
        /// Fichier de sortie ; sortie standard par défaut.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Importe un fichier .ics (ex. export Google Agenda) comme périodes occupées.
    Import {
        /// Le fichier .ics.
        file: PathBuf,
        /// Fuseau des heures « flottantes » et des journées entières.
        #[arg(long, default_value = "Europe/Paris", value_name = "IANA")]
        zone: String,
    },
}

/// `rempla calendar … add`
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Jour local du début (AAAA-MM-JJ), pour un créneau type.
    #[arg(long, value_name = "DATE", required_unless_present = "start")]
    pub date: Option<String>,
    /// Type de créneau : day (journée 08–20 h), morning (08–14 h), afternoon (14–20 h), night (20–08 h),
    /// garde-night (20–08 h), garde-day (dimanches et fériés, 08–20 h), astreinte (20–08 h), custom
    /// (période libre : --start et --end).
    #[arg(long, default_value = "day", value_parser = clap::builder::ValueParser::new(parse_kind))]
    pub kind: ShiftKind,
    /// Département où la disponibilité vaut (fixe le fuseau et les jours fériés).
    #[arg(long, short = 'd', value_name = "CODE", default_value = "75")]
    pub department: String,
    /// Début d'une période libre, RFC 3339 (avec --kind custom).
    #[arg(long, value_name = "RFC3339", requires = "end")]
    pub start: Option<String>,
    /// Fin d'une période libre, RFC 3339.
    #[arg(long, value_name = "RFC3339", requires = "start")]
    pub end: Option<String>,
    /// Règle de récurrence RFC 5545 (ex. "FREQ=WEEKLY;BYDAY=MO,TU;COUNT=20").
    #[arg(long, value_name = "RRULE")]
    pub repeat: Option<String>,
    /// Jours exclus de la récurrence (AAAA-MM-JJ), répétable.
    #[arg(long, value_name = "DATE")]
    pub except: Vec<String>,
    /// Note personnelle.
    #[arg(long)]
    pub note: Option<String>,
}

/// Shift kinds are typed as their snake_case or hyphenated names; the error lists the valid ones.
fn parse_kind(text: &str) -> Result<ShiftKind, String> {
    text.parse::<ShiftKind>().map_err(|e| e.to_string())
}
