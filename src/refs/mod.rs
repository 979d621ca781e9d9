//! Recognises citations of Norwegian public documents in running text:
//! NOU, Prop. (and the older Ot.prp./St.prp.), Meld. St., St.meld.,
//! Innst., Dokument 8 and paragraphs of the health-sector laws.
//!
//! `find_citations` is strict: it reports only forms an expert reader would
//! take as a citation without looking further (a bare "§ 6-2" is not one,
//! because the law is unknown). `canonicalize` is lenient: it reads what a
//! user types into a search box ("nou 2023 4", "§ 6-2 hol") and returns the
//! canonical form used in the index.

mod bare;
mod documents;
pub mod laws;
mod layout;
mod lenient;
pub mod links;
mod paragraphs;
mod regulations;
pub mod statutes;

use serde::{Deserialize, Serialize};

/// The kind of document a citation points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    /// Norges offentlige utredninger: "NOU 2023: 4".
    Nou,
    /// Proposisjon til Stortinget ("Prop. 102 L (2020–2021)"), and the older
    /// "Ot.prp. nr." / "St.prp. nr." it replaced in 2009.
    Prop,
    /// Melding til Stortinget: "Meld. St. 7 (2019–2020)".
    Meld,
    /// Stortingsmelding, the form before 2009: "St.meld. nr. 47 (2008–2009)".
    StMeld,
    /// Innstilling from a standing committee: "Innst. 123 L (2020–2021)".
    Innst,
    /// Representative proposal: "Dokument 8:60 S (2016–2017)".
    Dokument8,
    /// A law, or a paragraph of it: "helsepersonelloven § 4".
    Law,
    /// A regulation (forskrift), or a paragraph of it: "fastlegeforskriften § 20",
    /// "FOR-2012-08-29-842".
    Regulation,
}

impl RefKind {
    /// Every kind, in declaration order (for reports).
    pub const ALL: [RefKind; 8] = [
        RefKind::Nou,
        RefKind::Prop,
        RefKind::Meld,
        RefKind::StMeld,
        RefKind::Innst,
        RefKind::Dokument8,
        RefKind::Law,
        RefKind::Regulation,
    ];

    /// The serde name, e.g. "stmeld".
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Nou => "nou",
            RefKind::Prop => "prop",
            RefKind::Meld => "meld",
            RefKind::StMeld => "stmeld",
            RefKind::Innst => "innst",
            RefKind::Dokument8 => "dokument8",
            RefKind::Law => "law",
            RefKind::Regulation => "regulation",
        }
    }
}

/// One citation found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub kind: RefKind,
    /// Canonical form: "NOU 2023: 4", "Prop. 102 L (2020–2021)",
    /// "helse- og omsorgstjenesteloven § 6-2". Chapter detail is not part of it.
    pub canonical: String,
    /// The cited document without chapter or paragraph: "NOU 2023: 8",
    /// "helse- og omsorgstjenesteloven".
    pub document: String,
    /// Chapter, when written with the citation: "6" or "6.2".
    pub chapter: Option<String>,
    /// The text exactly as written (may contain line breaks).
    pub written: String,
    /// Byte range of `written` in the input.
    pub start: usize,
    pub end: usize,
}

/// A match from one recogniser before overlaps are resolved. One match may
/// yield several citations ("§§ 6-1 og 6-2" gives two), which is why the
/// unit of conflict resolution is the whole group, not each citation.
#[derive(Debug)]
struct Candidate {
    start: usize,
    end: usize,
    citations: Vec<Citation>,
}

/// Finds all citations in `text`, in order of appearance, without overlaps.
pub fn find_citations(text: &str) -> Vec<Citation> {
    find_citations_in(text, None)
}

