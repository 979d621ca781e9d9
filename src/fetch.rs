//! Fetch: brings each source's current bytes into the version store, politely.
//!
//! HTTP sources use conditional requests (ETag, Last-Modified), a connect timeout and a total
//! time limit, a size limit enforced while reading, and retries with exponential back-off on
//! 5xx answers, timeouts and connection errors (never on 4xx). The body is sniffed by its magic
//! bytes: a `.pdf` URL that answers with HTML is an error for that source. Files (file:// or a
//! relative path) are read with the same size limit.
//!
//! Architecture invariant: fetch never deletes or overwrites a stored version; a failure
//! leaves the last good version where it was.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::config::{FetchSettings, Location, Source};
use crate::extract::model::Format;
use crate::track::store::VersionStore;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status} from {url}")]
    Status { status: u16, url: String },
    #[error("timed out after {secs:.0} s fetching {url}")]
    Timeout { secs: f64, url: String },
    #[error("{url}: larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: expected a PDF but got {got}")]
    NotPdf { url: String, got: String },
    #[error("{url}: content is neither PDF nor HTML ({hint})")]
    Unrecognised { url: String, hint: String },
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    #[error("{path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot store version: {0}")]
    Store(#[source] std::io::Error),
    #[error("cannot start HTTP client: {0}")]
    Client(String),
}

impl FetchError {
    fn retryable(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => *status >= 500,
            FetchError::Timeout { .. } | FetchError::Network { .. } => true,
            _ => false,
        }
    }
}

/// Validators from the previous fetch, sent as a conditional request.
#[derive(Debug, Clone, Default)]
pub struct Previous {
    pub sha256: Option<String>,
    pub format: Option<Format>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The result of fetching one source.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// 304: the stored version is current.
    NotModified,
    /// New bytes were downloaded; `new_version` is false when they hash to a stored version.
    Body {
        sha256: String,
        format: Format,
        size: u64,
        new_version: bool,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Fetches sources with one shared HTTP client.
pub struct Fetcher {
    client: reqwest::blocking::Client,
    settings: FetchSettings,
}

impl Fetcher {
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, FetchError> {
        // rustls needs a process-wide crypto provider; installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .user_agent(settings.user_agent.clone())
            .connect_timeout(Duration::from_secs_f64(settings.connect_timeout_secs))
            .timeout(Duration::from_secs_f64(settings.timeout_secs))
            .redirect(reqwest::redirect::Policy::limited(10))
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher {
            client,
            settings: settings.clone(),
        })
    }

    /// Fetches one source into the store.
    pub fn fetch(
        &self,
        source: &Source,
        previous: &Previous,
        store: &VersionStore,
    ) -> Result<Fetched, FetchError> {
        match &source.location {
            Location::File(path) => {
                let bytes = read_file_limited(path, self.settings.max_bytes)?;
                let label = path.display().to_string();
                let format = classify(&bytes, expects_pdf(&label, None), &label)?;
                self.store(source, store, &bytes, format, None, None)
            }
            Location::Http(url) => {
                // Conditional only if the version it refers to is still on disk.
                let usable_previous = match (&previous.sha256, previous.format) {
                    (Some(sha), Some(format)) if store.contains(&source.id, sha, format) => {
                        previous.clone()
                    }
                    _ => Previous::default(),
                };
                let mut attempt = 0;
                loop {
                    match self.fetch_http_once(url.as_str(), &usable_previous) {
                        Ok(HttpAnswer::NotModified) => return Ok(Fetched::NotModified),
                        Ok(HttpAnswer::Body {
                            bytes,
                            content_type,
                            etag,
                            last_modified,
                        }) => {
                            let expected = expects_pdf(url.path(), content_type.as_deref());
                            let format = classify(&bytes, expected, url.as_str())?;
                            return self.store(source, store, &bytes, format, etag, last_modified);
                        }
                        Err(err) if err.retryable() && attempt < self.settings.retries => {
                            let delay = self
                                .settings
                                .backoff_ms
                                .saturating_mul(1 << attempt.min(16));
                            tracing::warn!(source = %source.id, attempt = attempt + 1, delay_ms = delay, error = %err, "fetch failed, retrying");
                            std::thread::sleep(Duration::from_millis(delay));
                            attempt += 1;
                        }
                        Err(err) => return Err(err),
                    }
                }
            }
        }
    }

    fn store(
        &self,
        source: &Source,
        store: &VersionStore,
        bytes: &[u8],
        format: Format,
        etag: Option<String>,
        last_modified: Option<String>,
    ) -> Result<Fetched, FetchError> {
        let (sha256, new_version) = store
            .put(&source.id, bytes, format)
            .map_err(FetchError::Store)?;
        Ok(Fetched::Body {
            sha256,
            format,
            size: bytes.len() as u64,
            new_version,
            etag,
            last_modified,
        })
    }

    fn fetch_http_once(&self, url: &str, previous: &Previous) -> Result<HttpAnswer, FetchError> {
        let started = Instant::now();
        let total = Duration::from_secs_f64(self.settings.timeout_secs);
        let mut request = self.client.get(url);
        if let Some(etag) = &previous.etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &previous.last_modified {
            request = request.header(reqwest::header::IF_MODIFIED_SINCE, last_modified);
        }
        let network = |e: reqwest::Error| self.network_error(url, e);
        let response = request.send().map_err(network)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(HttpAnswer::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
                url: url.to_string(),
            });
        }
        let limit = self.settings.max_bytes;
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);

        // Read in chunks so both the size limit and the total time limit hold even when the
        // server lies about (or omits) Content-Length or trickles the body.
        let mut body = Vec::new();
        let mut reader = response.take(limit + 1);
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    if started.elapsed() >= total || is_timeout_io(&e) {
                        return Err(FetchError::Timeout {
                            secs: self.settings.timeout_secs,
                            url: url.to_string(),
                        });
                    }
                    return Err(FetchError::Network {
                        url: url.to_string(),
                        message: format!("reading body: {e}"),
                    });
                }
            };
            body.extend_from_slice(&chunk[..n]);
            if body.len() as u64 > limit {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit,
                });
            }
            if started.elapsed() >= total {
                return Err(FetchError::Timeout {
                    secs: self.settings.timeout_secs,
                    url: url.to_string(),
                });
            }
        }
        Ok(HttpAnswer::Body {
            bytes: body,
            content_type,
            etag,
            last_modified,
        })
    }

    fn network_error(&self, url: &str, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            return FetchError::Timeout {
                secs: self.settings.timeout_secs,
                url: url.to_string(),
            };
        }
        // The innermost cause says what went wrong ("connection refused"), reqwest's own text
        // only that something did.
        let mut message = e.to_string();
        let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(&e);
        while let Some(c) = cause {
            message = c.to_string();
            cause = c.source();
        }
        FetchError::Network {
            url: url.to_string(),
            message,
        }
    }
}

