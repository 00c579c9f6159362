//! French départements and overseas collectivities: the place a site is in decides its time zone and
//! which public holidays it keeps, so every calendar rule starts from a [`Department`].
//!
//! Codes are the INSEE ones: `01`–`19`, `2A`, `2B`, `21`–`95`, then the overseas `971`–`978` and
//! `986`–`988`. Parsing accepts only these canonical codes (surrounding spaces trimmed, `2a`/`2b` in any
//! case); it never guesses: `1` (missing zero), `20` (Corsica before 1976), `00`, `96` and `984` (TAAF, no
//! resident population to serve) are rejected.

use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::error::CalendarError;

/// The set of public-holiday rules a territory follows.
///
/// Metropolitan France shares one list; Alsace-Moselle (57, 67, 68) adds Good Friday and 26 December
/// (local law kept from 1892–1918); each overseas territory adds its own days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayRegion {
    /// Metropolitan France outside Alsace-Moselle (including Corsica).
    Metropolitan,
    /// Moselle, Bas-Rhin and Haut-Rhin.
    AlsaceMoselle,
    /// 971.
    Guadeloupe,
    /// 972.
    Martinique,
    /// 973.
    Guyane,
    /// 974.
    Reunion,
    /// 976.
    Mayotte,
    /// 975.
    SaintPierreEtMiquelon,
    /// 977.
    SaintBarthelemy,
    /// 978.
    SaintMartin,
    /// 986.
    WallisEtFutuna,
    /// 987.
    PolynesieFrancaise,
    /// 988.
    NouvelleCaledonie,
}

impl HolidayRegion {
    /// Every region, so tests and tools can enumerate them.
    pub const ALL: [HolidayRegion; 13] = [
        Self::Metropolitan,
        Self::AlsaceMoselle,
        Self::Guadeloupe,
        Self::Martinique,
        Self::Guyane,
        Self::Reunion,
        Self::Mayotte,
        Self::SaintPierreEtMiquelon,
        Self::SaintBarthelemy,
        Self::SaintMartin,
        Self::WallisEtFutuna,
        Self::PolynesieFrancaise,
        Self::NouvelleCaledonie,
    ];
}

/// One row of the territory table.
struct Entry {
    code: &'static str,
    name: &'static str,
    zone: Tz,
    region: HolidayRegion,
}

const fn metro(code: &'static str, name: &'static str) -> Entry {
    Entry {
        code,
        name,
        zone: Tz::Europe__Paris,
        region: HolidayRegion::Metropolitan,
    }
}

const fn alsace_moselle(code: &'static str, name: &'static str) -> Entry {
    Entry {
        code,
        name,
        zone: Tz::Europe__Paris,
        region: HolidayRegion::AlsaceMoselle,
    }
}

const fn overseas(
    code: &'static str,
    name: &'static str,
    zone: Tz,
    region: HolidayRegion,
) -> Entry {
    Entry {
        code,
        name,
        zone,
        region,
    }
}