/// As [`find_citations`], for a text that is part of a law or regulation (a Lovdata law page):
/// `document` is that statute, as written or canonical ("husleieloven", "LOV-1999-03-26-17").
/// A bare "§ 2-3" in it with no other law in force belongs to it (see [`in_force`]).
pub fn find_citations_in(text: &str, document: Option<&str>) -> Vec<Citation> {
    let document = document
        .and_then(statutes::resolve)
        .map(|s| (s.kind, s.name));
    let view = layout::View::new(text);
    let mut candidates = Vec::new();
    documents::collect(&view.text, &mut candidates);
    paragraphs::collect(&view.text, &mut candidates);
    regulations::collect(&view.text, &mut candidates);

    // Leftmost first, and at the same start the longest: a chapter prefix
    // or a law name followed by "§ 6-2" beats the shorter bare match.
    candidates.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
    let mut out = Vec::new();
    let mut taken = Vec::new();
    // An amending act's own title names the laws it changes, but does not cite them.
    let mut taken_until = own_amending_title(&view.text).unwrap_or(0);
    let headings = amending_headings(&view.text);
    for candidate in candidates {
        if candidate.start < taken_until
            || candidate.citations.is_empty()
            || headings
                .iter()
                .any(|&(s, e)| s <= candidate.start && candidate.start < e)
        {
            continue;
        }
        taken_until = candidate.end;
        taken.push((candidate.start, candidate.end));
        out.extend(candidate.citations);
    }
    in_force(&view.text, &taken, document, &mut out);
    // Spans were found in the view; point them into the original text.
    for c in &mut out {
        let (start, end) = view.original_range(c.start, c.end);
        c.start = start;
        c.end = end;
        c.written = one_line(&text[start..end]);
    }
    out
}

/// The end of an amending act's own title, when the text opens with it: a first line "Lov om
/// endringer i spesialisthelsetjenesteloven og helse- og omsorgstjenesteloven (…)" (nynorsk
/// "Lov om endringar i …", Lovdata's "Endringslov til …"). Anywhere else — the list "Endringer i
/// følgende lover", a proposition's "Forslag til lov om endringer i …", a later line — the
/// laws named in such a title are citations of them.
fn own_amending_title(text: &str) -> Option<usize> {
    static TITLE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^\s*(?:(?i:lov)\s+om\s+endring(?:er|ar)\s+i(?-u:\b)|Endringslov\s+til(?-u:\b))[^\n]*",
        )
        .expect("amending title compiles")
    });
    TITLE.find(text).map(|m| m.end())
}

/// Title lines of an amending act inside a proposition: its title "Endringer i helse- og
/// omsorgstjenesteloven mv. (…)" and the heading of the proposed act, "4 Forslag til lov om
/// endringer i helse- og omsorgstjenesteloven mv.". They name the act proposed, not the laws
/// it changes (which the act's parts "I lov … gjøres følgende endringer:" cite). A line
/// counts as such a title when it stands alone (after a blank line or at the start) and has
/// no colon ("Endringer i følgende lover:" introduces a list of citations).
fn amending_headings(text: &str) -> Vec<(usize, usize)> {
    static HEADING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?m)^[^\S\n]*(?:\d+(?:\.\d+)*\.?[^\S\n]+)?(?:(?i:forslag)\s+til\s+(?i:lov)\s+om\s+endring(?:er|ar)|Endring(?:er|ar))\s+i\s[^\n:]*$",
        )
        .expect("amending heading compiles")
    });
    HEADING
        .find_iter(text)
        .filter(|m| {
            let alone_before = {
                let before = text[..m.start()].trim_end_matches([' ', '\t']);
                before.trim().is_empty() || before.ends_with("\n\n")
            };
            let alone_after = {
                let after = text[m.end()..].trim_start_matches([' ', '\t']);
                after.trim().is_empty() || after.starts_with("\n\n") || after.starts_with("\n\r\n")
            };
            // A sentence ("Endringer i loven ble vedtatt i 2024.") has a full stop of its own.
            let line = ["mv.", "m.m.", "m.v.", "nr."].iter().fold(
                m.as_str()
                    .trim_start_matches(|c: char| {
                        c.is_ascii_digit() || c == '.' || c.is_whitespace()
                    })
                    .to_string(),
                |l, abbreviation| l.replace(abbreviation, ""),
            );
            alone_before && alone_after && !line.contains('.')
        })
        .map(|m| (m.start(), m.end()))
        .collect()
}

