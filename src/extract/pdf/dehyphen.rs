//! Joining the lines of a paragraph, with Norwegian-aware line-end de-hyphenation.

use std::collections::HashSet;

/// Words seen in the document (lower case), used as evidence for joining or keeping hyphens.
#[derive(Debug, Default)]
pub struct Vocab {
    words: HashSet<String>,
}

fn core(tok: &str) -> &str {
    tok.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-'))
}

impl Vocab {
    /// Build from line texts. Line-final fragments ending in a hyphen are not words.
    pub fn from_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vocab {
        let mut words = HashSet::new();
        for l in lines {
            let toks: Vec<&str> = l.split_whitespace().collect();
            for (k, t) in toks.iter().enumerate() {
                let c = core(t);
                if c.is_empty()
                    || (k + 1 == toks.len() && (t.ends_with('-') || t.ends_with('\u{00AD}')))
                {
                    continue;
                }
                if c.ends_with('-') {
                    continue;
                }
                words.insert(c.to_lowercase());
            }
        }
        Vocab { words }
    }

    pub fn contains(&self, w: &str) -> bool {
        self.words.contains(&w.to_lowercase())
    }
}

/// Words after a line-end hyphen that make it a suspended hyphen ("helse- og omsorg"). Not
/// French "et": in Norwegian it is the definite ending that a broken word leaves on the next
/// line ("arbeidsmiljø-" + "et").
const CONJ: &[&str] = &[
    "og", "eller", "samt", "og/eller", "eller/og", "enn", "and", "or", "und", "oder", "ou", "til",
    "&",
];

/// A word that makes a preceding line-end hyphen a suspended hyphen ("helse- og").
pub fn is_conjunction(word: &str) -> bool {
    let w = word.to_lowercase();
    CONJ.contains(&w.as_str()) || w.starts_with("og/") || w.starts_with("eller/")
}

/// How to join a line ending in a hyphen with the next line.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Joint {
    /// Remove the hyphen, no space ("omsorgs-" + "tjenester").
    Join,
    /// Keep the hyphen, no space ("Nord-" + "Norge").
    KeepHyphen,
    /// Keep the hyphen and a space ("helse-" + "og").
    KeepSpace,
}

/// Decide the joint between `prev` (a line ending in '-', '‐' or a soft hyphen) and `next`.
pub fn hyphen_joint(prev: &str, next: &str, vocab: &Vocab) -> Joint {
    let prev = prev.trim_end();
    let soft = prev.ends_with('\u{00AD}');
    let last_tok = prev.split_whitespace().last().unwrap_or("");
    let frag = last_tok.trim_end_matches(['-', '\u{2010}', '\u{00AD}']);
    let frag_core = frag.trim_start_matches(|c: char| !c.is_alphanumeric());
    let next = next.trim_start();
    let next_tok = next.split_whitespace().next().unwrap_or("");
    if frag_core.is_empty() || next_tok.is_empty() {
        return Joint::KeepSpace;
    }
    let next_core = next_tok.trim_end_matches(|c: char| !c.is_alphanumeric());
    let next_lc = next_core.to_lowercase();
    if next_tok.starts_with([',', ';', ')']) {
        return Joint::KeepHyphen;
    }
    if CONJ.contains(&next_lc.as_str())
        || next_lc.starts_with("og/")
        || next_lc.starts_with("eller/")
    {
        return Joint::KeepSpace;
    }
    if soft {
        return Joint::Join;
    }
    let first = next_core.chars().next().unwrap_or('a');
    if first.is_uppercase() || first.is_ascii_digit() {
        return Joint::KeepHyphen;
    }
    let frag_letters: Vec<char> = frag_core.chars().collect();
    if frag_letters.iter().all(|c| c.is_ascii_digit())
        || frag_letters.len() == 1
        || (frag_letters.len() >= 2
            && frag_letters
                .iter()
                .all(|c| c.is_uppercase() || c.is_ascii_digit()))
    {
        return Joint::KeepHyphen;
    }
    let hyph = format!("{frag_core}-{next_core}");
    let joined = format!("{frag_core}{next_core}");
    // A hyphenated word may itself continue ("covid-19-pandemien"), so test prefixes too.
    if vocab.contains(&hyph) {
        return Joint::KeepHyphen;
    }
    if vocab.contains(&joined) {
        return Joint::Join;
    }
    // Compounds whose first part is itself a hyphenated word ("e-helse-" + "løsninger").
    if frag_core.contains('-') && vocab.contains(frag_core) {
        return Joint::Join;
    }
    Joint::Join
}