/// All territories, in INSEE order. The index in this table is the identity of a [`Department`].
static TABLE: [Entry; 107] = [
    metro("01", "Ain"),
    metro("02", "Aisne"),
    metro("03", "Allier"),
    metro("04", "Alpes-de-Haute-Provence"),
    metro("05", "Hautes-Alpes"),
    metro("06", "Alpes-Maritimes"),
    metro("07", "Ardèche"),
    metro("08", "Ardennes"),
    metro("09", "Ariège"),
    metro("10", "Aube"),
    metro("11", "Aude"),
    metro("12", "Aveyron"),
    metro("13", "Bouches-du-Rhône"),
    metro("14", "Calvados"),
    metro("15", "Cantal"),
    metro("16", "Charente"),
    metro("17", "Charente-Maritime"),
    metro("18", "Cher"),
    metro("19", "Corrèze"),
    metro("2A", "Corse-du-Sud"),
    metro("2B", "Haute-Corse"),
    metro("21", "Côte-d'Or"),
    metro("22", "Côtes-d'Armor"),
    metro("23", "Creuse"),
    metro("24", "Dordogne"),
    metro("25", "Doubs"),
    metro("26", "Drôme"),
    metro("27", "Eure"),
    metro("28", "Eure-et-Loir"),
    metro("29", "Finistère"),
    metro("30", "Gard"),
    metro("31", "Haute-Garonne"),
    metro("32", "Gers"),
    metro("33", "Gironde"),
    metro("34", "Hérault"),
    metro("35", "Ille-et-Vilaine"),
    metro("36", "Indre"),
    metro("37", "Indre-et-Loire"),
    metro("38", "Isère"),
    metro("39", "Jura"),
    metro("40", "Landes"),
    metro("41", "Loir-et-Cher"),
    metro("42", "Loire"),
    metro("43", "Haute-Loire"),
    metro("44", "Loire-Atlantique"),
    metro("45", "Loiret"),
    metro("46", "Lot"),
    metro("47", "Lot-et-Garonne"),
    metro("48", "Lozère"),
    metro("49", "Maine-et-Loire"),
    metro("50", "Manche"),
    metro("51", "Marne"),
    metro("52", "Haute-Marne"),
    metro("53", "Mayenne"),
    metro("54", "Meurthe-et-Moselle"),
    metro("55", "Meuse"),
    metro("56", "Morbihan"),
    alsace_moselle("57", "Moselle"),
    metro("58", "Nièvre"),
    metro("59", "Nord"),
    metro("60", "Oise"),
    metro("61", "Orne"),
    metro("62", "Pas-de-Calais"),
    metro("63", "Puy-de-Dôme"),
    metro("64", "Pyrénées-Atlantiques"),
    metro("65", "Hautes-Pyrénées"),
    metro("66", "Pyrénées-Orientales"),
    alsace_moselle("67", "Bas-Rhin"),
    alsace_moselle("68", "Haut-Rhin"),
    metro("69", "Rhône"),
    metro("70", "Haute-Saône"),
    metro("71", "Saône-et-Loire"),
    metro("72", "Sarthe"),
    metro("73", "Savoie"),
    metro("74", "Haute-Savoie"),
    metro("75", "Paris"),
    metro("76", "Seine-Maritime"),
    metro("77", "Seine-et-Marne"),
    metro("78", "Yvelines"),
    metro("79", "Deux-Sèvres"),
    metro("80", "Somme"),
    metro("81", "Tarn"),
    metro("82", "Tarn-et-Garonne"),
    metro("83", "Var"),
    metro("84", "Vaucluse"),
    metro("85", "Vendée"),
    metro("86", "Vienne"),
    metro("87", "Haute-Vienne"),
    metro("88", "Vosges"),
    metro("89", "Yonne"),
    metro("90", "Territoire de Belfort"),
    metro("91", "Essonne"),
    metro("92", "Hauts-de-Seine"),
    metro("93", "Seine-Saint-Denis"),
    metro("94", "Val-de-Marne"),
    metro("95", "Val-d'Oise"),
    overseas(
        "971",
        "Guadeloupe",
        Tz::America__Guadeloupe,
        HolidayRegion::Guadeloupe,
    ),
    overseas(
        "972",
        "Martinique",
        Tz::America__Martinique,
        HolidayRegion::Martinique,
    ),
    overseas("973", "Guyane", Tz::America__Cayenne, HolidayRegion::Guyane),
    overseas(
        "974",
        "La Réunion",
        Tz::Indian__Reunion,
        HolidayRegion::Reunion,
    ),
    overseas(
        "975",
        "Saint-Pierre-et-Miquelon",
        Tz::America__Miquelon,
        HolidayRegion::SaintPierreEtMiquelon,
    ),
    overseas(
        "976",
        "Mayotte",
        Tz::Indian__Mayotte,
        HolidayRegion::Mayotte,
    ),
    overseas(
        "977",
        "Saint-Barthélemy",
        Tz::America__St_Barthelemy,
        HolidayRegion::SaintBarthelemy,
    ),
    overseas(
        "978",
        "Saint-Martin",
        Tz::America__Marigot,
        HolidayRegion::SaintMartin,
    ),
    overseas(
        "986",
        "Wallis-et-Futuna",
        Tz::Pacific__Wallis,
        HolidayRegion::WallisEtFutuna,
    ),
    // French Polynesia spans three zones (Marquesas −09:30, Gambier −09:00); Tahiti, where nearly all
    // of its hospitals are, stands for the whole collectivity.
    overseas(
        "987",
        "Polynésie française",
        Tz::Pacific__Tahiti,
        HolidayRegion::PolynesieFrancaise,
    ),
    overseas(
        "988",
        "Nouvelle-Calédonie",
        Tz::Pacific__Noumea,
        HolidayRegion::NouvelleCaledonie,
    ),
];

