//! Law citations: "helse- og omsorgstjenesteloven § 6-2", "hol. § 6-2",
//! "§ 6-2 i helse- og omsorgstjenesteloven", "§§ 6-1 og 6-2 hol.", and a
//! bare law name ("folkehelseloven", "kapittel 9 i helse- og
//! omsorgstjenesteloven").

use std::sync::LazyLock;

use regex::{Captures, Match, Regex};

use super::documents::{CHAPTER, CHAPTER_WORD};
use super::{Candidate, Citation, citation, laws, paragraph_number, statutes};

/// A paragraph number: "6-2", "2-1 e", "4A-2", "4", "4 a". A letter suffix
/// stops at a-h so that "§ 4 i loven" does not read "i" as a suffix.
const PARAGRAPH: &str =
    r"\d{1,3}(?:\s?[A-F])?[-‐‑–]\d{1,3}(?:\s?[a-h](?-u:\b))?|\d{1,3}(?:\s?[a-h](?-u:\b))?";

/// Detail after a paragraph that the canonical form leaves out but the
/// written span keeps: "første ledd", "andre punktum", "bokstav b", "nr. 3".
const DETAIL: &str = r"(?:(?:første|fyrste|andre|annen|annet|anna|tredje|fjerde|femte|sjette|sjuende|sjuande|syvende|åttende|åttande|niende|niande|tiende|tiande|\d{1,2}\.)\s+(?:ledd|punktum)|bokstav\s+(?:[a-z](?-u:\b)|[æøå])|nr\.\s*\d{1,3}(?-u:\b))";

/// Regex source for one item of a paragraph list.
fn item() -> String {
    format!(r"(?:{PARAGRAPH})(?:{FIRST_TAIL})?(?:,?\s+{DETAIL})*")
}

/// The patterns use ASCII word boundaries (they keep the regex engine on its DFA), to which
/// "ø" is no word character: "§ 6-2 første ledd" reads as "§ 6-2 f" and "ørste ledd". This
/// tail keeps the detail in the span; [`split_run`] drops a letter suffix followed by a letter.
const FIRST_TAIL: &str = r"ørste\s+(?:ledd|punktum)";

/// Regex source for a run of paragraphs: "§ 6-2", "§§ 6-1 og 6-2",
/// "§ 6-1 første ledd, § 6-2 og § 6-3", "§ 6-2 jf. § 6-1", "§§ 6-1–6-3".
/// A range ("til", "–") gives its two ends only: which paragraphs lie
/// between is not known without the law's text. After "jf." the sign is
/// required: "jf. 3" is not a paragraph.
pub(super) fn run() -> String {
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
    let statute = statutes::pattern();
    let unknown = laws::unknown_name_pattern();
    format!(
        r"(?P<law>{statute}|(?-u:\b){name}(?-u:\b)|(?-u:\b)(?i:{abbreviation})(?-u:\b)\.?|{unknown})(?:\s*\(\s*(?i:{abbreviation})\.?\s*\))?"
    )
}

/// "ny", "nye", "nytt" between a law and its paragraph: "helse- og omsorgstjenesteloven
/// ny § 6-2 a" (an amendment naming the paragraph it adds).
const NEW: &str = r"(?:(?i:ny|nye|nytt)\s+)?";

/// Law before the paragraphs: "hol. § 6-2", "helsepersonellovens § 4".
static LAW_THEN_PARAGRAPHS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"{}(?P<about>\s+om\s+(?:{}|[^()§;:\n.]){{1,100}}?)?\s*{NEW}(?P<run>{})",
        law(),
        laws::ET_CETERA_WORD,
        run()
    ))
    .expect("law pattern compiles")
});

/// A law or regulation cited by date: "lov 2. juli …", "forskrift 29. august …".
static DATED_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:lov|forskrift)(?:a|en)?\s+(?:av\s+|frå\s+|fra\s+)?\d")
        .expect("dated start compiles")
});

