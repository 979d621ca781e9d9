//! Link discovery for fetching whole documents: a pure function of a page's HTML and its URL
//! (no HTTP). It finds the document's PDFs (regjeringen.no `/contentassets/…/*.pdf`), its
//! chapter pages (`?ch=N` on the page's own path) and, on a listing page, the entries.

use std::collections::HashSet;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use serde::Serialize;
use url::Url;

use super::{HtmlLimits, collapse_whitespace, decode, nesting, profiles};

/// A link: its text (or `title` attribute) and absolute URL (without `#fragment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A chapter page of the document (`?ch=N`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChapterLink {
    pub chapter: u32,
    pub title: String,
    pub url: String,
}

/// What a page links to, each list in document order (chapters by number), without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiscoveredLinks {
    /// Links to PDF files (path ending in `.pdf`) outside the page's menus, footer and banners.
    pub pdfs: Vec<Link>,
    /// The document's chapter pages: links to the page's own path with `ch=N` in the query.
    pub chapters: Vec<ChapterLink>,
    /// On a listing page (a site profile with `entries`), its entries.
    pub entries: Vec<Link>,
}

static ANCHORS: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("a[href]").ok());
static BASE: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("base[href]").ok());

/// Finds the links of `html` (bytes or text, any charset the extractor reads), resolving
/// relative links against the page's `<base href>` and `base_url`. Never fails: links that
/// cannot be resolved are left out.
pub fn discover(html: impl AsRef<[u8]>, base_url: &str) -> DiscoveredLinks {
    let text = decode(html.as_ref());
    let (text, _) = nesting::cap_nesting(&text, HtmlLimits::default().max_depth);
    let document = Html::parse_document(&text);
    let page = Url::parse(base_url).ok();
    let base = BASE
        .as_ref()
        .and_then(|sel| document.select(sel).next())
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| match &page {
            Some(page) => page.join(href.trim()).ok(),
            None => Url::parse(href.trim()).ok(),
        })
        .or_else(|| page.clone());
    let resolve = |href: &str| -> Option<Url> {
        let href = href.trim();
        let mut url = match &base {
            Some(base) => base.join(href).ok()?,
            None => Url::parse(href).ok()?,
        };
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        url.set_fragment(None);
        Some(url)
    };

    let mut found = DiscoveredLinks::default();
    let mut seen_pdfs = HashSet::new();
    let mut chapters: Vec<ChapterLink> = Vec::new();
    let Some(anchors) = ANCHORS.as_ref() else {
        return found;
    };
    for a in document.select(anchors) {
        let Some(url) = a.value().attr("href").and_then(resolve) else {
            continue;
        };
        if url.path().to_ascii_lowercase().ends_with(".pdf") {
            if !in_chrome(a) && seen_pdfs.insert(url.to_string()) {
                found.pdfs.push(Link {
                    title: link_title(a),
                    url: url.to_string(),
                });
            }
            continue;
        }
        if let Some(chapter) = chapter_of(&url, page.as_ref())
            && !chapters.iter().any(|c| c.chapter == chapter)
        {
            chapters.push(ChapterLink {
                chapter,
                title: link_title(a),
                url: url.to_string(),
            });
        }
    }
    chapters.sort_by_key(|c| c.chapter);
    found.chapters = chapters;

    if let Some(entries) = profiles::detect(&document).and_then(|p| p.entries.as_ref()) {
        let mut seen = HashSet::new();
        for a in document.select(entries) {
            if let Some(url) = a.value().attr("href").and_then(resolve)
                && seen.insert(url.to_string())
            {
                found.entries.push(Link {
                    title: link_title(a),
                    url: url.to_string(),
                });
            }
        }
    }
    found
}

/// `N` when `url` is the page's own path with `ch=N` in its query.
fn chapter_of(url: &Url, page: Option<&Url>) -> Option<u32> {
    let chapter = url
        .query_pairs()
        .find(|(k, _)| k == "ch")
        .and_then(|(_, v)| v.trim().parse::<u32>().ok())?;
    match page {
        Some(page) if page.host_str() != url.host_str() => None,
        Some(page) if page.path().trim_end_matches('/') != url.path().trim_end_matches('/') => None,
        _ => Some(chapter),
    }
}

