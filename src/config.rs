//! `sources.toml`: the documents to track, the agenda themes and the fetch policy.
//!
//! Parsing is strict (`deny_unknown_fields`): a typo in a key is an error with its line, never
//! a silently ignored setting. Every validation error names the file and the line.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

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
pub const DEFAULT_MAX_LINKS: usize = 200;

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
    pub fn public_url(&self) -> String {
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
    pub fn user_agent_header(&self) -> String {
        let Some(contact) = self.contact.as_deref().map(str::trim) else {
            return self.user_agent.clone();
        };
        match self.user_agent.strip_suffix(')') {
            Some(open) if open.contains('(') => format!("{open}; contact: {contact})"),
            _ => format!("{} (contact: {contact})", self.user_agent),
        }
    }

    /// The product token robots.txt groups are matched against ("samspor").
    pub fn robots_token(&self) -> String {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    fetch: Option<Spanned<FetchSettings>>,
    #[serde(default)]
    notify: Option<Spanned<NotifySettings>>,
    #[serde(default)]
    embeddings: Option<EmbeddingSettings>,
    #[serde(default, rename = "source")]
    sources: Vec<RawSource>,
    #[serde(default, rename = "theme")]
    themes: Vec<RawTheme>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    title: Spanned<String>,
    kind: Kind,
    url: Spanned<String>,
    #[serde(default)]
    language: Option<Language>,
    #[serde(default)]
    selector: Option<Spanned<String>>,
    #[serde(default)]
    cites_as: Option<String>,
    #[serde(default)]
    year: Option<u32>,
    #[serde(default)]
    robots: RobotsPolicy,
    follow: Option<Follow>,
    #[serde(default)]
    link_pattern: Option<Spanned<String>>,
    #[serde(default)]
    max_links: Option<Spanned<usize>>,
    #[serde(default)]
    entry_kind: Option<Kind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    id: Spanned<String>,
    label: Spanned<String>,
    description: String,
    terms: Spanned<Vec<String>>,
    #[serde(default)]
    context: Vec<String>,
    #[serde(default)]
    paraphrases: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    threshold: Option<Spanned<f32>>,
    #[serde(default)]
    prototypes: Vec<String>,
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.display().to_string(),
            source,
        })?;
        // Absolute, so file sources get file:// links that work from anywhere.
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        let base_dir = std::path::absolute(parent).unwrap_or_else(|_| parent.to_path_buf());
        Config::parse(&text, path, &base_dir)
    }

    /// Parses configuration text; relative source paths resolve against `base_dir`.
    pub fn parse(text: &str, path: &Path, base_dir: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let invalid = |offset: usize, message: String| ConfigError::Invalid {
            file: file.clone(),
            line: line_of(text, offset),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|err| {
            let offset = err.span().map(|s| s.start).unwrap_or(0);
            invalid(offset, err.message().trim().replace('\n', " "))
        })?;

        let fetch = match raw.fetch {
            Some(spanned) => {
                let offset = spanned.span().start;
                let settings = spanned.into_inner();
                validate_fetch(&settings).map_err(|m| invalid(offset, m))?;
                settings
            }
            None => FetchSettings::default(),
        };
        let notify = match raw.notify {
            Some(spanned) => {
                let offset = spanned.span().start;
                let settings = spanned.into_inner();
                validate_notify(&settings).map_err(|m| invalid(offset, m))?;
                settings
            }
            None => NotifySettings::default(),
        };
        let mut embeddings = raw.embeddings.unwrap_or_default();
        if let Some(dir) = embeddings.dir.take() {
            let base = path.parent().unwrap_or_else(|| Path::new("."));
            embeddings.dir = Some(base.join(dir));
        }

        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut sources = Vec::with_capacity(raw.sources.len());
        for raw_source in raw.sources {
            let id_offset = raw_source.id.span().start;
            let id = raw_source.id.into_inner();
            check_id(&id).map_err(|m| invalid(id_offset, format!("source id {id:?}: {m}")))?;
            if let Some(first) = seen.insert(id.clone(), line_of(text, id_offset)) {
                return Err(invalid(
                    id_offset,
                    format!("duplicate source id {id:?} (first defined at line {first})"),
                ));
            }
            let title_offset = raw_source.title.span().start;
            let title = raw_source.title.into_inner();
            if title.trim().is_empty() {
                return Err(invalid(title_offset, format!("source {id:?}: empty title")));
            }
            let url_offset = raw_source.url.span().start;
            let url = raw_source.url.into_inner();
            let location = resolve_location(&url, base_dir)
                .map_err(|m| invalid(url_offset, format!("source {id:?}: {m}")))?;
            let selector = match raw_source.selector {
                Some(spanned) => {
                    let offset = spanned.span().start;
                    let selector = spanned.into_inner();
                    scraper::Selector::parse(&selector).map_err(|e| {
                        invalid(
                            offset,
                            format!("source {id:?}: invalid CSS selector {selector:?}: {e}"),
                        )
                    })?;
                    Some(selector)
                }
                None => None,
            };
            let link_pattern = match raw_source.link_pattern {
                Some(spanned) => {
                    let offset = spanned.span().start;
                    let pattern = spanned.into_inner();
                    let compiled = regex::RegexBuilder::new(&pattern)
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| {
                            let e = e.to_string().replace('\n', " ");
                            invalid(
                                offset,
                                format!("source {id:?}: invalid link_pattern {pattern:?}: {e}"),
                            )
                        })?;
                    Some(compiled)
                }
                None => None,
            };
            let max_links = match raw_source.max_links {
                Some(spanned) => {
                    let offset = spanned.span().start;
                    let value = spanned.into_inner();
                    if !(1..=5000).contains(&value) {
                        return Err(invalid(
                            offset,
                            format!("source {id:?}: max_links must be between 1 and 5000"),
                        ));
                    }
                    value
                }
                None => DEFAULT_MAX_LINKS,
            };
            if raw_source.follow.is_some() && !matches!(location, Location::Http(_)) {
                return Err(invalid(
                    url_offset,
                    format!("source {id:?}: follow needs an http(s) url"),
                ));
            }
            if raw_source.follow.is_none()
                && (link_pattern.is_some() || raw_source.entry_kind.is_some())
            {
                return Err(invalid(
                    id_offset,
                    format!("source {id:?}: link_pattern and entry_kind need follow"),
                ));
            }
            let cites_as = raw_source.cites_as.filter(|c| !c.trim().is_empty());
            let year = raw_source
                .year
                .or_else(|| cites_as.as_deref().and_then(first_year))
                .or_else(|| first_year(&title));
            sources.push(Source {
                id,
                title,
                kind: raw_source.kind,
                url,
                location,
                language: raw_source.language,
                selector,
                cites_as,
                year,
                line: line_of(text, id_offset),
                robots: raw_source.robots,
                follow: raw_source.follow,
                link_pattern,
                max_links,
                entry_kind: raw_source.entry_kind,
                parent: None,
            });
        }

        let mut seen_themes: HashMap<String, usize> = HashMap::new();
        let mut themes = Vec::with_capacity(raw.themes.len());
        for raw_theme in raw.themes {
            let id_offset = raw_theme.id.span().start;
            let id = raw_theme.id.into_inner();
            check_id(&id).map_err(|m| invalid(id_offset, format!("theme id {id:?}: {m}")))?;
            if let Some(first) = seen_themes.insert(id.clone(), line_of(text, id_offset)) {
                return Err(invalid(
                    id_offset,
                    format!("duplicate theme id {id:?} (first defined at line {first})"),
                ));
            }
            let label_offset = raw_theme.label.span().start;
            let label = raw_theme.label.into_inner();
            if label.trim().is_empty() {
                return Err(invalid(label_offset, format!("theme {id:?}: empty label")));
            }
            let terms_offset = raw_theme.terms.span().start;
            let terms: Vec<String> = raw_theme.terms.into_inner();
            if terms.is_empty() {
                return Err(invalid(terms_offset, format!("theme {id:?}: empty terms")));
            }
            if let Some(blank) = terms.iter().position(|t| t.trim().is_empty()) {
                return Err(invalid(
                    terms_offset,
                    format!("theme {id:?}: term number {} is empty", blank + 1),
                ));
            }
            let threshold = match raw_theme.threshold {
                Some(spanned) => {
                    let offset = spanned.span().start;
                    let value = spanned.into_inner();
                    if !(value.is_finite() && value > 0.0) {
                        return Err(invalid(
                            offset,
                            format!("theme {id:?}: threshold must be a positive number"),
                        ));
                    }
                    Some(value)
                }
                None => None,
            };
            themes.push(Theme {
                id,
                label,
                description: raw_theme.description,
                terms: terms.into_iter().map(|t| t.trim().to_string()).collect(),
                context: raw_theme
                    .context
                    .into_iter()
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect(),
                paraphrases: raw_theme
                    .paraphrases
                    .into_iter()
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect(),
                exclude: raw_theme
                    .exclude
                    .into_iter()
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect(),
                threshold,
                prototypes: raw_theme.prototypes,
            });
        }

        Ok(Config {
            path: path.to_path_buf(),
            fetch,
            sources,
            themes,
            notify,
            embeddings,
        })
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Ids become directory and file names, so they are restricted to a safe alphabet.
fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 80
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !id.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err("must be 1–80 characters of a–z, 0–9, '-' or '_', not starting with '-'".into())
    }
}

