//! Request handlers: read and check the parameters, gather the data on the blocking pool,
//! render the page.
//!
//! Source and theme ids from the URL are only ever looked up in the configuration; nothing
//! from a request becomes a file path.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{Local, NaiveDate, Utc};

use super::data::{self, read_catalog, read_matches};
use super::error::PageError;
use super::pages::{
    self, BriefForm, DocumentPage, MAX_HITS, MAX_QUERY_CHARS, PAGE_HITS, SearchForm, SearchOutcome,
    SectionPage,
};
use super::state::AppState;
use crate::brief::{BriefError, BriefFormat, BriefRequest};
use crate::config::Config;
use crate::index::SearchRequest;

/// Longest query string accepted at all (bytes, before decoding).
const MAX_QUERY_STRING: usize = 4096;
/// Sections per theme in a brief: the default and the most the form allows.
const BRIEF_TOP: usize = 5;
const MAX_BRIEF_TOP: usize = 20;

/// Decoded `key=value` pairs of a query string, in order (keys may repeat).
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: Option<String>) -> Result<Params, PageError> {
        let raw = raw.unwrap_or_default();
        if raw.len() > MAX_QUERY_STRING {
            return Err(PageError::bad_request(&format!(
                "Adressen er for lang (over {MAX_QUERY_STRING} tegn)."
            )));
        }
        Ok(Params(
            url::form_urlencoded::parse(raw.as_bytes())
                .into_owned()
                .collect(),
        ))
    }

    /// The first non-empty value of `key`, trimmed.
    fn first(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    }

    fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

fn html(markup: maud::Markup) -> Response {
    Html(markup.into_string()).into_response()
}

