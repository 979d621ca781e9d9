//! `sources.toml`: the documents to track, the agenda themes and the fetch policy.
//!
//! Parsing is strict (`deny_unknown_fields`): a typo in a key is an error with its line, never
//! a silently ignored setting. Every validation error names the file and the line.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

mod parse;
#[cfg(test)]
mod tests;

/// A problem with the configuration file. Displayed as one line: `FILE:LINE: what is wrong`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
}

/// The whole validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    pub fetch: FetchSettings,
    pub sources: Vec<Source>,
    pub themes: Vec<Theme>,
    /// `[notify]`: the webhook called after a run, the feed's public URL.
    pub notify: NotifySettings,
    /// `[embeddings]`: search by meaning (see `embed`).
    pub embeddings: EmbeddingSettings,
}

/// The kind of document, as the secretariat classifies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Nou,
    Prop,
    Meld,
    Avtale,
    Horingsuttalelse,
    Sak,
    Web,
    /// A law (Lovdata), cited by its paragraphs.
    Lov,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nou => "nou",
            Kind::Prop => "prop",
            Kind::Meld => "meld",
            Kind::Avtale => "avtale",
            Kind::Horingsuttalelse => "horingsuttalelse",
            Kind::Sak => "sak",
            Kind::Web => "web",
            Kind::Lov => "lov",
        }
    }
}

/// Written standard of a document: bokmål or nynorsk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nb,
    Nn,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::Nn => "nn",
        }
    }
}

/// How a source's configured page leads to the document(s) to track (`follow` in sources.toml).
///
/// Publishers put a landing page at a document's stable address: a summary and links to the
/// chapters and to the PDF. `follow` says what to take from it; without it the page itself is
/// the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Follow {
    /// The whole document is the PDF the page links to (the first matching link).
    Pdf,
    /// The whole document is the page's chapter pages (`?ch=N`), gathered in order.
    Chapters,
    /// The page lists documents (a hearing and its responses): each linked document is tracked
    /// as a source of its own, `PARENT--SLUG`, with its own versions.
    Listing,
}

impl Follow {
    pub fn as_str(self) -> &'static str {
        match self {
            Follow::Pdf => "pdf",
            Follow::Chapters => "chapters",
            Follow::Listing => "listing",
        }
    }
}

/// Default of `max_links`: linked documents (chapters, listing entries) taken per source.
pub(crate) const DEFAULT_MAX_LINKS: usize = 200;

/// Where a source lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// http:// or https://
    Http(url::Url),
    /// file:// URL or a path relative to the configuration file, resolved.
    File(PathBuf),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Http(url) => write!(f, "{url}"),
            Location::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// One tracked document.
#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    /// The URL as written in the file.
    pub url: String,
    pub location: Location,
    pub language: Option<Language>,
    /// CSS selector of the main content of an HTML page.
    pub selector: Option<String>,
    /// The canonical reference other documents use for this one ("NOU 2023: 4").
    pub cites_as: Option<String>,
    /// Year of the document (for search filters): `year` in the file, else the first year in
    /// `cites_as` or the title ("Prop. 102 L (2020–2021)" → 2020).
    pub year: Option<u32>,
    /// Line of the `[[source]]` entry's id, for messages.
    pub line: usize,
    /// `robots = "ignore"` overrides robots.txt for this source only.
    pub robots: RobotsPolicy,
    /// What to take from the page at `url` (see [`Follow`]); `None`: the page itself.
    pub follow: Option<Follow>,
    /// Only links whose absolute URL matches this regular expression count when following.
    pub link_pattern: Option<regex::Regex>,
    /// At most this many chapters or listing entries are taken.
    pub max_links: usize,
    /// Kind of the documents a listing yields (default: the listing's own kind).
    pub entry_kind: Option<Kind>,
    /// For a document derived from a listing: the listing source's id.
    pub parent: Option<String>,
}

impl Source {
    /// A link a reader can open: the web URL, or a file:// URL for local sources.
    pub(crate) fn public_url(&self) -> String {
        match &self.location {
            Location::Http(url) => url.to_string(),
            Location::File(path) => url::Url::from_file_path(path)
                .map(|u| u.to_string())
                .unwrap_or_else(|()| path.display().to_string()),
        }
    }
}

/// An agenda theme that sections are matched against.
#[derive(Debug, Clone)]
pub struct Theme {
    pub id: String,
    /// Norwegian label shown to readers.
    pub label: String,
    pub description: String,
    /// Short terms in bokmål and nynorsk; multi-word terms are matched as phrases.
    pub terms: Vec<String>,
    /// Words that support the theme but do not make it on their own (the names of the
    /// partnership's bodies, which occur everywhere): they count only in a section where one
    /// of `terms` occurs.
    pub context: Vec<String>,
    /// Words and phrases that describe the theme without naming it ("skaffe og beholde",
    /// "ledige stillinger"): weaker than terms, never search topics, but several of them make
    /// the theme without any term.
    pub paraphrases: Vec<String>,
    /// Terms whose presence argues against the theme.
    pub exclude: Vec<String>,
    /// Minimum score for a section to carry the theme.
    pub threshold: Option<f32>,
    /// Sentences that say what a section about the theme says, for matching by meaning
    /// (`themes::meaning`); the label and description are used with them.
    pub prototypes: Vec<String>,
}

