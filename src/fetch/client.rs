//! The HTTP side of one attempt: the client, redirects hop by hop, and reading a body under a
//! deadline and a size limit.
//!
//! Redirects are followed here rather than by reqwest's redirect policy because each hop must
//! be checked against its own host's robots.txt and wait for that host's turn, and because we
//! need to know which hops were permanent (reqwest's policy callback has no per-request
//! context to record that in). Decompression is reqwest's (`gzip`, `brotli` features): it
//! asks with `Accept-Encoding` and hands us decoded bytes, so the size limit below counts
//! what a compressed body expands to.

use std::io::Read;
use std::time::{Duration, Instant};

use url::Url;

use super::politeness::{Permit, host_key};
use super::robots::{self, RobotsFile};
use super::{Clock, FetchError, Fetcher, Previous};
use crate::config::{FetchSettings, RobotsPolicy, Source};

/// Redirects followed for robots.txt (RFC 9309 asks for at least five).
const ROBOTS_REDIRECTS: u32 = 5;
/// The longest one robots.txt request may take.
const ROBOTS_TIMEOUT: Duration = Duration::from_secs(30);

/// Installs rustls's process-wide crypto provider (ring) before a client is built: the one
/// place for it (fetch and the webhook). Installing twice is harmless.
pub(crate) fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub(super) fn build(settings: &FetchSettings) -> Result<reqwest::blocking::Client, FetchError> {
    install_crypto_provider();
    reqwest::blocking::Client::builder()
        .user_agent(settings.user_agent_header())
        .connect_timeout(Duration::from_secs_f64(settings.connect_timeout_secs))
        .timeout(Duration::from_secs_f64(settings.timeout_secs))
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .brotli(true)
        .build()
        .map_err(FetchError::Client)
}

/// What one attempt brought back.
pub(super) struct Answer {
    pub body: Body,
    /// Where the answer came from, after redirects.
    pub final_url: Url,
    /// The target of the last permanent redirect (301/308) before any temporary one.
    pub moved_to: Option<Url>,
}

