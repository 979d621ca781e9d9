//! Whole documents, not landing pages: following a source's page to what it stands for.
//!
//! A publisher's stable address is often a landing page (a summary and links). A source's
//! `follow` says what to take ([`Follow`]): the PDF it links to, its chapter pages gathered into
//! one document, or, for a listing (a hearing and its responses), each linked document as a
//! source of its own (`PARENT--SLUG`, its own versions in the catalog and sections in the
//! index). Every page goes through the same [`Fetcher`] as any source (politeness, robots,
//! limits); pages that are means, not documents (landing and chapter pages), are stored under
//! `store/ID.sider/` so a source's own directory holds only its versions.
//!
//! What was followed is remembered in `INDEX_DIR/follow/ID.json` ([`state::FollowState`]):
//! validators of the landing and chapter pages for conditional requests, the PDF or chapter
//! URLs, and a listing's entries with their stable ids. A listing entry whose link disappears
//! leaves the derived sources; the pipeline then treats it like a source removed from
//! sources.toml (its versions stay, it leaves the index, `changes` reports it removed).
//!
//! Public surface: [`fetch_whole`] (pdf and chapters), [`refresh_listing`], [`with_derived`],
//! [`extraction_selector`]; link discovery is [`links::discover`], a pure function.

pub mod chapters;
pub mod links;
pub mod state;

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::{Config, Follow, Location, Source};
use crate::extract::model::Format;
use crate::fetch::{FetchError, Fetched, Fetcher, Previous};
use crate::track::store::VersionStore;
use state::{Entry, FollowState, PageState};

