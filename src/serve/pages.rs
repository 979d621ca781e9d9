//! The HTML of every page (maud). Labels are Norwegian bokmål; document text is shown as it
//! was extracted and always escaped by maud.
//!
//! Architecture invariant: pages render data they are given; they read no files and run no
//! searches, and never wrap text from documents, the configuration or the request in
//! `PreEscaped`.

use std::collections::BTreeMap;

use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Local, Utc};
use maud::{DOCTYPE, Markup, html};

use super::data::{CatalogView, RunView, SourceView, document_title};
use super::error::PageError;
use super::state::Citation;
use crate::config::{Config, Source};
use crate::index::{IndexedSection, SearchResults, highlight_pieces};
use crate::pipeline::{MatchFile, ThemeResult};
use crate::track::SourceState;
use crate::track::changes::{DocumentChange, DocumentChangeKind, SectionChangeKind};

/// Longest query the search box accepts (characters).
pub const MAX_QUERY_CHARS: usize = 500;
/// Hits per page, and the most a page shows after "Vis flere".
pub const PAGE_HITS: usize = 20;
pub const MAX_HITS: usize = 100;
/// A source whose last good fetch is older than this is stale (the pipeline runs nightly).
pub const STALE_AFTER_HOURS: i64 = 72;
/// Changed sections listed per version on the document page.
const MAX_CHANGES_SHOWN: usize = 60;

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = layout(
            &self.title,
            Nav::None,
            html! {
                h1 { (self.title) }
                p.error role="alert" { (self.message) }
                p { a href="/" { "Til søket" } " · " a href="/status" { "Status" } }
            },
        );
        (self.status, axum::response::Html(body.into_string())).into_response()
    }
}

/// Which top-level page is current (marked in the menu).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Search,
    Documents,
    Themes,
    Brief,
    Status,
    None,
}

/// The frame every page shares: skip link, header with the menu, main, footer.
pub fn layout(title: &str, current: Nav, main: Markup) -> Markup {
    let item = |nav: Nav, href: &str, label: &str| {
        html! {
            li { a href=(href) aria-current=[(current == nav).then_some("page")] { (label) } }
        }
    };
    html! {
        (DOCTYPE)
        html lang="nb" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – samspor" }
                link rel="stylesheet" href="/static/style.css";
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#innhold" { "Hopp til innholdet" }
                header.site {
                    div.wrap {
                        a.brand href="/" { "samspor" }
                        nav aria-label="Hovedmeny" {
                            ul {
                                (item(Nav::Search, "/", "Søk"))
                                (item(Nav::Documents, "/dokument", "Dokumenter"))
                                (item(Nav::Themes, "/tema", "Tema"))
                                (item(Nav::Brief, "/notat", "Lag notat"))
                                (item(Nav::Status, "/status", "Status"))
                            }
                        }
                    }
                }
                main #innhold .wrap tabindex="-1" { (main) }
                footer.site {
                    div.wrap {
                        "samspor – nasjonale styringsdokumenter for helsefellesskapet, søkbare og fulgt over tid."
                    }
                }
            }
        }
    }
}

/// What the search form shows and the search used.
#[derive(Debug, Clone, Default)]
pub struct SearchForm {
    pub query: String,
    pub source: Option<String>,
    pub kind: Option<String>,
    pub theme: Option<String>,
    pub year: Option<u32>,
    pub limit: usize,
}

impl SearchForm {
    /// The query string of this search, with another limit.
    pub fn href(&self, limit: usize) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("q", &self.query);
        for (key, value) in [
            ("kilde", self.source.clone()),
            ("type", self.kind.clone()),
            ("tema", self.theme.clone()),
            ("ar", self.year.map(|y| y.to_string())),
        ] {
            if let Some(value) = value {
                query.append_pair(key, &value);
            }
        }
        if limit != PAGE_HITS {
            query.append_pair("antall", &limit.to_string());
        }
        format!("/sok?{}", query.finish())
    }
}

/// Norwegian name of a document kind.
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "nou" => "NOU",
        "prop" => "Proposisjon",
        "meld" => "Stortingsmelding",
        "avtale" => "Avtale",
        "horingsuttalelse" => "Høringsuttalelse",
        "sak" => "Sak",
        "web" => "Nettside",
        other => other,
    }
}

