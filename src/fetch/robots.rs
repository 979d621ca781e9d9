//! robots.txt (RFC 9309): a small parser and matcher, and a per-run cache.
//!
//! Our own rather than a crate: the matching rules are short (groups by product token, `*`
//! and `$` in paths, the longest match wins, `allow` wins a tie), and the maintained-looking
//! crate (`texting_robots` 0.2.2, last released 2022) would bring bstr 0.2, nom 7, lazy_static
//! and thiserror 1 for them. The tests below include RFC 9309's and Google's examples and
//! regjeringen.no's real file.
//!
//! What a missing or unreadable file means follows the RFC: 4xx → everything allowed;
//! 5xx or no answer → everything disallowed (for this run), and the source says so.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The bytes of a robots.txt that are read (the RFC asks for at least 500 KiB).
pub(crate) const MAX_BYTES: u64 = 512 * 1024;

/// A parsed robots.txt.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Robots {
    groups: Vec<Group>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Group {
    /// Lowercased product tokens, `*` for everyone.
    agents: Vec<String>,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    allow: bool,
    /// Normalised (percent-encoded, upper-case escapes).
    pattern: String,
}

impl Robots {
    /// Parses robots.txt text; lines it does not understand are ignored, as the RFC asks.
    pub fn parse(text: &str) -> Robots {
        let mut groups: Vec<Group> = Vec::new();
        // Whether the previous record was a user-agent line (consecutive ones share a group).
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default().trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push(Group::default());
                    }
                    in_agents = true;
                    if let Some(group) = groups.last_mut() {
                        group.agents.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    // An empty disallow allows everything: no rule. Rules before any
                    // user-agent line belong to no group.
                    if value.is_empty() {
                        continue;
                    }
                    if let Some(group) = groups.last_mut() {
                        group.rules.push(Rule {
                            allow: key == "allow",
                            pattern: normalise(value),
                        });
                    }
                }
                // Sitemap, crawl-delay and others neither start nor end a group.
                _ => {}
            }
        }
        Robots { groups }
    }

    /// Whether `agent` (a lowercase product token such as "samspor") may fetch
    /// `path_and_query` (as in a URL: "/no/dokumenter/?ch=3").
    #[cfg(test)]
    pub(crate) fn allows(&self, agent: &str, path_and_query: &str) -> bool {
        self.deciding_rule(agent, path_and_query)
            .is_none_or(|rule| rule.allow)
    }

    /// The rule that decides, for messages: `Disallow: /no/dokumentarkiv/*`.
    pub(crate) fn disallowing_rule(&self, agent: &str, path_and_query: &str) -> Option<String> {
        self.deciding_rule(agent, path_and_query)
            .filter(|rule| !rule.allow)
            .map(|rule| format!("Disallow: {}", rule.pattern))
    }

    fn deciding_rule(&self, agent: &str, path_and_query: &str) -> Option<&Rule> {
        let path = normalise(path_and_query);
        if path == "/robots.txt" {
            return None;
        }
        let agent = agent.to_ascii_lowercase();
        let ours: Vec<&Group> = self
            .groups
            .iter()
            .filter(|g| g.agents.contains(&agent))
            .collect();
        let groups = if ours.is_empty() {
            self.groups
                .iter()
                .filter(|g| g.agents.iter().any(|a| a == "*"))
                .collect()
        } else {
            ours
        };
        let mut best: Option<&Rule> = None;
        for rule in groups.iter().flat_map(|g| &g.rules) {
            if !matches(&rule.pattern, &path) {
                continue;
            }
            let better = match best {
                None => true,
                Some(current) => {
                    rule.pattern.len() > current.pattern.len()
                        || (rule.pattern.len() == current.pattern.len()
                            && rule.allow
                            && !current.allow)
                }
            };
            if better {
                best = Some(rule);
            }
        }
        best
    }
}

