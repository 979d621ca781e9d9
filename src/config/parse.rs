//! Reading `sources.toml`: the raw TOML shape, then validation with the line of each
//! mistake.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::*;

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
                validate_fetch(&settings).map_err(|e| invalid(offset, e.to_string()))?;
                settings
            }
            None => FetchSettings::default(),
        };
        let notify = match raw.notify {
            Some(spanned) => {
                let offset = spanned.span().start;
                let settings = spanned.into_inner();
                validate_notify(&settings).map_err(|e| invalid(offset, e.to_string()))?;
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

/// Why the validators below refuse a setting: shown after the file and line, as part of
/// `ConfigError::Invalid`'s message.
#[derive(Debug, thiserror::Error)]
enum SettingError {
    #[error("must be 1–80 characters of a–z, 0–9, '-' or '_', not starting with '-'")]
    BadId,
    #[error("empty url")]
    EmptyUrl,
    #[error("bad url {url:?}: {source}")]
    UnparsableUrl {
        url: String,
        #[source]
        source: url::ParseError,
    },
    #[error("bad url {url:?}: no host")]
    NoHost { url: String },
    #[error("bad file url {url:?}")]
    BadFileUrl { url: String },
    #[error(
        "bad url {url:?}: unsupported scheme {scheme:?} (use https://, http://, file:// or a relative path)"
    )]
    UnsupportedScheme { url: String, scheme: String },
    #[error("bad url {url:?}: not an http(s):// or file:// URL nor a relative path")]
    NotAUrl { url: String },
    #[error("[fetch] {0}")]
    Fetch(&'static str),
    #[error("[notify] {key} {value:?}: {source}")]
    NotifyUrl {
        key: &'static str,
        value: String,
        #[source]
        source: url::ParseError,
    },
    #[error("[notify] {key} {value:?}: must be an http:// or https:// URL")]
    NotifyScheme { key: &'static str, value: String },
    #[error("[notify] webhook_timeout_secs must be between 0 and 300")]
    WebhookTimeout,
}

/// Ids become directory and file names, so they are restricted to a safe alphabet.
fn check_id(id: &str) -> Result<(), SettingError> {
    let ok = !id.is_empty()
        && id.len() <= 80
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !id.starts_with('-');
    if ok { Ok(()) } else { Err(SettingError::BadId) }
}

fn resolve_location(url: &str, base_dir: &Path) -> Result<Location, SettingError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(SettingError::EmptyUrl);
    }
    if url.contains("://") {
        let parsed = url::Url::parse(url).map_err(|source| SettingError::UnparsableUrl {
            url: url.into(),
            source,
        })?;
        return match parsed.scheme() {
            "http" | "https" => {
                if parsed.host_str().is_none_or(str::is_empty) {
                    Err(SettingError::NoHost { url: url.into() })
                } else {
                    Ok(Location::Http(parsed))
                }
            }
            "file" => parsed
                .to_file_path()
                .map(Location::File)
                .map_err(|()| SettingError::BadFileUrl { url: url.into() }),
            other => Err(SettingError::UnsupportedScheme {
                url: url.into(),
                scheme: other.into(),
            }),
        };
    }
    if url.contains(':') && !url.starts_with('.') && !url.starts_with('/') {
        // "htps:/x" or "mailto:x" are mistakes, not file names.
        return Err(SettingError::NotAUrl { url: url.into() });
    }
    let path = Path::new(url);
    Ok(Location::File(if path.is_absolute() {
        path.to_path_buf()
    } else {
        base_dir.join(path)
    }))
}

fn validate_fetch(settings: &FetchSettings) -> Result<(), SettingError> {
    if settings.user_agent.trim().is_empty() {
        return Err(SettingError::Fetch("user_agent must not be empty"));
    }
    // Both end up in an HTTP header: visible ASCII and spaces only.
    let header_safe = |text: &str| text.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
    if !header_safe(&settings.user_agent) {
        return Err(SettingError::Fetch("user_agent must be printable ASCII"));
    }
    if let Some(contact) = &settings.contact
        && (contact.trim().is_empty() || !header_safe(contact))
    {
        return Err(SettingError::Fetch(
            "contact must be a non-empty e-mail address or URL in printable ASCII",
        ));
    }
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !(positive(settings.timeout_secs) && positive(settings.connect_timeout_secs)) {
        return Err(SettingError::Fetch("timeouts must be positive"));
    }
    if !(positive(settings.source_budget_secs) && positive(settings.run_budget_secs)) {
        return Err(SettingError::Fetch(
            "source_budget_secs and run_budget_secs must be positive",
        ));
    }
    if settings.max_bytes == 0 {
        return Err(SettingError::Fetch("max_bytes must be positive"));
    }
    if settings.concurrency == 0 || settings.concurrency > 32 {
        return Err(SettingError::Fetch("concurrency must be between 1 and 32"));
    }
    Ok(())
}

fn validate_notify(settings: &NotifySettings) -> Result<(), SettingError> {
    for (key, value) in [
        ("webhook", &settings.webhook),
        ("feed_url", &settings.feed_url),
    ] {
        let Some(value) = value else { continue };
        let parsed = url::Url::parse(value).map_err(|source| SettingError::NotifyUrl {
            key,
            value: value.clone(),
            source,
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(SettingError::NotifyScheme {
                key,
                value: value.clone(),
            });
        }
    }
    if !(settings.webhook_timeout_secs > 0.0 && settings.webhook_timeout_secs <= 300.0) {
        return Err(SettingError::WebhookTimeout);
    }
    Ok(())
}
