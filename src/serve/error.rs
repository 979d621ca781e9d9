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

    pub(crate) fn bad_request(message: &str) -> PageError {
        PageError::new(StatusCode::BAD_REQUEST, "Ugyldig forespørsel", message)
    }

    pub(crate) fn not_found(message: &str) -> PageError {
        PageError::new(StatusCode::NOT_FOUND, "Fant ikke siden", message)
    }

    pub fn internal(message: &str) -> PageError {
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Noe gikk galt",
            &format!("Siden kunne ikke vises: {message}."),
        )
    }

    pub(crate) fn busy() -> PageError {
        PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Tjenesten er opptatt",
            "Det tok for lang tid å svare. Prøv igjen om litt.",
        )
    }

    pub(crate) fn no_index(detail: &str) -> PageError {
        PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Søkeindeksen er ikke klar",
            &format!(
                "Dokumentene er ikke indeksert ennå, eller indeksen kan ikke leses. Den som drifter samspor må kjøre «samspor run». ({detail})"
            ),
        )
    }

    pub(crate) fn from_index(error: IndexError) -> PageError {
        match error {
            IndexError::Query { error, .. } => PageError::new(
                StatusCode::BAD_REQUEST,
                "Søket kunne ikke tolkes",
                &format!("Søket kunne ikke tolkes: {}", error.norwegian()),
            ),
            IndexError::Missing(_) | IndexError::Stale(_) => {
                PageError::no_index(&error.to_string())
            }
            other => PageError::internal(&format!("søkeindeksen: {other}")),
        }
    }
}
