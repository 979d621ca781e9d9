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
use crate::matches::{MatchFile, ThemeResult};
use crate::track::SourceState;
use crate::track::changes::{DocumentChange, DocumentChangeKind, SectionChangeKind};

/// Longest query the search box accepts (characters).
pub(crate) const MAX_QUERY_CHARS: usize = 500;
/// Hits per page, and the most a page shows after "Vis flere".
pub(crate) const PAGE_HITS: usize = 20;
pub(crate) const MAX_HITS: usize = 100;
/// A source whose last good fetch is older than this is stale (the pipeline runs nightly).
pub(crate) const STALE_AFTER_HOURS: i64 = 72;
/// Changed sections listed per version on the document page.
mod document;
mod search;
mod status;
#[cfg(test)]
mod tests;
mod themes;

pub use document::{DocumentPage, SectionPage, document, documents, section};
pub use search::{SearchForm, SearchOutcome, home, search};
pub use status::status;
pub use themes::{BriefForm, brief_form, theme, themes};

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

/// Norwegian name of a document kind.
pub(crate) fn kind_label(kind: &str) -> &str {
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

pub(crate) fn document_href(source: &str) -> String {
    format!("/dokument/{}", segment(source))
}

pub(crate) fn section_href(source: &str, ordinal: u64) -> String {
    format!("/dokument/{}/{ordinal}", segment(source))
}

pub(crate) fn theme_href(theme: &str) -> String {
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
pub(crate) fn age(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
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
pub(crate) fn diff_pieces(diff: &str) -> Vec<(i8, &str)> {
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
