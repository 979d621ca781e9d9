//! Link discovery on a landing or listing page: a pure function of (HTML, base URL).
//!
//! Minimal on purpose and in one file, so it can be swapped for `extract::html::links` at
//! merge. Only links inside the page's main content count (`main`, else `body`), never those
//! in navigation, header, footer, aside or forms; relative links resolve against the base
//! (or the page's `<base href>`); fragments are dropped; each URL is listed once, in page order.

use scraper::{ElementRef, Html, Selector};
use url::Url;

/// What a page links to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveredLinks {
    /// Links to PDF files (the path ends in `.pdf`), in page order.
    pub pdfs: Vec<Url>,
    /// Chapter pages of this document: the base path with `?ch=N`, ordered by N.
    pub chapters: Vec<Url>,
    /// Every other content link to an http(s) page on the same host, with its text: a listing's
    /// entries. PDFs are included, and items at the page's own address (`?uid=…`, a
    /// hearing's responses); the page itself, its chapters and its sort, filter and paging
    /// variants are not.
    pub entries: Vec<(String, Url)>,
}

/// Finds the PDF, chapter and entry links of a page.
pub fn discover(html: &str, base: &Url) -> DiscoveredLinks {
    let document = Html::parse_document(html);
    let base = base_of(&document, base);
    let mut found = DiscoveredLinks::default();
    let mut chapters: Vec<(u32, Url)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let root = select_first(&document, "main")
        .or_else(|| select_first(&document, "body"))
        .unwrap_or_else(|| document.root_element());
    let Ok(anchors) = Selector::parse("a[href]") else {
        return found;
    };
    for anchor in root.select(&anchors) {
        if in_chrome(anchor) {
            continue;
        }
        let Some(href) = anchor.value().attr("href") else {
            continue;
        };
        let Ok(mut url) = base.join(href.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        url.set_fragment(None);
        if !seen.insert(url.to_string()) {
            continue;
        }
        let same_page = url.host_str() == base.host_str() && url.path() == base.path();
        if same_page {
            if let Some(n) = chapter_number(&url) {
                chapters.push((n, url));
            } else if is_item_of_page(&url) {
                // A hearing's responses live at the hearing's address: `?uid=…`.
                found.entries.push((link_text(anchor), url));
            }
            continue;
        }
        let is_pdf = url.path().to_ascii_lowercase().ends_with(".pdf");
        if is_pdf {
            found.pdfs.push(url.clone());
        }
        if url.host_str() == base.host_str() {
            found.entries.push((link_text(anchor), url));
        }
    }
    chapters.sort_by_key(|(n, _)| *n);
    found.chapters = chapters.into_iter().map(|(_, url)| url).collect();
    found
}

fn select_first<'a>(document: &'a Html, css: &str) -> Option<ElementRef<'a>> {
    let selector = Selector::parse(css).ok()?;
    document.select(&selector).next()
}

fn base_of(document: &Html, base: &Url) -> Url {
    select_first(document, "head base[href]")
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| base.join(href).ok())
        .unwrap_or_else(|| base.clone())
}

/// `?ch=N` (alone or among other parameters).
fn chapter_number(url: &Url) -> Option<u32> {
    url.query_pairs()
        .find(|(key, _)| key == "ch")
        .and_then(|(_, value)| value.parse().ok())
}

/// Query keys that only sort, filter, page or print the same page.
const VIEW_KEYS: &[&str] = &[
    "ch",
    "sortby",
    "sort",
    "page",
    "from",
    "to",
    "term",
    "q",
    "bq",
    "cedit",
    "expand",
    "isfilteropen",
    "querystring",
    "type",
    "documenttype",
    "topic",
    "ownerid",
    "print",
    "lang",
];

/// The same path with a query that names an item rather than a view of the page.
fn is_item_of_page(url: &Url) -> bool {
    let mut pairs = url.query_pairs().peekable();
    pairs.peek().is_some()
        && pairs.all(|(key, _)| !VIEW_KEYS.contains(&key.to_ascii_lowercase().as_str()))
}

fn in_chrome(anchor: ElementRef<'_>) -> bool {
    anchor.ancestors().filter_map(ElementRef::wrap).any(|e| {
        matches!(
            e.value().name(),
            "nav" | "header" | "footer" | "aside" | "form" | "script" | "noscript"
        )
    })
}

