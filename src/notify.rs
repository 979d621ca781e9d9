//! Telling others about a run: the optional webhook of `[notify]` in sources.toml, POSTed the
//! run summary (JSON) after each `samspor run`.
//!
//! A webhook is a courtesy: it has its own short timeout, is tried at most twice (through
//! the same retry helper as fetching), and a failure is logged, never a failed run.
//!
//! Architecture invariant: this module sends what it is given; it knows nothing of the
//! catalog, the index or documents.

use std::time::{Duration, Instant};

use crate::config::NotifySettings;
use crate::fetch::retry::{
    Classify, RetryPolicy, Verdict, retry, retry_after_header, status_can_heal,
};

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("webhook {url}: HTTP {status}")]
    Status {
        url: String,
        status: u16,
        /// The receiver's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    #[error("webhook {url}: {message}")]
    Network { url: String, message: String },
    /// The last error after more than one attempt, and why no more were made.
    #[error("{last} ({story})")]
    GaveUp {
        #[source]
        last: Box<NotifyError>,
        story: String,
    },
}

impl Classify for NotifyError {
    fn verdict(&self) -> Verdict {
        match self {
            NotifyError::Status {
                status,
                retry_after,
                ..
            } if status_can_heal(*status) => Verdict::Transient {
                retry_after: *retry_after,
            },
            NotifyError::Network { .. } => Verdict::Transient { retry_after: None },
            _ => Verdict::Permanent,
        }
    }
}

/// Attempts after the first.
const RETRIES: u32 = 1;

/// POSTs `summary` as JSON to the configured webhook, if any. Returns the HTTP status.
///
/// Retried through [`crate::fetch::retry`] like a fetch: once, after about half a second (or
/// the receiver's `Retry-After`), only when it can heal (5xx, 408, 429, network errors), and
/// never past twice the timeout in all.
pub fn post_webhook(
    settings: &NotifySettings,
    user_agent: &str,
    summary: &serde_json::Value,
) -> Result<Option<u16>, NotifyError> {
    let Some(url) = &settings.webhook else {
        return Ok(None);
    };
    let network = |message: String| NotifyError::Network {
        url: url.clone(),
        message,
    };
    crate::fetch::install_crypto_provider();
    let timeout = Duration::from_secs_f64(settings.webhook_timeout_secs);
    let client = reqwest::blocking::Client::builder()
        .user_agent(user_agent)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .build()
        .map_err(|e| network(crate::errors::joined(&e)))?;
    let body = serde_json::to_vec(summary).map_err(|e| network(e.to_string()))?;
    let policy = RetryPolicy {
        retries: RETRIES,
        backoff: Duration::from_millis(500),
        max_backoff: Duration::from_millis(500),
    };
    let deadline = Instant::now() + timeout * (RETRIES + 1) + Duration::from_secs(1);
    retry(
        &policy,
        &|| deadline,
        |_| {
            let response = client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
                .send()
                .map_err(|err| network(crate::errors::joined(&err)))?;
            let status = response.status();
            if status.is_success() {
                return Ok(Some(status.as_u16()));
            }
            Err(NotifyError::Status {
                url: url.clone(),
                status: status.as_u16(),
                retry_after: retry_after_header(response.headers()),
            })
        },
        |error, attempt, wait| {
            tracing::info!(%error, attempt, wait_ms = wait.as_millis() as u64, "webhook failed, retrying");
        },
    )
    .map_err(|failure| match failure.story() {
        None => failure.error,
        Some(story) => NotifyError::GaveUp {
            last: Box::new(failure.error),
            story,
        },
    })
}
