//! Documents and sections: versions, changes, citations both ways.

use super::*;

/// `/dokument`: every tracked document.
pub fn documents(config: &Config) -> Markup {
    layout(
        "Dokumenter",
        Nav::Documents,
        html! {
            h1 { "Dokumenter" }
            p { "Dokumentene samspor følger, slik de er satt opp i sources.toml." }
            (document_list(config))
        },
    )
}

/// Everything the document page shows.
pub struct DocumentPage<'a> {
    pub source: &'a Source,
    pub sections: &'a [IndexedSection],
    pub record: SourceView,
    pub cites: Vec<&'a Citation>,
    pub cited_by: Vec<&'a Citation>,
    pub changes: Vec<&'a DocumentChange>,
    /// Why the changes could not be read, if they could not.
    pub changes_note: Option<String>,
}

pub fn document(config: &Config, page: &DocumentPage<'_>) -> Markup {
    let source = page.source;
    layout(
        &source.title,
        Nav::Documents,
        html! {
            nav.crumbs aria-label="Brødsmulesti" { a href="/dokument" { "Dokumenter" } " › " }
            h1 { (source.title) }
            dl.facts {
                dt { "Type" } dd { (kind_label(source.kind.as_str())) }
                @if let Some(year) = source.year { dt { "År" } dd { (year) } }
                @if let Some(cites_as) = &source.cites_as { dt { "Sitéres som" } dd { (cites_as) } }
                dt { "Kilde" }
                dd {
                    @let url = source.public_url();
                    @if let Some(href) = safe_href(&url) { a href=(href) rel="noopener noreferrer" { (url) } } @else { (url) }
                }
                dt { "Tilstand" } dd { (shown_label(page.record.state.label())) }
            }
            nav.toc aria-label="På denne siden" {
                ul {
                    li { a href="#innhold-seksjoner" { "Innhold (" (page.sections.len()) ")" } }
                    li { a href="#siterer" { "Siterer (" (page.cites.len()) ")" } }
                    li { a href="#sitert-av" { "Sitert av (" (page.cited_by.len()) ")" } }
                    li { a href="#versjoner" { "Versjoner (" (page.record.versions.len()) ")" } }
                    li { a href="#endringer" { "Endringer (" (page.changes.len()) ")" } }
                }
            }
            section aria-labelledby="innhold-seksjoner" {
                h2 #innhold-seksjoner { "Innhold" }
                @if page.sections.is_empty() {
                    p { "Dokumentet har ingen seksjoner i indeksen ennå." }
                }
                ol.sections {
                    @for s in page.sections {
                        li class=(format!("level-{}", s.level.min(4))) {
                            a href=(section_href(&s.source, s.ordinal)) {
                                (section_title(s.number.as_deref(), s.heading.as_deref()))
                            }
                            " "
                            span.meta { (pages_label(s.page_start, s.page_end)) }
                            (theme_tags(config, &s.themes))
                        }
                    }
                }
            }
            section aria-labelledby="siterer" {
                h2 #siterer { "Siterer" }
                (citation_list(config, &page.cites, CitationSide::Out))
            }
            section aria-labelledby="sitert-av" {
                h2 #sitert-av { "Sitert av" }
                (citation_list(config, &page.cited_by, CitationSide::In))
            }
            section aria-labelledby="versjoner" {
                h2 #versjoner { "Versjoner" }
                (versions(&page.record))
            }
            section aria-labelledby="endringer" {
                h2 #endringer { "Endringer" }
                @if let Some(note) = &page.changes_note { p.error { (note) } }
                (changes(&page.changes))
            }
        },
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CitationSide {
    /// Citations in this document, of other documents.
    Out,
    /// Citations of this document, in others.
    In,
}

/// Citations grouped by what they point to (out) or where they stand (in), each group with the
/// sections it occurs in, once each, in order of first occurrence.
fn citation_list(config: &Config, citations: &[&Citation], side: CitationSide) -> Markup {
    struct Group<'c> {
        citation: &'c Citation,
        /// (source, ordinal, label) of the sections, without repeats.
        places: Vec<(&'c str, u64, &'c str)>,
    }
    let mut groups: Vec<(String, Group<'_>)> = Vec::new();
    for c in citations {
        let r = &c.record;
        let key = match side {
            CitationSide::Out => r.target.clone().unwrap_or_else(|| r.canonical.clone()),
            CitationSide::In => r.source.clone(),
        };
        let place = (r.source.as_str(), c.ordinal, r.section.as_str());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => {
                if !group.places.contains(&place) {
                    group.places.push(place);
                }
            }
            None => groups.push((
                key,
                Group {
                    citation: c,
                    places: vec![place],
                },
            )),
        }
    }
    html! {
        @if groups.is_empty() {
            p {
                @if side == CitationSide::Out { "Ingen henvisninger til andre dokumenter funnet." }
                @else { "Ingen av de andre dokumentene henviser hit." }
            }
        } @else {
            ul.citations {
                @for (_, group) in &groups {
                    @let r = &group.citation.record;
                    li {
                        @if side == CitationSide::Out {
                            @if let Some(target) = &r.target {
                                a href=(document_href(target)) { (document_title(config, r)) }
                            } @else {
                                (r.canonical) " " span.meta { "(følges ikke)" }
                            }
                        } @else {
                            a href=(document_href(&r.source)) {
                                (config.source(&r.source).map_or(r.source.as_str(), |s| s.title.as_str()))
                            }
                        }
                        " – i "
                        @for (i, (source, ordinal, label)) in group.places.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href=(section_href(source, *ordinal)) { (label) }
                        }
                    }
                }
            }
        }
    }
}

