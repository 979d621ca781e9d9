//! Law citations: "helse- og omsorgstjenesteloven § 6-2", "hol. § 6-2",
//! "§ 6-2 i helse- og omsorgstjenesteloven", "§§ 6-1 og 6-2 hol.", and a
//! bare law name ("folkehelseloven", "kapittel 9 i helse- og
//! omsorgstjenesteloven").

use std::sync::LazyLock;

use regex::{Captures, Match, Regex};

use super::documents::{CHAPTER, CHAPTER_WORD};
use super::{Candidate, Citation, RefKind, citation, laws, paragraph_number};

/// A paragraph number: "6-2", "2-1 e", "4A-2", "4", "4 a". A letter suffix
/// stops at a-h so that "§ 4 i loven" does not read "i" as a suffix.
const PARAGRAPH: &str = r"\d{1,3}(?:\s?[A-F])?[-‐‑–]\d{1,3}(?:\s?[a-h]\b)?|\d{1,3}(?:\s?[a-h]\b)?";

/// Detail after a paragraph that the canonical form leaves out but the
/// written span keeps: "første ledd", "andre punktum", "bokstav b", "nr. 3".
const DETAIL: &str = r"(?:(?:første|andre|annen|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|niende|niande|tiende|\d{1,2}\.)\s+(?:ledd|punktum)|bokstav\s+[a-zæøå]\b|nr\.\s*\d{1,3}\b)";

/// Regex source for one item of a paragraph list.
fn item() -> String {
    format!(r"(?:{PARAGRAPH})(?:,?\s+{DETAIL})*")
}

/// Regex source for a run of paragraphs: "§ 6-2", "§§ 6-1 og 6-2",
/// "§ 6-1 første ledd, § 6-2 og § 6-3", "§ 6-2 jf. § 6-1", "§§ 6-1–6-3".
/// A range ("til", "–") gives its two ends only: which paragraphs lie
/// between is not known without the law's text. After "jf." the sign is
/// required: "jf. 3" is not a paragraph.
fn run() -> String {
    let item = item();
    format!(
        r"§{{1,2}}\s*{item}(?:(?:\s*,\s*|\s+(?:og|til|eller)\s+|\s*[–—]\s*)(?:§{{1,2}}\s*)?{item}|\s*,?\s+{JF}\s*§{{1,2}}\s*{item})*"
    )
}

/// "jf.", "jfr.", "jamfør" between two paragraphs of a run.
const JF: &str = r"(?i:jf\.|jfr\.|jamfør)";

/// A law written by name or by abbreviation, optionally with the
/// abbreviation in brackets after the name: "helse- og
/// omsorgstjenesteloven (hol.)".
fn law() -> String {
    let name = laws::name_pattern();
    let abbreviation = laws::abbreviation_pattern();
    format!(
        r"(?P<law>\b{name}\b|\b(?i:{abbreviation})\b\.?)(?:\s*\(\s*(?i:{abbreviation})\.?\s*\))?"
    )
}

/// Law before the paragraphs: "hol. § 6-2", "helsepersonellovens § 4".
static LAW_THEN_PARAGRAPHS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"{}\s*(?P<run>{})", law(), run())).expect("law pattern compiles")
});

/// Paragraphs before the law: "§ 6-2 første ledd i helse- og
/// omsorgstjenesteloven", "§ 6-2 hol.".
static PARAGRAPHS_THEN_LAW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?P<run>{})(?:\s+i)?\s+{}", run(), law())).expect("law pattern compiles")
});

/// A law by full name only (abbreviations alone are too ambiguous), with
/// optional chapter before or after.
static LAW_NAME: LazyLock<Regex> = LazyLock::new(|| {
    let name = laws::name_pattern();
    let abbreviation = laws::abbreviation_pattern();
    Regex::new(&format!(
        r"(?:{CHAPTER_WORD}\s*(?P<chap1>{CHAPTER})\s+i\s+)?(?P<law>\b{name}\b)(?:\s*\(\s*(?i:{abbreviation})\.?\s*\))?(?:\s*{CHAPTER_WORD}\s*(?P<chap2>{CHAPTER})\b)?"
    ))
    .expect("law name pattern compiles")
});

/// Splits a run into its items. The section sign is optional here because
/// a run like "§§ 6-1 og 6-2" has it only once.
static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<sign>§{{1,2}})?\s*(?P<p>{PARAGRAPH})(?:,?\s+{DETAIL})*"
    ))
    .expect("item pattern compiles")
});