/// Paragraphs written without their law ("jf. § 3-2") belong to the law in force in the
/// passage, the first of:
/// 1. "i loven her", "i denne lova": the law the current part amends, else the document's law;
/// 2. the nearest law named before it in the same sentence;
/// 3. a law cited earlier in the same paragraph with the same paragraph number
///    ("helsetilsynsloven §§ 8 og 9. … etter § 9");
/// 4. the law the current part of an amending act changes ("I lov … gjøres følgende
///    endringer:", "I helse- og omsorgstenestelova vert det gjort desse endringane:");
/// 5. the law or regulation the text is part of (`document`: a Lovdata law page);
/// 6. the law cited last before it.
///
/// A candidate whose paragraph numbering does not fit is passed over: a law numbered in
/// chapters ("§ 10-1") has no "§ 21" (see [`numbering_fits`]). With no candidate left, a bare
/// paragraph is no citation.
fn in_force(
    text: &str,
    taken: &[(usize, usize)],
    document: Option<(RefKind, String)>,
    out: &mut Vec<Citation>,
) {
    let amended = bare::amended_laws(text);
    // Where each paragraph of the text starts (after a blank line), found once: a run's
    // paragraph is looked up, not scanned for, however far back its citations are.
    static BLANK_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\n[^\S\n]*\n").expect("blank line pattern compiles")
    });
    let paragraph_starts: Vec<usize> = BLANK_LINE.find_iter(text).map(|m| m.end()).collect();
    let mut added = Vec::new();
    for run in bare::bare_runs(text) {
        if taken.iter().any(|&(s, e)| run.start < e && s < run.end) {
            continue;
        }
        let numbers: Vec<&str> = run.items.iter().map(|(_, _, n)| n.as_str()).collect();
        let part = amended
            .iter()
            .filter(|(at, _)| *at < run.start)
            .max_by_key(|(at, _)| *at)
            .map(|(_, statute)| (statute.kind, statute.name.clone()))
            .filter(|(_, name)| numbering_fits(name, &numbers, out));
        // The laws and regulations cited before the run, nearest first. `out` is in text order
        // and its spans do not overlap, so the nearest is the last one starting before the run.
        // What lies between a citation and the run only grows going back, so the first one found
        // with a sentence break (or blank line) before the run ends the search: each run costs
        // the text back to its nearest citations, not the whole text before it.
        let upto = out.partition_point(|c| c.start < run.start);
        let statutes_before = || {
            out[..upto].iter().rev().filter(|c| {
                matches!(c.kind, RefKind::Law | RefKind::Regulation) && c.end <= run.start
            })
        };
        let pick = |c: &Citation| (c.kind, c.document.clone());
        // A law numbered in chapters ("§ 10-1") has no "§ 21", and one numbered plainly no
        // "§ 6-2": the law in force is the nearest one whose numbering fits the run.
        let fits = |document: &str| numbering_fits(document, &numbers, out);
        let nearest = statutes_before().find(|c| fits(&c.document));
        let last = nearest.map(pick);
        // The same sentence: a law named in it governs its bare paragraphs.
        let same_sentence = nearest
            .filter(|c| !has_sentence_break(&text[c.end..run.start]))
            .map(pick);
        // "helsetilsynsloven §§ 8 og 9. … etter § 9": a number repeated from a law's citation
        // earlier in the paragraph is that paragraph again.
        let paragraph_start = paragraph_starts
            [..paragraph_starts.partition_point(|&at| at <= run.start)]
            .last()
            .copied()
            .unwrap_or(0);
        let repeated = statutes_before()
            .take_while(|c| c.end >= paragraph_start)
            .find(|c| {
                run.items
                    .iter()
                    .any(|(_, _, n)| c.canonical.ends_with(&format!(" § {n}")))
            })
            .map(pick);
        let own = document
            .clone()
            .filter(|(_, name)| numbering_fits(name, &numbers, out));
        let statute = if run.here {
            part.or(own).or(last)
        } else {
            same_sentence.or(repeated).or(part).or(own).or(last)
        };
        let Some((kind, document)) = statute else {
            continue;
        };
        for (start, end, number) in run.items {
            added.push(citation(
                text,
                kind,
                format!("{document} § {number}"),
                document.clone(),
                None,
                start,
                end,
            ));
        }
    }
    if !added.is_empty() {
        out.extend(added);
        out.sort_by_key(|c| c.start);
    }
}