fn versions(record: &SourceView) -> Markup {
    let mut versions: Vec<_> = record.versions.iter().collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.fetched_at));
    html! {
        @if versions.is_empty() {
            p { "Ingen versjoner hentet ennå." }
        } @else {
            div.table-scroll {
                table {
                    caption.visually-hidden { "Lagrede versjoner, nyeste først" }
                    thead { tr { th scope="col" { "Hentet" } th scope="col" { "Versjon" } th scope="col" { "Format" } th scope="col" { "Størrelse" } th scope="col" { "Sider" } th scope="col" { "Seksjoner" } th scope="col" { "Merknad" } } }
                    tbody {
                        @for v in versions {
                            tr {
                                td { (when(v.fetched_at)) }
                                td { code { (v.sha256.get(..12).unwrap_or(&v.sha256)) } }
                                td { (v.format.as_str().to_uppercase()) }
                                td { (megabytes(v.size)) }
                                td { @if let Some(p) = v.pages { (p) } @else { "–" } }
                                td { @if let Some(s) = v.sections { (s) } @else { "–" } }
                                td {
                                    @if record.indexed_sha256.as_deref() == Some(v.sha256.as_str()) { strong { "I søket" } }
                                    @if let Some(error) = &v.extract_error { " Uttrekk feilet: " (error) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn changes(changes: &[&DocumentChange]) -> Markup {
    html! {
        @if changes.is_empty() {
            p { "Ingen endringer registrert." }
        }
        @for change in changes.iter().rev() {
            @let counts = change_counts(change);
            article.change {
                h3 {
                    @match change.kind {
                        DocumentChangeKind::New => "Første versjon",
                        DocumentChangeKind::Changed => "Ny versjon",
                    }
                    " – " (when(change.detected_at))
                }
                p.meta { (counts.0) " nye, " (counts.1) " endrede, " (counts.2) " fjernede seksjoner" }
                @if change.kind == DocumentChangeKind::Changed {
                    ul.section-changes {
                        @for sc in change.sections.iter().take(MAX_CHANGES_SHOWN) {
                            li {
                                span.badge { @match sc.kind {
                                    SectionChangeKind::Added => "Ny",
                                    SectionChangeKind::Modified => "Endret",
                                    SectionChangeKind::Removed => "Fjernet",
                                } }
                                " " (section_title(sc.number.as_deref(), sc.heading.as_deref()))
                                " " span.meta { "(side " (sc.page) ")" }
                                @if let Some(diff) = &sc.diff { p.diff { (diff_markup(diff)) } }
                            }
                        }
                    }
                    @if change.sections.len() > MAX_CHANGES_SHOWN {
                        p.meta { "… og " (change.sections.len() - MAX_CHANGES_SHOWN) " til." }
                    }
                }
            }
        }
    }
}

fn change_counts(change: &DocumentChange) -> (usize, usize, usize) {
    let count = |kind| change.sections.iter().filter(|s| s.kind == kind).count();
    (
        count(SectionChangeKind::Added),
        count(SectionChangeKind::Modified),
        count(SectionChangeKind::Removed),
    )
}

/// One section in full.
pub struct SectionPage<'a> {
    pub source: &'a Source,
    pub section: &'a IndexedSection,
    pub previous: Option<&'a IndexedSection>,
    pub next: Option<&'a IndexedSection>,
    pub cites: Vec<&'a Citation>,
}

pub fn section(config: &Config, page: &SectionPage<'_>) -> Markup {
    let s = page.section;
    let title = section_title(s.number.as_deref(), s.heading.as_deref());
    layout(
        &format!("{title} – {}", page.source.title),
        Nav::Documents,
        html! {
            nav.crumbs aria-label="Brødsmulesti" {
                a href="/dokument" { "Dokumenter" } " › "
                a href=(document_href(&page.source.id)) { (page.source.title) } " › "
            }
            h1 { (title) }
            p.meta { (pages_label(s.page_start, s.page_end)) " · " (kind_label(&s.kind)) @if let Some(year) = s.year { " · " (year) } }
            (theme_tags(config, &s.themes))
            (source_link(s))
            div.section-text { (paragraphs(&s.text)) }
            @if !page.cites.is_empty() {
                section aria-labelledby="siterer" {
                    h2 #siterer { "Siterer" }
                    (citation_list(config, &page.cites, CitationSide::Out))
                }
            }
            nav.pager aria-label="Forrige og neste seksjon" {
                @if let Some(p) = page.previous {
                    a rel="prev" href=(section_href(&p.source, p.ordinal)) { "‹ " (section_title(p.number.as_deref(), p.heading.as_deref())) }
                }
                @if let Some(n) = page.next {
                    a rel="next" href=(section_href(&n.source, n.ordinal)) { (section_title(n.number.as_deref(), n.heading.as_deref())) " ›" }
                }
            }
        },
    )
}
