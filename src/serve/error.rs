//! A page that could not be shown: its status code and Norwegian title and message. Its own
//! file so that `data`, `state` and `pages` all use it without depending on one another.

use axum::http::StatusCode;

use crate::index::IndexError;

/// A page that could not be shown, with the status code to send.
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, title: &str, message: &str) -> PageError {
        PageError {
            status,
            title: title.to_string(),
            message: message.to_string(),
        }
    }

    pub fn bad_request(message: &str) -> PageError {
        PageError::new(StatusCode::BAD_REQUEST, "Ugyldig forespørsel", message)
    }

    pub fn not_found(message: &str) -> PageError {
        PageError::new(StatusCode::NOT_FOUND, "Fant ikke siden", message)
    }

    pub fn internal(message: &str) -> PageError {
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Noe gikk galt",
            &format!("Siden kunne ikke vises: {message}."),
        )
    }

    pub fn busy() -> PageError {
        PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Tjenesten er opptatt",
            "Det tok for lang tid å svare. Prøv igjen om litt.",
        )
    }

    pub fn no_index(detail: &str) -> PageError {
        PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Søkeindeksen er ikke klar",
            &format!(
                "Dokumentene er ikke indeksert ennå, eller indeksen kan ikke leses. Den som drifter samspor må kjøre «samspor run». ({detail})"
            ),
        )
    }

    pub fn from_index(error: IndexError) -> PageError {
        match error {
            IndexError::Query { message, .. } => PageError::new(
                StatusCode::BAD_REQUEST,
                "Søket kunne ikke tolkes",
                &format!("Søket kunne ikke tolkes: {}", query_problem(&message)),
            ),
            IndexError::Missing(_) | IndexError::Stale(_) => {
                PageError::no_index(&error.to_string())
            }
            other => PageError::internal(&format!("søkeindeksen: {other}")),
        }
    }
}

/// The query parser's (English) message in Norwegian, for the page: the CLI keeps the parser's
/// words, the secretariat reads these.
fn query_problem(message: &str) -> String {
    let quoted = |text: &str| {
        text.split('\'')
            .nth(1)
            .map(str::to_string)
            .unwrap_or_default()
    };
    if message == "empty query" {
        "skriv inn noe å søke etter.".into()
    } else if message.starts_with("query longer than") {
        "søket er for langt.".into()
    } else if message.starts_with("query has more than") {
        "søket har for mange ord.".into()
    } else if message.starts_with("unbalanced") {
        "en parentes mangler sin make.".into()
    } else if message == "unclosed quote" {
        "et anførselstegn er ikke lukket.".into()
    } else if message == "empty quotes" {
        "det står ingenting mellom anførselstegnene.".into()
    } else if message.starts_with("a query cannot only exclude") {
        "et søk kan ikke bare utelate ord: legg til et ord å søke etter.".into()
    } else if message.starts_with("OR needs") {
        "ELLER (OR) trenger et ord på begge sider.".into()
    } else if message.starts_with("AND needs") {
        "OG (AND) trenger et ord på begge sider.".into()
    } else if message.starts_with("'-' or NOT") {
        "minus eller IKKE (NOT) trenger et ord etter seg.".into()
    } else if message.starts_with("'+' needs") {
        "pluss trenger et ord etter seg.".into()
    } else if message == "query ends too early" || message.starts_with("unexpected") {
        "søket slutter eller fortsetter på et uventet sted.".into()
    } else if message.starts_with("unknown field") {
        format!(
            "ukjent filter «{}:» (bruk kilde:, type:, tema: eller år:).",
            quoted(message)
        )
    } else if message.ends_with("needs a value") {
        format!("filteret «{}» trenger en verdi.", quoted(message))
    } else if message.contains("a prefix needs at least three letters") {
        format!("«{}»: skriv minst tre bokstaver før *.", quoted(message))
    } else if message.contains("is only allowed at the end") {
        format!("«{}»: * kan bare stå sist i et ord.", quoted(message))
    } else if message.contains("is not a year") || message.starts_with("year range") {
        "året må være et årstall eller et intervall som 2020..2023.".into()
    } else {
        "sjekk parenteser, anførselstegn og filtre (kilde:, type:, tema:, år:).".into()
    }
}
