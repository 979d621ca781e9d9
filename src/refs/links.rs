//! From citations to a document graph: which tracked source each citation points to (through
//! the sources' `cites_as`), which cited documents are not tracked yet, and a Graphviz view.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Citation, RefKind, canonicalize, find_citations, find_citations_in};

/// A section to read citations from.
pub struct SectionText<'a> {
    pub source: &'a str,
    pub section: String,
    pub heading: Option<&'a str>,
    pub page: u64,
    pub text: &'a str,
}

impl<'a> SectionText<'a> {
    /// An indexed section, labelled as everywhere else (number, else heading).
    pub fn of(section: &'a crate::index::IndexedSection) -> SectionText<'a> {
        SectionText {
            source: &section.source,
            section: section.label(),
            heading: section.heading.as_deref(),
            page: section.page_start,
            text: &section.text,
        }
    }
}

/// One citation, where it stands and what it points to.
#[derive(Debug, Clone, Serialize)]
pub struct CitationRecord {
    pub source: String,
    pub section: String,
    pub heading: Option<String>,
    pub page: u64,
    pub kind: RefKind,
    pub written: String,
    pub canonical: String,
    pub document: String,
    pub chapter: Option<String>,
    /// The tracked source the citation points to, if any.
    pub target: Option<String>,
}

/// A cited document that no source tracks: a candidate to add to sources.toml.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub document: String,
    pub kind: RefKind,
    pub count: usize,
    /// Where it is cited: "source section".
    pub cited_in: Vec<String>,
}

/// Maps canonical document references to tracked source ids.
pub struct Linker {
    by_reference: BTreeMap<String, String>,
    /// Per source, the documents it is itself (from a title that starts with its own
    /// number: "NOU 2023: 4 Tid for handling"): never a citation when that source names them.
    own: BTreeMap<String, BTreeSet<String>>,
}

impl Linker {
    /// `sources`: (id, cites_as) pairs.
    pub fn new<'a>(sources: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Linker {
        let mut by_reference = BTreeMap::new();
        for (id, cites_as) in sources {
            let Some(cites_as) = cites_as else { continue };
            let key = canonicalize(cites_as).unwrap_or_else(|| cites_as.trim().to_string());
            by_reference.insert(key, id.to_string());
        }
        Linker {
            by_reference,
            own: BTreeMap::new(),
        }
    }

    /// The linker for a configuration's sources: their `cites_as`, and their own identity from
    /// their titles (the one place `refs`, `sources suggest` and the site build it).
    pub fn for_sources(sources: &[crate::config::Source]) -> Linker {
        Linker::new(
            sources
                .iter()
                .map(|s| (s.id.as_str(), s.cites_as.as_deref())),
        )
        .with_titles(sources.iter().map(|s| (s.id.as_str(), s.title.as_str())))
    }

    /// Adds what each source is by its title: a title that opens with a citation ("Prop. 58
    /// L (2028–2029) Endringer i …") names the document itself, so the source's own number on
    /// its title page or in its running header is not a citation. `sources`: (id, title).
    pub fn with_titles<'a>(
        mut self,
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Linker {
        for (id, title) in sources {
            let trimmed = title.trim_start();
            if let Some(first) = find_citations(trimmed).into_iter().next()
                && first.start == 0
            {
                self.own
                    .entry(id.to_string())
                    .or_default()
                    .insert(first.document);
            }
        }
        self
    }

    /// Whether `citation`, found in `source`, names that source itself.
    pub fn is_own(&self, source: &str, citation: &Citation) -> bool {
        self.target(citation) == Some(source)
            || self
                .own
                .get(source)
                .is_some_and(|own| own.iter().any(|o| same_document(o, &citation.document)))
            || self
                .by_reference
                .iter()
                .any(|(reference, id)| id == source && same_document(reference, &citation.document))
    }

    /// The law or regulation a source is (a Lovdata law page: `cites_as = "husleieloven"`, or a
    /// title "Lov om husleieavtaler (husleieloven)"): its bare paragraphs belong to it.
    pub fn own_statute(&self, source: &str) -> Option<&str> {
        let statute = |document: &&String| {
            find_citations(document)
                .first()
                .is_some_and(|c| matches!(c.kind, RefKind::Law | RefKind::Regulation))
        };
        self.by_reference
            .iter()
            .filter(|(_, id)| id.as_str() == source)
            .map(|(reference, _)| reference)
            .find(statute)
            .or_else(|| {
                self.own
                    .get(source)
                    .and_then(|own| own.iter().find(statute))
            })
            .map(String::as_str)
    }

    pub fn target(&self, citation: &Citation) -> Option<&str> {
        self.by_reference
            .get(&citation.document)
            .or_else(|| self.by_reference.get(&citation.canonical))
            .map(String::as_str)
    }
}

