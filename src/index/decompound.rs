//! Compound splitting for Norwegian policy text, at index time only.
//!
//! Norwegian writes compounds as one word ("fastlegeordningen", "legerekruttering",
//! "samhandlingsstrukturen"); a reader searching "fastlege", "rekruttering" or "samhandling"
//! expects those sections too. A word is split where it starts with a known *head* (a curated
//! list of domain nouns in bokmål and nynorsk, below), optionally followed by a linking `s`, and
//! the rest is a plausible word of at least four letters; the rest is split again the same way
//! ("spesialisthelsetjenesten" → spesialist + helsetjenesten → helse + tjenesten).
//!
//! Why a curated head list and not a full-form word list: splitting at every known word
//! over-splits badly ("rekrutteringen" → rekrutter + ingen, "tilgjengelege" → tilgjenge + lege;
//! see ../shared/notes/norwegian-search-and-style.md §1.5), and the Debian word lists are
//! GPL-licensed data we would rather not ship. Requiring the *first* part to be a domain noun
//! keeps precision high; the evaluation in `examples/search_eval.rs` measures the effect.
//!
//! Suspended hyphens ("helse- og omsorgstjenester") are expanded too: the first word borrows the
//! last word's tail, giving "helsetjenester".
//!
//! Architecture invariant: pure functions of text; the parts are indexed in their own field and
//! never used to analyse queries (decompounding a query turns it into a same-position phrase and
//! loses hits).

use std::collections::HashMap;
use std::sync::LazyLock;

/// Domain heads. `+s` marks a head that also takes a linking s ("omsorg+s" → "omsorgstjenester");
/// heads ending in -ing, -sjon, -het, -else, -skap, -dom, -tet, -nad, -ment take it anyway.
const HEADS: &[&str] = &[
    // people and roles
    "lege",
    "fastlege",
    "allmennlege",
    "kommunelege",
    "turnuslege",
    "sykepleier",
    "sjukepleiar",
    "helsesykepleier",
    "helsesjukepleiar",
    "jordmor",
    "psykolog",
    "pasient",
    "bruker",
    "brukar",
    "pårørende",
    "pårørande",
    "personell",
    "helsepersonell",
    "spesialist",
    "vikar",
    "innbygger",
    "innbyggjar",
    "ansatt",
    "tilsett",
    // services and institutions
    "helse",
    "omsorg+s",
    "tjeneste",
    "teneste",
    "sykehus",
    "sjukehus",
    "sykehjem+s",
    "sjukeheim+s",
    "legevakt+s",
    "kommune",
    "fylke+s",
    "region",
    "stat+s",
    "foretak+s",
    "helseforetak+s",
    "akutt",
    "døgn",
    "poliklinikk",
    "rus",
    "psykiatri",
    "barne",
    "ungdom+s",
    "eldre",
    "hjemme",
    "heime",
    "skole",
    "skule",
    "barnehage",
    "fag",
    "helsefag",
    "praksis",
    "turnus",
    "journal",
    "velferd+s",
    "teknologi",
    "avtale",
    "tjenesteavtale",
    "tenesteavtale",
    "samarbeid+s",
    "fellesskap",
    "helsefellesskap",
    "partnerskap",
    "partnarskap",
    // activities and qualities
    "samhandling",
    "rekruttering",
    "planlegging",
    "utdanning",
    "utdaning",
    "behandling",
    "finansiering",
    "utvikling",
    "bemanning",
    "prioritering",
    "kompetanse",
    "kapasitet",
    "kvalitet",
    "sikkerhet",
    "tryggleik+s",
    "beredskap",
    "ledelse",
    "leiing",
    "forløp+s",
    "pleie",
    "arbeid+s",
    "lønn+s",
    "tilskudd+s",
    "tilskot+s",
    "stilling",
    "heltid+s",
    "deltid+s",
    "vakt",
    "plan",
    "tiltak+s",
    "kostnad+s",
    "ressurs",
    "økonomi",
    "digital",
    "medisin",
    "mangel",
    "krise",
    "ordning",
    "ventetid+s",
];