fn theme_label<'a>(config: &'a Config, id: &'a str) -> &'a str {
    config.theme(id).map_or(id, |t| t.label.as_str())
}

/// A path segment with everything but unreserved characters percent-encoded.
fn segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub fn document_href(source: &str) -> String {
    format!("/dokument/{}", segment(source))
}

pub fn section_href(source: &str, ordinal: u64) -> String {
    format!("/dokument/{}/{ordinal}", segment(source))
}

pub fn theme_href(theme: &str) -> String {
    format!("/tema/{}", segment(theme))
}

/// Links to sources only for schemes a browser opens as documents; anything else (a
/// `javascript:` URL in a hand-edited config) is shown as text.
fn safe_href(url: &str) -> Option<&str> {
    let lower = url.trim_start().to_ascii_lowercase();
    ["https://", "http://", "file://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then_some(url)
}

/// "3.4.1 Listelengde og arbeidsbelastning", or "(innledning)".
fn section_title(number: Option<&str>, heading: Option<&str>) -> String {
    crate::extract::model::section_place(number, heading)
}

fn pages_label(start: u64, end: u64) -> String {
    if end > start {
        format!("Side {start}–{end}")
    } else {
        format!("Side {start}")
    }
}

fn when(at: DateTime<Utc>) -> Markup {
    html! {
        time datetime=(at.to_rfc3339()) { (at.with_timezone(&Local).format("%d.%m.%Y kl. %H.%M")) }
    }
}

/// "for 3 t siden", for staleness at a glance.
pub fn age(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    crate::track::age_label(now - at)
}

fn megabytes(size: u64) -> String {
    if size < 1024 * 1024 {
        format!("{:.0} kB", size as f64 / 1024.0)
    } else {
        format!("{:.1} MB", size as f64 / (1024.0 * 1024.0))
    }
}

fn highlighted(snippet: &str, ranges: &[(usize, usize)]) -> Markup {
    html! {
        @for (marked, text) in highlight_pieces(snippet, ranges) {
            @if marked { mark { (text) } } @else { (text) }
        }
    }
}

/// Pieces of a word diff (`[-removed-]`, `{+added+}`): 0 same, -1 removed, 1 added.
pub fn diff_pieces(diff: &str) -> Vec<(i8, &str)> {
    let mut pieces = Vec::new();
    let mut rest = diff;
    while !rest.is_empty() {
        let next_del = rest.find("[-");
        let next_ins = rest.find("{+");
        let (start, open_len, close, kind) = match (next_del, next_ins) {
            (Some(d), Some(i)) if i < d => (i, 2, "+}", 1),
            (Some(d), _) => (d, 2, "-]", -1),
            (None, Some(i)) => (i, 2, "+}", 1),
            (None, None) => {
                pieces.push((0, rest));
                break;
            }
        };
        let after_open = &rest[start + open_len..];
        let Some(end) = after_open.find(close) else {
            pieces.push((0, rest));
            break;
        };
        if start > 0 {
            pieces.push((0, &rest[..start]));
        }
        pieces.push((kind, &after_open[..end]));
        rest = &after_open[end + close.len()..];
    }
    pieces
}

fn diff_markup(diff: &str) -> Markup {
    html! {
        @for (kind, text) in diff_pieces(diff) {
            @match kind {
                -1 => del { (text) },
                1 => ins { (text) },
                _ => (text),
            }
        }
    }
}

fn paragraphs(text: &str) -> Markup {
    html! {
        @for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            p { (paragraph) }
        }
    }
}

fn theme_tags(config: &Config, themes: &[String]) -> Markup {
    html! {
        @if !themes.is_empty() {
            ul.tags aria-label="Temaer" {
                @for theme in themes {
                    li { a.tag href=(theme_href(theme)) { (theme_label(config, theme)) } }
                }
            }
        }
    }
}