/// Whether two canonical documents are the same, one of them perhaps written without its
/// session: inside "Prop. 8 S (2021–2022)" itself, "Prop. 8 S" is the document itself.
pub fn same_document(a: &str, b: &str) -> bool {
    let bare = |s: &str| -> String {
        match s.rsplit_once(" (") {
            Some((head, tail))
                if tail.ends_with(')')
                    && tail.chars().next().is_some_and(|c| c.is_ascii_digit()) =>
            {
                head.to_string()
            }
            _ => s.to_string(),
        }
    };
    a == b || (bare(a) == bare(b) && (bare(a) == a || bare(b) == b))
}

/// Every citation in the given sections, linked; a source citing itself is left out.
pub fn collect<'a>(
    sections: impl IntoIterator<Item = SectionText<'a>>,
    linker: &Linker,
) -> Vec<CitationRecord> {
    let mut records = Vec::new();
    for section in sections {
        let parts = section
            .heading
            .into_iter()
            .chain(std::iter::once(section.text));
        let own_statute = linker.own_statute(section.source);
        for part in parts {
            for citation in find_citations_in(part, own_statute) {
                if linker.is_own(section.source, &citation) {
                    continue;
                }
                let target = linker.target(&citation).map(str::to_string);
                records.push(CitationRecord {
                    source: section.source.to_string(),
                    section: section.section.clone(),
                    heading: section.heading.map(str::to_string),
                    page: section.page,
                    kind: citation.kind,
                    written: citation.written,
                    canonical: citation.canonical,
                    document: citation.document,
                    chapter: citation.chapter,
                    target,
                });
            }
        }
    }
    records
}

/// Cited documents that are not tracked, most cited first.
pub fn candidates(records: &[CitationRecord]) -> Vec<Candidate> {
    let mut by_document: BTreeMap<&str, (RefKind, Vec<String>)> = BTreeMap::new();
    for record in records.iter().filter(|r| r.target.is_none()) {
        by_document
            .entry(&record.document)
            .or_insert_with(|| (record.kind, Vec::new()))
            .1
            .push(format!("{} {}", record.source, record.section));
    }
    let mut candidates: Vec<Candidate> = by_document
        .into_iter()
        .map(|(document, (kind, places))| Candidate {
            document: document.to_string(),
            kind,
            count: places.len(),
            cited_in: places
                .into_iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        })
        .collect();
    candidates.sort_by(|a, b| b.count.cmp(&a.count).then(a.document.cmp(&b.document)));
    candidates
}

/// Citations of one reference (canonical, or just the document part).
pub fn cited_by<'r>(records: &'r [CitationRecord], reference: &str) -> Vec<&'r CitationRecord> {
    let wanted = canonicalize(reference).unwrap_or_else(|| reference.trim().to_string());
    records
        .iter()
        .filter(|r| {
            r.canonical == wanted
                || r.document == wanted
                // Typed without its session: "Prop. 102 L" finds "Prop. 102 L (2020–2021)".
                || r.canonical.strip_prefix(wanted.as_str()).is_some_and(|rest| rest.starts_with(" ("))
        })
        .collect()
}