fn with_status(status: StatusCode, markup: maud::Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

/// `/`: the search form and an overview.
pub async fn home(State(state): State<AppState>) -> Response {
    html(pages::home(&state.config()))
}

/// Reads the search form from the query string. Returns the form to show again and, if a
/// parameter is not acceptable, the one-line reason.
fn search_form(config: &Config, params: &Params) -> (SearchForm, Option<String>) {
    let mut problem = None;
    let mut query = params.first("q").unwrap_or("").to_string();
    if query.chars().count() > MAX_QUERY_CHARS {
        query = query.chars().take(MAX_QUERY_CHARS).collect();
        problem = Some(format!(
            "Søket er for langt: bruk høyst {MAX_QUERY_CHARS} tegn."
        ));
    }
    let source = params.first("kilde").and_then(|id| {
        if config.source(id).is_some() {
            Some(id.to_string())
        } else {
            problem.get_or_insert_with(|| format!("Ukjent kilde «{id}»."));
            None
        }
    });
    let kind = params.first("type").and_then(|kind| {
        if config.sources.iter().any(|s| s.kind.as_str() == kind) {
            Some(kind.to_string())
        } else {
            problem.get_or_insert_with(|| format!("Ukjent dokumenttype «{kind}»."));
            None
        }
    });
    let theme = params.first("tema").and_then(|id| {
        if config.theme(id).is_some() {
            Some(id.to_string())
        } else {
            problem.get_or_insert_with(|| format!("Ukjent tema «{id}»."));
            None
        }
    });
    let year = params
        .first("ar")
        .and_then(|year| match year.parse::<u32>() {
            Ok(y) if (1800..=2200).contains(&y) => Some(y),
            _ => {
                problem.get_or_insert_with(|| format!("Ugyldig år «{year}»."));
                None
            }
        });
    let limit = params
        .first("antall")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(PAGE_HITS)
        .clamp(1, MAX_HITS);
    let form = SearchForm {
        query,
        source,
        kind,
        theme,
        year,
        limit,
    };
    (form, problem)
}

/// `/sok?q=…&kilde=…&type=…&tema=…&ar=…&antall=…`
pub async fn search(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let config = state.config();
    let params = match Params::parse(raw) {
        Ok(params) => params,
        Err(e) => return e.into_response(),
    };
    let (form, problem) = search_form(&config, &params);
    if let Some(message) = problem {
        return with_status(
            StatusCode::BAD_REQUEST,
            pages::search(&config, &form, &SearchOutcome::Error(message)),
        );
    }
    if form.query.is_empty() {
        return html(pages::search(&config, &form, &SearchOutcome::Empty));
    }
    let request = SearchRequest {
        query: form.query.clone(),
        limit: form.limit,
        source: form.source.clone(),
        theme: form.theme.clone(),
        kind: form.kind.clone(),
        year: form.year,
        // The same diversification as `samspor search`.
        max_per_source: None,
        expand: None,
    };
    let result = state
        .blocking(move |state| {
            let semantic = state.semantic();
            crate::embed::search(&*state.index()?, &request, semantic.as_deref())
                .map_err(PageError::from_index)
        })
        .await;
    match result {
        Ok(results) => html(pages::search(
            &config,
            &form,
            &SearchOutcome::Results(results),
        )),
        Err(e) if e.status == StatusCode::BAD_REQUEST => with_status(
            StatusCode::BAD_REQUEST,
            pages::search(&config, &form, &SearchOutcome::Error(e.message)),
        ),
        Err(e) => e.into_response(),
    }
}

/// `/dokument`
pub async fn documents(State(state): State<AppState>) -> Response {
    html(pages::documents(&state.config()))
}

fn unknown_document(id: &str) -> PageError {
    PageError::not_found(&format!("Ingen kilde heter «{id}» i sources.toml."))
}

/// `/dokument/ID`: sections in order, citations in and out, versions and changes.
pub async fn document(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return PageError::not_found("Adressen finnes ikke.").into_response();
    };
    let page = state
        .blocking(move |state| {
            let config = state.config();
            let source = config.source(&id).ok_or_else(|| unknown_document(&id))?;
            let index = state.index()?;
            let sections = index
                .sections_of(&source.id)
                .map_err(PageError::from_index)?;
            let catalog = read_catalog(state.index_dir())?;
            let citations = data::citations(state, &config, &index, &catalog)?;
            let (changes, changes_note) = match data::changes(state, &catalog) {
                Ok(changes) => (changes, None),
                // The rest of the page is still worth showing.
                Err(e) => {
                    tracing::warn!(source = %source.id, "changes not shown: {}", e.message);
                    (Default::default(), Some(e.message))
                }
            };
            let page = DocumentPage {
                source,
                sections: &sections,
                record: catalog.source(&source.id),
                cites: citations
                    .iter()
                    .filter(|c| c.record.source == source.id)
                    .collect(),
                cited_by: citations
                    .iter()
                    .filter(|c| c.record.target.as_deref() == Some(source.id.as_str()))
                    .collect(),
                changes: changes.iter().filter(|c| c.source == source.id).collect(),
                changes_note,
            };
            Ok(pages::document(&config, &page))
        })
        .await;
    page.map_or_else(IntoResponse::into_response, html)
}

/// `/dokument/ID/N`: one section in full.
pub async fn section(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((id, ordinal))) = path else {
        return PageError::not_found("Adressen finnes ikke.").into_response();
    };
    let Ok(ordinal) = ordinal.parse::<u64>() else {
        return PageError::not_found("Adressen finnes ikke.").into_response();
    };
    let page = state
        .blocking(move |state| {
            let config = state.config();
            let source = config.source(&id).ok_or_else(|| unknown_document(&id))?;
            let index = state.index()?;
            let sections = index
                .sections_of(&source.id)
                .map_err(PageError::from_index)?;
            let position = sections
                .iter()
                .position(|s| s.ordinal == ordinal)
                .ok_or_else(|| {
                    PageError::not_found(&format!(
                        "«{}» har ingen seksjon nummer {ordinal} i søket (dokumentet kan ha fått en ny versjon).",
                        source.title
                    ))
                })?;
            let catalog = read_catalog(state.index_dir())?;
            let citations = data::citations(state, &config, &index, &catalog)?;
            let page = SectionPage {
                source,
                section: &sections[position],
                previous: position.checked_sub(1).map(|p| &sections[p]),
                next: sections.get(position + 1),
                cites: citations
                    .iter()
                    .filter(|c| c.record.source == source.id && c.ordinal == ordinal)
                    .collect(),
            };
            Ok(pages::section(&config, &page))
        })
        .await;
    page.map_or_else(IntoResponse::into_response, html)
}