pub(super) enum Body {
    NotModified,
    Bytes {
        bytes: Vec<u8>,
        content_type: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// A final (non-redirect) response, with the host's turn held until it is dropped.
struct Reached<'a> {
    response: reqwest::blocking::Response,
    _permit: Permit<'a>,
    url: Url,
    moved_to: Option<Url>,
    /// When this request must be done, body included.
    deadline: Instant,
    timeout: Duration,
}

impl Fetcher {
    /// One attempt at a source: redirects, robots.txt, the host's turn, the body.
    pub(super) fn attempt(
        &self,
        source: &Source,
        start: &Url,
        previous: &Previous,
        clock: &Clock,
    ) -> Result<Answer, FetchError> {
        let respect = source.robots == RobotsPolicy::Respect;
        let check = |url: &Url| {
            if respect {
                self.check_robots(url, clock)
            } else {
                Ok(())
            }
        };
        let reached = self.get(start, previous, clock, self.settings.max_redirects, &check)?;
        let status = reached.response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Answer {
                body: Body::NotModified,
                final_url: reached.url,
                moved_to: reached.moved_to,
            });
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
                url: reached.url.to_string(),
                retry_after: super::retry::retry_after_header(reached.response.headers()),
            });
        }
        let header = |name: reqwest::header::HeaderName| {
            reached
                .response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let limit = self.settings.max_bytes;
        let url = reached.url.clone();
        let moved_to = reached.moved_to.clone();
        let bytes = read_body(reached, limit, true)?;
        Ok(Answer {
            body: Body::Bytes {
                bytes,
                content_type,
                etag,
                last_modified,
            },
            final_url: url,
            moved_to,
        })
    }

    /// GETs `start`, following up to `max_redirects` redirects, each hop passing `check` and
    /// waiting for its host's turn. Returns the first non-redirect response.
    fn get<'a>(
        &'a self,
        start: &Url,
        previous: &Previous,
        clock: &Clock,
        max_redirects: u32,
        check: &dyn Fn(&Url) -> Result<(), FetchError>,
    ) -> Result<Reached<'a>, FetchError> {
        let mut url = start.clone();
        let mut chain = vec![start.clone()];
        let mut moved_to = None;
        let mut all_permanent = true;
        loop {
            check(&url)?;
            let permit = self.turn(&url, clock)?;
            let now = Instant::now();
            let remaining = clock.deadline().saturating_duration_since(now);
            if remaining < Duration::from_millis(5) {
                return Err(FetchError::Budget {
                    url: url.to_string(),
                    secs: self.settings.source_budget_secs,
                    doing: "before the request could start",
                });
            }
            let timeout = remaining.min(Duration::from_secs_f64(self.settings.timeout_secs));
            let mut request = self.client.get(url.clone()).timeout(timeout);
            // Validators belong to the resource they came from.
            let validators = match &previous.final_url {
                Some(from) => from == url.as_str(),
                None => true,
            };
            if let Some(etag) = previous.etag.as_ref().filter(|_| validators) {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(last_modified) = previous.last_modified.as_ref().filter(|_| validators) {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, last_modified);
            }
            let response = request
                .send()
                .map_err(|e| network_error(url.as_str(), timeout, &e))?;
            let status = response.status();
            if !status.is_redirection() || status == reqwest::StatusCode::NOT_MODIFIED {
                return Ok(Reached {
                    response,
                    _permit: permit,
                    url,
                    moved_to,
                    deadline: now + timeout,
                    timeout,
                });
            }
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            drop(response);
            drop(permit);
            let bad = |message: String| FetchError::BadRedirect {
                url: url.to_string(),
                message,
            };
            let location =
                location.ok_or_else(|| bad(format!("HTTP {} without a Location", status)))?;
            let next = url
                .join(&location)
                .map_err(|e| bad(format!("Location {location:?}: {e}")))?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(bad(format!("to a {} address: {next}", next.scheme())));
            }
            if chain.contains(&next) {
                chain.push(next);
                let chain: Vec<String> = chain.iter().map(Url::to_string).collect();
                return Err(FetchError::RedirectLoop {
                    chain: chain.join(" → "),
                });
            }
            if chain.len() > max_redirects as usize {
                return Err(FetchError::TooManyRedirects {
                    url: start.to_string(),
                    limit: max_redirects,
                });
            }
            let permanent = matches!(status.as_u16(), 301 | 308);
            all_permanent &= permanent;
            if all_permanent {
                moved_to = Some(next.clone());
            }
            tracing::debug!(from = %url, to = %next, status = status.as_u16(), "redirect");
            chain.push(next.clone());
            url = next;
        }
    }

    /// Waits for the host's turn; the first turn starts the source's clock.
    fn turn<'a>(&'a self, url: &Url, clock: &Clock) -> Result<Permit<'a>, FetchError> {
        let started = clock.started.get().is_some();
        match self.gate.acquire(&host_key(url), clock.deadline()) {
            Ok(permit) => {
                clock.start();
                Ok(permit)
            }
            Err(_) if !started => Err(FetchError::RunBudget {
                url: url.to_string(),
                secs: self.settings.run_budget_secs,
            }),
            Err(_) => Err(FetchError::Budget {
                url: url.to_string(),
                secs: self.settings.source_budget_secs,
                doing: "waiting for its turn at the host",
            }),
        }
    }

    /// Whether robots.txt lets us fetch `url` (fetching it once per origin per run).
    fn check_robots(&self, url: &Url, clock: &Clock) -> Result<(), FetchError> {
        let origin = url.origin().ascii_serialization();
        let file = self.robots.get(&origin, || self.load_robots(url, clock));
        let mut path = url.path().to_string();
        if let Some(query) = url.query() {
            path.push('?');
            path.push_str(query);
        }
        file.check(&self.agent, &path)
            .map_err(|refusal| match refusal {
                robots::Refusal::Rule(rule) => FetchError::Disallowed {
                    url: url.to_string(),
                    rule,
                },
                robots::Refusal::Unreadable(why) => FetchError::RobotsUnreadable {
                    url: url.to_string(),
                    why,
                },
            })
    }

    fn load_robots(&self, url: &Url, clock: &Clock) -> RobotsFile {
        let file = self.fetch_robots(url, clock);
        match &file {
            RobotsFile::Rules(_) => {
                tracing::debug!(origin = %url.origin().ascii_serialization(), "robots.txt read")
            }
            RobotsFile::Missing { why } => {
                tracing::debug!(origin = %url.origin().ascii_serialization(), %why, "no robots.txt: everything allowed")
            }
            RobotsFile::Unreachable { why } => {
                tracing::warn!(origin = %url.origin().ascii_serialization(), %why, "robots.txt unreadable: nothing on this host is fetched this run")
            }
        }
        file
    }

    fn fetch_robots(&self, url: &Url, clock: &Clock) -> RobotsFile {
        let Ok(robots_url) = url.join("/robots.txt") else {
            return RobotsFile::Missing {
                why: "no robots.txt address".into(),
            };
        };
        // Its own, shorter limit inside the source's budget.
        let short = Clock {
            run_deadline: clock.run_deadline,
            budget: clock.budget.min(ROBOTS_TIMEOUT),
            started: clock.started.clone(),
        };
        let reached = self.get(
            &robots_url,
            &Previous::default(),
            &short,
            ROBOTS_REDIRECTS,
            &|_| Ok(()),
        );
        clock.started.set(short.started.get());
        let reached = match reached {
            Ok(reached) => reached,
            Err(
                error @ (FetchError::RedirectLoop { .. }
                | FetchError::TooManyRedirects { .. }
                | FetchError::BadRedirect { .. }),
            ) => {
                return RobotsFile::Missing {
                    why: error.to_string(),
                };
            }
            Err(error) => {
                return RobotsFile::Unreachable {
                    why: error.to_string(),
                };
            }
        };
        let status = reached.response.status();
        if status.is_client_error() || status == reqwest::StatusCode::NOT_MODIFIED {
            return RobotsFile::Missing {
                why: format!("HTTP {}", status.as_u16()),
            };
        }
        if !status.is_success() {
            return RobotsFile::Unreachable {
                why: format!("HTTP {} from {}", status.as_u16(), reached.url),
            };
        }
        match read_body(reached, robots::MAX_BYTES, false) {
            Ok(bytes) => RobotsFile::Rules(robots::Robots::parse(&String::from_utf8_lossy(&bytes))),
            Err(error) => RobotsFile::Unreachable {
                why: error.to_string(),
            },
        }
    }
}