/// The search box and the filters (source, kind, theme, year), prefilled from `form`.
fn search_form(config: &Config, form: &SearchForm) -> Markup {
    let mut kinds: Vec<&str> = config.sources.iter().map(|s| s.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut years: Vec<u32> = config.sources.iter().filter_map(|s| s.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    html! {
        form.search role="search" action="/sok" method="get" {
            div.query {
                label for="q" { "Søk i dokumentene" }
                div.row {
                    input #q type="search" name="q" value=(form.query) maxlength=(MAX_QUERY_CHARS)
                        autocomplete="off" aria-describedby="q-hjelp" enterkeyhint="search";
                    button type="submit" { "Søk" }
                }
                p #q-hjelp .hint {
                    "Treff med alle ordene kommer først. Bruk +ord for ord som må finnes, \"anførselstegn\" for uttrykk, OR for enten–eller og -ord for å utelate ord. Trykk / for å gå til søkefeltet."
                }
            }
            fieldset.filters {
                legend { "Filtrer" }
                div.filter {
                    label for="kilde" { "Kilde" }
                    select #kilde name="kilde" {
                        option value="" { "Alle kilder" }
                        @for source in &config.sources {
                            option value=(source.id) selected[form.source.as_deref() == Some(source.id.as_str())] {
                                (source.title)
                            }
                        }
                    }
                }
                div.filter {
                    label for="type" { "Type" }
                    select #type name="type" {
                        option value="" { "Alle typer" }
                        @for kind in &kinds {
                            option value=(kind) selected[form.kind.as_deref() == Some(*kind)] { (kind_label(kind)) }
                        }
                    }
                }
                div.filter {
                    label for="tema" { "Tema" }
                    select #tema name="tema" {
                        option value="" { "Alle tema" }
                        @for theme in &config.themes {
                            option value=(theme.id) selected[form.theme.as_deref() == Some(theme.id.as_str())] { (theme.label) }
                        }
                    }
                }
                div.filter {
                    label for="ar" { "År" }
                    select #ar name="ar" {
                        option value="" { "Alle år" }
                        @for year in &years {
                            option value=(year) selected[form.year == Some(*year)] { (year) }
                        }
                    }
                }
                div.filter.apply {
                    button type="submit" { "Filtrer" }
                }
            }
        }
    }
}

/// The start page: the search form, the documents and the themes.
pub fn home(config: &Config) -> Markup {
    layout(
        "Søk",
        Nav::Search,
        html! {
            h1 { "Søk i styringsdokumentene" }
            (search_form(config, &SearchForm::default()))
            div.columns {
                section aria-labelledby="dok-overskrift" {
                    h2 #dok-overskrift { "Dokumenter" }
                    (document_list(config))
                }
                section aria-labelledby="tema-overskrift" {
                    h2 #tema-overskrift { "Tema" }
                    ul.plain {
                        @for theme in &config.themes {
                            li { a href=(theme_href(&theme.id)) { (theme.label) } }
                        }
                    }
                }
            }
        },
    )
}

fn document_list(config: &Config) -> Markup {
    html! {
        ul.plain.documents {
            @for source in &config.sources {
                li {
                    a href=(document_href(&source.id)) { (source.title) }
                    " "
                    span.meta { (kind_label(source.kind.as_str())) @if let Some(year) = source.year { " · " (year) } }
                }
            }
        }
    }
}

/// What happened to a search, for the results part of the page.
pub enum SearchOutcome {
    /// No query yet.
    Empty,
    Results(SearchResults),
    /// A one-line reason the query could not run (sent with status 400).
    Error(String),
}

/// The search page: the form, then the hits or the reason there are none.
pub fn search(config: &Config, form: &SearchForm, outcome: &SearchOutcome) -> Markup {
    let title = if form.query.is_empty() {
        "Søk".to_string()
    } else {
        format!("Søk: {}", truncate(&form.query, 60))
    };
    layout(
        &title,
        Nav::Search,
        html! {
            h1 { "Søk i styringsdokumentene" }
            (search_form(config, form))
            @match outcome {
                SearchOutcome::Empty => p.hint { "Skriv ett eller flere ord i søkefeltet." },
                SearchOutcome::Error(message) => {
                    div.error role="alert" {
                        h2 { "Søket kunne ikke utføres" }
                        p { (message) }
                    }
                }
                SearchOutcome::Results(results) => (hits(config, form, results)),
            }
        },
    )
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        text.chars().take(max_chars).collect::<String>() + "…"
    }
}