/// `/tema`
pub async fn themes(State(state): State<AppState>) -> Response {
    let page = state
        .blocking(|state| {
            let matches = read_matches(state.index_dir())?;
            Ok(pages::themes(&state.config(), matches.as_ref()))
        })
        .await;
    page.map_or_else(IntoResponse::into_response, html)
}

/// `/tema/ID`: the theme's sections, strongest first, with evidence.
pub async fn theme(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return PageError::not_found("Adressen finnes ikke.").into_response();
    };
    let page = state
        .blocking(move |state| {
            let config = state.config();
            let theme = config.theme(&id).ok_or_else(|| {
                PageError::not_found(&format!("Ingen tema heter «{id}» i sources.toml."))
            })?;
            let matches = read_matches(state.index_dir())?;
            let result = matches
                .as_ref()
                .and_then(|m| m.themes.iter().find(|t| t.id == theme.id));
            Ok(pages::theme(
                &config,
                theme,
                result,
                matches.as_ref().map(|m| m.generated_at),
            ))
        })
        .await;
    page.map_or_else(IntoResponse::into_response, html)
}

/// Reads the brief form; unknown themes, bad dates and formats are errors.
fn brief_request(config: &Config, params: &Params) -> Result<BriefForm, PageError> {
    let mut themes = Vec::new();
    for id in params.all("tema") {
        if config.theme(id).is_none() {
            return Err(PageError::bad_request(&format!("Ukjent tema «{id}».")));
        }
        if !themes.iter().any(|t: &String| t == id) {
            themes.push(id.to_string());
        }
    }
    let since = params
        .first("siden")
        .map(|date| {
            NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                PageError::bad_request(&format!("Ugyldig dato «{date}»: skriv den som ÅÅÅÅ-MM-DD."))
            })
        })
        .transpose()?;
    let top = match params.first("antall") {
        None => BRIEF_TOP,
        Some(n) => match n.parse::<usize>() {
            Ok(n) if (1..=MAX_BRIEF_TOP).contains(&n) => n,
            _ => {
                return Err(PageError::bad_request(&format!(
                    "Antall seksjoner per tema må være et tall fra 1 til {MAX_BRIEF_TOP}."
                )));
            }
        },
    };
    let format = match params.first("format").unwrap_or("docx") {
        "docx" => BriefFormat::Docx,
        "html" => BriefFormat::Html,
        "md" => BriefFormat::Markdown,
        other => {
            return Err(PageError::bad_request(&format!(
                "Ukjent format «{other}»: velg docx, html eller md."
            )));
        }
    };
    Ok(BriefForm {
        themes,
        since,
        top,
        format,
    })
}

/// `/notat`: the form, prefilled from the query string (`?tema=ID` from a theme page).
pub async fn brief_form(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let config = state.config();
    let form = Params::parse(raw).and_then(|params| brief_request(&config, &params));
    match form {
        Ok(form) => html(pages::brief_form(&config, &form)),
        Err(e) => e.into_response(),
    }
}

/// The page shown when `brief::generate` fails.
pub(crate) fn brief_error(error: &BriefError) -> PageError {
    if let BriefError::UnknownTheme(theme) = error {
        return PageError::bad_request(&format!("Ukjent tema «{theme}»."));
    }
    PageError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Notatet kunne ikke lages",
        &format!(
            "Notatet kunne ikke lages nå ({error}). Prøv igjen senere, eller kontakt den som drifter samspor."
        ),
    )
}

