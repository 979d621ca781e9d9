//! Norwegian words and text rules more than one stage needs, written once.

/// The month names, January first (the same in bokmål and nynorsk): briefs write dates with
/// them ("23. november 2026") and `refs` reads laws cited by date ("lov 2. juli 1999 nr. 61").
pub(crate) const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

/// A Norwegian vowel, lowercase ("é" too: "idé", "armé").
pub(crate) fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'æ' | 'ø' | 'å' | 'é')
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "jf", "jfr", "f.eks", "bl.a", "t.d", "m.a", "m.m", "mv", "m.v", "nr", "st", "prop", "kap",
    "pkt", "ca", "dvs", "osv", "o.l", "ev", "evt", "inkl", "s", "tlf", "meld", "innst", "dok",
    "pr", "vedr", "ref", "etc", "mill", "mrd", "kr", "jan", "feb", "aug", "sep", "sept", "okt",
    "nov", "des", "hhv", "iflg", "ifm", "vs", "dr", "prof",
];

/// Byte ranges of the sentences of a text, verbatim: themes read where a mention stands,
/// search by meaning cuts a section into windows of sentences.
pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    static BOUNDARY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"[.!?…]+[»”\)]?\s+|\n\s*\n").expect("valid regex")
    });
    let mut spans = Vec::new();
    let mut start = 0;
    for boundary in BOUNDARY.find_iter(text) {
        let before = &text[start..boundary.start()];
        let last_word = before
            .rsplit(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("")
            .to_lowercase();
        let next = text[boundary.end()..].chars().next();
        let is_paragraph =
            boundary.as_str().contains("\n\n") || boundary.as_str().trim().is_empty();
        let abbreviation = ABBREVIATIONS.contains(&last_word.as_str())
            || (last_word.chars().count() == 1 && last_word.chars().all(char::is_alphabetic));
        // A sentence starts with a capital, a digit, a quote or a list mark.
        let starts_sentence = next.is_none_or(|c| {
            c.is_uppercase()
                || c.is_ascii_digit()
                || matches!(c, '«' | '"' | '(' | '–' | '-' | '•' | '§')
        });
        if is_paragraph || (!abbreviation && starts_sentence) {
            let end = boundary.start() + boundary.as_str().trim_end().len();
            if text[start..end].trim().len() > 1 {
                spans.push((start, end));
            }
            start = boundary.end();
        }
    }
    if text[start..].trim().len() > 1 {
        spans.push((start, text.trim_end().len().max(start)));
    }
    spans
}