fn hits(config: &Config, form: &SearchForm, results: &SearchResults) -> Markup {
    let shown = results.hits.len();
    html! {
        section.results aria-labelledby="treff" {
            h2 #treff {
                (results.total) " treff for «" (form.query) "»"
            }
            @if !results.all_words {
                p.notice role="status" { (crate::index::SOME_WORDS_MESSAGE) }
            }
            @if shown < results.total {
                p.meta { "Viser de " (shown) " beste." }
            }
            @if results.hits.is_empty() {
                p { "Ingen seksjoner passer. Prøv færre ord, andre bøyningsformer eller færre filtre." }
            }
            ol.hits {
                @for hit in &results.hits {
                    @let s = &hit.section;
                    li.hit {
                        h3 {
                            a href=(section_href(&s.source, s.ordinal)) {
                                (section_title(s.number.as_deref(), s.heading.as_deref()))
                            }
                        }
                        p.meta {
                            a href=(document_href(&s.source)) { (s.title) }
                            " · " (pages_label(s.page_start, s.page_end))
                            " · " (kind_label(&s.kind))
                            @if let Some(year) = s.year { " · " (year) }
                        }
                        @let (before, after) = snippet_ellipses(&s.text, &hit.snippet);
                        p.snippet {
                            @if before { "… " }
                            (highlighted(&hit.snippet, &hit.highlights))
                            @if after { " …" }
                        }
                        @if s.ocr { p.ocr { (crate::extract::ocr::NOTICE_NB) } }
                        @if let Some(via) = crate::index::found_via_text(&hit.found_via) {
                            p.via { (via) }
                        }
                        (theme_tags(config, &s.themes))
                        (source_link(s))
                    }
                }
            }
            @if shown < results.total && form.limit < MAX_HITS {
                p { a.more href=(form.href((form.limit * 2).min(MAX_HITS))) { "Vis flere treff" } }
            }
        }
    }
}

/// Whether a snippet starts after the beginning, and ends before the end, of its section's text.
fn snippet_ellipses(text: &str, snippet: &str) -> (bool, bool) {
    let trimmed = snippet.trim();
    if trimmed.is_empty() || trimmed.ends_with('…') {
        return (false, false);
    }
    match text.find(trimmed) {
        Some(at) => (at > 0, at + trimmed.len() < text.trim_end().len()),
        None => (false, false),
    }
}

fn source_link(s: &IndexedSection) -> Markup {
    let link = s.link();
    html! {
        @if let Some(href) = safe_href(&link) {
            p.source-link {
                a href=(href) rel="noopener noreferrer" {
                    "Åpne i kilden"
                    @if s.format == "pdf" && s.page_start > 0 { " (side " (s.page_start) ")" }
                }
            }
        }
    }
}

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

