//! The table of laws the recogniser knows, and how their names are matched.
//!
//! A law in this table is recognised by name alone ("etter folkehelseloven"). A name the table
//! does not know ("sameloven", "jordlova") counts only with a paragraph beside it
//! ("sameloven § 3-1"): alone, such a word may be an informal or generic name ("røykeloven",
//! "endringsloven"). Its canonical form is the written word in the bokmål definite form.

use std::sync::LazyLock;

use serde::Deserialize;

/// How an act numbers its paragraphs: "§ 6-2" (chapter and number) or "§ 21" (running
/// numbers). A bare paragraph written in the other form cannot belong to that act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Numbering {
    Chapters,
    Plain,
    Unknown,
}

impl Numbering {
    /// Whether a paragraph number as canonicalised ("6-2 a", "21 a") fits this numbering.
    pub fn fits(self, paragraph: &str) -> bool {
        let chaptered = paragraph.contains('-');
        match self {
            Numbering::Chapters => chaptered,
            Numbering::Plain => !chaptered,
            Numbering::Unknown => true,
        }
    }
}

/// One law: its canonical (bokmål) short title, the stems of every name it is
/// written under, and the abbreviations used before or after a paragraph sign.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Law {
    /// Canonical short title, bokmål, definite form: "helsepersonelloven" (the official
    /// nynorsk short titles "offentleglova", "barnelova", "opplæringslova" as they are).
    pub name: String,
    /// Lovdata's id of the act ("LOV-2011-06-24-30"), where the table knows it: a law cited
    /// by date and number or by id gets its short title only through this, so that one act
    /// is one document (one graph node) however it is cited.
    #[serde(default)]
    pub id: Option<String>,
    /// Name stems without the definite/genitive ending ("-en", "-ens", "-a",
    /// "-as"), bokmål and nynorsk, plus former names of the same act.
    pub stems: Vec<String>,
    /// Abbreviations without the trailing dot ("hol" for "hol.").
    pub abbreviations: Vec<String>,
    /// How the act numbers its paragraphs.
    pub numbering: Numbering,
}

/// An act's full title ("lov om kommunale helse- og omsorgstjenester m.m."), the words after
/// "lov om", bokmål and nynorsk (and a former title of the same act), with the act's Lovdata id.
/// A law cited by its title gets the same canonical form as one cited by date and number: its
/// short title when [`LAWS`] knows the id, else the id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Title {
    pub id: String,
    /// The subject after "lov om", without a trailing "m.m." / "mv.".
    pub subjects: Vec<String>,
}

/// The tables as written in `laws.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Tables {
    law: Vec<Law>,
    title: Vec<Title>,
}

/// The law table and the title table, read once from `laws.toml` (embedded at build time; a
/// unit test parses it, so a broken table fails the tests, not a run).
static TABLES: LazyLock<Tables> =
    LazyLock::new(|| toml::from_str(include_str!("laws.toml")).expect("src/refs/laws.toml parses"));

/// The health-sector laws, and the welfare, public-administration and tax laws health and
/// welfare documents cite (`laws.toml`, `[[law]]`).
pub static LAWS: LazyLock<&'static [Law]> = LazyLock::new(|| TABLES.law.as_slice());

/// Full titles of the acts health documents cite by title (`laws.toml`, `[[title]]`).
pub static TITLES: LazyLock<&'static [Title]> = LazyLock::new(|| TABLES.title.as_slice());

/// "m.m.", "mv.", "m.v.": the end of many titles, as Lovdata writes them.
pub const ET_CETERA_WORD: &str = r"(?:m\.\s?m\.|m\.\s?v\.|mv\.)";

/// [`ET_CETERA_WORD`] after a title.
const ET_CETERA: &str = r"(?:\s+(?:m\.\s?m\.|m\.\s?v\.|mv\.))";

/// Regex fragment matching a law cited by its full title: "lov om kommunale helse- og
/// omsorgstjenester m.m.", "lova om spesialisthelsetenesta", "Lov om Statens
/// undersøkelseskommisjon for helse- og omsorgstjenesten". The title ends at a word boundary:
/// "lov om barnevernstjenester" is not "lov om barnevern".
pub fn title_pattern() -> String {
    let mut subjects: Vec<&str> = TITLES
        .iter()
        .flat_map(|t| t.subjects.iter().map(String::as_str))
        .collect();
    subjects.sort_by_key(|s| std::cmp::Reverse(s.len()));
    subjects.dedup();
    let alternatives: Vec<String> = subjects.iter().map(|s| stem_pattern(s)).collect();
    format!(
        r"(?-u:\b)(?i:lov(?:a|en)?\s+om\s+(?:{})(?-u:\b){ET_CETERA}?)",
        alternatives.join("|")
    )
}