fn resolve_location(url: &str, base_dir: &Path) -> Result<Location, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("empty url".into());
    }
    if url.contains("://") {
        let parsed = url::Url::parse(url).map_err(|e| format!("bad url {url:?}: {e}"))?;
        return match parsed.scheme() {
            "http" | "https" => {
                if parsed.host_str().is_none_or(str::is_empty) {
                    Err(format!("bad url {url:?}: no host"))
                } else {
                    Ok(Location::Http(parsed))
                }
            }
            "file" => parsed
                .to_file_path()
                .map(Location::File)
                .map_err(|()| format!("bad file url {url:?}")),
            other => Err(format!(
                "bad url {url:?}: unsupported scheme {other:?} (use https://, http://, file:// or a relative path)"
            )),
        };
    }
    if url.contains(':') && !url.starts_with('.') && !url.starts_with('/') {
        // "htps:/x" or "mailto:x" are mistakes, not file names.
        return Err(format!(
            "bad url {url:?}: not an http(s):// or file:// URL nor a relative path"
        ));
    }
    let path = Path::new(url);
    Ok(Location::File(if path.is_absolute() {
        path.to_path_buf()
    } else {
        base_dir.join(path)
    }))
}

fn validate_fetch(settings: &FetchSettings) -> Result<(), String> {
    if settings.user_agent.trim().is_empty() {
        return Err("[fetch] user_agent must not be empty".into());
    }
    // Both end up in an HTTP header: visible ASCII and spaces only.
    let header_safe = |text: &str| text.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
    if !header_safe(&settings.user_agent) {
        return Err("[fetch] user_agent must be printable ASCII".into());
    }
    if let Some(contact) = &settings.contact
        && (contact.trim().is_empty() || !header_safe(contact))
    {
        return Err(
            "[fetch] contact must be a non-empty e-mail address or URL in printable ASCII".into(),
        );
    }
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !(positive(settings.timeout_secs) && positive(settings.connect_timeout_secs)) {
        return Err("[fetch] timeouts must be positive".into());
    }
    if !(positive(settings.source_budget_secs) && positive(settings.run_budget_secs)) {
        return Err("[fetch] source_budget_secs and run_budget_secs must be positive".into());
    }
    if settings.max_bytes == 0 {
        return Err("[fetch] max_bytes must be positive".into());
    }
    if settings.concurrency == 0 || settings.concurrency > 32 {
        return Err("[fetch] concurrency must be between 1 and 32".into());
    }
    Ok(())
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

fn validate_notify(settings: &NotifySettings) -> Result<(), String> {
    for (key, value) in [
        ("webhook", &settings.webhook),
        ("feed_url", &settings.feed_url),
    ] {
        let Some(value) = value else { continue };
        let parsed =
            url::Url::parse(value).map_err(|e| format!("[notify] {key} {value:?}: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(format!(
                "[notify] {key} {value:?}: must be an http:// or https:// URL"
            ));
        }
    }
    if !(settings.webhook_timeout_secs > 0.0 && settings.webhook_timeout_secs <= 300.0) {
        return Err("[notify] webhook_timeout_secs must be between 0 and 300".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_come_from_references_and_titles() {
        assert_eq!(first_year("Prop. 102 L (2020–2021)"), Some(2020));
        assert_eq!(first_year("NOU 2023: 4"), Some(2023));
        assert_eq!(first_year("Høring 12345 og 2019"), Some(2019));
        assert_eq!(first_year("Tenesteavtale 1"), None);
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("sources.toml"), Path::new("/base"))
    }

    const GOOD: &str = r#"
[fetch]
retries = 1

[[source]]
id = "nou-2023-4"
title = "NOU 2023: 4 Tid for handling"
kind = "nou"
url = "https://www.regjeringen.no/no/dokumenter/nou-2023-4/id2961552/"
cites_as = "NOU 2023: 4"

[[source]]
id = "avtale"
title = "Samarbeidsavtale"
kind = "avtale"
url = "docs/avtale.html"
language = "nn"
selector = "main article"

[[theme]]
id = "fastlegekrise"
label = "Fastlegekrise"
description = "Fastlegeordningen under press"
terms = ["fastlege", "legemangel"]
"#;

    #[test]
    fn parses_a_good_file() {
        let config = parse(GOOD).unwrap();
        assert_eq!(config.sources.len(), 2);
        assert_eq!(config.fetch.retries, 1);
        assert_eq!(
            config.fetch.concurrency, 4,
            "unset keys keep their defaults"
        );
        assert_eq!(
            config.sources[1].location,
            Location::File(PathBuf::from("/base/docs/avtale.html"))
        );
        assert_eq!(config.sources[1].language, Some(Language::Nn));
        assert_eq!(config.sources[0].cites_as.as_deref(), Some("NOU 2023: 4"));
        assert_eq!(config.sources[0].year, Some(2023));
        assert_eq!(config.themes[0].terms, vec!["fastlege", "legemangel"]);
    }

    fn error_of(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn a_typo_in_a_key_fails_with_its_line() {
        let text = GOOD.replace("cites_as", "cite_as");
        let err = error_of(&text);
        assert!(err.starts_with("sources.toml:10: "), "{err}");
        assert!(err.contains("cite_as"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }

    #[test]
    fn a_typo_in_the_fetch_table_fails() {
        let err = error_of(&GOOD.replace("retries = 1", "retry = 1"));
        assert!(err.contains("retry"), "{err}");
        assert!(err.starts_with("sources.toml:3: "), "{err}");
    }

    #[test]
    fn the_notify_table_is_strict_too() {
        let with_notify = GOOD.replace(
            "[fetch]\nretries = 1\n",
            "[fetch]\nretries = 1\n\n[notify]\nwebhook = \"https://hooks.example.org/samspor\"\n",
        );
        let config = parse(&with_notify).unwrap();
        assert_eq!(
            config.notify.webhook.as_deref(),
            Some("https://hooks.example.org/samspor")
        );
        assert_eq!(parse(GOOD).unwrap().notify.webhook, None);

        let err = error_of(&with_notify.replace("webhook =", "webhok ="));
        assert!(err.starts_with("sources.toml:6: "), "{err}");
        assert!(err.contains("webhok"), "{err}");
        let err = error_of(&with_notify.replace("https://hooks", "ftp://hooks"));
        assert!(err.contains("must be an http:// or https:// URL"), "{err}");
        assert!(err.starts_with("sources.toml:5: "), "{err}");
    }

    #[test]
    fn fetch_politeness_settings_and_the_robots_override() {
        let config = parse(GOOD).unwrap();
        assert_eq!(
            config.sources[0].robots,
            RobotsPolicy::Respect,
            "the default"
        );
        assert_eq!(config.fetch.host_delay_ms, 1000);
        assert_eq!(config.fetch.robots_token(), "samspor");
        assert_eq!(config.fetch.user_agent_header(), config.fetch.user_agent);

        let text = GOOD
            .replace(
                "retries = 1\n",
                "retries = 1\ncontact = \"post@helsefellesskap.example\"\nsource_budget_secs = 30\n",
            )
            .replace("cites_as = \"NOU 2023: 4\"", "robots = \"ignore\"");
        let config = parse(&text).unwrap();
        assert_eq!(config.sources[0].robots, RobotsPolicy::Ignore);
        assert_eq!(config.fetch.source_budget_secs, 30.0);
        let ua = config.fetch.user_agent_header();
        assert!(ua.starts_with("samspor/"), "{ua}");
        assert!(
            ua.ends_with("conditional requests; contact: post@helsefellesskap.example)"),
            "{ua}"
        );

        let err = error_of(&GOOD.replace("cites_as = \"NOU 2023: 4\"", "robots = \"maybe\""));
        assert!(err.starts_with("sources.toml:10: "), "{err}");
        let err = error_of(&GOOD.replace("retries = 1\n", "contact = \"Åse <åse@x.no>\"\n"));
        assert!(err.contains("printable ASCII"), "{err}");
        let err = error_of(&GOOD.replace("retries = 1\n", "run_budget_secs = 0\n"));
        assert!(err.contains("run_budget_secs"), "{err}");
    }

    #[test]
    fn duplicate_ids_name_both_lines() {
        let err = error_of(&GOOD.replace("id = \"avtale\"", "id = \"nou-2023-4\""));
        assert_eq!(
            err,
            "sources.toml:13: duplicate source id \"nou-2023-4\" (first defined at line 6)"
        );
    }

    #[test]
    fn bad_urls_are_rejected() {
        for bad in [
            "htps://example.org/x.pdf",
            "ftp://example.org/x",
            "https://",
            "",
        ] {
            let text = GOOD.replace("docs/avtale.html", bad);
            let err = error_of(&text);
            assert!(err.starts_with("sources.toml:16: "), "{bad}: {err}");
        }
    }

    #[test]
    fn empty_terms_are_rejected() {
        let err = error_of(&GOOD.replace(r#"["fastlege", "legemangel"]"#, "[]"));
        assert_eq!(err, "sources.toml:24: theme \"fastlegekrise\": empty terms");
        let err = error_of(&GOOD.replace(r#""legemangel""#, r#""  ""#));
        assert!(err.contains("term number 2 is empty"), "{err}");
    }

    #[test]
    fn unknown_kind_and_bad_selector_are_rejected() {
        let err = error_of(&GOOD.replace("kind = \"nou\"", "kind = \"rapport\""));
        assert!(err.starts_with("sources.toml:8: "), "{err}");
        let err = error_of(&GOOD.replace("main article", "main >>> ["));
        assert!(err.contains("invalid CSS selector"), "{err}");
    }

    #[test]
    fn ids_must_be_safe_file_names() {
        let err = error_of(&GOOD.replace("id = \"avtale\"", "id = \"../etc\""));
        assert!(err.contains("source id \"../etc\""), "{err}");
    }

    #[test]
    fn file_urls_resolve() {
        let text = GOOD.replace("docs/avtale.html", "file:///srv/avtale.html");
        let config = parse(&text).unwrap();
        assert_eq!(
            config.sources[1].location,
            Location::File(PathBuf::from("/srv/avtale.html"))
        );
    }

    #[test]
    fn follow_keys_parse_and_are_checked() {
        let text = GOOD.replace(
            "cites_as = \"NOU 2023: 4\"",
            "cites_as = \"NOU 2023: 4\"\nfollow = \"listing\"\nlink_pattern = '\\?uid='\nmax_links = 50\nentry_kind = \"horingsuttalelse\"",
        );
        let config = parse(&text).unwrap();
        let source = &config.sources[0];
        assert_eq!(source.follow, Some(Follow::Listing));
        assert_eq!(source.max_links, 50);
        assert_eq!(source.entry_kind, Some(Kind::Horingsuttalelse));
        assert!(
            source
                .link_pattern
                .as_ref()
                .unwrap()
                .is_match("https://x/?uid=1")
        );
        assert_eq!(source.parent, None);
        assert_eq!(config.sources[1].follow, None);
        assert_eq!(config.sources[1].max_links, DEFAULT_MAX_LINKS);

        // Strict as everything else: a misspelt key or value is an error with its line.
        let err = error_of(&text.replace("follow =", "folow ="));
        assert!(
            err.starts_with("sources.toml:11: ") && err.contains("folow"),
            "{err}"
        );
        let err = error_of(&text.replace("\"listing\"", "\"kapitler\""));
        assert!(err.starts_with("sources.toml:11: "), "{err}");
        let err = error_of(&text.replace("'\\?uid='", "'(uid'"));
        assert!(
            err.starts_with("sources.toml:12: ") && err.contains("invalid link_pattern"),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
        let err = error_of(&text.replace("max_links = 50", "max_links = 0"));
        assert!(err.contains("max_links must be between"), "{err}");
        // Following needs a web page, and the link filters need following.
        let err =
            error_of(&GOOD.replace("language = \"nn\"", "language = \"nn\"\nfollow = \"pdf\""));
        assert!(err.contains("follow needs an http(s) url"), "{err}");
        let err =
            error_of(&GOOD.replace("language = \"nn\"", "language = \"nn\"\nlink_pattern = 'x'"));
        assert!(err.contains("need follow"), "{err}");
    }

    #[test]
    fn the_shipped_sources_toml_is_valid_and_follows_whole_documents() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml");
        let config = Config::load(&path).unwrap();
        for source in &config.sources {
            let url = source.url.as_str();
            let whole = source.follow.is_some()
                || url.ends_with(".pdf")
                || url.contains("/api/fil/")
                || url.starts_with("https://lovdata.no/dokument/")
                || url.starts_with("https://www.saman.no/");
            assert!(whole, "{} must fetch the whole document: {url}", source.id);
            if url.starts_with("https://www.regjeringen.no/no/dokumenter/") {
                assert_eq!(source.follow, Some(Follow::Pdf), "{}", source.id);
            }
        }
        for cited in [
            "NOU 2023: 4",
            "NOU 2023: 8",
            "Prop. 102 L (2020–2021)",
            "Meld. St. 7 (2019–2020)",
            "Meld. St. 9 (2023–2024)",
            "helse- og omsorgstjenesteloven",
        ] {
            assert!(
                config
                    .sources
                    .iter()
                    .any(|s| s.cites_as.as_deref() == Some(cited)),
                "{cited} is tracked"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics_and_errors_are_one_line(text in "\\PC{0,400}") {
            if let Err(err) = parse(&text) {
                let message = err.to_string();
                proptest::prop_assert!(message.starts_with("sources.toml:"));
                proptest::prop_assert!(!message.contains('\n'));
            }
        }

        #[test]
        fn mutated_good_config_never_panics(cut in 0usize..700, insert in "[a-z_=\\[\\]\" \n]{0,5}") {
            let mut text = GOOD.to_string();
            let at = (cut % text.len()..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
            text.insert_str(at, &insert);
            let _ = parse(&text);
        }
    }
}