/// The link's text, whitespace collapsed; its `title` attribute when it has no text.
fn link_text(anchor: ElementRef<'_>) -> String {
    let text = anchor
        .text()
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        anchor
            .value()
            .attr("title")
            .unwrap_or_default()
            .trim()
            .to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANDING: &str = r#"<!DOCTYPE html><html lang="nb"><head><title>NOU</title></head><body>
<header class="pageHeader"><nav class="megaMenu"><a href="/no/tema/helse/id1/">Helse</a></nav></header>
<main id="mainContent">
  <div class="article-ingress"><p>Utvalet har sett på korleis ein kan halde på helsepersonell.</p></div>
  <ul class="toc">
    <li><a href="?ch=2">2 Mandat</a></li>
    <li><a href="/no/dokumenter/nou-demo/id1/?ch=1#kap1">1 Samandrag</a></li>
    <li><a href="?ch=10">10 Tiltak</a></li>
    <li><a href="?ch=2">2 Mandat (igjen)</a></li>
  </ul>
  <p><a title="NOU demo.pdf" href="/contentassets/abc/no/pdfs/nou-demo.pdf"></a> (pdf)</p>
  <a href="?sortby=1&amp;page=2">Sorter</a>
  <a href="?uid=4f2a-99">Svar frå Bergen kommune</a>
  <a href="https://example.org/annan.pdf">Ekstern</a>
  <a href="mailto:post@example.org">E-post</a>
  <a href="/no/dokumenter/horing/id2/">Høyring   om
     rapporten</a>
  <form><a href="/no/dokumenter/skjema/id3/">Skjema</a></form>
</main>
<footer><a href="/no/om/id9/">Om</a></footer>
</body></html>"#;

    #[test]
    fn finds_pdfs_chapters_and_entries_in_the_content_only() {
        let base = Url::parse("https://www.regjeringen.no/no/dokumenter/nou-demo/id1/").unwrap();
        let links = discover(LANDING, &base);
        let chapters: Vec<&str> = links.chapters.iter().map(Url::as_str).collect();
        assert_eq!(
            chapters,
            [
                "https://www.regjeringen.no/no/dokumenter/nou-demo/id1/?ch=1",
                "https://www.regjeringen.no/no/dokumenter/nou-demo/id1/?ch=2",
                "https://www.regjeringen.no/no/dokumenter/nou-demo/id1/?ch=10",
            ]
        );
        let pdfs: Vec<&str> = links.pdfs.iter().map(Url::as_str).collect();
        assert_eq!(
            pdfs,
            [
                "https://www.regjeringen.no/contentassets/abc/no/pdfs/nou-demo.pdf",
                "https://example.org/annan.pdf",
            ]
        );
        let entries: Vec<(&str, &str)> = links
            .entries
            .iter()
            .map(|(t, u)| (t.as_str(), u.as_str()))
            .collect();
        assert_eq!(
            entries,
            [
                (
                    "NOU demo.pdf",
                    "https://www.regjeringen.no/contentassets/abc/no/pdfs/nou-demo.pdf"
                ),
                (
                    "Svar frå Bergen kommune",
                    "https://www.regjeringen.no/no/dokumenter/nou-demo/id1/?uid=4f2a-99"
                ),
                (
                    "Høyring om rapporten",
                    "https://www.regjeringen.no/no/dokumenter/horing/id2/"
                ),
            ]
        );
    }

    #[test]
    fn broken_markup_and_links_never_panic() {
        let base = Url::parse("https://example.org/a/").unwrap();
        for html in [
            "",
            "<a href>",
            "<a href='http://[::1'>x</a>",
            "<main><a href=' ?ch=x '>",
        ] {
            let _ = discover(html, &base);
        }
    }

    fn real(name: &str) -> Option<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/real-corpus")
            .join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) => {
                println!("skipped: {} not readable ({e})", path.display());
                None
            }
        }
    }

    #[test]
    fn real_regjeringen_pages() {
        let Some(hearing) = real("regjeringen-horing-id3167072.html") else {
            return;
        };
        let base = Url::parse("https://www.regjeringen.no/no/dokumenter/kort-horing-avskogingsforordningen-og-forbud-mot-eksport-til-tredjeland/id3167072/").unwrap();
        let links = discover(&hearing, &base);
        assert_eq!(links.pdfs.len(), 1, "{:?}", links.pdfs);
        assert!(links.pdfs[0].path().starts_with("/contentassets/"));
        assert!(
            links
                .entries
                .iter()
                .all(|(_, u)| !u.path().starts_with("/no/tema/"))
        );

        let Some(listing) = real("regjeringen-hoyringar-nn.html") else {
            return;
        };
        let base = Url::parse("https://www.regjeringen.no/no/dokument/hoyringar/id1763/").unwrap();
        let links = discover(&listing, &base);
        let hearings: Vec<_> = links
            .entries
            .iter()
            .filter(|(_, u)| u.path().starts_with("/no/dokumenter/"))
            .collect();
        assert_eq!(hearings.len(), 20, "{:?}", links.entries);
        assert!(
            hearings[0]
                .0
                .starts_with("Høyring – framlegg om presiseringar")
        );
    }
}