fn link_title(a: ElementRef<'_>) -> String {
    let text = collapse_whitespace(&a.text().collect::<String>());
    if text.is_empty() {
        a.value()
            .attr("title")
            .map(collapse_whitespace)
            .unwrap_or_default()
    } else {
        text
    }
}

/// Inside the page's menus, footer or banners (an `<aside>` or article header may hold the
/// document's download link, so those count as content here).
fn in_chrome(a: ElementRef<'_>) -> bool {
    a.ancestors().filter_map(ElementRef::wrap).any(|e| {
        let e = e.value();
        matches!(e.name(), "nav" | "footer" | "menu" | "dialog")
            || matches!(
                e.attr("role"),
                Some("navigation" | "contentinfo" | "dialog")
            )
            || [e.attr("class"), e.attr("id")]
                .into_iter()
                .flatten()
                .any(|v| {
                    let v = v.to_ascii_lowercase();
                    ["cookie", "consent", "breadcrumb", "megamenu", "hygienemenu"]
                        .iter()
                        .any(|m| v.contains(m))
                })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEARING: &str = r#"<html><body>
<nav class="megaMenu"><a href="/no/om/personvern.pdf">Personvern (pdf)</a></nav>
<main><div class="article-body">
<p><a href="/contentassets/abc123/horingsnotat.pdf">Høyringsnotat</a> (pdf)</p>
<p><a href="/contentassets/abc123/horingsnotat.pdf#page=2">same</a></p>
<p><a href="?ch=2">2 Bakgrunn</a> <a href="./?ch=1">1 Innleiing</a>
<a href="/no/dokument/anna/id1/?ch=3">Anna dokument</a> <a href="?uid=77">Svar</a></p>
</div></main>
<footer><a href="/arkiv.pdf">Arkiv</a></footer></body></html>"#;

    #[test]
    fn pdfs_and_chapters_of_a_page() {
        let links = discover(
            HEARING,
            "https://www.regjeringen.no/no/dokumenter/horing/id42/",
        );
        assert_eq!(
            links.pdfs,
            vec![Link {
                title: "Høyringsnotat".into(),
                url: "https://www.regjeringen.no/contentassets/abc123/horingsnotat.pdf".into()
            }]
        );
        let chapters: Vec<_> = links
            .chapters
            .iter()
            .map(|c| (c.chapter, c.title.as_str(), c.url.as_str()))
            .collect();
        assert_eq!(
            chapters,
            vec![
                (
                    1,
                    "1 Innleiing",
                    "https://www.regjeringen.no/no/dokumenter/horing/id42/?ch=1"
                ),
                (
                    2,
                    "2 Bakgrunn",
                    "https://www.regjeringen.no/no/dokumenter/horing/id42/?ch=2"
                ),
            ]
        );
        assert!(links.entries.is_empty());
    }

    #[test]
    fn listing_entries_and_base_href() {
        let html = r#"<html><head><base href="https://www.regjeringen.no/"></head><body>
<ul class="listing" tabindex="-1" id="searchResultsListing">
<li class="listItem"><h2 class="title"><a href="/no/dokument/a/id1/">Høyring A</a></h2><p>Om A</p></li>
<li class="listItem"><h2 class="title"><a href="no/dokument/b/id2/"> Høyring
 B </a></h2></li>
</ul></body></html>"#;
        let links = discover(html, "not a url");
        assert_eq!(
            links.entries,
            vec![
                Link {
                    title: "Høyring A".into(),
                    url: "https://www.regjeringen.no/no/dokument/a/id1/".into()
                },
                Link {
                    title: "Høyring B".into(),
                    url: "https://www.regjeringen.no/no/dokument/b/id2/".into()
                },
            ]
        );
    }

    #[test]
    fn garbage_gives_nothing() {
        assert_eq!(
            discover(b"\xff\xfe<<a href=", ""),
            DiscoveredLinks::default()
        );
        assert_eq!(
            discover("<a href='javascript:alert(1)'>x</a>", "https://a.no/"),
            DiscoveredLinks::default()
        );
    }
}