/// A state's one Norwegian label as a table cell shows it: "OK", "Feilet", "Avbrutt".
fn shown_label(label: &str) -> String {
    if label == "ok" {
        return "OK".to_string();
    }
    let mut chars = label.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
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

/// `/tema`: the themes with how many sections match each.
pub fn themes(config: &Config, matches: Option<&MatchFile>) -> Markup {
    let counts: BTreeMap<&str, usize> = matches
        .map(|m| {
            m.themes
                .iter()
                .map(|t| (t.id.as_str(), t.sections.len()))
                .collect()
        })
        .unwrap_or_default();
    layout(
        "Tema",
        Nav::Themes,
        html! {
            h1 { "Tema" }
            @if matches.is_none() { p.notice { "Temaene er ikke matchet mot dokumentene ennå." } }
            ul.theme-list {
                @for theme in &config.themes {
                    li {
                        h2 { a href=(theme_href(&theme.id)) { (theme.label) } }
                        p { (theme.description) }
                        p.meta { (counts.get(theme.id.as_str()).copied().unwrap_or(0)) " seksjoner" }
                    }
                }
            }
        },
    )
}

/// `/tema/ID`: ranked sections with their evidence.
pub fn theme(
    config: &Config,
    theme: &crate::config::Theme,
    result: Option<&ThemeResult>,
    generated_at: Option<DateTime<Utc>>,
) -> Markup {
    let sections = result.map(|r| r.sections.as_slice()).unwrap_or_default();
    layout(
        &theme.label,
        Nav::Themes,
        html! {
            nav.crumbs aria-label="Brødsmulesti" { a href="/tema" { "Tema" } " › " }
            h1 { (theme.label) }
            p { (theme.description) }
            details.terms {
                summary { "Ord temaet kjennes igjen på (" (theme.terms.len()) ")" }
                p { (theme.terms.join(", ")) }
            }
            p.actions {
                a.button href=(format!("/notat?tema={}", segment(&theme.id))) { "Lag notat om temaet" }
            }
            h2 { "Seksjoner, sterkest først" }
            @if let Some(at) = generated_at { p.meta { "Matchet " (when(at)) "." } }
            @if sections.is_empty() {
                p { "Ingen seksjoner er matchet mot temaet ennå." }
            }
            ol.ranked {
                @for m in sections {
                    li {
                        h3 {
                            a href=(section_href(&m.source, m.ordinal)) {
                                (section_title(Some(m.section.as_str()).filter(|s| Some(*s) != m.heading.as_deref()), m.heading.as_deref()))
                            }
                        }
                        p.meta {
                            a href=(document_href(&m.source)) {
                                (config.source(&m.source).map_or(m.source.as_str(), |s| s.title.as_str()))
                            }
                            " · Side " (m.page) " · Poeng " (format!("{:.1}", m.score))
                        }
                        @if !m.terms.is_empty() { p.terms { "Trefford: " (m.terms.join(", ")) } }
                        @for sentence in &m.evidence {
                            blockquote { p { (sentence) } }
                        }
                    }
                }
            }
        },
    )
}

/// What the brief form is prefilled with.
#[derive(Debug, Clone)]
pub struct BriefForm {
    pub themes: Vec<String>,
    pub since: Option<chrono::NaiveDate>,
    pub top: usize,
    pub format: crate::brief::BriefFormat,
}

pub fn brief_form(config: &Config, form: &BriefForm) -> Markup {
    use crate::brief::BriefFormat;
    let formats = [
        (BriefFormat::Docx, "Word (.docx)"),
        (BriefFormat::Html, "Nettside (.html)"),
        (BriefFormat::Markdown, "Markdown (.md)"),
    ];
    layout(
        "Lag notat",
        Nav::Brief,
        html! {
            h1 { "Lag notat" }
            p { "Et notat samler de sterkeste seksjonene for hvert valgte tema, med sitater som belegg, og det som er nytt siden en dato." }
            form.brief action="/notat/last-ned" method="get" {
                fieldset #temaer {
                    legend { "Tema" }
                    p.hint #tema-hjelp { "Velg ingen for å ta med alle temaene." }
                    @for theme in &config.themes {
                        div.check {
                            input type="checkbox" name="tema" value=(theme.id) id=(format!("tema-{}", theme.id))
                                checked[form.themes.contains(&theme.id)] aria-describedby="tema-hjelp";
                            label for=(format!("tema-{}", theme.id)) { (theme.label) }
                        }
                    }
                }
                div.field {
                    label for="siden" { "Nytt siden (dato)" }
                    input #siden type="date" name="siden" value=[form.since.map(|d| d.format("%Y-%m-%d").to_string())];
                }
                div.field {
                    label for="antall" { "Seksjoner per tema" }
                    input #antall type="number" name="antall" min="1" max="20" value=(form.top);
                }
                fieldset {
                    legend { "Format" }
                    @for (format, label) in formats {
                        div.check {
                            input type="radio" name="format" value=(format.extension()) id=(format!("format-{}", format.extension()))
                                checked[form.format == format];
                            label for=(format!("format-{}", format.extension())) { (label) }
                        }
                    }
                }
                button type="submit" { "Last ned notat" }
            }
        },
    )
}

