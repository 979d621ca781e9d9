//! Regulations cited by their title: "forskrift om fastlegeordning i kommunene",
//! "forskrift om kommunal helse- og omsorgsinstitusjon § 4", nynorsk "forskrift om leiing og
//! kvalitetsforbetring i helse- og omsorgstenesta".
//!
//! Canonical form: a title the table below knows gives the regulation's short title
//! ("fastlegeforskriften") or, for one without an established short title, its bokmål title
//! ("forskrift om kommunal helse- og omsorgsinstitusjon"). Any other title is the regulation's
//! name as written: "forskrift om" and the words of the title, up to the first word that cannot
//! be part of one (a verb, "etter", "jf.") or punctuation. A regulation cited by date or id
//! ("forskrift 29. august 2012 nr. 842", "FOR-2012-08-29-842") is [`super::statutes`]' form.

use std::sync::LazyLock;

use regex::Regex;

use super::statutes::Statute;
use super::{Candidate, RefKind, citation, laws, paragraphs};

/// Titles of the health regulations documents cite by title, bokmål and nynorsk (a shorter
/// form in use after the full one), with the canonical name.
const TITLES: &[(&str, &[&str])] = &[
    (
        "fastlegeforskriften",
        &[
            "fastlegeordning i kommunene",
            "fastlegeordning i kommunane",
            "fastlegeordningen i kommunene",
            "fastlegeordninga i kommunane",
        ],
    ),
    (
        "akuttmedisinforskriften",
        &[
            "krav til og organisering av kommunal legevaktordning, ambulansetjeneste, medisinsk nødmeldetjeneste mv.",
            "krav til og organisering av kommunal legevaktordning, ambulanseteneste, medisinsk naudmeldeteneste mv.",
            "krav til og organisering av kommunal legevaktordning, ambulansetjeneste, medisinsk nødmeldetjeneste m.m.",
            "krav til og organisering av kommunal legevaktordning, ambulansetjeneste, medisinsk nødmeldetjeneste",
            "krav til og organisering av kommunal legevaktordning, ambulanseteneste, medisinsk naudmeldeteneste",
            "krav til og organisering av kommunal legevaktordning",
        ],
    ),
    (
        "prioriteringsforskriften",
        &[
            "prioritering av helsetjenester, rett til nødvendig helsehjelp fra spesialisthelsetjenesten, rett til behandling i utlandet og om klagenemnd for behandling i utlandet",
            "prioritering av helsetenester, rett til naudsynt helsehjelp frå spesialisthelsetenesta, rett til behandling i utlandet og om klagenemnd for behandling i utlandet",
            "prioritering av helsetjenester",
            "prioritering av helsetenester",
        ],
    ),
    ("pasientjournalforskriften", &["pasientjournal"]),
    (
        "kvalitetsforskriften",
        &[
            "kvalitet i pleie- og omsorgstjenestene",
            "kvalitet i pleie- og omsorgstenestene",
        ],
    ),
    (
        "legemiddelhåndteringsforskriften",
        &[
            "legemiddelhåndtering for virksomheter og helsepersonell som yter helsehjelp",
            "legemiddelhandtering for verksemder og helsepersonell som yter helsehjelp",
        ],
    ),
    (
        "forskrift om habilitering og rehabilitering, individuell plan og koordinator",
        &["habilitering og rehabilitering, individuell plan og koordinator"],
    ),
    (
        "forskrift om ledelse og kvalitetsforbedring i helse- og omsorgstjenesten",
        &[
            "ledelse og kvalitetsforbedring i helse- og omsorgstjenesten",
            "leiing og kvalitetsforbetring i helse- og omsorgstenesta",
        ],
    ),
    (
        "forskrift om kommunal betaling for utskrivningsklare pasienter",
        &[
            "kommunal betaling for utskrivningsklare pasienter",
            "kommunal betaling for utskrivingsklare pasientar",
            "kommunal betaling for utskrivningsklare pasientar",
        ],
    ),
    (
        "forskrift om kommunal helse- og omsorgsinstitusjon",
        &["kommunal helse- og omsorgsinstitusjon"],
    ),
    (
        "forskrift om egenandel for kommunale helse- og omsorgstjenester",
        &[
            "egenandel for kommunale helse- og omsorgstjenester",
            "eigenandel for kommunale helse- og omsorgstenester",
        ],
    ),
];

/// "forskrift om", "forskriften om", "forskrifta om" (the definite forms only before a title
/// the table knows: "forskriften om legevakt" may mean a regulation named just before).
static TRIGGER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?i:forskrift(?P<definite>en|a)?)\s+om\s+")
        .expect("regulation trigger compiles")
});

