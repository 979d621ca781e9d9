//! Lenient reading of a typed reference, used by `canonicalize` when the
//! strict recogniser finds nothing: users leave out dots, colons, brackets
//! and the section sign, and type everything in lower case.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{laws, paragraph_number, session};

/// Session as typed: "(2020-2021)", "2020-21", "2020/2021", "2020 – 2021".
const SESSION: &str = r"(?: ?\(? ?(?P<y1>\d{4}) ?[-‐‑–—/] ?(?P<y2>\d{4}|\d{2}) ?\)?)?";

/// Paragraph as typed, lower case: "6-2", "2-1e", "2-1 e", "4a-2", "4".
const PARAGRAPH: &str = r"\d{1,3}(?: ?[a-f])?[-‐‑–]\d{1,3}(?: ?[a-h])?|\d{1,3}(?: ?[a-h])?";

/// A law name or abbreviation as typed; checked against the table after.
const LAW: &str = r"[\p{L}][\p{L} -]*?";

type Build = fn(&Captures) -> Option<String>;

static DOCUMENTS: LazyLock<Vec<(Regex, Build)>> = LazyLock::new(|| {
    let with_session =
        |body: &str| Regex::new(&format!("^{body}{SESSION}$")).expect("lenient pattern compiles");
    vec![
        (
            Regex::new(r"^nou ?(?P<y>\d{4}|\d{2})(?: ?[:/-] ?| )(?P<n>\d{1,3})$")
                .expect("lenient pattern compiles"),
            |c| Some(format!("NOU {}: {}", full_year(&c["y"]), &c["n"])),
        ),
        (with_session(r"prop ?(?P<n>\d{1,3}) ?(?P<l>ls|l|s)"), |c| {
            Some(format!("Prop. {} {}", &c["n"], c["l"].to_uppercase()))
        }),
        (
            with_session(r"(?P<t>ot|st) ?prp ?(?:nr ?)?(?P<n>\d{1,3})"),
            |c| {
                let t = if &c["t"] == "ot" { "Ot" } else { "St" };
                Some(format!("{t}.prp. nr. {}", &c["n"]))
            },
        ),
        (with_session(r"meld ?st ?(?P<n>\d{1,3})"), |c| {
            Some(format!("Meld. St. {}", &c["n"]))
        }),
        (
            with_session(r"(?:st ?meld|stortingsmelding) ?(?:nr ?)?(?P<n>\d{1,3})"),
            |c| Some(format!("St.meld. nr. {}", &c["n"])),
        ),
        (with_session(r"innst ?(?P<n>\d{1,4}) ?(?P<l>ls|l|s)"), |c| {
            Some(format!("Innst. {} {}", &c["n"], c["l"].to_uppercase()))
        }),
        (
            with_session(r"innst ?(?P<t>o|s) ?nr ?(?P<n>\d{1,4})"),
            |c| Some(format!("Innst. {}. nr. {}", c["t"].to_uppercase(), &c["n"])),
        ),
        (
            with_session(r"dok(?:ument)? ?8 ?[: ] ?(?P<n>\d{1,4}) ?(?P<l>ls|l|s)"),
            |c| Some(format!("Dokument 8:{} {}", &c["n"], c["l"].to_uppercase())),
        ),
    ]
});

/// A NOU year as typed: "2023", or "23" for 2023 (NOUs began in 1972: "98" is 1998).
fn full_year(typed: &str) -> String {
    match typed.parse::<u32>() {
        Ok(short) if typed.len() == 2 && short >= 72 => format!("19{typed}"),
        Ok(_) if typed.len() == 2 => format!("20{typed}"),
        _ => typed.to_string(),
    }
}

/// "§ 6-2 hol", "6-2 i helse- og omsorgstjenesteloven".
static PARAGRAPH_THEN_LAW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:§+ ?)?(?P<p>{PARAGRAPH}) (?:i )?(?P<law>{LAW})$"
    ))
    .expect("lenient pattern compiles")
});

/// "hol § 6-2", "hol 6-2", "hol§6-2".
static LAW_THEN_PARAGRAPH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(?P<law>{LAW}) ?(?:§+ ?)?(?P<p>{PARAGRAPH})$"))
        .expect("lenient pattern compiles")
});

/// "§ 6-2" alone.
static BARE_PARAGRAPH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^§+ ?(?P<p>{PARAGRAPH})$")).expect("lenient pattern compiles")
});

/// Lower case, dots to spaces, whitespace runs (line breaks, non-breaking
/// spaces) to one space. Colons, brackets and dashes are kept because they
/// separate numbers.
fn normalise(reference: &str) -> String {
    let lowered = reference.to_lowercase().replace('.', " ");
    let mut out = lowered.split_whitespace().collect::<Vec<_>>().join(" ");
    // Spaces around a dash or colon carry no meaning in a typed reference,
    // and removing them keeps the patterns above simple.
    for (from, to) in [(" - ", "-"), (" – ", "–"), (" : ", ":"), (" :", ":")] {
        out = out.replace(from, to);
    }
    out
}

pub(super) fn canonicalize(reference: &str) -> Option<String> {
    let typed = normalise(reference);
    if typed.is_empty() {
        return None;
    }
    for (regex, build) in DOCUMENTS.iter() {
        if let Some(caps) = regex.captures(&typed) {
            let mut canonical = build(&caps)?;
            if let (Some(y1), Some(y2)) = (caps.name("y1"), caps.name("y2")) {
                canonical.push(' ');
                canonical.push_str(&session(y1.as_str(), y2.as_str())?);
            }
            return Some(canonical);
        }
    }
    for regex in [&*PARAGRAPH_THEN_LAW, &*LAW_THEN_PARAGRAPH] {
        if let Some(caps) = regex.captures(&typed)
            && let Some(law) = laws::lookup(&caps["law"])
        {
            return Some(format!("{} § {}", law.name, typed_paragraph(&caps["p"])));
        }
    }
    if let Some(caps) = BARE_PARAGRAPH.captures(&typed) {
        return Some(format!("§ {}", typed_paragraph(&caps["p"])));
    }
    laws::lookup(&typed).map(|law| law.name.to_string())
}

/// Typed paragraphs are lower case; the chapter letter before the dash is a
/// capital in the canonical form ("4a-2" → "4A-2").
fn typed_paragraph(typed: &str) -> String {
    let restored = match typed.find(['-', '‐', '‑', '–']) {
        Some(dash) => format!("{}{}", typed[..dash].to_uppercase(), &typed[dash..]),
        None => typed.to_string(),
    };
    paragraph_number(&restored)
}