/// The Lovdata id of the act a written title names ("lov om kommunale helse- og
/// omsorgstenester m.m." → "LOV-2011-06-24-30").
pub fn lookup_title(written: &str) -> Option<&'static str> {
    let key = lookup_key(written);
    let rest = ["lov om ", "lova om ", "loven om "]
        .iter()
        .find_map(|p| key.strip_prefix(p))?;
    let rest = ["m m", "m v", "mv"]
        .iter()
        .find_map(|tail| rest.strip_suffix(tail).map(str::trim_end))
        .unwrap_or(rest);
    TITLES
        .iter()
        .find(|t| t.subjects.iter().any(|s| lookup_key(s) == rest))
        .map(|t| t.id.as_str())
}

/// Regex fragment for a one-word law or regulation name the tables do not know: "sameloven",
/// "jordlova", "drikkevannsforskriften" (at least three letters before "lov"/"forskrift").
pub fn unknown_name_pattern() -> String {
    r"(?-u:\b)\p{L}[\p{Ll}-]{2,}?(?:lov|forskrift)(?:ens|en|as|a)(?-u:\b)".to_string()
}

/// Words ending in "-loven"/"-lova" that are not the name of an act: kinds of law
/// ("endringsloven", "særloven"), and nynorsk verbs ("utlova", "forlova").
const NOT_ACTS: &[&str] = &[
    "endrings",
    "endringar",
    "hoved",
    "hovud",
    "sær",
    "sekke",
    "modell",
    "ramme",
    "for",
    "ut",
    "tru",
];

/// A one-word name of an act the tables do not know, canonicalised: the stem with the
/// bokmål definite ending ("jordlova" → "jordloven", "drikkevannsforskrifta" →
/// "drikkevannsforskriften"). `None` for a name the tables know, or a word that names no act.
/// The flag says whether it is a regulation.
pub fn unknown_name(written: &str) -> Option<(String, bool)> {
    let lower = written.trim().to_lowercase();
    if lower.contains(char::is_whitespace) || lookup(&lower).is_some() {
        return None;
    }
    let stem = ENDINGS
        .iter()
        .find_map(|ending| lower.strip_suffix(ending))?;
    let (prefix, regulation) = if let Some(prefix) = stem.strip_suffix("forskrift") {
        (prefix, true)
    } else {
        (stem.strip_suffix("lov")?, false)
    };
    let trimmed = prefix.trim_end_matches('-');
    if trimmed.chars().count() < 3 || NOT_ACTS.contains(&trimmed) {
        return None;
    }
    Some((format!("{stem}en"), regulation))
}

/// Endings a stem takes in running text: bokmål definite/genitive ("-en",
/// "-ens") and nynorsk (or radical bokmål) definite/genitive ("-a", "-as").
const ENDINGS: &[&str] = &["ens", "en", "as", "a"];

/// Regex fragment matching any full law name with its ending, e.g.
/// "helse- og omsorgstenestelovas". Whitespace inside a name may be any
/// run of Unicode whitespace (line breaks, non-breaking spaces), and the
/// space after a coordinating hyphen ("helse- og") may be missing.
pub fn name_pattern() -> String {
    let mut stems: Vec<&str> = LAWS
        .iter()
        .flat_map(|l| l.stems.iter().map(String::as_str))
        .collect();
    // Longest first, so that no stem can shadow a longer one in the alternation.
    stems.sort_by_key(|s| std::cmp::Reverse(s.len()));
    stems.dedup();
    let alternatives: Vec<String> = stems.iter().map(|s| stem_pattern(s)).collect();
    format!(
        r"(?i:(?:{})(?:{}))",
        alternatives.join("|"),
        ENDINGS.join("|")
    )
}

/// Regex fragment matching any abbreviation (without its optional dot).
pub fn abbreviation_pattern() -> String {
    let mut abbreviations: Vec<&str> = LAWS
        .iter()
        .flat_map(|l| l.abbreviations.iter().map(String::as_str))
        .collect();
    abbreviations.sort_by_key(|s| std::cmp::Reverse(s.len()));
    abbreviations.dedup();
    format!("(?:{})", abbreviations.join("|"))
}

pub(super) fn stem_pattern(stem: &str) -> String {
    let mut out = String::new();
    let mut chars = stem.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&' ') => {
                chars.next();
                out.push_str(r"-\s*");
            }
            ' ' => out.push_str(r"\s+"),
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    out
}