/// A law named inside the subject of a dated act: then the paragraph after it is that law's.
static NAMES_A_LAW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?-u:\b){}(?-u:\b)", laws::name_pattern()))
        .expect("law name pattern compiles")
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
    let statute = statutes::pattern();
    Regex::new(&format!(
        r"(?:{CHAPTER_WORD}\s*(?P<chap1>{CHAPTER})\s+i\s+)?(?P<law>{statute}|(?-u:\b){name}(?-u:\b))(?:\s*\(\s*(?i:{abbreviation})\.?\s*\))?(?:\s*{CHAPTER_WORD}\s*(?P<chap2>{CHAPTER})(?-u:\b))?"
    ))
    .expect("law name pattern compiles")
});

/// Splits a run into its items. The section sign is optional here because
/// a run like "§§ 6-1 og 6-2" has it only once.
static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<sign>§{{1,2}})?\s*(?P<p>{PARAGRAPH})(?:{FIRST_TAIL})?(?:,?\s+{DETAIL})*"
    ))
    .expect("item pattern compiles")
});

pub(super) fn collect(text: &str, out: &mut Vec<Candidate>) {
    for (re, law_first) in [
        (&*LAW_THEN_PARAGRAPHS, true),
        (&*PARAGRAPHS_THEN_LAW, false),
    ] {
        // A match that is no citation ("forskrift … om … med hjemmel i helse- og
        // omsorgstjenesteloven § 3-2 a": a subject naming a law) must not hide the citation
        // inside it, so the search goes on from the next character, not from its end.
        let mut at = 0;
        while let Some(caps) = re.captures_at(text, at) {
            let Some(whole) = caps.get(0) else { break };
            at = if push_paragraphs(text, &caps, law_first, out) {
                whole.end().max(at + 1)
            } else {
                whole.start()
                    + text[whole.start()..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8)
            };
            if at >= text.len() {
                break;
            }
            while !text.is_char_boundary(at) {
                at += 1;
            }
        }
    }
    for caps in LAW_NAME.captures_iter(text) {
        let (Some(whole), Some(written_law)) = (caps.get(0), caps.name("law")) else {
            continue;
        };
        if inside_word(text, written_law.start()) {
            continue;
        }
        let Some(law) = statutes::resolve(written_law.as_str()) else {
            continue;
        };
        let chapter = caps
            .name("chap1")
            .or_else(|| caps.name("chap2"))
            .map(|m| m.as_str().to_string());
        let found = citation(
            text,
            law.kind,
            law.name.clone(),
            law.name.clone(),
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

/// Whether `at` is inside a word: the patterns use ASCII word boundaries (which keep the
/// regex engine on its fast DFA path), and "ø", "æ", "å" are no word characters to them, so a
/// name found right after one ("søknadsloven" read from its "knadsloven") is checked here.
pub(super) fn inside_word(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

/// One paragraph of a run, with its span in the input.
pub(super) struct Item {
    pub start: usize,
    pub end: usize,
    pub number: String,
    /// Introduced by "jf." rather than "og" or a comma.
    after_jf: bool,
}

/// A law name or abbreviation right after a run, with or without "i".
static FOLLOWED_BY_LAW: LazyLock<Regex> = LazyLock::new(|| {
    let name = laws::name_pattern();
    let abbreviation = laws::abbreviation_pattern();
    let statute = statutes::pattern();
    let unknown = laws::unknown_name_pattern();
    Regex::new(&format!(
        r"^(?:\s+i)?\s+(?:{statute}|(?-u:\b){name}(?-u:\b)|(?-u:\b)(?i:{abbreviation})(?-u:\b)|{unknown})"
    ))
    .expect("follow-up pattern compiles")
});

static JF_GAP: LazyLock<Regex> = LazyLock::new(|| Regex::new(JF).expect("jf pattern compiles"));

/// Turns one law-and-paragraphs match into a candidate with one citation
/// per paragraph. The law's text goes into the first citation's span when
/// it comes first, into the last one's when it comes last, so that the
/// spans stay contiguous and do not overlap.
fn push_paragraphs(text: &str, caps: &Captures, law_first: bool, out: &mut Vec<Candidate>) -> bool {
    let (Some(whole), Some(run), Some(written_law)) =
        (caps.get(0), caps.name("run"), caps.name("law"))
    else {
        return false;
    };
    // "lov 23. juni 2000 nr. 56 om helsemessig og sosial beredskap § 2-2": the subject may
    // stand between a law cited by date and its paragraph, never after a title.
    if let Some(about) = caps.name("about")
        && (!DATED_START.is_match(written_law.as_str()) || NAMES_A_LAW.is_match(about.as_str()))
    {
        return false;
    }
    if inside_word(text, written_law.start()) {
        return false;
    }
    let Some(law) = statutes::resolve(written_law.as_str()) else {
        return false;
    };
    let mut items = split_run(text, run, law_first);
    if laws::LAWS
        .iter()
        .any(|l| l.name == law.name && l.numbering == laws::Numbering::Plain)
    {
        items = items.into_iter().flat_map(plain_range).collect();
    }
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
        return false;
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
                law.kind,
                format!("{} § {}", law.name, item.number),
                law.name.clone(),
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
    true
}

/// A run of paragraphs right after a statute another recogniser found: "§ 4", "ny § 6-2 a".
static RUN_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^\s*{NEW}(?P<run>{})", run())).expect("run-after pattern compiles")
});

/// The paragraphs written right after a statute at `start..at` ("forskrift om kommunal helse-
/// og omsorgsinstitusjon § 4"), as one candidate spanning the statute and the run; `None` when
/// no paragraph follows it.
pub(super) fn paragraphs_after(
    text: &str,
    statute: &statutes::Statute,
    start: usize,
    at: usize,
) -> Option<Candidate> {
    let caps = RUN_AFTER.captures(&text[at..])?;
    let run = caps.name("run")?;
    let mut items = split_run(&text[at..], run, true);
    if FOLLOWED_BY_LAW.is_match(&text[at + run.end()..])
        && let Some(cut) = items.iter().position(|i| i.after_jf)
    {
        items.truncate(cut);
    }
    let end = at + items.last()?.end;
    let citations = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            citation(
                text,
                statute.kind,
                format!("{} § {}", statute.name, item.number),
                statute.name.clone(),
                None,
                if i == 0 { start } else { at + item.start },
                at + item.end,
            )
        })
        .collect();
    Some(Candidate {
        start,
        end,
        citations,
    })
}