/// Tails that are endings or function words, never compound parts.
const BAD_TAILS: &[&str] = &[
    "ingen",
    "inga",
    "ingan",
    "ene",
    "ane",
    "ande",
    "ende",
    "heten",
    "lige",
    "lege",
    "leg",
    "lig",
    "ers",
    "ens",
    "ste",
    "sten",
    "ster",
    "ter",
    "ten",
    "isering",
    "iseringa",
    "iseringen",
    "istikk",
    "lige",
    "lagt",
];

/// Suffixes of derived nouns that take a linking s in compounds.
const S_LINKING: &[&str] = &[
    "ing", "sjon", "het", "else", "skap", "dom", "tet", "nad", "ment",
];

/// Minimum letters in a tail: shorter rests are inflection ("legen", "legane").
const MIN_TAIL: usize = 4;

struct Heads {
    /// Written form (with any linking s) → the head as a word.
    forms: HashMap<String, String>,
    longest: usize,
}

static TABLE: LazyLock<Heads> = LazyLock::new(|| {
    let mut forms = HashMap::new();
    for entry in HEADS {
        let (head, linked) = match entry.strip_suffix("+s") {
            Some(head) => (head, true),
            None => (*entry, false),
        };
        forms.insert(head.to_string(), head.to_string());
        if linked || S_LINKING.iter().any(|suffix| head.ends_with(suffix)) {
            forms.insert(format!("{head}s"), head.to_string());
        }
    }
    let longest = forms.keys().map(|f| f.chars().count()).max().unwrap_or(0);
    Heads { forms, longest }
});

/// The parts of a lowercase word, outermost first ("spesialisthelsetjenesten" →
/// ["spesialist", "helsetjenesten", "helse", "tjenesten"]); empty when it is not a compound.
pub fn decompound(word: &str) -> Vec<String> {
    // Snippets split every long word of every hit; words repeat, so the splits are remembered
    // per thread (bounded like the stem memo).
    thread_local! {
        static MEMO: std::cell::RefCell<rustc_hash::FxHashMap<String, Vec<String>>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }
    MEMO.with(|memo| {
        if let Some(parts) = memo.borrow().get(word) {
            return parts.clone();
        }
        let mut parts = Vec::new();
        split_into(word, &mut parts, 0);
        let mut memo = memo.borrow_mut();
        if memo.len() >= super::analyzer::MEMO_WORDS {
            memo.clear();
        }
        memo.insert(word.to_string(), parts.clone());
        parts
    })
}

fn split_into(word: &str, parts: &mut Vec<String>, depth: usize) {
    if depth > 4 {
        return;
    }
    let Some((head, tail)) = split_once(word) else {
        return;
    };
    parts.push(head.to_string());
    parts.push(tail.to_string());
    split_into(tail, parts, depth + 1);
}

/// The longest known head that leaves a plausible tail.
fn split_once(word: &str) -> Option<(&str, &str)> {
    let table = &*TABLE;
    let boundaries: Vec<usize> = word.char_indices().map(|(i, _)| i).skip(1).collect();
    for &cut in boundaries.iter().rev() {
        let prefix = &word[..cut];
        if prefix.chars().count() > table.longest {
            continue;
        }
        let Some(head) = table.forms.get(prefix) else {
            continue;
        };
        let tail = &word[cut..];
        if tail.chars().count() < MIN_TAIL
            || BAD_TAILS.contains(&tail)
            || !tail.chars().any(is_vowel)
            || !tail.chars().all(char::is_alphabetic)
        {
            continue;
        }
        return Some((head.as_str(), tail));
    }
    None
}

use crate::norwegian::is_vowel;

