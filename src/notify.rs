//! Telling others about a run: the optional webhook of `[notify]` in sources.toml, POSTed the
//! run summary (JSON) after each `samspor run`.
//!
//! A webhook is a courtesy: it has its own short timeout, is tried at most twice, and a
//! failure is logged, never a failed run.
//!
//! Architecture invariant: this module sends what it is given; it knows nothing of the
//! catalog, the index or documents.

use std::time::Duration;

use crate::config::NotifySettings;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("webhook {url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("webhook {url}: {message}")]
    Network { url: String, message: String },
}

/// POSTs `summary` as JSON to the configured webhook, if any. Returns the HTTP status.
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
    let _ = rustls::crypto::ring::default_provider().install_default();
    let timeout = Duration::from_secs_f64(settings.webhook_timeout_secs);
    let client = reqwest::blocking::Client::builder()
        .user_agent(user_agent)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .build()
        .map_err(|e| network(e.to_string()))?;
    let body = serde_json::to_vec(summary).map_err(|e| network(e.to_string()))?;
    let mut last = None;
    for attempt in 0..2 {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(500));
        }
        let result = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone())
            .send();
        match result {
            Ok(response) if response.status().is_success() => {
                return Ok(Some(response.status().as_u16()));
            }
            Ok(response) => {
                let status = response.status().as_u16();
                last = Some(NotifyError::Status {
                    url: url.clone(),
                    status,
                });
                // A 4xx will not get better by asking again.
                if status < 500 {
                    break;
                }
            }
            Err(err) => last = Some(network(error_chain(&err))),
        }
    }
    Err(last.unwrap_or_else(|| network("no attempt made".into())))
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