/// `/notat/last-ned?tema=…&siden=…&antall=…&format=…`: the brief as a download.
pub(crate) async fn brief_download(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Response {
    let config = state.config();
    let form = match Params::parse(raw).and_then(|params| brief_request(&config, &params)) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    let date = Local::now().date_naive();
    let format = form.format;
    let request = BriefRequest {
        themes: form.themes,
        since: form.since,
        top: form.top,
        format,
        date,
    };
    let bytes = state
        .blocking(move |state| {
            let config = state.config();
            crate::brief::generate(&config, state.index_dir(), &request).map_err(|e| {
                tracing::warn!("brief not generated: {e}");
                brief_error(&e)
            })
        })
        .await;
    match bytes {
        Ok(bytes) => {
            let filename = format!(
                "samspor-notat-{}.{}",
                date.format("%Y-%m-%d"),
                format.extension()
            );
            (
                [
                    (header::CONTENT_TYPE, format.mime().to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{filename}\""),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `/status`: last runs, and per source its state, last good fetch, failures and staleness.
pub async fn status(State(state): State<AppState>) -> Response {
    let page = state
        .blocking(|state| {
            let config = state.config();
            let catalog = read_catalog(state.index_dir())?;
            let indexed = state.index().ok().map(|index| index.len());
            let matched_at = read_matches(state.index_dir())?.map(|m| m.generated_at);
            Ok(pages::status(
                &config,
                &catalog,
                indexed,
                matched_at,
                Utc::now(),
            ))
        })
        .await;
    page.map_or_else(IntoResponse::into_response, html)
}

/// `/helse`: 200 when the index can be searched, 503 otherwise (for monitoring).
pub(crate) async fn health(State(state): State<AppState>) -> Response {
    match state.index() {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("{}\n", e.message)).into_response(),
    }
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

pub(crate) async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", include_str!("static/style.css"))
}

pub async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("static/app.js"),
    )
}

pub(crate) async fn favicon() -> Response {
    asset("image/svg+xml", include_str!("static/favicon.svg"))
}

pub(crate) async fn not_found() -> Response {
    PageError::not_found("Adressen finnes ikke.").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let text = r#"
[[source]]
id = "nou-a"
title = "NOU 2099: 1 Noe"
kind = "nou"
url = "https://example.org/a.pdf"

[[theme]]
id = "fastlegekrise"
label = "Fastlegekrise"
description = "Fastleger"
terms = ["fastlege"]
"#;
        Config::parse(
            text,
            std::path::Path::new("sources.toml"),
            std::path::Path::new("."),
        )
        .unwrap()
    }

    fn params(query: &str) -> Params {
        Params::parse(Some(query.to_string())).unwrap()
    }

    #[test]
    fn search_parameters_are_checked_against_the_config() {
        let config = config();
        let (form, problem) = search_form(&config, &params("q=fastlege&kilde=nou-a&ar=2099"));
        assert_eq!(problem, None);
        assert_eq!(form.source.as_deref(), Some("nou-a"));
        assert_eq!(form.year, Some(2099));
        assert_eq!(form.limit, PAGE_HITS);

        let (form, problem) = search_form(&config, &params("q=x&kilde=..%2Fetc%2Fpasswd"));
        assert_eq!(problem.as_deref(), Some("Ukjent kilde «../etc/passwd»."));
        assert_eq!(form.source, None);

        let (_, problem) = search_form(&config, &params("q=x&ar=tjue"));
        assert_eq!(problem.as_deref(), Some("Ugyldig år «tjue»."));

        let (form, _) = search_form(&config, &params("q=x&antall=100000"));
        assert_eq!(form.limit, MAX_HITS, "result count is bounded");

        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        let (form, problem) = search_form(&config, &params(&format!("q={long}")));
        assert!(problem.unwrap().starts_with("Søket er for langt"));
        assert_eq!(form.query.chars().count(), MAX_QUERY_CHARS);

        assert!(Params::parse(Some("q=".to_string() + &"a".repeat(5000))).is_err());
    }

    #[test]
    fn brief_parameters() {
        let config = config();
        let form = brief_request(
            &config,
            &params("tema=fastlegekrise&tema=fastlegekrise&siden=2024-03-01&antall=3&format=md"),
        )
        .unwrap();
        assert_eq!(form.themes, vec!["fastlegekrise"]);
        assert_eq!(form.since, NaiveDate::from_ymd_opt(2024, 3, 1));
        assert_eq!(form.top, 3);
        assert_eq!(form.format, BriefFormat::Markdown);

        let defaults = brief_request(&config, &params("")).unwrap();
        assert!(defaults.themes.is_empty());
        assert_eq!(defaults.format, BriefFormat::Docx);

        for bad in [
            "tema=ukjent",
            "siden=1.3.2024",
            "antall=0",
            "antall=99",
            "format=pdf",
        ] {
            let err = brief_request(&config, &params(bad)).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn brief_failures_are_norwegian_pages() {
        let err = brief_error(&BriefError::UnknownTheme("x".into()));
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
    }
}