/// Splits "§§ 6-1, 6-2 og 6-3" into items. After a single "§", a following
/// item without its own sign is kept only when it has the chapter form
/// ("§ 6-1 og 6-2"); a plain number could be anything ("hol. § 6-2 og 3
/// kommuner"), unless the law name after the run ties it to the law.
pub(super) fn split_run(text: &str, run: Match, law_first: bool) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut plural = false;
    let mut previous_end = 0;
    for caps in ITEM.captures_iter(run.as_str()) {
        let (Some(m), Some(number)) = (caps.get(0), caps.name("p")) else {
            continue;
        };
        let sign = caps.name("sign").map(|s| s.as_str());
        let gap = &run.as_str()[previous_end..m.start()];
        let after_jf = JF_GAP.is_match(gap);
        let after_range = !items.is_empty() && RANGE_GAP.is_match(gap);
        previous_end = m.end();
        if items.is_empty() || sign.is_some() {
            // "§ 28, jf. §§ 32 og 33": each sign says whether a list follows it.
            plural = sign == Some("§§");
        } else if law_first && !plural && !number.as_str().contains(is_dash) {
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
        // "§ 4 går", "§ 6-2 første": a letter followed by a letter is a word, not a suffix.
        let written = number.as_str();
        let written = match written.char_indices().last() {
            Some((at, c))
                if c.is_ascii_lowercase()
                    && text[run.start() + number.end()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphabetic) =>
            {
                written[..at].trim_end()
            }
            _ => written,
        };
        let number = paragraph_number(written);
        let end = run.start() + m.end();
        if after_range && let Some(previous) = items.last() {
            // "§§ 6-1 til 6-3": the paragraphs between, when both ends are in one chapter.
            for between in between(&previous.number, &number) {
                items.push(Item {
                    start,
                    end,
                    number: between,
                    after_jf: false,
                });
            }
        }
        items.push(Item {
            start,
            end,
            number,
            after_jf,
        });
    }
    items
}