enum HttpAnswer {
    NotModified,
    Body {
        bytes: Vec<u8>,
        content_type: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

fn is_timeout_io(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return true;
    }
    let mut cause: Option<&dyn std::error::Error> = e.get_ref().map(|r| r as _);
    while let Some(c) = cause {
        if let Some(re) = c.downcast_ref::<reqwest::Error>()
            && re.is_timeout()
        {
            return true;
        }
        cause = c.source();
    }
    false
}

fn read_file_limited(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, FetchError> {
    let file_error = |source| FetchError::File {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(file_error)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(file_error)?;
    if bytes.len() as u64 > limit {
        return Err(FetchError::TooLarge {
            url: path.display().to_string(),
            limit,
        });
    }
    Ok(bytes)
}

/// Whether the URL or Content-Type promise a PDF.
fn expects_pdf(path: &str, content_type: Option<&str>) -> bool {
    let by_name = path.to_ascii_lowercase().ends_with(".pdf");
    let by_type =
        content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("application/pdf"));
    by_name || by_type
}

/// Decides the format from the bytes themselves.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    // The PDF header may follow some junk (the spec allows it within the first 1024 bytes).
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Some(Format::Pdf);
    }
    let start = bytes.len().min(4096);
    let text = String::from_utf8_lossy(&bytes[..start]).to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let looks_html = trimmed.starts_with('<')
        && [
            "<html",
            "<!doctype html",
            "<head",
            "<body",
            "<main",
            "<article",
        ]
        .iter()
        .any(|tag| text.contains(tag));
    looks_html.then_some(Format::Html)
}

fn classify(bytes: &[u8], expected_pdf: bool, url: &str) -> Result<Format, FetchError> {
    match sniff(bytes) {
        Some(Format::Pdf) => Ok(Format::Pdf),
        Some(Format::Html) if expected_pdf => Err(FetchError::NotPdf {
            url: url.to_string(),
            got: "an HTML page".into(),
        }),
        Some(Format::Html) => Ok(Format::Html),
        None if expected_pdf => Err(FetchError::NotPdf {
            url: url.to_string(),
            got: describe(bytes),
        }),
        None => Err(FetchError::Unrecognised {
            url: url.to_string(),
            hint: describe(bytes),
        }),
    }
}

fn describe(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "an empty body".into();
    }
    let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(16)])
        .chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .collect();
    format!("{} bytes starting {head:?}", bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_pdf_and_html() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(Format::Pdf));
        assert_eq!(sniff(b"\x00\x00junk%PDF-1.4"), Some(Format::Pdf));
        assert_eq!(
            sniff(b"\xef\xbb\xbf <!DOCTYPE html><html lang=nn>"),
            Some(Format::Html)
        );
        assert_eq!(sniff(b"plain text"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn html_for_a_pdf_url_is_an_error() {
        let err = classify(
            b"<html><body>Ikkje funne</body></html>",
            true,
            "https://x/a.pdf",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(err, "https://x/a.pdf: expected a PDF but got an HTML page");
        assert_eq!(
            classify(b"<html><body>x</body></html>", false, "https://x/a").unwrap(),
            Format::Html
        );
    }

    #[test]
    fn only_server_errors_and_timeouts_are_retried() {
        let status = |status| FetchError::Status {
            status,
            url: "u".into(),
        };
        assert!(status(503).retryable());
        assert!(!status(404).retryable());
        assert!(!status(403).retryable());
        assert!(
            FetchError::Timeout {
                secs: 1.0,
                url: "u".into()
            }
            .retryable()
        );
        assert!(
            !FetchError::TooLarge {
                url: "u".into(),
                limit: 1
            }
            .retryable()
        );
    }

    proptest::proptest! {
        #[test]
        fn sniffing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = sniff(&bytes);
            let _ = classify(&bytes, true, "u");
        }
    }
}
