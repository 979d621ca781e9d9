//! What a law citation can name besides a law's title: a law by date and number ("lov 2. juli
//! 1999 nr. 61", "LOV-2011-06-24-30") and a regulation, by name ("fastlegeforskriften"), by
//! date and number ("forskrift 29. august 2012 nr. 842") or by id ("FOR-2012-08-29-842").
//!
//! Canonical forms: a law whose Lovdata id the table in [`super::laws`] knows gets its short
//! title, any other law its id ("LOV-1984-03-30-15"); a regulation named by title keeps the
//! title (bokmål, definite), one cited by date or id gets its id. A regulation is never mapped
//! between title and id: the table would have to be complete to be right.

use std::sync::LazyLock;

use regex::Regex;

use super::RefKind;
use super::laws;
use crate::norwegian::MONTHS;

/// A law or regulation, resolved from how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statute {
    pub kind: RefKind,
    /// Canonical name: "spesialisthelsetjenesteloven", "LOV-1984-03-30-15",
    /// "fastlegeforskriften", "FOR-2012-08-29-842".
    pub name: String,
}

/// Regulations known by title. Stems as in the law table: the ending follows.
const REGULATIONS: &[(&str, &[&str])] = &[
    ("fastlegeforskriften", &["fastlegeforskrift"]),
    ("akuttmedisinforskriften", &["akuttmedisinforskrift"]),
    ("prioriteringsforskriften", &["prioriteringsforskrift"]),
    ("pasientjournalforskriften", &["pasientjournalforskrift"]),
    ("kvalitetsforskriften", &["kvalitetsforskrift"]),
    (
        "legemiddelhåndteringsforskriften",
        &[
            "legemiddelhandteringsforskrift",
            "legemiddelhåndteringsforskrift",
        ],
    ),
    ("koordinatorforskriften", &["koordinatorforskrift"]),
    ("habiliteringsforskriften", &["habiliteringsforskrift"]),
    ("rehabiliteringsforskriften", &["rehabiliteringsforskrift"]),
    ("legevaktforskriften", &["legevaktforskrift"]),
    (
        "egenandelsforskriften",
        &["egenandelsforskrift", "eigenandelsforskrift"],
    ),
    ("vederlagsforskriften", &["vederlagsforskrift"]),
    (
        "kvalitetsforbedringsforskriften",
        &[
            "kvalitetsforbedringsforskrift",
            "kvalitetsforbetringsforskrift",
        ],
    ),
    ("ledelsesforskriften", &["ledelsesforskrift"]),
];

const ENDINGS: &str = "(?:ens|en|as|a)";

/// "2. juli 1999 nr. 61": the date and number of an act or a regulation.
fn date_and_number() -> String {
    format!(
        r"(?:av\s+|frå\s+|fra\s+)?\d{{1,2}}\.\s*(?i:{})\s+\d{{4}}\s+nr\.?\s*\d{{1,4}}(?-u:\b)",
        MONTHS.join("|")
    )
}

/// Regex fragment for every statute form this module adds (the law table's names and
/// abbreviations are matched by [`laws::name_pattern`]).
pub fn pattern() -> String {
    let dated = date_and_number();
    let regulation_names: Vec<String> = REGULATIONS
        .iter()
        .flat_map(|(_, stems)| stems.iter().map(|s| regex::escape(s)))
        .collect();
    // A dated act may be followed by its subject and its short title in brackets:
    // "lov 19. juni 2009 nr. 44 om kommunale krisesentertilbod (krisesenterlova)"; the
    // bracket belongs to the same citation.
    let title = laws::name_pattern();
    // A law by its full title without date: "lov om kommunale helse- og omsorgstjenester m.m.",
    // perhaps with its short title in brackets.
    let full_title = laws::title_pattern();
    // "forskrift om fastlegeordning i kommunene (fastlegeforskriften)", "lov om … (sameloven)":
    // a title followed by the short title in brackets is one citation of that short title.
    let regulation_words = format!("(?i:(?:{}){ENDINGS})", regulation_names.join("|"));
    let unknown = laws::unknown_name_pattern();
    let named = format!(
        r"(?-u:\b)(?i:lov(?:a|en)?|forskrift(?:a|en)?)\s+om\s+(?:{}|[^()§;\n.]){{1,160}}?\s*\(\s*(?:{title}|{regulation_words}|{unknown})\s*\)",
        laws::ET_CETERA_WORD
    );
    format!(
        r"{named}|(?-u:\b)(?i:lov(?:a|en)?)\s+{dated}(?:\s+om\s+[^()§;\n]{{1,160}}?\s*\(\s*{title}\s*\))?|{full_title}(?:\s*\(\s*{title}\s*\))?|(?-u:\b)LOV-\d{{4}}-\d{{2}}-\d{{2}}-\d{{1,4}}(?-u:\b)|(?-u:\b)(?i:forskrift(?:a|en)?)\s+{dated}|(?-u:\b)FOR-\d{{4}}-\d{{2}}-\d{{2}}-\d{{1,4}}(?-u:\b)|(?-u:\b)(?i:(?:{}){ENDINGS})(?-u:\b)",
        regulation_names.join("|")
    )
}

static DATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?i:(?P<what>lov|forskrift)(?:a|en)?)\s+(?:av\s+|frå\s+|fra\s+)?(?P<d>\d{{1,2}})\.\s*(?P<m>(?i:{}))\s+(?P<y>\d{{4}})\s+nr\.?\s*(?P<n>\d{{1,4}})",
        MONTHS.join("|")
    ))
    .expect("dated statute pattern compiles")
});

static ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<what>LOV|FOR)-(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})-(?P<n>\d{1,4})$")
        .expect("statute id pattern compiles")
});

/// Resolves a written law or regulation: a title or abbreviation from the law table, a
/// dated or id form, or a regulation's title.
pub fn resolve(written: &str) -> Option<Statute> {
    let written = written.trim();
    // "lov 3. juni 1983 nr. 54 om tannhelsetjenesten (tannhelsetjenesteloven)": the short
    // title in brackets names the act, whether or not the table knows its id.
    if let Some((_, bracket)) = written.rsplit_once('(') {
        let bracket = bracket.trim_end_matches(')').trim();
        if !bracket.contains('(')
            && bracket != written
            && let Some(named) = resolve(bracket)
        {
            return Some(named);
        }
    }
    if let Some(law) = laws::lookup(written) {
        return Some(Statute {
            kind: RefKind::Law,
            name: law.name.to_string(),
        });
    }
    if let Some(c) = DATED.captures(written) {
        let month = MONTHS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(&c["m"]))?
            + 1;
        let day: u32 = c["d"].parse().ok()?;
        let number: u32 = c["n"].parse().ok()?;
        (1..=31).contains(&day).then_some(())?;
        let law = c["what"].eq_ignore_ascii_case("lov");
        return Some(by_id(law, &c["y"], month as u32, day, number));
    }
    if let Some(c) = ID.captures(written) {
        let month: u32 = c["m"].parse().ok()?;
        let day: u32 = c["d"].parse().ok()?;
        let number: u32 = c["n"].parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(())?;
        return Some(by_id(&c["what"] == "LOV", &c["y"], month, day, number));
    }
    if let Some(id) = laws::lookup_title(written) {
        return Some(by_known_id(id));
    }
    let lower = written.to_lowercase();
    let known_regulation = REGULATIONS.iter().find_map(|(name, stems)| {
        stems
            .iter()
            .any(|stem| {
                lower
                    .strip_prefix(stem)
                    .is_some_and(|ending| ["", "en", "ens", "a", "as"].contains(&ending))
                    && lower != *stem
            })
            .then(|| Statute {
                kind: RefKind::Regulation,
                name: name.to_string(),
            })
    });
    known_regulation.or_else(|| {
        laws::unknown_name(written).map(|(name, regulation)| Statute {
            kind: if regulation {
                RefKind::Regulation
            } else {
                RefKind::Law
            },
            name,
        })
    })
}

/// A law by its Lovdata id: its short title when the table knows the id, else the id.
fn by_known_id(id: &str) -> Statute {
    let name = laws::LAWS
        .iter()
        .find(|l| l.id.as_deref() == Some(id))
        .map_or(id, |l| l.name.as_str());
    Statute {
        kind: RefKind::Law,
        name: name.to_string(),
    }
}

fn by_id(law: bool, year: &str, month: u32, day: u32, number: u32) -> Statute {
    let prefix = if law { "LOV" } else { "FOR" };
    let id = format!("{prefix}-{year}-{month:02}-{day:02}-{number}");
    if law {
        return by_known_id(&id);
    }
    Statute {
        kind: if law {
            RefKind::Law
        } else {
            RefKind::Regulation
        },
        name: id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(written: &str) -> Option<String> {
        resolve(written).map(|s| s.name)
    }

    #[test]
    fn dated_laws_resolve_to_titles_the_table_knows_and_ids_otherwise() {
        assert_eq!(
            name("lov 2. juli 1999 nr. 61").as_deref(),
            Some("spesialisthelsetjenesteloven")
        );
        assert_eq!(
            name("Lov 24. juni 2011 nr. 30").as_deref(),
            Some("helse- og omsorgstjenesteloven")
        );
        assert_eq!(
            name("lov 30. mars 1984 nr. 15").as_deref(),
            Some("LOV-1984-03-30-15")
        );
        assert_eq!(
            name("Lov 3. juni 1983 nr. 54 om tannhelsetjenesten (tannhelsetjenesteloven)")
                .as_deref(),
            Some("tannhelsetjenesteloven")
        );
        assert_eq!(
            name("LOV-2011-06-24-30").as_deref(),
            Some("helse- og omsorgstjenesteloven")
        );
        assert_eq!(
            name("LOV-2025-06-20-072").as_deref(),
            Some("LOV-2025-06-20-72")
        );
        assert_eq!(name("lov 31. februarx 2011 nr. 30"), None);
    }

    #[test]
    fn regulations_by_title_date_and_id() {
        let reg = resolve("fastlegeforskrifta").unwrap();
        assert_eq!(reg.kind, RefKind::Regulation);
        assert_eq!(reg.name, "fastlegeforskriften");
        assert_eq!(
            name("forskrift 29. august 2012 nr. 842").as_deref(),
            Some("FOR-2012-08-29-842")
        );
        assert_eq!(
            name("FOR-2012-08-29-842").as_deref(),
            Some("FOR-2012-08-29-842")
        );
        assert_eq!(name("fastlegeforskrift"), None);
    }

    #[test]
    fn the_pattern_finds_every_form() {
        let re = Regex::new(&pattern()).unwrap();
        for text in [
            "lov 2. juli 1999 nr. 61",
            "lov av 24. juni 2011 nr. 30",
            "lov 19. juni 2009 nr. 44 om kommunale krisesentertilbod (krisesenterlova)",
            "LOV-2011-06-24-30",
            "forskrift 29. august 2012 nr. 842",
            "FOR-2012-08-29-842",
            "fastlegeforskriftens",
        ] {
            assert_eq!(re.find(text).map(|m| m.as_str()), Some(text), "{text}");
        }
    }
}