/// `/status`: the last runs and every source's state.
pub fn status(
    config: &Config,
    catalog: &CatalogView,
    indexed_sections: Option<u64>,
    matched_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Markup {
    let runs: Vec<&RunView> = catalog.runs.iter().rev().take(10).collect();
    let failing = config
        .sources
        .iter()
        .filter(|s| catalog.source(&s.id).state == SourceState::Failed)
        .count();
    let stale = config
        .sources
        .iter()
        .filter(|s| is_stale(&catalog.source(&s.id), now))
        .count();
    layout(
        "Status",
        Nav::Status,
        html! {
            h1 { "Status" }
            ul.summary {
                li { (config.sources.len()) " kilder, " strong { (failing) " feiler" } ", " strong { (stale) " foreldet" } " (ikke hentet på " (STALE_AFTER_HOURS / 24) " døgn)" }
                li {
                    @if let Some(n) = indexed_sections { (n) " seksjoner i søket" } @else { "Ingen søkeindeks ennå" }
                    @if let Some(at) = matched_at { ", tema matchet " (when(at)) }
                }
            }
            section aria-labelledby="kilder" {
                h2 #kilder { "Kilder" }
                div.table-scroll {
                    table.sources {
                        thead { tr {
                            th scope="col" { "Kilde" } th scope="col" { "Tilstand" } th scope="col" { "Sist hentet" }
                            th scope="col" { "Siste forsøk" } th scope="col" { "Feil siden" } th scope="col" { "Versjoner" } th scope="col" { "Siste feil" }
                        } }
                        tbody {
                            @for source in &config.sources {
                                @let record = catalog.source(&source.id);
                                @let stale = is_stale(&record, now);
                                tr.failed[record.state == SourceState::Failed] {
                                    th scope="row" { a href=(document_href(&source.id)) { (source.id) } }
                                    td { span class=(format!("state state-{}", record.state.as_str())) { (shown_label(record.state.label())) } @if stale { " " span.state.state-stale { "Foreldet" } } }
                                    td { @if let Some(at) = record.fetched_at { (when(at)) br; span.meta { (age(now, at)) } } @else { "Aldri" } }
                                    td { @if let Some(at) = record.last_attempt_at { (when(at)) } @else { "–" } }
                                    td { (record.failures_since_ok) }
                                    td { (record.versions.len()) }
                                    td.error-text {
                                        @if record.state == SourceState::Failed {
                                            @if let Some(stage) = &record.failed_stage { (stage) ": " }
                                            (record.last_error.as_deref().unwrap_or(""))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="kjoringer" {
                h2 #kjoringer { "Siste kjøringer" }
                @if runs.is_empty() { p { "Ingen kjøringer ennå." } }
                @else {
                    div.table-scroll {
                        table.runs {
                            thead { tr {
                                th scope="col" { "Nr." } th scope="col" { "Kommando" } th scope="col" { "Startet" } th scope="col" { "Varighet" }
                                th scope="col" { "Utfall" } th scope="col" { "Seksjoner" } th scope="col" { "Reindeksert" } th scope="col" { "Temamatcher" } th scope="col" { "Steg (ms)" }
                            } }
                            tbody {
                                @for run in &runs {
                                    tr {
                                        th scope="row" { (run.id) }
                                        td { (run.command) }
                                        td { (when(run.started_at)) }
                                        td { @if let Some(end) = run.finished_at { (format!("{:.1} s", (end - run.started_at).num_milliseconds() as f64 / 1000.0)) } @else { "–" } }
                                        td {
                                            span class=(format!("state state-{}", run.outcome)) { (shown_label(run.outcome.label())) }
                                            @for (source, error) in &run.failures { br; span.error-text { (source) ": " (error) } }
                                        }
                                        td { (run.sections_indexed) }
                                        td { @if run.reindexed.is_empty() { "–" } @else { (run.reindexed.join(", ")) } }
                                        td { (run.theme_matches) }
                                        td.meta { (run.stage_millis.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A source is stale when its last good fetch is older than [`STALE_AFTER_HOURS`], or it never
/// had one.
pub fn is_stale(record: &SourceView, now: DateTime<Utc>) -> bool {
    record
        .fetched_at
        .is_none_or(|at| (now - at).num_hours() >= STALE_AFTER_HOURS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexError;

    #[test]
    fn query_errors_are_norwegian_on_the_page() {
        for (query, expected) in [
            ("fastlege AND (", "parentes"),
            ("\"fastlege", "anførselstegn"),
            ("-legevakt", "utelate"),
            ("farge:blå", "ukjent filter «farge:»"),
            ("fa*", "tre bokstaver"),
            ("år:20x3", "årstall"),
            ("fastlege OR", "ELLER"),
        ] {
            let Err(error) = crate::index::query::parse(query) else {
                panic!("{query} should not parse");
            };
            let page = PageError::from_index(IndexError::Query {
                query: query.into(),
                error,
            });
            assert!(page.message.contains(expected), "{query}: {}", page.message);
            assert!(!page.message.contains("needs"), "{}", page.message);
        }
    }

    #[test]
    fn states_show_their_one_norwegian_label() {
        use crate::track::RunOutcome;
        // The status page said "interrupted" in English while the CLI said "avbrutt".
        assert_eq!(shown_label(RunOutcome::Interrupted.label()), "Avbrutt");
        assert_eq!(shown_label(RunOutcome::Partial.label()), "Delvis");
        assert_eq!(shown_label(RunOutcome::Running.label()), "Pågår");
        assert_eq!(shown_label(RunOutcome::Ok.label()), "OK");
        assert_eq!(shown_label(SourceState::Failed.label()), "Feilet");
        assert_eq!(shown_label(SourceState::Pending.label()), "Venter");
    }

    #[test]
    fn highlights_skip_bad_ranges() {
        assert_eq!(
            highlight_pieces("Fastlegene har lister", &[(0, 10)]),
            vec![(true, "Fastlegene"), (false, " har lister")]
        );
        // Inside a character, reversed, overlapping, out of bounds: all ignored, no panic.
        assert_eq!(
            highlight_pieces("æøå", &[(1, 2), (4, 2), (0, 99)]),
            vec![(false, "æøå")]
        );
        assert_eq!(
            highlight_pieces("a b c", &[(2, 3), (0, 1)]),
            vec![(false, "a "), (true, "b"), (false, " c")]
        );
    }

    #[test]
    fn text_and_queries_are_escaped() {
        let html = highlighted("<script>alert(1)</script> & co", &[(0, 8)]).into_string();
        assert_eq!(
            html,
            "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt; &amp; co"
        );
        let page = layout("<b>x</b>", Nav::None, html! { p { "\"q\"" } }).into_string();
        assert!(page.contains("<title>&lt;b&gt;x&lt;/b&gt; – samspor</title>"));
        assert!(page.contains("<p>&quot;q&quot;</p>"));
    }

    #[test]
    fn snippets_show_where_text_was_cut() {
        let text = "Første setning. Fastlegene har lange lister. Siste setning.";
        assert_eq!(
            snippet_ellipses(text, "Fastlegene har lange lister."),
            (true, true)
        );
        assert_eq!(snippet_ellipses(text, "Første setning."), (false, true));
        assert_eq!(snippet_ellipses(text, "Siste setning."), (true, false));
        assert_eq!(snippet_ellipses(text, "Første setning …"), (false, false));
    }

    #[test]
    fn diffs_become_pieces() {
        assert_eq!(
            diff_pieces("[-Mange-] {+Over 200 000+} står uten fastlege."),
            vec![
                (-1, "Mange"),
                (0, " "),
                (1, "Over 200 000"),
                (0, " står uten fastlege.")
            ]
        );
        assert_eq!(
            diff_pieces("ingen [- lukking"),
            vec![(0, "ingen [- lukking")]
        );
    }

    #[test]
    fn only_document_schemes_are_links() {
        assert!(safe_href("https://www.regjeringen.no/x.pdf#page=3").is_some());
        assert!(safe_href("file:///tmp/a.pdf").is_some());
        assert!(safe_href("javascript:alert(1)").is_none());
        assert!(safe_href(" JavaScript:alert(1)").is_none());
        assert!(safe_href("data:text/html,x").is_none());
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(document_href("nou-2023-4"), "/dokument/nou-2023-4");
        assert_eq!(
            document_href("../etc/passwd"),
            "/dokument/..%2Fetc%2Fpasswd"
        );
        assert_eq!(section_href("a b", 3), "/dokument/a%20b/3");
    }

    #[test]
    fn search_links_keep_the_filters() {
        let form = SearchForm {
            query: "fastlege & legevakt".into(),
            theme: Some("fastlegekrise".into()),
            year: Some(2023),
            limit: PAGE_HITS,
            ..SearchForm::default()
        };
        assert_eq!(
            form.href(40),
            "/sok?q=fastlege+%26+legevakt&tema=fastlegekrise&ar=2023&antall=40"
        );
    }

    #[test]
    fn staleness() {
        let now = Utc::now();
        let mut record = SourceView::default();
        assert!(is_stale(&record, now), "never fetched");
        record.fetched_at = Some(now - chrono::TimeDelta::hours(5));
        assert!(!is_stale(&record, now));
        record.fetched_at = Some(now - chrono::TimeDelta::days(4));
        assert!(is_stale(&record, now));
    }
}