/// The known titles, longest first, anchored at the start.
static KNOWN: LazyLock<Regex> = LazyLock::new(|| {
    let mut titles: Vec<&str> = TITLES.iter().flat_map(|(_, t)| t.iter().copied()).collect();
    titles.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let alternatives: Vec<String> = titles.iter().map(|t| laws::stem_pattern(t)).collect();
    Regex::new(&format!(r"^(?i:{})", alternatives.join("|"))).expect("titles compile")
});

/// One word of a title: letters, with inner hyphens ("pleie-", "helse- og").
static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[^\S\n]*\n?[^\S\n]*)(?P<w>\p{L}[\p{L}\-]*)").expect("title word compiles")
});

/// Words that end a title: verbs, adverbs and links of a sentence, never words of a title.
const STOP: &[&str] = &[
    "er",
    "var",
    "blir",
    "ble",
    "vert",
    "vart",
    "skal",
    "skulle",
    "kan",
    "kunne",
    "må",
    "vil",
    "ville",
    "bør",
    "har",
    "hadde",
    "gjelder",
    "gjeld",
    "gjaldt",
    "som",
    "gir",
    "gjev",
    "gitt",
    "gjeve",
    "gjevne",
    "fastsatt",
    "fastsett",
    "fastsette",
    "fastsetter",
    "trådte",
    "tredde",
    "etter",
    "jf",
    "jfr",
    "når",
    "der",
    "hvor",
    "kor",
    "men",
    "at",
    "det",
    "dette",
    "denne",
    "den",
    "de",
    "dei",
    "slik",
    "slike",
    "ikke",
    "ikkje",
    "også",
    "eller",
    "samt",
    "nå",
    "no",
    "bare",
    "berre",
    "stiller",
    "set",
    "setter",
    "krev",
    "krever",
    "regulerer",
    "pålegger",
    "pålegg",
    "sier",
    "seier",
    "innebærer",
    "inneber",
    "legger",
    "legg",
    "viser",
    "syner",
    "sidan",
    "siden",
    "mens",
];

/// Words that link the words of a title ("habilitering og rehabilitering", "betaling for
/// utskrivningsklare pasienter"), but neither begin nor end one.
const LINKS: &[&str] = &[
    "og", "i", "for", "av", "med", "til", "på", "frå", "fra", "om", "under", "ved",
];

/// Words before "forskrift om" that say no particular regulation is meant: "en forskrift om",
/// "ny forskrift om", "eigen forskrift om", an enabling provision's "kan gi forskrift om",
/// "gi nærmare reglar i forskrift om"; and a paragraph's own heading ("§ 33 a. Forskrift om
/// meldeplikt" in quoted law text).
static NOT_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\p{L}])(?:en|ein|ei|et|eit|ny|nye|egen|eigen|slik|utkast\s+til|forslag\s+til|framlegg\s+til|gi|gis|gje|gjevast|gjeve|gitt|fastsette|fastsetje|fastsettes|fastsetjast|vedta|vedtas|nærmere|nærare|nærmare|regler\s+i|reglar\s+i|bestemmelser\s+i|føresegner\s+i)\s*$|§\s*\d[\d\-‐‑–]*(?:\s?[a-h])?\.\s*$")
        .expect("not-named words compile")
});

/// The most words an unknown title is read to.
const MAX_WORDS: usize = 12;

/// Every regulation cited by title, bare or with its paragraphs.
pub(super) fn collect(text: &str, out: &mut Vec<Candidate>) {
    for caps in TRIGGER.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        let start = whole.start();
        if paragraphs::inside_word(text, start) {
            continue;
        }
        let window_start = floor_boundary(text, start.saturating_sub(40));
        if NOT_NAMED.is_match(&text[window_start..start]) {
            continue;
        }
        let Some((name, end)) = title(text, whole.end(), caps.name("definite").is_some()) else {
            continue;
        };
        let statute = Statute {
            kind: RefKind::Regulation,
            name,
        };
        if let Some(candidate) = paragraphs::paragraphs_after(text, &statute, start, end) {
            out.push(candidate);
            continue;
        }
        let found = citation(
            text,
            statute.kind,
            statute.name.clone(),
            statute.name,
            None,
            start,
            end,
        );
        out.push(Candidate {
            start,
            end,
            citations: vec![found],
        });
    }
}