/// How politely and how long to fetch.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    pub user_agent: String,
    /// Who to write to about samspor's requests (an e-mail address or a URL); added to the
    /// User-Agent so a site's operator can reach whoever runs it.
    pub contact: Option<String>,
    pub connect_timeout_secs: f64,
    /// Limit for one request (one attempt), body included.
    pub timeout_secs: f64,
    /// Limit for one source: every attempt, retry wait and redirect of it. A source that
    /// runs out of it fails (keeping its last good version).
    pub source_budget_secs: f64,
    /// Limit for the whole fetch stage; sources not started when it runs out fail.
    pub run_budget_secs: f64,
    /// Limit of the (decompressed) body.
    pub max_bytes: u64,
    /// Extra attempts after something that can heal: a timeout, a connection error, 5xx,
    /// 408 or 429. Never after another 4xx, a redirect loop, wrong content or a body too large.
    pub retries: u32,
    /// First back-off delay; doubled on each retry, with jitter (a `Retry-After` wins).
    pub backoff_ms: u64,
    /// Sources fetched at the same time (still one request at a time per host).
    pub concurrency: usize,
    /// Pause between the end of one request to a host and the start of the next.
    pub host_delay_ms: u64,
    /// Redirects followed per request.
    pub max_redirects: u32,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            user_agent: format!(
                "samspor/{} (policy-document tracker for a helsefellesskap; nightly, conditional requests)",
                env!("CARGO_PKG_VERSION")
            ),
            contact: None,
            connect_timeout_secs: 10.0,
            timeout_secs: 120.0,
            source_budget_secs: 300.0,
            run_budget_secs: 3600.0,
            max_bytes: 200 * 1024 * 1024,
            retries: 3,
            backoff_ms: 1000,
            concurrency: 4,
            host_delay_ms: 1000,
            max_redirects: 10,
        }
    }
}

impl FetchSettings {
    /// The User-Agent header: `user_agent` with the contact added ("…; contact: X)").
    pub(crate) fn user_agent_header(&self) -> String {
        let Some(contact) = self.contact.as_deref().map(str::trim) else {
            return self.user_agent.clone();
        };
        match self.user_agent.strip_suffix(')') {
            Some(open) if open.contains('(') => format!("{open}; contact: {contact})"),
            _ => format!("{} (contact: {contact})", self.user_agent),
        }
    }

    /// The product token robots.txt groups are matched against ("samspor").
    pub(crate) fn robots_token(&self) -> String {
        self.user_agent
            .split(['/', ' '])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }
}

/// Whether a source's fetch obeys its site's robots.txt (`robots` in `[[source]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RobotsPolicy {
    /// The default: a path robots.txt disallows is not fetched, and the run says so.
    #[default]
    Respect,
    /// The analyst's explicit choice for this source: robots.txt is not consulted.
    Ignore,
}

/// `[notify]`: who hears about a run besides the catalog and the feed file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifySettings {
    /// http(s) URL that receives the run summary (JSON, POST) after each `samspor run`. A
    /// failing webhook is logged and never fails the run.
    pub webhook: Option<String>,
    pub webhook_timeout_secs: f64,
    /// Where `INDEX_DIR/feed.atom` is published, for the feed's self link.
    pub feed_url: Option<String>,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            webhook: None,
            webhook_timeout_secs: 10.0,
            feed_url: None,
        }
    }
}

/// `[embeddings]`: dense vectors of sections and queries (multilingual-e5-small, installed by
/// `scripts/install-embeddings.sh`) used beside the words in search.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmbeddingSettings {
    /// `true`: use them and warn when the model is not installed; `false`: never; unset: use
    /// them when the model is installed. The environment variable `SAMSPOR_EMBEDDINGS`
    /// (`on`/`off`) overrides it.
    pub enabled: Option<bool>,
    /// Where the model and its library are (default `$SAMSPOR_E5_DIR`, else
    /// `~/.local/share/samspor/e5`); relative to the configuration file.
    pub dir: Option<PathBuf>,
}

impl Config {
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }
}

/// The first plausible year (1900–2099) written in a title or reference.
pub(crate) fn first_year(text: &str) -> Option<u32> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let window = &bytes[i..i + 4];
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit());
        (bounded
            && window.iter().all(u8::is_ascii_digit)
            && (window[..2] == *b"19" || window[..2] == *b"20"))
            .then(|| std::str::from_utf8(window).ok()?.parse().ok())
            .flatten()
    })
}
