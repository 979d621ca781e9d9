//! One retry helper for everything samspor sends over HTTP (fetching sources, the webhook).
//!
//! Only what can heal is tried again: an error says so through [`Classify`]. Waits grow
//! exponentially with jitter, a server's `Retry-After` (seconds or an HTTP-date) replaces the
//! computed wait, and nothing waits past the deadline: when the next wait would end after it,
//! the helper gives up at once and says why.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

/// What a failed attempt says about asking again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Asking again gives the same answer: a 4xx (but 408 and 429), a redirect loop, the
    /// wrong content, a body over the limit.
    Permanent,
    /// May heal: a timeout, a broken connection, 5xx, 408, 429. `retry_after` is the wait the
    /// server asked for.
    Transient { retry_after: Option<Duration> },
}

/// Errors that know whether they can heal.
pub trait Classify {
    fn verdict(&self) -> Verdict;
}

/// How often and how patiently to ask again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub retries: u32,
    /// The first computed wait; doubled on each retry.
    pub backoff: Duration,
    /// No computed wait is longer (a `Retry-After` is bounded by the deadline instead).
    pub max_backoff: Duration,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 = the first retry): exponential, capped, with
    /// "equal jitter" (half fixed, half random) so that many clients do not retry in step.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let full = self
            .backoff
            .saturating_mul(1u32 << retry.min(20))
            .min(self.max_backoff);
        let half = full / 2;
        let jitter = half.mul_f64(fastrand::f64());
        half + jitter
    }
}

/// Why the helper stopped trying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// The error cannot heal.
    Permanent,
    /// Every allowed retry was used.
    RetriesUsed,
    /// The next wait would have ended after the deadline.
    Budget {
        /// The wait that did not fit.
        wait: Duration,
        /// Whether the server asked for it (`Retry-After`).
        server_asked: bool,
        /// What was left of the budget.
        remaining: Duration,
    },
}

/// The last error and the story of the attempts before it.
#[derive(Debug)]
pub struct Failure<E> {
    pub error: E,
    pub attempts: u32,
    pub elapsed: Duration,
    pub reason: GiveUp,
}

impl<E> Failure<E> {
    /// "gave up after 3 attempts in 2.1 s", or None for a single attempt that could not heal.
    pub(crate) fn story(&self) -> Option<String> {
        let tries = |n: u32| {
            if n == 1 {
                "1 attempt".to_string()
            } else {
                format!("{n} attempts")
            }
        };
        let secs = self.elapsed.as_secs_f64();
        match self.reason {
            GiveUp::Permanent if self.attempts <= 1 => None,
            GiveUp::Permanent | GiveUp::RetriesUsed => Some(format!(
                "gave up after {} in {secs:.1} s",
                tries(self.attempts)
            )),
            GiveUp::Budget { remaining, .. } if remaining < Duration::from_millis(10) => {
                Some(format!(
                    "gave up after {} in {secs:.1} s: the time budget is used up",
                    tries(self.attempts)
                ))
            }
            GiveUp::Budget {
                wait, server_asked, ..
            } => {
                let who = if server_asked {
                    "the server asked to retry after"
                } else {
                    "the next retry was due in"
                };
                Some(format!(
                    "gave up after {} in {secs:.1} s: {who} {:.1} s, past the time budget",
                    tries(self.attempts),
                    wait.as_secs_f64()
                ))
            }
        }
    }
}