/// The regulation whose title starts at `at`, and where the title ends.
fn title(text: &str, at: usize, definite: bool) -> Option<(String, usize)> {
    let rest = &text[at..];
    if let Some(known) = KNOWN.find(rest)
        && !rest[known.end()..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
    {
        let key = words(known.as_str());
        let name = TITLES
            .iter()
            .find(|(_, titles)| titles.iter().any(|t| words(t) == key))
            .map(|(name, _)| (*name).to_string())?;
        return Some((name, at + known.end()));
    }
    if definite {
        return None;
    }
    let mut end = 0;
    let mut kept = 0;
    for count in 0..MAX_WORDS {
        let Some(caps) = WORD.captures(&rest[end..]) else {
            break;
        };
        let (Some(m), Some(word)) = (caps.get(0), caps.name("w")) else {
            break;
        };
        let lower = word.as_str().to_lowercase();
        let link = LINKS.contains(&lower.as_str());
        if STOP.contains(&lower.as_str()) || (link && count == 0) {
            break;
        }
        end += m.end();
        if !link {
            kept = end;
        }
    }
    // The title ends with its last word that is not a link ("og", "i", "for").
    if kept == 0 {
        return None;
    }
    let written = words(&rest[..kept]);
    if written.starts_with("endring") {
        return None; // "forskrift om endring i forskrift om …": an amending regulation.
    }
    Some((format!("forskrift om {written}"), at + kept))
}

/// Words as one line: whitespace runs as one space.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::super::find_citations;

    fn found(text: &str) -> Vec<(String, &'static str)> {
        find_citations(text)
            .into_iter()
            .map(|c| (c.canonical, c.kind.as_str()))
            .collect()
    }

    fn regulation(name: &str) -> (String, &'static str) {
        (name.to_string(), "regulation")
    }

    #[test]
    fn known_titles_give_short_names_in_both_languages() {
        assert_eq!(
            found("Plikta følgjer av forskrift om fastlegeordning i kommunane § 20."),
            [regulation("fastlegeforskriften § 20")]
        );
        assert_eq!(
            found("Kommunen må følge forskrift om pasientjournal, og journalen skal føres."),
            [regulation("pasientjournalforskriften")]
        );
        assert_eq!(
            found("jf. forskrift om leiing og kvalitetsforbetring i helse- og omsorgstenesta § 6"),
            [regulation(
                "forskrift om ledelse og kvalitetsforbedring i helse- og omsorgstjenesten § 6"
            )]
        );
        assert_eq!(
            found(
                "Etter forskrift om habilitering og rehabilitering, individuell plan og koordinator skal kommunen ha en koordinerende enhet."
            ),
            [regulation(
                "forskrift om habilitering og rehabilitering, individuell plan og koordinator"
            )]
        );
    }

    #[test]
    fn unknown_titles_end_at_the_first_word_outside_a_title() {
        assert_eq!(
            found(
                "Kravene står i forskrift om tildeling av langtidsopphold i sykehjem, og kommunen"
            ),
            [regulation(
                "forskrift om tildeling av langtidsopphold i sykehjem"
            )]
        );
        assert_eq!(
            found("Forskrift om kommunal beredskapsplikt gjelder også her."),
            [regulation("forskrift om kommunal beredskapsplikt")]
        );
        assert_eq!(
            found("etter forskrift om kommunal\nberedskapsplikt § 4 første ledd"),
            [regulation("forskrift om kommunal beredskapsplikt § 4")]
        );
    }

    #[test]
    fn a_bare_paragraph_after_a_regulation_is_the_regulations() {
        let got = found(
            "Rutinene følger forskrift om kommunal helse- og omsorgsinstitusjon. Etter § 4 skal institusjonen ha lege.",
        );
        assert_eq!(
            got,
            [
                regulation("forskrift om kommunal helse- og omsorgsinstitusjon"),
                regulation("forskrift om kommunal helse- og omsorgsinstitusjon § 4"),
            ]
        );
    }

    #[test]
    fn regulations_not_yet_named_are_no_citations() {
        for text in [
            "Departementet vil gi en forskrift om legevakt.",
            "Dei arbeider med ei ny forskrift om dette.",
            "Forslag til forskrift om kommunal legevakt blir sendt på høyring.",
            "Forskrift om endring i forskrift om pasientjournal",
            "forskriften om legevakt",
            "Departementet kan gi forskrift om meldeplikt.",
            "Kongen kan gje nærare reglar i forskrift om innhaldet i planen.",
            "Ny § 33 a skal lyde:\n§ 33 a. Forskrift om meldeplikt, oppgåver og ansvar",
        ] {
            assert!(
                found(text)
                    .iter()
                    .all(|(c, _)| !c.starts_with("forskrift om")),
                "{text}: {:?}",
                found(text)
            );
        }
    }
}
