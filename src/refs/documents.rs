//! Parliamentary and government documents: NOU, Prop., Ot.prp./St.prp.,
//! Meld. St., St.meld., Innst. and Dokument 8, with optional session and
//! optional chapter ("kapittel 6 i NOU 2023: 8", "NOU 2023: 8 kapittel 6").

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{Candidate, Citation, RefKind, citation, session};

/// Chapter number: "6", "6.2", "6.2.1"; law chapters may carry a capital
/// letter ("4A").
pub(super) const CHAPTER: &str = r"\d{1,2}[A-F]?(?:\.\d{1,2}){0,3}";

/// Words introducing a chapter.
pub(super) const CHAPTER_WORD: &str = r"(?i:kapittel|kapitel|kap\.)";

/// The optional session after a document number: "(2020–2021)",
/// "(2020-21)", "(2020/2021)", spaces and line breaks allowed inside.
const SESSION: &str = r"(?P<sess>\s*\(\s*(?P<y1>\d{4})\s*[-‐‑–—/]\s*(?P<y2>\d{4}|\d{2})\s*\))?";

/// How the canonical form (without session) is built from a match.
type Canonical = fn(&Captures) -> Option<String>;

struct DocumentPattern {
    kind: RefKind,
    regex: Regex,
    canonical: Canonical,
}

/// Wraps a document body in the optional chapter prefix, session and
/// chapter suffix every document form shares.
fn pattern(kind: RefKind, body: &str, with_session: bool, canonical: Canonical) -> DocumentPattern {
    let session = if with_session { SESSION } else { "" };
    let source = format!(
        r"(?:{CHAPTER_WORD}\s*(?P<chap1>{CHAPTER})\s+i\s+)?(?P<body>{body}){session}(?P<suf>,?\s*{CHAPTER_WORD}\s*(?P<chap2>{CHAPTER})(?-u:\b))?"
    );
    DocumentPattern {
        kind,
        regex: Regex::new(&source).expect("document pattern compiles"),
        canonical,
    }
}

static PATTERNS: LazyLock<Vec<DocumentPattern>> = LazyLock::new(|| {
    vec![
        pattern(
            RefKind::Nou,
            r"(?-u:\b)NOU\s*(?P<year>\d{4})\s*:\s*(?P<n>\d{1,3})(?-u:\b)",
            false,
            |c| {
                // The series started in 1972; a "NOU 1066: 4" is noise.
                let year: u32 = c["year"].parse().ok()?;
                (1972..2100)
                    .contains(&year)
                    .then(|| format!("NOU {}: {}", &c["year"], number(&c["n"])))
            },
        ),
        pattern(
            RefKind::Prop,
            r"(?-u:\b)[Pp]rop\.\s*(?P<n>\d{1,3})\s*(?P<l>LS|L|S)(?-u:\b)(?:\s+[Tt]illegg\s+(?:nr\.\s*)?(?P<till>\d{1,2})(?-u:\b))?",
            true,
            |c| {
                let mut canonical = format!("Prop. {} {}", number(&c["n"]), &c["l"]);
                if let Some(supplement) = c.name("till") {
                    canonical.push_str(&format!(" Tillegg {}", number(supplement.as_str())));
                }
                Some(canonical)
            },
        ),
        pattern(
            RefKind::Prop,
            r"(?-u:\b)(?P<t>Ot|St)\.\s*prp\.\s*nr\.\s*(?P<n>\d{1,3})(?-u:\b)(?:\s+[Tt]illegg\s+(?:nr\.\s*)?(?P<till>\d{1,2})(?-u:\b))?",
            true,
            // "St.prp. nr. 1 Tillegg nr. 4 (2004–2005)": a supplement is a document of its own.
            |c| {
                let mut canonical = format!("{}.prp. nr. {}", &c["t"], number(&c["n"]));
                if let Some(supplement) = c.name("till") {
                    canonical.push_str(&format!(" Tillegg nr. {}", number(supplement.as_str())));
                }
                Some(canonical)
            },
        ),
        pattern(
            RefKind::Meld,
            r"(?-u:\b)Meld\.\s*St\.\s*(?P<n>\d{1,3})(?-u:\b)",
            true,
            |c| Some(format!("Meld. St. {}", number(&c["n"]))),
        ),
        pattern(
            RefKind::StMeld,
            r"(?-u:\b)(?:St\.\s*meld\.?|[Ss]tortingsmelding)\s*nr\.?\s*(?P<n>\d{1,3})(?-u:\b)",
            true,
            |c| Some(format!("St.meld. nr. {}", number(&c["n"]))),
        ),
        pattern(
            RefKind::Innst,
            r"(?-u:\b)Innst\.\s*(?P<n>\d{1,4})\s*(?P<l>LS|L|S)(?-u:\b)",
            true,
            |c| Some(format!("Innst. {} {}", number(&c["n"]), &c["l"])),
        ),
        pattern(
            RefKind::Innst,
            r"(?-u:\b)Innst\.\s*(?P<t>O|S)\.\s*nr\.\s*(?P<n>\d{1,4})(?-u:\b)",
            true,
            |c| Some(format!("Innst. {}. nr. {}", &c["t"], number(&c["n"]))),
        ),
        pattern(
            RefKind::Dokument8,
            r"(?-u:\b)(?:Dokument|Dok\.)\s*8\s*:\s*(?P<n>\d{1,4})\s*(?P<l>LS|L|S)(?-u:\b)",
            true,
            |c| Some(format!("Dokument 8:{} {}", number(&c["n"]), &c["l"])),
        ),
        // Before 2009: "Dokument nr. 8:60 (2008–2009)", no L/S letter.
        pattern(
            RefKind::Dokument8,
            r"(?-u:\b)(?:Dokument|Dok\.)\s+nr\.\s*8\s*:\s*(?P<n>\d{1,4})(?-u:\b)",
            true,
            |c| Some(format!("Dokument nr. 8:{}", number(&c["n"]))),
        ),
    ]
});