/// A French département or overseas collectivity: the unit that decides time zone and holidays.
///
/// Serialized as its code string (`"75"`, `"2A"`, `"971"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Department(u8);

impl Department {
    fn entry(self) -> &'static Entry {
        &TABLE[usize::from(self.0)]
    }

    /// Parses a canonical code (`"01"`, `"2A"`, `"971"`…); spaces around are ignored, `2a`/`2b` accepted.
    pub fn parse(input: &str) -> Result<Self, CalendarError> {
        let code = input.trim().to_ascii_uppercase();
        TABLE
            .iter()
            .position(|e| e.code == code)
            .and_then(|i| u8::try_from(i).ok())
            .map(Department)
            .ok_or_else(|| CalendarError::UnknownDepartment {
                input: truncate(input),
            })
    }

    /// The territory of a French postcode (exactly 5 ASCII digits).
    ///
    /// Corsica: 20000–20199 → 2A, 20200–20699 → 2B. Overseas: 971xx → 971 except 97133
    /// (Saint-Barthélemy, 977) and 97150 (Saint-Martin, 978); 972xx–976xx → 972–976 (97500 is
    /// Saint-Pierre-et-Miquelon); 986xx, 987xx, 988xx → 986, 987, 988. Monaco's 980xx postcodes are
    /// handed out by La Poste but Monaco is not French: [`CalendarError::ForeignPostcode`]. Anything else
    /// (00xxx, 96xxx, 977xx/978xx which La Poste does not use, 984xx TAAF, 99xxx) is
    /// [`CalendarError::InvalidPostcode`].
    pub fn from_postcode(input: &str) -> Result<Self, CalendarError> {
        let pc = input.trim();
        let invalid = || CalendarError::InvalidPostcode {
            input: truncate(input),
        };
        if pc.len() != 5 || !pc.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let number: u32 = pc.parse().map_err(|_| invalid())?;
        let code = match number {
            1_000..=19_999 | 21_000..=95_999 => &pc[..2],
            20_000..=20_199 => "2A",
            20_200..=20_699 => "2B",
            97_100..=97_699 => match number {
                97_133 => "977",
                97_150 => "978",
                _ => &pc[..3],
            },
            98_000..=98_099 => {
                return Err(CalendarError::ForeignPostcode {
                    input: truncate(input),
                });
            }
            98_600..=98_899 => &pc[..3],
            _ => return Err(invalid()),
        };
        Self::parse(code).map_err(|_| invalid())
    }

    /// Every territory, in INSEE order (96 metropolitan départements, then 11 overseas codes).
    pub fn all() -> impl ExactSizeIterator<Item = Department> + Clone {
        // The table has 107 rows, so every index fits in a u8.
        (0..=106_u8).map(Department)
    }

    /// The INSEE code, e.g. `"2A"` or `"974"`.
    pub fn code(&self) -> &'static str {
        self.entry().code
    }

    /// The French name, e.g. `"Côte-d'Or"`, `"La Réunion"`.
    pub fn name(&self) -> &'static str {
        self.entry().name
    }

    /// The IANA zone in which local times of sites here are expressed.
    pub fn time_zone(&self) -> Tz {
        self.entry().zone
    }

    /// Which public-holiday rules apply here.
    pub fn holiday_region(&self) -> HolidayRegion {
        self.entry().region
    }

    /// Whether this is an overseas code (971–988) rather than a metropolitan département.
    pub fn is_overseas(&self) -> bool {
        self.code().len() == 3
    }
}

/// Keeps error payloads small even when fed a huge string.
fn truncate(input: &str) -> String {
    input.chars().take(16).collect()
}

impl fmt::Debug for Department {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Department({})", self.code())
    }
}

