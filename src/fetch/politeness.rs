//! One request at a time per host, with a pause between them.
//!
//! [`HostGate::acquire`] waits until no other request to the host is in flight and the pause
//! since the last one ended has passed; the [`Permit`] it returns frees the host when dropped
//! (after the body has been read). Every wait is bounded by a deadline.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Per-host turn-taking shared by all fetch threads.
#[derive(Debug)]
pub struct HostGate {
    delay: Duration,
    hosts: Mutex<HashMap<String, HostState>>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct HostState {
    busy: bool,
    /// When the next request may start (the end of the last one plus the delay).
    next_at: Option<Instant>,
}

/// The right to send one request to a host; frees it on drop.
#[derive(Debug)]
pub struct Permit<'a> {
    gate: &'a HostGate,
    host: String,
    /// How long the request waited for its turn.
    pub waited: Duration,
}

/// The deadline came before the host was free.
#[derive(Debug, Clone, Copy)]
pub struct Busy {
    pub waited: Duration,
}

impl HostGate {
    pub fn new(delay: Duration) -> HostGate {
        HostGate {
            delay,
            hosts: Mutex::new(HashMap::new()),
            changed: Condvar::new(),
        }
    }

    /// Waits for the host's turn, at most until `deadline`.
    pub fn acquire(&self, host: &str, deadline: Instant) -> Result<Permit<'_>, Busy> {
        let started = Instant::now();
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let now = Instant::now();
            let state = hosts.entry(host.to_string()).or_default();
            let ready_at = state.next_at.filter(|t| *t > now);
            if !state.busy && ready_at.is_none() {
                state.busy = true;
                return Ok(Permit {
                    gate: self,
                    host: host.to_string(),
                    waited: started.elapsed(),
                });
            }
            if now >= deadline {
                return Err(Busy {
                    waited: started.elapsed(),
                });
            }
            // Wake when the pause is over, when the host is freed, or at the deadline.
            let until = match (state.busy, ready_at) {
                (false, Some(ready)) => ready.min(deadline),
                _ => deadline,
            };
            let (guard, _) = self
                .changed
                .wait_timeout(hosts, until.saturating_duration_since(now))
                .unwrap_or_else(PoisonError::into_inner);
            hosts = guard;
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut hosts = self
            .gate
            .hosts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(state) = hosts.get_mut(&self.host) {
            state.busy = false;
            state.next_at = Some(Instant::now() + self.gate.delay);
        }
        drop(hosts);
        self.gate.changed.notify_all();
    }
}

/// The key a host's turn is kept under: host and port, so two test servers on loopback are
/// two hosts, as are two sites on one address.
pub(crate) fn host_key(url: &url::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default().to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn one_request_at_a_time_with_a_pause_between() {
        let gate = Arc::new(HostGate::new(Duration::from_millis(100)));
        let spans = Arc::new(Mutex::new(Vec::new()));
        let far = Instant::now() + Duration::from_secs(30);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (gate, spans) = (gate.clone(), spans.clone());
                std::thread::spawn(move || {
                    let permit = gate.acquire("example.org:443", far).unwrap();
                    let start = Instant::now();
                    std::thread::sleep(Duration::from_millis(20));
                    spans.lock().unwrap().push((start, Instant::now()));
                    drop(permit);
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let mut spans = spans.lock().unwrap().clone();
        spans.sort();
        for pair in spans.windows(2) {
            let gap = pair[1].0.duration_since(pair[0].1);
            assert!(gap >= Duration::from_millis(100), "gap {gap:?}");
        }
    }

    #[test]
    fn other_hosts_do_not_wait() {
        let gate = HostGate::new(Duration::from_secs(10));
        let far = Instant::now() + Duration::from_secs(30);
        let _a = gate.acquire("a:443", far).unwrap();
        let started = Instant::now();
        let _b = gate.acquire("b:443", far).unwrap();
        assert!(started.elapsed() < Duration::from_millis(50));
    }

    #[test]
    fn waiting_stops_at_the_deadline() {
        let gate = HostGate::new(Duration::from_secs(10));
        let first = gate.acquire("a:443", Instant::now()).unwrap();
        drop(first);
        let started = Instant::now();
        let busy = gate
            .acquire("a:443", Instant::now() + Duration::from_millis(100))
            .unwrap_err();
        assert!(busy.waited >= Duration::from_millis(100));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn host_keys_include_the_port() {
        let key = |u: &str| host_key(&url::Url::parse(u).unwrap());
        assert_eq!(
            key("https://WWW.Regjeringen.no/no/"),
            "www.regjeringen.no:443"
        );
        assert_eq!(key("http://127.0.0.1:8080/a"), "127.0.0.1:8080");
    }
}