/// Normalises a name or abbreviation for lookup: lower case, no dots, and
/// hyphens and whitespace runs folded to single spaces, so that "Helse- og
/// omsorgstjenesteloven", "helse-\nog omsorgstjenesteloven" and a user's
/// "helse og omsorgstjenesteloven" all give the same key.
fn lookup_key(text: &str) -> String {
    let lowered = text.to_lowercase().replace(['.', '-', '‐', '‑'], " ");
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Finds the law a written name ("helse- og omsorgstenestelovas") or
/// abbreviation ("hol.", "Hol") refers to.
pub fn lookup(written: &str) -> Option<&'static Law> {
    let key = lookup_key(written);
    if key.is_empty() {
        return None;
    }
    LAWS.iter().find(|law| {
        law.abbreviations.contains(&key)
            || law.stems.iter().any(|stem| {
                let stem_key = lookup_key(stem);
                key.strip_prefix(stem_key.as_str())
                    .is_some_and(|ending| ENDINGS.contains(&ending))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_holds_every_act_once() {
        assert!(LAWS.len() >= 40 && TITLES.len() >= 40);
        let mut names = std::collections::HashSet::new();
        for law in LAWS.iter() {
            assert!(names.insert(law.name.as_str()), "{} twice", law.name);
            assert!(!law.stems.is_empty(), "{} has no stem", law.name);
        }
    }

    #[test]
    fn every_law_name_is_found_by_its_own_canonical_name() {
        for law in LAWS.iter() {
            assert_eq!(
                lookup(&law.name).map(|l| l.name.as_str()),
                Some(law.name.as_str())
            );
        }
    }

    #[test]
    fn lookup_accepts_nynorsk_genitive_and_abbreviations() {
        let hol = "helse- og omsorgstjenesteloven";
        assert_eq!(
            lookup("helse- og omsorgstenestelovas").map(|l| l.name.as_str()),
            Some(hol)
        );
        assert_eq!(
            lookup("Helse-\nog omsorgstjenestelovens").map(|l| l.name.as_str()),
            Some(hol)
        );
        assert_eq!(lookup("hol.").map(|l| l.name.as_str()), Some(hol));
        assert_eq!(
            lookup("pasient- og brukarrettslova").map(|l| l.name.as_str()),
            Some("pasient- og brukerrettighetsloven")
        );
        assert_eq!(lookup("lova"), None);
        assert_eq!(lookup("helsepersonellovutvalget"), None);
    }

    #[test]
    fn abbreviations_are_unique_across_laws() {
        let mut seen = std::collections::HashSet::new();
        for law in LAWS.iter() {
            for a in &law.abbreviations {
                assert!(seen.insert(a.as_str()), "abbreviation {a} used twice");
            }
        }
    }

    #[test]
    fn titles_resolve_to_ids_with_or_without_et_cetera() {
        assert_eq!(
            lookup_title("lov om kommunale helse- og omsorgstjenester m.m."),
            Some("LOV-2011-06-24-30")
        );
        assert_eq!(
            lookup_title("Lova om kommunale helse-\nog omsorgstenester"),
            Some("LOV-2011-06-24-30")
        );
        assert_eq!(
            lookup_title("lov om statlig tilsyn med helse- og omsorgstjenesten mv."),
            Some("LOV-2017-12-15-107")
        );
        assert_eq!(
            lookup_title("lov om helsepersonell m. v."),
            Some("LOV-1999-07-02-64")
        );
        assert_eq!(lookup_title("lov om kommunale tjenester"), None);
        assert_eq!(lookup_title("kommunale helse- og omsorgstjenester"), None);
        let re = regex::Regex::new(&format!(r"^{}$", title_pattern())).unwrap();
        assert!(re.is_match("Lov om spesialisthelsetjenesten m.m."));
        assert!(re.is_match("lova om pasient- og brukarrettar"));
        assert!(!re.is_match("lov om barnevernstjenester"));
    }

    #[test]
    fn every_title_id_is_well_formed_and_every_table_id_has_a_title() {
        let id = regex::Regex::new(r"^LOV-\d{4}-\d{2}-\d{2}-\d{1,4}$").unwrap();
        for title in TITLES.iter() {
            assert!(id.is_match(&title.id), "{}", title.id);
            assert!(!title.subjects.is_empty());
        }
        for law in LAWS.iter() {
            if let Some(law_id) = &law.id {
                assert!(
                    TITLES.iter().any(|t| &t.id == law_id),
                    "{} has no title",
                    law.name
                );
            }
        }
    }

    #[test]
    fn name_pattern_matches_whole_names_only() {
        let re = regex::Regex::new(&format!(r"^{}$", name_pattern())).unwrap();
        assert!(re.is_match("Spesialisthelsetenestelova"));
        assert!(re.is_match("plan-\nog bygningslovens"));
        assert!(re.is_match("psykisk\u{a0}helsevernloven"));
        assert!(!re.is_match("helsepersonellov"));
        assert!(!re.is_match("kommunelovutvalget"));
    }
}
