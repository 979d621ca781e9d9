//! Fetch: brings each source's current bytes into the version store, politely, within a time
//! budget that a bad server cannot stretch.
//!
//! - `client`: the reqwest client (gzip and brotli accepted; the size limit applies to the
//!   decompressed bytes), redirects followed hop by hop (each hop checked against robots.txt
//!   and taking its host's turn; loops and permanent moves recognised), bodies read under the
//!   attempt's deadline.
//! - `retry`: the one retry helper (also used by `notify`): only what can heal is retried,
//!   `Retry-After` honoured, jittered exponential back-off, never past the deadline.
//! - `politeness`: one request at a time per host, `[fetch] host_delay_ms` between them.
//! - `robots`: robots.txt, fetched once per host per run; `robots = "ignore"` per source.
//!
//! Time: each attempt gets `timeout_secs` at most; each source `source_budget_secs` for all its
//! attempts, waits and redirects (counted from its first turn at its host); the stage
//! `run_budget_secs`. A source that runs out fails with what happened.
//!
//! Architecture invariant: fetch never deletes or overwrites a stored version; a failure
//! leaves the last good version where it was.

mod client;
pub(crate) use client::install_crypto_provider;
pub mod politeness;
pub mod retry;
pub mod robots;

use std::cell::Cell;
use std::io::Read;
use std::time::{Duration, Instant};