#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: the page links to no PDF{filter} (follow = \"pdf\")")]
    NoPdf { url: String, filter: String },
    #[error("{url}: the page links to no chapter pages (?ch=N){filter} (follow = \"chapters\")")]
    NoChapters { url: String, filter: String },
    #[error(
        "{url}: is a PDF, not a page to follow (follow = \"{follow}\"); remove follow or use the page's address"
    )]
    NotAPage { url: String, follow: &'static str },
    #[error("{url}: the gathered chapters are larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The store directory of the pages a source is followed through (landing, chapters).
pub(crate) fn pages_id(source_id: &str) -> String {
    format!("{source_id}.sider")
}

/// The CSS selector extraction uses for a source's stored versions: gathered chapters have
/// their own wrapper; every other source its configured selector.
pub(crate) fn extraction_selector(source: &Source) -> Option<String> {
    match source.follow {
        Some(Follow::Chapters) => Some(chapters::CONTENT_SELECTOR.to_string()),
        _ => source.selector.clone(),
    }
}

/// Fetches a source's whole document into the store under its id: the page itself (no
/// `follow`, or a listing's own page), the PDF its page links to, or its chapters gathered.
pub(crate) fn fetch_whole(
    fetcher: &Fetcher,
    source: &Source,
    previous: &Previous,
    store: &VersionStore,
    index_dir: &Path,
    max_bytes: u64,
) -> Result<Fetched, FollowError> {
    match (source.follow, &source.location) {
        (Some(Follow::Pdf), Location::Http(url)) => {
            fetch_pdf(fetcher, source, url, previous, store, index_dir)
        }
        (Some(Follow::Chapters), Location::Http(url)) => {
            fetch_chapters(fetcher, source, url, previous, store, index_dir, max_bytes)
        }
        _ => Ok(fetcher.fetch(source, previous, store)?),
    }
}

fn filter_note(source: &Source) -> String {
    source
        .link_pattern
        .as_ref()
        .map(|p| format!(" matching link_pattern {:?}", p.as_str()))
        .unwrap_or_default()
}

fn wanted(source: &Source, url: &Url) -> bool {
    source
        .link_pattern
        .as_ref()
        .is_none_or(|p| p.is_match(url.as_str()))
}

/// A page fetched as a means to the document: its bytes and validators.
struct Page {
    state: PageState,
    bytes: Vec<u8>,
    format: Format,
    modified: bool,
}

fn fetch_page(
    fetcher: &Fetcher,
    source: &Source,
    url: &Url,
    known: Option<&PageState>,
    store: &VersionStore,
) -> Result<Page, FollowError> {
    let means = Source {
        id: pages_id(&source.id),
        url: url.to_string(),
        location: Location::Http(url.clone()),
        follow: None,
        ..source.clone()
    };
    let previous = known
        .map(|k| Previous {
            sha256: Some(k.sha256.clone()),
            format: Some(k.format),
            etag: k.etag.clone(),
            last_modified: k.last_modified.clone(),
            ..Previous::default()
        })
        .unwrap_or_default();
    let (state, modified) = match fetcher.fetch(&means, &previous, store)? {
        Fetched::NotModified => match known {
            Some(k) => (k.clone(), false),
            None => {
                return Err(FetchError::Network {
                    url: url.to_string(),
                    message: "304 Not Modified to an unconditional request".into(),
                }
                .into());
            }
        },
        Fetched::Body {
            sha256,
            format,
            etag,
            last_modified,
            ..
        } => {
            let modified = known.is_none_or(|k| k.sha256 != sha256);
            (
                PageState {
                    sha256,
                    format,
                    etag,
                    last_modified,
                },
                modified,
            )
        }
    };
    let bytes = store
        .read(&means.id, &state.sha256, state.format)
        .map_err(|source| FollowError::Io {
            path: store
                .path_of(&means.id, &state.sha256, state.format)
                .display()
                .to_string(),
            source,
        })?;
    Ok(Page {
        format: state.format,
        state,
        bytes,
        modified,
    })
}

fn fetch_pdf(
    fetcher: &Fetcher,
    source: &Source,
    url: &Url,
    previous: &Previous,
    store: &VersionStore,
    index_dir: &Path,
) -> Result<Fetched, FollowError> {
    let old = FollowState::load(index_dir, &source.id, source)?;
    let landing = fetch_page(fetcher, source, url, old.pages.get(url.as_str()), store)?;
    if landing.format == Format::Pdf {
        // The address is the PDF itself: it is the document.
        let (sha256, new_version) = store
            .put(&source.id, &landing.bytes, Format::Pdf)
            .map_err(|e| FollowError::Fetch(FetchError::Store(e)))?;
        return Ok(Fetched::Body {
            sha256,
            format: Format::Pdf,
            size: landing.bytes.len() as u64,
            new_version,
            etag: landing.state.etag,
            last_modified: landing.state.last_modified,
            final_url: None,
            moved_to: None,
        });
    }
    let target = if !landing.modified
        && let Some(known) = old.targets.first().and_then(|t| Url::parse(t).ok())
    {
        known
    } else {
        let html = String::from_utf8_lossy(&landing.bytes);
        links::discover(&html, url)
            .pdfs
            .into_iter()
            .find(|pdf| wanted(source, pdf))
            .ok_or_else(|| FollowError::NoPdf {
                url: url.to_string(),
                filter: filter_note(source),
            })?
    };
    tracing::debug!(source = %source.id, pdf = %target, "following the landing page's PDF");
    let document = Source {
        url: target.to_string(),
        location: Location::Http(target.clone()),
        follow: None,
        ..source.clone()
    };
    // The stored validators belong to the PDF fetched last time; a new address starts afresh.
    let same_target = old.targets.first().map(String::as_str) == Some(target.as_str());
    let previous = if same_target {
        previous.clone()
    } else {
        Previous::default()
    };
    let fetched = fetcher.fetch(&document, &previous, store)?;
    if let Fetched::Body { format, .. } = &fetched
        && *format != Format::Pdf
    {
        return Err(FetchError::NotPdf {
            url: target.to_string(),
            got: "HTML".into(),
        }
        .into());
    }
    let mut state = FollowState::new(source);
    state.pages.insert(url.to_string(), landing.state);
    state.targets = vec![target.to_string()];
    state.save(index_dir, &source.id)?;
    Ok(fetched)
}

fn fetch_chapters(
    fetcher: &Fetcher,
    source: &Source,
    url: &Url,
    previous: &Previous,
    store: &VersionStore,
    index_dir: &Path,
    max_bytes: u64,
) -> Result<Fetched, FollowError> {
    let old = FollowState::load(index_dir, &source.id, source)?;
    let landing = fetch_page(fetcher, source, url, old.pages.get(url.as_str()), store)?;
    if landing.format == Format::Pdf {
        return Err(FollowError::NotAPage {
            url: url.to_string(),
            follow: Follow::Chapters.as_str(),
        });
    }
    let html = String::from_utf8_lossy(&landing.bytes);
    let mut found: Vec<Url> = links::discover(&html, url)
        .chapters
        .into_iter()
        .filter(|c| wanted(source, c))
        .collect();
    if found.is_empty() {
        return Err(FollowError::NoChapters {
            url: url.to_string(),
            filter: filter_note(source),
        });
    }
    if found.len() > source.max_links {
        tracing::warn!(source = %source.id, found = found.len(), max_links = source.max_links, "more chapters than max_links; the rest are left out");
        found.truncate(source.max_links);
    }
    let mut state = FollowState::new(source);
    state.pages.insert(url.to_string(), landing.state);
    let mut any_modified = old.targets.len() != found.len()
        || old.targets.iter().zip(&found).any(|(a, b)| a != b.as_str());
    let mut pages = Vec::with_capacity(found.len());
    let mut total = 0u64;
    for chapter in &found {
        let page = fetch_page(
            fetcher,
            source,
            chapter,
            old.pages.get(chapter.as_str()),
            store,
        )?;
        total += page.bytes.len() as u64;
        if total > max_bytes {
            return Err(FollowError::TooLarge {
                url: url.to_string(),
                limit: max_bytes,
            });
        }
        any_modified |= page.modified;
        state.pages.insert(chapter.to_string(), page.state);
        pages.push(page.bytes);
    }
    state.targets = found.iter().map(Url::to_string).collect();
    let unchanged = !any_modified
        && previous
            .sha256
            .as_deref()
            .is_some_and(|sha| store.contains(&source.id, sha, Format::Html));
    let fetched = if unchanged {
        Fetched::NotModified
    } else {
        let combined = chapters::combine(
            &source.title,
            source.language.map(|l| l.as_str()),
            &pages,
            source.selector.as_deref(),
        );
        let (sha256, new_version) = store
            .put(&source.id, combined.as_bytes(), Format::Html)
            .map_err(|e| FollowError::Fetch(FetchError::Store(e)))?;
        Fetched::Body {
            sha256,
            format: Format::Html,
            size: combined.len() as u64,
            new_version,
            etag: None,
            last_modified: None,
            final_url: None,
            moved_to: None,
        }
    };
    state.save(index_dir, &source.id)?;
    Ok(fetched)
}

/// Fetches a listing's own page (as the listing source's version) and records the documents
/// it links to now. Linked documents that disappeared are dropped from the list; those that
/// stay keep their ids. Returns the listing page's fetch result.
pub(crate) fn refresh_listing(
    fetcher: &Fetcher,
    source: &Source,
    previous: &Previous,
    store: &VersionStore,
    index_dir: &Path,
    now: DateTime<Utc>,
) -> Result<Fetched, FollowError> {
    let Location::Http(url) = &source.location else {
        return Ok(fetcher.fetch(source, previous, store)?);
    };
    let old = FollowState::load(index_dir, &source.id, source)?;
    let fetched = fetcher.fetch(source, previous, store)?;
    let (sha, format) = match &fetched {
        Fetched::Body { sha256, format, .. } => (sha256.clone(), *format),
        Fetched::NotModified if old.listed => return Ok(fetched),
        Fetched::NotModified => match (&previous.sha256, previous.format) {
            (Some(sha), Some(format)) => (sha.clone(), format),
            _ => return Ok(fetched),
        },
    };
    if format == Format::Pdf {
        return Err(FollowError::NotAPage {
            url: url.to_string(),
            follow: Follow::Listing.as_str(),
        });
    }
    let bytes = store
        .read(&source.id, &sha, format)
        .map_err(|e| FollowError::Io {
            path: store
                .path_of(&source.id, &sha, format)
                .display()
                .to_string(),
            source: e,
        })?;
    let html = String::from_utf8_lossy(&bytes);
    let mut linked: Vec<(String, Url)> = links::discover(&html, url)
        .entries
        .into_iter()
        .filter(|(_, u)| wanted(source, u))
        .collect();
    if linked.len() > source.max_links {
        tracing::warn!(source = %source.id, found = linked.len(), max_links = source.max_links, "more linked documents than max_links; the rest are left out");
        linked.truncate(source.max_links);
    }
    let mut state = FollowState::new(source);
    state.listed = true;
    let mut used: HashSet<String> = HashSet::new();
    for (title, link) in linked {
        let known = old.entries.iter().find(|e| e.url == link.as_str());
        let id = match known {
            Some(e) if !used.contains(&e.id) => e.id.clone(),
            _ => derived_id(&source.id, &link, &used),
        };
        used.insert(id.clone());
        state.entries.push(Entry {
            id,
            title: if title.is_empty() {
                known.map(|e| e.title.clone()).unwrap_or_default()
            } else {
                title
            },
            url: link.to_string(),
            first_seen: known.map_or(now, |e| e.first_seen),
        });
    }
    let added = state
        .entries
        .iter()
        .filter(|e| !old.entries.iter().any(|o| o.id == e.id))
        .count();
    let gone = old
        .entries
        .iter()
        .filter(|o| !state.entries.iter().any(|e| e.id == o.id))
        .count();
    tracing::info!(source = %source.id, documents = state.entries.len(), added, gone, "listing read");
    state.save(index_dir, &source.id)?;
    Ok(fetched)
}

/// The configuration with the documents each listing linked to at its last reading, as
/// sources of their own right after it. Idempotent: earlier derived sources are replaced.
pub(crate) fn with_derived(config: &Config, index_dir: &Path) -> Config {
    let mut out = config.clone();
    out.sources.retain(|s| s.parent.is_none());
    let mut ids: HashSet<String> = out.sources.iter().map(|s| s.id.clone()).collect();
    let mut derived = Vec::new();
    for parent in out
        .sources
        .iter()
        .filter(|s| s.follow == Some(Follow::Listing))
    {
        let state = match FollowState::load(index_dir, &parent.id, parent) {
            Ok(state) => state,
            Err(error) => {
                tracing::warn!(source = %parent.id, %error, "cannot read what the listing linked to; its documents are left out");
                continue;
            }
        };
        for entry in &state.entries {
            let Ok(url) = Url::parse(&entry.url) else {
                continue;
            };
            if !ids.insert(entry.id.clone()) {
                tracing::warn!(source = %parent.id, id = %entry.id, "a linked document's id is taken by another source; left out");
                continue;
            }
            derived.push(derive(parent, entry, url));
        }
    }
    out.sources.extend(derived);
    out
}

/// Reads sources.toml and adds the documents the listings linked to (for readers of the
/// index dir: status, search, changes, serve).
pub(crate) fn load_config(
    path: &Path,
    index_dir: &Path,
) -> Result<Config, crate::config::ConfigError> {
    Ok(with_derived(&Config::load(path)?, index_dir))
}

fn derive(parent: &Source, entry: &Entry, url: Url) -> Source {
    let title = if entry.title.trim().is_empty() {
        format!("{}: {}", parent.title, url.path())
    } else {
        entry.title.clone()
    };
    Source {
        id: entry.id.clone(),
        year: crate::config::first_year(&title).or(parent.year),
        title,
        kind: parent.entry_kind.unwrap_or(parent.kind),
        url: url.to_string(),
        location: Location::Http(url),
        selector: None,
        cites_as: None,
        follow: None,
        link_pattern: None,
        entry_kind: None,
        parent: Some(parent.id.clone()),
        ..parent.clone()
    }
}

/// A stable id for a linked document: `PARENT--SLUG`, the slug made from the link's last path
/// segments and query values (`.../hoyring-om-x/id3168525/` → `hoyring-om-x-id3168525`).
fn derived_id(parent: &str, url: &Url, used: &HashSet<String>) -> String {
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let mut words: Vec<String> = Vec::new();
    if let Some(last) = segments.last() {
        let last = last
            .trim_end_matches(".pdf")
            .trim_end_matches(".PDF")
            .trim_end_matches(".html");
        let is_number_id = last.len() > 2
            && last.starts_with("id")
            && last[2..].bytes().all(|b| b.is_ascii_digit());
        if is_number_id && segments.len() >= 2 {
            words.push(segments[segments.len() - 2].chars().take(40).collect());
        }
        words.push(last.to_string());
    }
    let mut words: Vec<String> = words.iter().map(|w| percent_decode(w)).collect();
    for (_, value) in url.query_pairs() {
        words.push(value.into_owned());
    }
    let mut slug = slugify(&words.join("-"));
    let hash = &crate::track::store::sha256_hex(url.as_str().as_bytes())[..8];
    if slug.len() > 64 {
        slug.truncate(64);
        slug = slug.trim_end_matches('-').to_string();
        slug = format!("{slug}-{hash}");
    }
    if slug.is_empty() {
        slug = hash.to_string();
    }
    let id = format!("{parent}--{slug}");
    if used.contains(&id) {
        format!("{id}-{hash}")
    } else {
        id
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'æ' => "ae",
            'ø' => "o",
            'å' => "a",
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if mapped == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(mapped);
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(url: &str) -> String {
        derived_id("horing", &Url::parse(url).unwrap(), &HashSet::new())
    }

    #[test]
    fn derived_ids_are_readable_and_stable() {
        assert_eq!(
            id("https://www.regjeringen.no/no/dokumenter/hoyring-om-fastlegar/id3168525/"),
            "horing--hoyring-om-fastlegar-id3168525"
        );
        assert_eq!(
            id("https://www.regjeringen.no/no/dokumenter/horing-nou/id2961754/?uid=7B1C-aa"),
            "horing--horing-nou-id2961754-7b1c-aa"
        );
        assert_eq!(
            id("https://example.org/contentassets/abc/Høringssvar Bergen.pdf"),
            "horing--horingssvar-bergen"
        );
        let long = id(&format!("https://example.org/{}/", "a".repeat(200)));
        assert!(long.len() <= "horing--".len() + 64 + 9, "{long}");
        assert_eq!(
            long,
            id(&format!("https://example.org/{}/", "a".repeat(200)))
        );
        let used: HashSet<String> = [id("https://example.org/x/")].into();
        let other = derived_id(
            "horing",
            &Url::parse("https://example.org/x/?").unwrap(),
            &used,
        );
        assert_ne!(other, id("https://example.org/x/"));
    }
}