pub(super) fn collect(text: &str, out: &mut Vec<Candidate>) {
    for caps in LAW_THEN_PARAGRAPHS.captures_iter(text) {
        push_paragraphs(text, &caps, true, out);
    }
    for caps in PARAGRAPHS_THEN_LAW.captures_iter(text) {
        push_paragraphs(text, &caps, false, out);
    }
    for caps in LAW_NAME.captures_iter(text) {
        let (Some(whole), Some(written_law)) = (caps.get(0), caps.name("law")) else {
            continue;
        };
        let Some(law) = laws::lookup(written_law.as_str()) else {
            continue;
        };
        let chapter = caps
            .name("chap1")
            .or_else(|| caps.name("chap2"))
            .map(|m| m.as_str().to_string());
        let found = citation(
            text,
            RefKind::Law,
            law.name.to_string(),
            law.name.to_string(),
            chapter,
            whole.start(),
            whole.end(),
        );
        out.push(Candidate {
            start: whole.start(),
            end: whole.end(),
            citations: vec![found],
        });
    }
}

/// One paragraph of a run, with its span in the input.
struct Item {
    start: usize,
    end: usize,
    number: String,
    /// Introduced by "jf." rather than "og" or a comma.
    after_jf: bool,
}

/// A law name or abbreviation right after a run, with or without "i".
static FOLLOWED_BY_LAW: LazyLock<Regex> = LazyLock::new(|| {
    let name = laws::name_pattern();
    let abbreviation = laws::abbreviation_pattern();
    Regex::new(&format!(
        r"^(?:\s+i)?\s+(?:\b{name}\b|\b(?i:{abbreviation})\b)"
    ))
    .expect("follow-up pattern compiles")
});

static JF_GAP: LazyLock<Regex> = LazyLock::new(|| Regex::new(JF).expect("jf pattern compiles"));

/// Turns one law-and-paragraphs match into a candidate with one citation
/// per paragraph. The law's text goes into the first citation's span when
/// it comes first, into the last one's when it comes last, so that the
/// spans stay contiguous and do not overlap.
fn push_paragraphs(text: &str, caps: &Captures, law_first: bool, out: &mut Vec<Candidate>) {
    let (Some(whole), Some(run), Some(written_law)) =
        (caps.get(0), caps.name("run"), caps.name("law"))
    else {
        return;
    };
    let Some(law) = laws::lookup(written_law.as_str()) else {
        return;
    };
    let mut items = split_run(run, law_first);
    if law_first && FOLLOWED_BY_LAW.is_match(&text[run.end()..]) {
        // "hol. § 6-2 jf. § 3 i forvaltningsloven": what follows "jf."
        // belongs to the law named after it, not to the one before.
        if let Some(cut) = items.iter().position(|i| i.after_jf) {
            items.truncate(cut);
        }
    } else if !law_first {
        // "§ 6-2, jf. § 3 i forvaltningsloven": only what follows the last
        // "jf." is tied to the law; what comes before is a bare paragraph
        // of some law named earlier, which this recogniser does not guess.
        if let Some(last_jf) = items.iter().rposition(|i| i.after_jf) {
            items.drain(..last_jf);
        }
    }
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    // When the law comes first and the run was cut short, the match ends
    // at the last paragraph kept, not at the end of the regex match.
    let end = if law_first { last.end } else { whole.end() };
    let first_start = first.start;
    let count = items.len();
    let citations: Vec<Citation> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let start = if law_first && i == 0 {
                whole.start()
            } else {
                item.start
            };
            let item_end = if !law_first && i + 1 == count {
                end
            } else {
                item.end
            };
            citation(
                text,
                RefKind::Law,
                format!("{} § {}", law.name, item.number),
                law.name.to_string(),
                None,
                start,
                item_end,
            )
        })
        .collect();
    let start = if law_first {
        whole.start()
    } else {
        first_start
    };
    out.push(Candidate {
        start,
        end,
        citations,
    });
}

/// Splits "§§ 6-1, 6-2 og 6-3" into items. After a single "§", a following
/// item without its own sign is kept only when it has the chapter form
/// ("§ 6-1 og 6-2"); a plain number could be anything ("hol. § 6-2 og 3
/// kommuner"), unless the law name after the run ties it to the law.
fn split_run(run: Match, law_first: bool) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut plural = false;
    let mut previous_end = 0;
    for caps in ITEM.captures_iter(run.as_str()) {
        let (Some(m), Some(number)) = (caps.get(0), caps.name("p")) else {
            continue;
        };
        let sign = caps.name("sign").map(|s| s.as_str());
        let after_jf = JF_GAP.is_match(&run.as_str()[previous_end..m.start()]);
        previous_end = m.end();
        if items.is_empty() {
            plural = sign == Some("§§");
        } else if law_first && sign.is_none() && !plural && !number.as_str().contains(is_dash) {
            break;
        }
        // The first item's span starts at its sign, which the item regex
        // includes; continuation items start at their own sign or number.
        let start = run.start()
            + if sign.is_some() {
                m.start()
            } else {
                number.start()
            };
        items.push(Item {
            start,
            end: run.start() + m.end(),
            number: paragraph_number(number.as_str()),
            after_jf,
        });
    }
    items
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '–')
}