/// Reads a body in chunks so that the size limit (on decompressed bytes) and the deadline hold
/// even when the server lies about Content-Length or drips the body. With `strict`, going over
/// the limit is an error; otherwise the body is cut at the limit.
fn read_body(reached: Reached<'_>, limit: u64, strict: bool) -> Result<Vec<u8>, FetchError> {
    let url = reached.url.to_string();
    let too_large = || FetchError::TooLarge {
        url: url.clone(),
        limit,
    };
    let timed_out = || FetchError::Timeout {
        secs: reached.timeout.as_secs_f64(),
        url: url.clone(),
    };
    if strict
        && reached
            .response
            .content_length()
            .is_some_and(|len| len > limit)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let mut reader = reached.response.take(limit + 1);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                if Instant::now() >= reached.deadline || is_timeout_io(&e) {
                    return Err(timed_out());
                }
                return Err(FetchError::Network {
                    url: url.clone(),
                    message: format!("reading body: {}", crate::errors::innermost(&e)),
                });
            }
        };
        body.extend_from_slice(&chunk[..n]);
        if body.len() as u64 > limit {
            if strict {
                return Err(too_large());
            }
            body.truncate(limit as usize);
            break;
        }
        if Instant::now() >= reached.deadline {
            return Err(timed_out());
        }
    }
    Ok(body)
}

fn network_error(url: &str, timeout: Duration, e: &reqwest::Error) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout {
            secs: timeout.as_secs_f64(),
            url: url.to_string(),
        };
    }
    FetchError::Network {
        url: url.to_string(),
        message: crate::errors::innermost(e),
    }
}

fn is_timeout_io(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return true;
    }
    e.get_ref().is_some_and(|inner| {
        crate::errors::chain(inner).any(|c| {
            c.downcast_ref::<reqwest::Error>()
                .is_some_and(reqwest::Error::is_timeout)
        })
    })
}