/// Words joined by a suspended hyphen take the last word's tail: "helse- og omsorgstjenester"
/// → "helsetjenester"; "kommune- og spesialisthelsetjenesten" → "kommunehelsetjenesten".
/// Returns the expanded compounds of a lowercase text.
pub fn suspended_compounds(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let Some(first) = word.trim_end_matches(',').strip_suffix('-') else {
            continue;
        };
        let first = first.trim_start_matches(|c: char| !c.is_alphanumeric());
        if first.is_empty() || !first.chars().all(char::is_alphabetic) {
            continue;
        }
        // "helse-, omsorgs- og velferdstjenester": skip further suspended words to the last one.
        let mut j = i + 1;
        while j < words.len() && j <= i + 8 {
            let w = words[j].trim_end_matches(',');
            if w.ends_with('-') || matches!(w, "og" | "eller" | "og/eller" | "samt" | ",") {
                j += 1;
                continue;
            }
            break;
        }
        if j == i + 1 || j >= words.len() {
            continue;
        }
        let last: String = words[j].chars().take_while(|c| c.is_alphabetic()).collect();
        if let Some((_, tail)) = split_once(&last) {
            out.push(format!("{first}{tail}"));
        }
    }
    out
}

/// What the parts field indexes for a text: the parts of every compound and the suspended
/// compounds, separated by spaces.
pub fn parts_text(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut out = String::new();
    let mut push = |word: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    };
    for word in lower.split(|c: char| !c.is_alphanumeric()) {
        if word.chars().count() < 7 {
            continue;
        }
        for part in decompound(word) {
            push(&part);
        }
    }
    for compound in suspended_compounds(&lower) {
        push(&compound);
        for part in decompound(&compound) {
            push(&part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_domain_compounds() {
        assert_eq!(
            decompound("fastlegeordningen"),
            vec!["fastlege", "ordningen"]
        );
        assert_eq!(decompound("legerekruttering"), vec!["lege", "rekruttering"]);
        assert_eq!(
            decompound("samhandlingsstrukturen"),
            vec!["samhandling", "strukturen"]
        );
        assert_eq!(
            decompound("spesialisthelsetjenesten"),
            vec!["spesialist", "helsetjenesten", "helse", "tjenesten"]
        );
        assert_eq!(decompound("omsorgstenestene"), vec!["omsorg", "tenestene"]);
        assert_eq!(decompound("fastlegekrisen"), vec!["fastlege", "krisen"]);
    }

    #[test]
    fn inflections_and_derivations_are_not_compounds() {
        for word in [
            "legene",
            "fastlegen",
            "fastlegane",
            "rekrutteringen",
            "tjenestene",
            "kommunene",
            "sykehusene",
            "tilgjengelege",
            "pasientene",
            "helsa",
        ] {
            assert!(
                decompound(word).is_empty(),
                "{word}: {:?}",
                decompound(word)
            );
        }
    }

    #[test]
    fn suspended_hyphens_borrow_the_last_tail() {
        assert_eq!(
            suspended_compounds("kommunale helse- og omsorgstjenester"),
            vec!["helsetjenester"]
        );
        assert_eq!(
            suspended_compounds("kommune- og spesialisthelsetjenesten"),
            vec!["kommunehelsetjenesten"]
        );
        assert_eq!(
            suspended_compounds("helse-, omsorgs- og velferdstjenester"),
            vec!["helsetjenester", "omsorgstjenester"]
        );
        assert!(suspended_compounds("e-helse og covid-19").is_empty());
    }

    #[test]
    fn parts_text_collects_parts() {
        let parts = parts_text("Fastlegeordningen og helse- og omsorgstjenester.");
        for expected in [
            "fastlege",
            "ordningen",
            "helsetjenester",
            "omsorg",
            "tjenester",
        ] {
            assert!(
                parts.split(' ').any(|p| p == expected),
                "{expected} missing from {parts:?}"
            );
        }
    }
}