/// "007" is written by nobody, but OCR and PDF extraction sometimes pad.
fn number(digits: &str) -> &str {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() { digits } else { trimmed }
}

/// A chapter suffix directly followed by " i " is really the prefix of the
/// next citation: in "NOU 2023: 4, kapittel 5 i Meld. St. 9" chapter 5
/// belongs to the white paper.
static NEXT_IS_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+i\s").expect("prefix check compiles"));

pub(super) fn collect(text: &str, out: &mut Vec<Candidate>) {
    for pattern in PATTERNS.iter() {
        for caps in pattern.regex.captures_iter(text) {
            if let Some(found) = document_citation(text, pattern, &caps) {
                out.push(Candidate {
                    start: found.start,
                    end: found.end,
                    citations: vec![found],
                });
            }
        }
    }
}

fn document_citation(text: &str, pattern: &DocumentPattern, caps: &Captures) -> Option<Citation> {
    let whole = caps.get(0)?;
    let body = caps.name("body")?;
    let mut canonical = (pattern.canonical)(caps)?;
    let mut end = body.end();

    let session_ok = match caps.name("sess") {
        Some(sess) => match session(&caps["y1"], &caps["y2"]) {
            Some(normalised) => {
                canonical.push(' ');
                canonical.push_str(&normalised);
                end = sess.end();
                true
            }
            None => false,
        },
        None => true,
    };

    let mut chapter = caps.name("chap1").map(|m| m.as_str().to_string());
    // A suffix chapter counts only when there is no prefix chapter (with
    // both, the suffix is left alone rather than guessing which one the
    // author meant) and the session before it was accepted.
    if let Some(suffix) = caps.name("suf")
        && session_ok
        && chapter.is_none()
        && !NEXT_IS_PREFIX.is_match(&text[suffix.end()..])
    {
        chapter = Some(caps["chap2"].to_string());
        end = suffix.end();
    }
    Some(citation(
        text,
        pattern.kind,
        canonical.clone(),
        canonical,
        chapter,
        whole.start(),
        end,
    ))
}