/// Percent-encodes what is not ASCII and upper-cases existing escapes, so that a pattern
/// written with "æ" matches a URL path carrying "%C3%A6".
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            out.push('%');
            out.push(bytes[i + 1].to_ascii_uppercase() as char);
            out.push(bytes[i + 2].to_ascii_uppercase() as char);
            i += 3;
            continue;
        }
        if b.is_ascii() && !b.is_ascii_control() && b != b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    out
}

/// Whether `pattern` matches the start of `path`: `*` is any run of characters, a final `$`
/// anchors at the end. Iterative with one backtrack point, so O(len²) at worst.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let (p, s) = (pattern.as_bytes(), path.as_bytes());
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi == p.len() {
            if !anchored || si == s.len() {
                return true;
            }
        } else if p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
            continue;
        } else if si < s.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
            continue;
        }
        // Mismatch (or an anchored pattern ended early): let the last star eat one more.
        match star {
            Some((star_pi, star_si)) if star_si < s.len() => {
                star = Some((star_pi, star_si + 1));
                pi = star_pi + 1;
                si = star_si + 1;
            }
            _ => return false,
        }
    }
}

/// What a site's robots.txt says for this run.
#[derive(Debug, Clone, PartialEq)]
pub enum RobotsFile {
    /// A file with rules.
    Rules(Robots),
    /// No file (4xx, or too many redirects): everything allowed. `why` says what happened.
    Missing { why: String },
    /// No usable answer (5xx, a network error or a timeout): everything disallowed, RFC 9309
    /// § 2.3.1.4. `why` says what happened.
    Unreachable { why: String },
}

/// Why robots.txt keeps us from a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A rule disallows it: `Disallow: /privat/`.
    Rule(String),
    /// The file could not be read: what happened.
    Unreadable(String),
}

impl RobotsFile {
    /// Whether `agent` may fetch `path_and_query`.
    pub fn check(&self, agent: &str, path_and_query: &str) -> Result<(), Refusal> {
        match self {
            RobotsFile::Rules(robots) => match robots.disallowing_rule(agent, path_and_query) {
                Some(rule) => Err(Refusal::Rule(rule)),
                None => Ok(()),
            },
            RobotsFile::Missing { .. } => Ok(()),
            RobotsFile::Unreachable { why } => Err(Refusal::Unreadable(why.clone())),
        }
    }
}

/// robots.txt per origin (scheme, host, port), fetched at most once per run even when
/// several threads ask at the same time.
#[derive(Debug, Default)]
pub struct RobotsCache {
    origins: Mutex<HashMap<String, Arc<OnceLock<Arc<RobotsFile>>>>>,
}

impl RobotsCache {
    /// The file for `origin`, loading it with `load` the first time.
    pub fn get(&self, origin: &str, load: impl FnOnce() -> RobotsFile) -> Arc<RobotsFile> {
        let cell = {
            let mut origins = self.origins.lock().unwrap_or_else(PoisonError::into_inner);
            origins.entry(origin.to_string()).or_default().clone()
        };
        cell.get_or_init(|| Arc::new(load())).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(text: &str, path: &str) -> bool {
        Robots::parse(text).allows("samspor", path)
    }

    #[test]
    fn longest_match_wins_and_allow_wins_a_tie() {
        let text = "User-agent: *\nDisallow: /dokumenter/\nAllow: /dokumenter/offentlig/\n";
        assert!(!allows(text, "/dokumenter/intern.pdf"));
        assert!(allows(text, "/dokumenter/offentlig/nou.pdf"));
        assert!(allows(text, "/annet"));
        let tie = "User-agent: *\nDisallow: /side\nAllow: /side\n";
        assert!(allows(tie, "/side"));
    }

    #[test]
    fn wildcards_and_end_anchors() {
        // Google's documented examples.
        let text = "User-agent: *\nDisallow: /*.php$\nDisallow: /fish*.php\nAllow: /$\n";
        assert!(!allows(text, "/index.php"));
        assert!(!allows(text, "/folder/any.php"));
        assert!(allows(text, "/index.php?x=1"), "$ anchors at the end");
        assert!(!allows(text, "/fish.php"));
        assert!(!allows(text, "/fishheads/catfish.php?parameters"));
        assert!(allows(text, "/Fish.PHP"), "paths are case sensitive");
        assert!(allows(text, "/"));
        assert!(matches("/a*b*c", "/axxbyyc/d"));
        assert!(!matches("/a*b*c$", "/axxbyycd"));
        assert!(matches("*", ""));
    }

    #[test]
    fn our_group_replaces_the_star_group() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: Samspor\nUser-agent: other\nDisallow: /privat/\n";
        assert!(allows(text, "/offentlig"), "only our group counts");
        assert!(!allows(text, "/privat/x"));
        assert!(!Robots::parse(text).allows("googlebot", "/offentlig"));
    }