fn ends_with_hyphen(s: &str) -> bool {
    let t = s.trim_end();
    if !(t.ends_with('-') || t.ends_with('\u{2010}') || t.ends_with('\u{00AD}')) {
        return false;
    }
    // "text -" is a dash, not a hyphen; "--" likewise.
    let mut it = t.chars().rev();
    it.next();
    matches!(it.next(), Some(c) if c.is_alphanumeric())
}

/// Join the lines of one paragraph into a single string.
pub fn join_lines(lines: &[&str], vocab: &Vocab) -> String {
    let mut out = String::new();
    for l in lines {
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        if out.is_empty() {
            out.push_str(l);
            continue;
        }
        if ends_with_hyphen(&out) {
            let joint = hyphen_joint(&out, l, vocab);
            match joint {
                Joint::Join => {
                    while out.ends_with(['-', '\u{2010}', '\u{00AD}']) {
                        out.pop();
                    }
                }
                Joint::KeepHyphen => {
                    if out.ends_with('\u{00AD}') {
                        out.pop();
                        out.push('-');
                    }
                }
                Joint::KeepSpace => {
                    if out.ends_with('\u{00AD}') {
                        out.pop();
                        out.push('-');
                    }
                    out.push(' ');
                }
            }
        } else if out.ends_with(['–', '—', '/'])
            && !out.ends_with(" –")
            && !out.ends_with(" —")
            && !out.ends_with(" /")
        {
            // "2098–" + "2099", "og/" + "eller": no space.
        } else {
            out.push(' ');
        }
        out.push_str(l);
    }
    out.retain(|c| c != '\u{00AD}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lines: &[&str]) -> Vocab {
        Vocab::from_lines(lines.iter().copied())
    }

    #[test]
    fn plain_hyphenation_is_joined() {
        let vo = v(&[]);
        assert_eq!(
            join_lines(&["gode omsorgs-", "tjenester i kommunene"], &vo),
            "gode omsorgstjenester i kommunene"
        );
    }

    #[test]
    fn suspended_hyphen_kept() {
        let vo = v(&[]);
        assert_eq!(
            join_lines(&["helse-", "og omsorgstjenesteloven"], &vo),
            "helse- og omsorgstjenesteloven"
        );
        assert_eq!(
            join_lines(&["kommune-", "eller fylkesnivå"], &vo),
            "kommune- eller fylkesnivå"
        );
        assert_eq!(
            join_lines(&["stat-", "samt kommune"], &vo),
            "stat- samt kommune"
        );
        assert_eq!(
            join_lines(&["helse-", "og/eller sosialtjenester"], &vo),
            "helse- og/eller sosialtjenester"
        );
        assert_eq!(
            join_lines(&["Pasient-", "og brukerrettighetsloven"], &vo),
            "Pasient- og brukerrettighetsloven"
        );
        assert_eq!(
            join_lines(&["helse-", ", omsorgs- og"], &vo),
            "helse-, omsorgs- og"
        );
    }

    #[test]
    fn compound_hyphens_kept() {
        let vo = v(&["ALIS-avtaler er nye", "e-helse er viktig", "covid-19 var"]);
        assert_eq!(join_lines(&["i Nord-", "Norge"], &vo), "i Nord-Norge");
        assert_eq!(
            join_lines(&["nye ALIS-", "avtaler"], &vo),
            "nye ALIS-avtaler"
        );
        assert_eq!(
            join_lines(&["satsing på e-", "helse"], &vo),
            "satsing på e-helse"
        );
        assert_eq!(join_lines(&["under covid-", "19"], &vo), "under covid-19");
        assert_eq!(join_lines(&["§ 3-", "1 sier"], &vo), "§ 3-1 sier");
    }

    #[test]
    fn vocabulary_decides() {
        let vo = v(&["helse-tjenesten er", "samhandlingsreformen ble"]);
        assert_eq!(
            join_lines(&["hele helse-", "tjenesten"], &vo),
            "hele helse-tjenesten"
        );
        assert_eq!(
            join_lines(&["samhandlings-", "reformen"], &vo),
            "samhandlingsreformen"
        );
    }

    #[test]
    fn dashes_and_soft_hyphens() {
        let vo = v(&[]);
        assert_eq!(
            join_lines(&["Prop. 999 L (2098–", "2099)"], &vo),
            "Prop. 999 L (2098–2099)"
        );
        assert_eq!(join_lines(&["dette -", "og mer"], &vo), "dette - og mer");
        assert_eq!(
            join_lines(&["legevakt\u{00AD}", "ordningen"], &vo),
            "legevaktordningen"
        );
        assert_eq!(join_lines(&["fast\u{00AD}lege"], &vo), "fastlege");
    }
}
