//! Paragraphs written without their law ("jf. § 3-2", "etter §§ 6-1 og 6-2"), and the laws
//! an amending act's parts change ("I lov … gjøres følgende endringer:"): what
//! [`super::in_force`] needs to give a bare paragraph its law.

use std::sync::LazyLock;

use regex::Regex;

use super::paragraphs::{run, split_run};
use super::{laws, statutes};

/// A run of paragraphs with no law beside it: "§ 3-2", "jf. §§ 6-1 og 6-2".
static BARE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?P<run>{})", run())).expect("bare run compiles"));

/// "i" and a word after a bare run: the paragraph belongs to what that word names, unless
/// the word is the law in force itself ("§ 3 i loven").
static IN_OTHER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+i\s+(?P<w>\p{L}+)").expect("follow-up word compiles"));

/// Whether the word after "§ 3 i" names an instrument other than the law in force: another
/// law or rules ("i forskriften", "i avtalen", "i kommunens reglement"), not a phrase
/// ("i stor grad", "i praksis") nor the law in force itself ("i loven", "i denne lova").
fn names_other_instrument(word: &str) -> bool {
    static INSTRUMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:\p{L}+lov\p{L}*|\p{L}*forskrift\p{L}*|\p{L}*avtal\p{L}*|\p{L}*instruks\p{L}*|\p{L}*vedtekt\p{L}*|\p{L}*retningslin\p{L}*|\p{L}*reglement\p{L}*|\p{L}*konvensjon\p{L}*|\p{L}*direktiv\p{L}*|\p{L}*forordning\p{L}*|\p{L}{2,}s)$")
            .expect("instrument words compile")
    });
    let lower = word.to_lowercase();
    !matches!(
        lower.as_str(),
        "loven" | "lova" | "denne" | "same" | "samme" | "lovens" | "lovas" | "tilfelles"
    ) && (INSTRUMENT.is_match(&lower) || laws::lookup(&lower).is_some())
}

/// Words right before a bare run that say it is not a paragraph of a law: "forskriften § 3",
/// "avtalen § 4", "vedtektene § 2".
static OTHER_INSTRUMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:forskrift\p{L}*|avtal\p{L}*|instruks\p{L}*|vedtekt\p{L}*|retningslin\p{L}*|reglement\p{L}*|konvensjon\p{L}*|grunnlov\p{L}*|direktiv\p{L}*|artikkel|art\.)\s*$")
        .expect("instrument words compile")
});

/// A run of paragraphs written without its law, as a span and the paragraph numbers in it.
pub(super) struct BareRun {
    pub start: usize,
    pub end: usize,
    /// Followed by "i loven her", "i denne lova": the law the passage amends or is.
    pub here: bool,
    /// (start, end, number) of each paragraph.
    pub items: Vec<(usize, usize, String)>,
}

/// Every paragraph run that names no law and is not tied to another instrument. Whether a
/// law is in force at that point is for the caller to say (it knows what was cited before).
pub(super) fn bare_runs(text: &str) -> Vec<BareRun> {
    let mut runs = Vec::new();
    for caps in BARE.captures_iter(text) {
        let Some(run) = caps.name("run") else {
            continue;
        };
        if OTHER_INSTRUMENT.is_match(before(text, run.start()))
            || is_heading(text, run.start(), run.end())
        {
            continue;
        }
        let here = HERE.is_match(&text[run.end()..]);
        if let Some(next) = IN_OTHER.captures(&text[run.end()..])
            && names_other_instrument(&next["w"])
        {
            continue;
        }
        let items: Vec<(usize, usize, String)> = split_run(text, run, true)
            .into_iter()
            .map(|i| (i.start, i.end, i.number))
            .collect();
        if let (Some(first), Some(last)) = (items.first(), items.last()) {
            runs.push(BareRun {
                start: first.0,
                end: last.1,
                here,
                items,
            });
        }
    }
    runs
}

/// A paragraph's own heading in quoted law text ("Ny § 3-8 a skal lyde: § 3-8 a. Godkjenning
/// av …", or "§ 3-8 a. Godkjenning" on a line of its own): a number, a full stop and a
/// capitalised title, at a line start or right after "skal lyde:". It names the paragraph
/// being written, it does not cite it.
fn is_heading(text: &str, start: usize, end: usize) -> bool {
    static TITLE_AFTER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*\.\s+\p{Lu}").expect("heading pattern compiles"));
    static INTRODUCED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:(?i:lyde|lyda|lyde som følger|lyde slik)\s*:\s*|(?:^|\n)[^\S\n]*)$")
            .expect("heading context compiles")
    });
    TITLE_AFTER.is_match(&text[end..]) && INTRODUCED.is_match(before(text, start))
}

/// "i loven her", "i lova her", "i denne loven": the law of the passage itself.
static HERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+i\s+(?i:(?:loven|lova)\s+her(?-u:\b)|denne\s+lov)")
        .expect("here pattern compiles")
});

/// The law an amending act changes from this point on: "I lov 2. juli 1999 nr. 61 om
/// spesialisthelsetjenesten m.m. gjøres følgende endringer:", "I helse- og
/// omsorgstenestelova vert det gjort desse endringane:", "I lov … skal § 1-7 lyde:", "I lov …
/// skal ny § 6-2 a lyde:".
static AMENDS: LazyLock<Regex> = LazyLock::new(|| {
    let name = laws::name_pattern();
    let statute = statutes::pattern();
    Regex::new(&format!(
        r"(?-u:\b)[Ii]\s+(?P<law>{statute}|(?-u:\b){name}(?-u:\b))[^:§]{{0,200}}?(?i:(?:gjøres|gjerast|gjer\s+ein|blir\s+gjort|vert\s+gjort|vert\s+det\s+gjort|blir\s+det\s+gjort|gjøres\s+det)\s+(?:følgende|følgjande|desse|disse)\s+endring|skal\s+(?:(?:ny|nye|nytt)\s+)?(?:§|lyde|lyda|oppheves|opphevast|kapittel))"
    ))
    .expect("amending pattern compiles")
});

/// Where each part of an amending act starts, and the law it amends.
pub(super) fn amended_laws(text: &str) -> Vec<(usize, statutes::Statute)> {
    AMENDS
        .captures_iter(text)
        .filter_map(|caps| {
            let law = caps.name("law")?;
            Some((law.start(), statutes::resolve(law.as_str())?))
        })
        .collect()
}

/// The text just before `at` that the patterns anchored at its end look at (a word such as
/// "forskriften", "skal lyde:"): a bounded window, so that each look costs the same wherever
/// it is in a long text.
fn before(text: &str, at: usize) -> &str {
    let mut from = at.saturating_sub(160);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    &text[from..at]
}