/// Whether paragraphs numbered as `numbers` can belong to `document`: by the law table's
/// numbering for a known act, else by how the text itself cites that document's paragraphs
/// (all with a chapter, or all without); a document cited only as a whole fits anything.
fn numbering_fits(document: &str, numbers: &[&str], found: &[Citation]) -> bool {
    let numbering = match laws::LAWS.iter().find(|l| l.name == document) {
        Some(law) if law.numbering != laws::Numbering::Unknown => law.numbering,
        _ => {
            let prefix = format!("{document} § ");
            let mut cited = found
                .iter()
                .filter_map(|c| c.canonical.strip_prefix(prefix.as_str()))
                .peekable();
            if cited.peek().is_none() {
                return true;
            }
            let chaptered: Vec<bool> = cited.map(|p| p.contains('-')).collect();
            if chaptered.iter().all(|&c| c) {
                laws::Numbering::Chapters
            } else if chaptered.iter().all(|&c| !c) {
                laws::Numbering::Plain
            } else {
                laws::Numbering::Unknown
            }
        }
    };
    numbers.iter().all(|n| numbering.fits(n))
}

/// A sentence ends between: a full stop, question or exclamation mark, or colon, then a
/// line break or a capital letter ("nr. 56 om" and "m.m. gjøres" do not end one).
fn has_sentence_break(between: &str) -> bool {
    static BREAK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"[.!?:](?:\s*\n|\s+\p{Lu})").expect("sentence break compiles")
    });
    BREAK.is_match(between) || between.contains('\n')
}

/// The text as a reader sees it: whitespace runs (line breaks, non-breaking spaces) as one
/// space.
fn one_line(written: &str) -> String {
    written.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Canonical form of the single citation in a typed reference, for search:
/// "nou 2023 4" → "NOU 2023: 4", "prop 102 l" → "Prop. 102 L",
/// "§ 6-2 hol" → "helse- og omsorgstjenesteloven § 6-2". A bare paragraph
/// ("§ 6-2") gives "§ 6-2", so a search can match it in any law. `None`
/// when the text holds no citation or more than one.
pub fn canonicalize(reference: &str) -> Option<String> {
    let found = find_citations(reference);
    match found.as_slice() {
        [one] => Some(one.canonical.clone()),
        [] => lenient::canonicalize(reference),
        _ => None,
    }
}

/// Builds a citation for `text[start..end]`.
fn citation(
    text: &str,
    kind: RefKind,
    canonical: String,
    document: String,
    chapter: Option<String>,
    start: usize,
    end: usize,
) -> Citation {
    Citation {
        kind,
        canonical,
        document,
        chapter,
        written: text[start..end].to_string(),
        start,
        end,
    }
}

/// Normalises a parliamentary session to "(2020–2021)". The second year may
/// be written with two digits ("2020-21"); sessions always span two
/// consecutive years, so anything else is not read as a session.
fn session(first: &str, second: &str) -> Option<String> {
    let first: u32 = first.parse().ok()?;
    let mut second_year: u32 = second.parse().ok()?;
    if second.len() == 2 {
        second_year += first - first % 100;
        if second_year < first {
            second_year += 100; // "(1999–00)"
        }
    }
    (second_year == first + 1 && (1900..2100).contains(&first))
        .then(|| format!("({first}–{second_year})"))
}

/// Normalises a paragraph number as written ("6 - 2", "2-1e", "4 A-2") to
/// the form used by Lovdata: "6-2", "2-1 e", "4A-2".
fn paragraph_number(written: &str) -> String {
    let compact: String = written
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if matches!(c, '‐' | '‑' | '–' | '—') {
                '-'
            } else {
                c
            }
        })
        .collect();
    match compact.chars().last() {
        Some(last) if last.is_ascii_lowercase() => {
            let number = &compact[..compact.len() - 1];
            format!("{number} {last}")
        }
        _ => compact,
    }
}

#[cfg(test)]
mod tests;