impl<E: fmt::Display> fmt::Display for Failure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.story() {
            Some(story) => write!(f, "{} ({story})", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

/// Runs `attempt` (given the attempt number, 0 first) until it succeeds, fails for good, the
/// retries are used or the next wait would pass `deadline()`. `on_retry` hears each error that
/// will be retried and the wait before the retry.
pub fn retry<T, E: Classify>(
    policy: &RetryPolicy,
    deadline: &dyn Fn() -> Instant,
    mut attempt: impl FnMut(u32) -> Result<T, E>,
    mut on_retry: impl FnMut(&E, u32, Duration),
) -> Result<T, Failure<E>> {
    let started = Instant::now();
    let mut number = 0u32;
    loop {
        let error = match attempt(number) {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let fail = |error, reason| Failure {
            error,
            attempts: number + 1,
            elapsed: started.elapsed(),
            reason,
        };
        let Verdict::Transient { retry_after } = error.verdict() else {
            return Err(fail(error, GiveUp::Permanent));
        };
        if number >= policy.retries {
            return Err(fail(error, GiveUp::RetriesUsed));
        }
        let wait = retry_after.unwrap_or_else(|| policy.backoff(number));
        let remaining = deadline().saturating_duration_since(Instant::now());
        if wait >= remaining {
            let reason = GiveUp::Budget {
                wait,
                server_asked: retry_after.is_some(),
                remaining,
            };
            return Err(fail(error, reason));
        }
        on_retry(&error, number + 1, wait);
        std::thread::sleep(wait);
        number += 1;
    }
}

/// A `Retry-After` value: delay-seconds or an HTTP-date (in the past means now).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The `Retry-After` of a response, if it has a valid one.
pub(crate) fn retry_after_header(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
}

/// Whether an HTTP status can heal: 5xx, 408 Request Timeout and 429 Too Many Requests.
pub(crate) fn status_can_heal(status: u16) -> bool {
    status >= 500 || status == 408 || status == 429
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[derive(Debug)]
    struct E(Verdict);
    impl Classify for E {
        fn verdict(&self) -> Verdict {
            self.0
        }
    }
    const HEAL: E = E(Verdict::Transient { retry_after: None });

    fn policy(retries: u32) -> RetryPolicy {
        RetryPolicy {
            retries,
            backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
        }
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[test]
    fn retries_what_heals_until_it_works() {
        let calls = Cell::new(0);
        let result = retry(
            &policy(3),
            &far,
            |n| {
                calls.set(calls.get() + 1);
                if n < 2 { Err(HEAL) } else { Ok(n) }
            },
            |_, _, _| {},
        );
        assert_eq!(result.unwrap(), 2);
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn never_retries_what_cannot_heal() {
        let calls = Cell::new(0);
        let failure = retry(
            &policy(3),
            &far,
            |_| -> Result<(), E> {
                calls.set(calls.get() + 1);
                Err(E(Verdict::Permanent))
            },
            |_, _, _| {},
        )
        .unwrap_err();
        assert_eq!(calls.get(), 1);
        assert_eq!(failure.reason, GiveUp::Permanent);
        assert_eq!(failure.story(), None, "one attempt needs no story");
    }

    #[test]
    fn stops_when_retries_are_used() {
        let failure = retry(
            &policy(2),
            &far,
            |_| -> Result<(), E> { Err(HEAL) },
            |_, _, _| {},
        )
        .unwrap_err();
        assert_eq!(failure.attempts, 3);
        assert_eq!(failure.reason, GiveUp::RetriesUsed);
        assert!(
            failure
                .story()
                .unwrap()
                .starts_with("gave up after 3 attempts in ")
        );
    }

    #[test]
    fn a_retry_after_past_the_deadline_gives_up_at_once() {
        let started = Instant::now();
        let asked = E(Verdict::Transient {
            retry_after: Some(Duration::from_secs(3600)),
        });
        let soon = || started + Duration::from_secs(5);
        let failure = retry(
            &policy(3),
            &soon,
            |_| -> Result<(), E> { Err(E(asked.0)) },
            |_, _, _| {},
        )
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1), "no waiting");
        assert!(matches!(
            failure.reason,
            GiveUp::Budget {
                server_asked: true,
                ..
            }
        ));
        let story = failure.story().unwrap();
        assert!(
            story.contains("the server asked to retry after 3600.0 s, past the time budget"),
            "{story}"
        );
    }

    #[test]
    fn a_short_retry_after_is_honoured() {
        let started = Instant::now();
        let waits = std::cell::RefCell::new(Vec::new());
        let result = retry(
            &policy(1),
            &far,
            |n| {
                if n == 0 {
                    Err(E(Verdict::Transient {
                        retry_after: Some(Duration::from_millis(200)),
                    }))
                } else {
                    Ok(())
                }
            },
            |_, _, wait| waits.borrow_mut().push(wait),
        );
        assert!(result.is_ok());
        assert_eq!(*waits.borrow(), vec![Duration::from_millis(200)]);
        assert!(started.elapsed() >= Duration::from_millis(200));
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let policy = RetryPolicy {
            retries: 10,
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(800),
        };
        for _ in 0..50 {
            let first = policy.backoff(0);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = policy.backoff(2);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let capped = policy.backoff(30);
            assert!(capped >= Duration::from_millis(400) && capped <= Duration::from_millis(800));
        }
        let spread: std::collections::HashSet<_> = (0..20).map(|_| policy.backoff(3)).collect();
        assert!(spread.len() > 1, "jitter varies the waits");
    }

    #[test]
    fn retry_after_in_seconds_and_as_an_http_date() {
        let now = httpdate::parse_http_date("Sun, 29 Nov 2026 12:00:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 29 Nov 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 29 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn statuses_that_heal() {
        for status in [500, 502, 503, 504, 408, 429] {
            assert!(status_can_heal(status), "{status}");
        }
        for status in [400, 401, 403, 404, 410, 451] {
            assert!(!status_can_heal(status), "{status}");
        }
    }
}