    #[test]
    fn groups_rules_comments_and_junk() {
        let text = "# comment\nDisallow: /before-any-agent\nUser-agent: a\nUser-agent: *\nDisallow: /x # why\nSitemap: https://e/s.xml\nDisallow: /y\nnonsense line\nDisallow:\n";
        assert!(allows(text, "/before-any-agent"));
        assert!(!allows(text, "/x/1"));
        assert!(!allows(text, "/y"), "a sitemap line does not end the group");
        assert!(allows(text, "/z"));
        assert!(allows("", "/anything"));
        assert!(allows("User-agent: *\nDisallow: /\n", "/robots.txt"));
    }

    #[test]
    fn non_ascii_patterns_match_encoded_paths() {
        let text = "User-agent: *\nDisallow: /høring/\n";
        assert!(!allows(text, "/h%C3%B8ring/id1"));
        assert!(!allows(text, "/h%c3%b8ring/id1"));
    }

    #[test]
    fn unreadable_files_disallow_and_missing_ones_allow() {
        assert!(
            RobotsFile::Missing {
                why: "HTTP 404".into()
            }
            .check("samspor", "/x")
            .is_ok()
        );
        let err = RobotsFile::Unreachable {
            why: "HTTP 503".into(),
        }
        .check("samspor", "/x")
        .unwrap_err();
        assert_eq!(err, Refusal::Unreadable("HTTP 503".into()));
    }

    #[test]
    fn the_cache_loads_each_origin_once() {
        let cache = RobotsCache::default();
        let loads = std::sync::atomic::AtomicUsize::new(0);
        for _ in 0..3 {
            cache.get("https://a:443", || {
                loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                RobotsFile::Missing {
                    why: "HTTP 404".into(),
                }
            });
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    /// regjeringen.no's real robots.txt from `../shared/real-corpus`.
    #[test]
    fn regjeringen_robots_txt() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/real-corpus/regjeringen-robots.txt");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: {} is not here", path.display());
            return;
        };
        let robots = Robots::parse(&text);
        let allowed = [
            "/no/dokumenter/nou-2023-4/id2961552/",
            "/no/dokumenter/nou-2023-4/id2961552/?ch=3",
            "/contentassets/9d8b5e5b0b8e4a7f/no/pdfs/nou202320230004000dddpdfs.pdf",
            "/no/aktuelt/horing/id3167072/",
        ];
        for path in allowed {
            assert!(robots.allows("samspor", path), "{path} is allowed");
        }
        let disallowed = [
            (
                "/no/dokumenter/horing/id3167072/?uid=abc-123",
                "Disallow: /*/?uid",
            ),
            (
                "/no/dokumentarkiv/stoltenberg-ii/dokumenter/x/",
                "Disallow: /no/dokumentarkiv/*",
            ),
            (
                "/no/dokument/?documenttype=dokumenter/nou",
                "Disallow: /*/?documenttype",
            ),
            ("/no/sok/?term=fastlege", "Disallow: /*/?term"),
            ("/no/api/search", "Disallow: /no/api/*"),
            (
                "/contentassets/abc/data.xml",
                "Disallow: /contentassets/*.xml$",
            ),
        ];
        for (path, rule) in disallowed {
            assert_eq!(
                robots.disallowing_rule("samspor", path).as_deref(),
                Some(rule),
                "{path}"
            );
        }
    }
}