use crate::config::{FetchSettings, Location, RobotsPolicy, Source};
use crate::extract::model::Format;
use crate::track::store::VersionStore;
use politeness::HostGate;
use retry::{Classify, RetryPolicy, Verdict};
use robots::RobotsCache;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status} from {url}")]
    Status {
        status: u16,
        url: String,
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    #[error("timed out after {secs:.1} s fetching {url}")]
    Timeout { secs: f64, url: String },
    #[error("{url}: larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: expected a PDF but got {got}")]
    NotPdf { url: String, got: String },
    #[error("{url}: content is neither PDF nor HTML ({hint})")]
    Unrecognised { url: String, hint: String },
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    #[error("redirect loop: {chain}")]
    RedirectLoop { chain: String },
    #[error("{url}: more than {limit} redirects")]
    TooManyRedirects { url: String, limit: u32 },
    #[error("{url}: bad redirect: {message}")]
    BadRedirect { url: String, message: String },
    #[error(
        "{url}: disallowed by robots.txt ({rule}); set robots = \"ignore\" on the source in sources.toml to fetch it anyway"
    )]
    Disallowed { url: String, rule: String },
    /// RFC 9309: a robots.txt that cannot be read (5xx, no answer) disallows the whole site.
    #[error(
        "{url}: not fetched: the site's robots.txt could not be read ({why}), and that means nothing there may be fetched this run"
    )]
    RobotsUnreadable { url: String, why: String },
    #[error("{url}: the source's time budget of {secs:.1} s ran out {doing}")]
    Budget {
        url: String,
        secs: f64,
        doing: &'static str,
    },
    #[error("{url}: not fetched: the fetch stage's time budget of {secs:.1} s was used up")]
    RunBudget { url: String, secs: f64 },
    /// The last error after several attempts, and why no more were made.
    #[error("{last} ({story})")]
    GaveUp {
        #[source]
        last: Box<FetchError>,
        story: String,
    },
    #[error("{path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot store version: {0}")]
    Store(#[source] std::io::Error),
    #[error("cannot start HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

impl Classify for FetchError {
    fn verdict(&self) -> Verdict {
        match self {
            FetchError::Status {
                status,
                retry_after,
                ..
            } if retry::status_can_heal(*status) => Verdict::Transient {
                retry_after: *retry_after,
            },
            FetchError::Timeout { .. } | FetchError::Network { .. } => {
                Verdict::Transient { retry_after: None }
            }
            _ => Verdict::Permanent,
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
    /// The address the validators came from (after redirects): they are sent only there, so a
    /// source that moved is fetched in full once and its move recorded. None: every hop.
    pub final_url: Option<String>,
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
        /// The address the bytes came from after redirects (None for files).
        final_url: Option<String>,
        /// Set when the source answered with a permanent redirect (301/308): the address it
        /// now lives at (the target of the last permanent hop before any temporary one).
        moved_to: Option<String>,
    },
}

/// Fetches sources with one shared HTTP client, host turns and robots.txt cache: make one
/// per run (the run budget starts when it is made).
pub struct Fetcher {
    client: reqwest::blocking::Client,
    settings: FetchSettings,
    /// The robots.txt product token.
    agent: String,
    gate: HostGate,
    robots: RobotsCache,
    run_deadline: Instant,
}

/// One source's time: its budget starts at its first turn at a host; before that only the
/// run's deadline counts (so waiting behind other sources of the same host costs it nothing).
struct Clock {
    run_deadline: Instant,
    budget: Duration,
    started: Cell<Option<Instant>>,
}

impl Clock {
    fn deadline(&self) -> Instant {
        match self.started.get() {
            Some(started) => (started + self.budget).min(self.run_deadline),
            None => self.run_deadline,
        }
    }

    fn start(&self) {
        if self.started.get().is_none() {
            self.started.set(Some(Instant::now()));
        }
    }
}

impl Fetcher {
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, FetchError> {
        let run_deadline = Instant::now() + Duration::from_secs_f64(settings.run_budget_secs);
        Ok(Fetcher {
            client: client::build(settings)?,
            agent: settings.robots_token(),
            gate: HostGate::new(Duration::from_millis(settings.host_delay_ms)),
            robots: RobotsCache::default(),
            settings: settings.clone(),
            run_deadline,
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
                let (sha256, new_version) = store
                    .put(&source.id, &bytes, format)
                    .map_err(FetchError::Store)?;
                Ok(Fetched::Body {
                    sha256,
                    format,
                    size: bytes.len() as u64,
                    new_version,
                    etag: None,
                    last_modified: None,
                    final_url: None,
                    moved_to: None,
                })
            }
            Location::Http(url) => self.fetch_http(source, url, previous, store),
        }
    }

    fn fetch_http(
        &self,
        source: &Source,
        url: &url::Url,
        previous: &Previous,
        store: &VersionStore,
    ) -> Result<Fetched, FetchError> {
        if Instant::now() >= self.run_deadline {
            return Err(FetchError::RunBudget {
                url: url.to_string(),
                secs: self.settings.run_budget_secs,
            });
        }
        // Conditional only if the version it refers to is still on disk.
        let usable_previous = match (&previous.sha256, previous.format) {
            (Some(sha), Some(format)) if store.contains(&source.id, sha, format) => {
                previous.clone()
            }
            _ => Previous::default(),
        };
        if source.robots == RobotsPolicy::Ignore {
            tracing::info!(source = %source.id, "robots.txt not consulted (robots = \"ignore\" in sources.toml)");
        }
        let clock = Clock {
            run_deadline: self.run_deadline,
            budget: Duration::from_secs_f64(self.settings.source_budget_secs),
            started: Cell::new(None),
        };
        let policy = RetryPolicy {
            retries: self.settings.retries,
            backoff: Duration::from_millis(self.settings.backoff_ms),
            max_backoff: Duration::from_secs(60),
        };
        let answer = retry::retry(
            &policy,
            &|| clock.deadline(),
            |_| self.attempt(source, url, &usable_previous, &clock),
            |error, attempt, wait| {
                tracing::warn!(source = %source.id, attempt, wait_ms = wait.as_millis() as u64, %error, "fetch failed, retrying");
            },
        )
        .map_err(|failure| match failure.story() {
            None => failure.error,
            Some(story) => FetchError::GaveUp {
                last: Box::new(failure.error),
                story,
            },
        })?;
        if let Some(moved_to) = &answer.moved_to {
            tracing::warn!(source = %source.id, from = %url, to = %moved_to, "the source has moved permanently (301/308): update its url in sources.toml");
        }
        let (bytes, content_type, etag, last_modified) = match answer.body {
            client::Body::NotModified => return Ok(Fetched::NotModified),
            client::Body::Bytes {
                bytes,
                content_type,
                etag,
                last_modified,
            } => (bytes, content_type, etag, last_modified),
        };
        let final_url = answer.final_url;
        let expected =
            expects_pdf(final_url.path(), content_type.as_deref()) || expects_pdf(url.path(), None);
        let format = classify(&bytes, expected, final_url.as_str())?;
        let (sha256, new_version) = store
            .put(&source.id, &bytes, format)
            .map_err(FetchError::Store)?;
        Ok(Fetched::Body {
            sha256,
            format,
            size: bytes.len() as u64,
            new_version,
            etag,
            last_modified,
            final_url: Some(final_url.to_string()),
            moved_to: answer.moved_to.map(|u| u.to_string()),
        })
    }
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
pub(crate) fn sniff(bytes: &[u8]) -> Option<Format> {
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

    fn heals(error: &FetchError) -> bool {
        matches!(error.verdict(), Verdict::Transient { .. })
    }

    #[test]
    fn only_what_can_heal_is_retried() {
        let status = |status| FetchError::Status {
            status,
            url: "u".into(),
            retry_after: None,
        };
        for healing in [500, 503, 408, 429] {
            assert!(heals(&status(healing)), "{healing}");
        }
        for permanent in [404, 403, 400, 410] {
            assert!(!heals(&status(permanent)), "{permanent}");
        }
        let asked = FetchError::Status {
            status: 429,
            url: "u".into(),
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            asked.verdict(),
            Verdict::Transient {
                retry_after: Some(Duration::from_secs(2))
            }
        );
        assert!(heals(&FetchError::Timeout {
            secs: 1.0,
            url: "u".into()
        }));
        let permanent = [
            FetchError::TooLarge {
                url: "u".into(),
                limit: 1,
            },
            FetchError::RedirectLoop {
                chain: "a → b → a".into(),
            },
            FetchError::TooManyRedirects {
                url: "u".into(),
                limit: 10,
            },
            FetchError::NotPdf {
                url: "u".into(),
                got: "an HTML page".into(),
            },
            FetchError::Disallowed {
                url: "u".into(),
                rule: "Disallow: /".into(),
            },
        ];
        for error in permanent {
            assert!(!heals(&error), "{error}");
        }
    }

    proptest::proptest! {
        #[test]
        fn sniffing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = sniff(&bytes);
            let _ = classify(&bytes, true, "u");
        }
    }
}