impl fmt::Display for Department {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Department {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Department {
    type Error = CalendarError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Department> for String {
    fn from(d: Department) -> Self {
        d.code().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(code: &str) -> Department {
        Department::parse(code).unwrap()
    }

    #[test]
    fn table_has_every_code_once_in_order() {
        let codes: Vec<&str> = Department::all().map(|d| d.code()).collect();
        assert_eq!(codes.len(), 107);
        let mut expected: Vec<String> = (1..=19).map(|n| format!("{n:02}")).collect();
        expected.extend(["2A".to_owned(), "2B".to_owned()]);
        expected.extend((21..=95).map(|n| format!("{n:02}")));
        expected.extend(
            [
                "971", "972", "973", "974", "975", "976", "977", "978", "986", "987", "988",
            ]
            .map(str::to_owned),
        );
        assert_eq!(codes, expected);
        for d in Department::all() {
            assert_eq!(Department::parse(d.code()), Ok(d));
        }
    }

    #[test]
    fn parse_accepts_canonical_codes_only() {
        assert_eq!(dept(" 75 ").code(), "75");
        assert_eq!(dept("2a").code(), "2A");
        assert_eq!(dept("2B").name(), "Haute-Corse");
        assert_eq!(dept("971").name(), "Guadeloupe");
        for bad in [
            "20", "96", "00", "1", "", "975a", "984", "2C", "0 1", "9710",
        ] {
            assert_eq!(
                Department::parse(bad),
                Err(CalendarError::UnknownDepartment {
                    input: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
        assert_eq!(
            Department::parse("1").unwrap_err().code(),
            "unknown_department"
        );
    }

    #[test]
    fn zones_and_regions() {
        assert_eq!(dept("75").time_zone(), Tz::Europe__Paris);
        assert_eq!(dept("2A").time_zone(), Tz::Europe__Paris);
        assert_eq!(dept("973").time_zone(), Tz::America__Cayenne);
        assert_eq!(dept("975").time_zone(), Tz::America__Miquelon);
        assert_eq!(dept("976").time_zone(), Tz::Indian__Mayotte);
        assert_eq!(dept("977").time_zone(), Tz::America__St_Barthelemy);
        assert_eq!(dept("978").time_zone(), Tz::America__Marigot);
        assert_eq!(dept("986").time_zone(), Tz::Pacific__Wallis);
        assert_eq!(dept("987").time_zone(), Tz::Pacific__Tahiti);
        assert_eq!(dept("988").time_zone(), Tz::Pacific__Noumea);
        for code in ["57", "67", "68"] {
            assert_eq!(dept(code).holiday_region(), HolidayRegion::AlsaceMoselle);
        }
        assert_eq!(dept("54").holiday_region(), HolidayRegion::Metropolitan);
        assert_eq!(dept("974").holiday_region(), HolidayRegion::Reunion);
        assert!(dept("974").is_overseas());
        assert!(!dept("2B").is_overseas());
        let regions: std::collections::BTreeSet<_> =
            Department::all().map(|d| d.holiday_region()).collect();
        assert_eq!(regions.len(), HolidayRegion::ALL.len());
    }

    #[test]
    fn postcodes() {
        let cases = [
            ("75001", "75"),
            ("01000", "01"),
            ("20000", "2A"),
            ("20199", "2A"),
            ("20200", "2B"),
            ("20699", "2B"),
            ("57000", "57"),
            ("97110", "971"),
            ("97133", "977"),
            ("97150", "978"),
            ("97200", "972"),
            ("97300", "973"),
            ("97400", "974"),
            ("97500", "975"),
            ("97600", "976"),
            ("98600", "986"),
            ("98714", "987"),
            ("98800", "988"),
            (" 69001 ", "69"),
        ];
        for (pc, code) in cases {
            assert_eq!(Department::from_postcode(pc).unwrap().code(), code, "{pc}");
        }
        for bad in [
            "7500", "750011", "7500a", "00100", "20700", "96000", "97700", "98400", "99000",
        ] {
            assert_eq!(
                Department::from_postcode(bad).unwrap_err().code(),
                "invalid_postcode",
                "{bad}"
            );
        }
        assert_eq!(
            Department::from_postcode("98000").unwrap_err().code(),
            "foreign_postcode"
        );
    }

    #[test]
    fn serde_is_the_code_string() {
        let json = serde_json::to_string(&dept("2A")).unwrap();
        assert_eq!(json, "\"2A\"");
        let back: Department = serde_json::from_str("\"974\"").unwrap();
        assert_eq!(back, dept("974"));
        assert!(serde_json::from_str::<Department>("\"20\"").is_err());
        assert_eq!(format!("{}", dept("08")), "08");
        assert_eq!("2b".parse::<Department>().unwrap(), dept("2B"));
    }
}