/// In a law numbered without chapters, "§§ 16–18" is a range, not chapter 16's § 18.
fn plain_range(item: Item) -> Vec<Item> {
    let Some((first, last)) = item.number.split_once('-') else {
        return vec![item];
    };
    let digits = |p: &str| {
        let number = p.split(' ').next().unwrap_or("");
        !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
    };
    let value = |p: &str| p.split(' ').next().and_then(|n| n.parse::<u32>().ok());
    if !digits(first) || !digits(last) || value(last) <= value(first) {
        return vec![item];
    }
    let mut numbers = vec![first.to_string()];
    numbers.extend(between(first, last));
    numbers.push(last.to_string());
    numbers
        .into_iter()
        .map(|number| Item {
            start: item.start,
            end: item.end,
            number,
            after_jf: item.after_jf,
        })
        .collect()
}

/// "til" or a dash between two items of a run: a range.
static RANGE_GAP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:til|[–—-])\s*(?:§{1,2})?\s*$").expect("range gap compiles")
});

/// The most paragraphs a range is expanded to; a longer one gives its ends only.
const MAX_RANGE: u32 = 30;

/// The paragraphs strictly between two ends of a range in one chapter ("6-1", "6-4" →
/// "6-2", "6-3"), or in a law numbered without chapters ("3", "6" → "4", "5"). Letter
/// suffixes are filled in only up to a lettered end ("7 a", "7 c" → "7 b"; "4", "7 d" → …, "7",
/// "7 a", "7 b", "7 c"): after "7 a" in "7 a til 9", the text does not say which letters exist.
fn between(first: &str, last: &str) -> Vec<String> {
    // (chapter, number, letter): "6-2 a" → (Some("6"), 2, Some('a')).
    let split = |p: &str| -> Option<(Option<String>, u32, Option<char>)> {
        let (p, letter) = match p.split_once(' ') {
            Some((p, l)) => (p, Some(l.chars().next()?)),
            None => (p, None),
        };
        match p.rsplit_once('-') {
            Some((chapter, n)) => Some((Some(chapter.to_string()), n.parse().ok()?, letter)),
            None => Some((None, p.parse().ok()?, letter)),
        }
    };
    let (Some((c1, a, l1)), Some((c2, b, l2))) = (split(first), split(last)) else {
        return Vec::new();
    };
    if c1 != c2 || b < a || b - a > MAX_RANGE {
        return Vec::new();
    }
    let label = |n: u32, letter: Option<char>| {
        let number = match &c1 {
            Some(chapter) => format!("{chapter}-{n}"),
            None => n.to_string(),
        };
        match letter {
            Some(l) => format!("{number} {l}"),
            None => number,
        }
    };
    if a == b {
        // "§§ 7 a til 7 c", "§§ 2-1 a–2-1 c": the letters between; "§§ 7 til 7 c": 7 a, 7 b.
        let Some(end_letter) = l2 else {
            return Vec::new();
        };
        let from = l1.map_or('a', |l| char::from_u32(l as u32 + 1).unwrap_or(end_letter));
        return (from..end_letter).map(|l| label(b, Some(l))).collect();
    }
    // "§§ 7 a til 9": what follows 7 a in chapter 7 is not known; 8 is.
    let mut out: Vec<String> = (a + 1..b).map(|n| label(n, None)).collect();
    // "§§ 4 til 7 d": 5, 6, then 7 and 7 a–7 c before the end itself.
    if let Some(end_letter) = l2 {
        out.push(label(b, None));
        out.extend(('a'..end_letter).map(|l| label(b, Some(l))));
    }
    out
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '–')
}