/// The document graph in Graphviz DOT: tracked sources as boxes, untracked documents dashed,
/// one edge per citing pair labelled with the number of citations.
pub fn to_dot(records: &[CitationRecord], titles: &BTreeMap<String, String>) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut untracked = BTreeSet::new();
    for record in records {
        let to = match &record.target {
            Some(target) => target.clone(),
            None => {
                untracked.insert(record.document.clone());
                record.document.clone()
            }
        };
        *edges.entry((record.source.clone(), to)).or_default() += 1;
    }
    let mut out = String::from(
        "digraph samspor {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for (id, title) in titles {
        out.push_str(&format!("  {} [label={}];\n", quote(id), quote(title)));
    }
    for document in &untracked {
        out.push_str(&format!("  {} [style=dashed];\n", quote(document)));
    }
    for ((from, to), count) in &edges {
        out.push_str(&format!(
            "  {} -> {} [label=\"{count}\"];\n",
            quote(from),
            quote(to)
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Vec<CitationRecord> {
        let linker = Linker::new([
            ("prop102", Some("Prop. 102 L (2020–2021)")),
            ("nou4", Some("NOU 2023: 4")),
        ]);
        let sections = vec![
            SectionText {
                source: "nou4",
                section: "2.1".into(),
                heading: None,
                page: 7,
                text: "Jf. Prop. 102 L (2020-21) og NOU 2023:4. Se også NOU 2023: 8 kapittel 6.",
            },
            SectionText {
                source: "avtale",
                section: "5".into(),
                heading: Some("Helsefellesskap"),
                page: 1,
                text: "Dette følgjer av helse- og omsorgstenestelova § 6-2 og NOU 2023: 8.",
            },
        ];
        collect(sections, &linker)
    }

    #[test]
    fn citations_link_to_tracked_sources_and_skip_self_citations() {
        let records = records();
        let found: Vec<(&str, &str, Option<&str>)> = records
            .iter()
            .map(|r| (r.source.as_str(), r.canonical.as_str(), r.target.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("nou4", "Prop. 102 L (2020–2021)", Some("prop102")),
                ("nou4", "NOU 2023: 8", None),
                ("avtale", "helse- og omsorgstjenesteloven § 6-2", None),
                ("avtale", "NOU 2023: 8", None),
            ]
        );
        assert_eq!(records[1].chapter.as_deref(), Some("6"));
    }

    #[test]
    fn untracked_documents_are_candidates_with_places() {
        let candidates = candidates(&records());
        assert_eq!(candidates[0].document, "NOU 2023: 8");
        assert_eq!(candidates[0].count, 2);
        assert_eq!(candidates[0].cited_in, vec!["avtale 5", "nou4 2.1"]);
    }

    #[test]
    fn cited_by_accepts_a_typed_reference() {
        let records = records();
        let hits = cited_by(&records, "prop 102 l (2020/2021)");
        assert_eq!(hits.len(), 1);
        assert_eq!(
            cited_by(&records, "prop 102 l").len(),
            1,
            "without the session"
        );
        assert_eq!(hits[0].section, "2.1");
    }

    #[test]
    fn dot_output_has_nodes_and_counted_edges() {
        let titles = BTreeMap::from([("nou4".to_string(), "NOU 2023: 4 \"Tid\"".to_string())]);
        let dot = to_dot(&records(), &titles);
        assert!(dot.starts_with("digraph samspor {"));
        assert!(dot.contains(r#""nou4" -> "prop102" [label="1"];"#), "{dot}");
        assert!(dot.contains(r#""NOU 2023: 8" [style=dashed];"#));
        assert!(dot.contains(r#"\"Tid\""#), "quotes escaped: {dot}");
    }
}
