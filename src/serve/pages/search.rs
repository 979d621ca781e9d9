//! The home page and search: the form, the hits with highlighted snippets.

use super::*;

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
pub(super) fn snippet_ellipses(text: &str, snippet: &str) -> (bool, bool) {
    let trimmed = snippet.trim();
    if trimmed.is_empty() || trimmed.ends_with('…') {
        return (false, false);
    }
    match text.find(trimmed) {
        Some(at) => (at > 0, at + trimmed.len() < text.trim_end().len()),
        None => (false, false),
    }
}
