//! HTML extraction: the page's main content, split into sections at h1–h4.
//!
//! The main content is the source's CSS `selector` when given, otherwise the first of
//! `main article`, `article`, `main`, `[role=main]`, `#content`, `body`. Inside it, navigation,
//! page chrome, scripts, forms and cookie/consent banners are dropped.

use std::sync::LazyLock;

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

use super::model::{ExtractedDoc, Format, Section};
use super::{number_depth, split_heading_number};

#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("no text in the page's main content")]
    NoText,
}

/// Elements whose whole subtree is never content.
const SKIPPED: &[&str] = &[
    "nav", "header", "footer", "aside", "script", "style", "noscript", "template", "form",
    "button", "select", "svg", "iframe", "object", "canvas", "dialog", "head", "title", "menu",
];

/// Elements that end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "main",
    "figure",
    "figcaption",
    "h5",
    "h6",
    "br",
    "hr",
    "address",
    "details",
    "summary",
    "caption",
];

/// Class/id fragments of banners and widgets that sit inside content areas.
const CHROME_MARKERS: &[&str] = &[
    "cookie",
    "consent",
    "gdpr",
    "breadcrumb",
    "skip-link",
    "skiplink",
    "share",
    "social",
    "print-button",
    "newsletter",
];

static MAIN_CANDIDATES: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    [
        "main article",
        "article",
        "main",
        "[role=main]",
        "#content",
        "body",
    ]
    .iter()
    .map(|s| Selector::parse(s).expect("valid selector"))
    .collect()
});

/// Extracts an HTML page. `selector` picks the main content (first match).
pub fn extract_html(
    bytes: &[u8],
    label: &str,
    selector: Option<&str>,
) -> Result<ExtractedDoc, HtmlError> {
    let text = decode(bytes);
    let document = Html::parse_document(&text);
    let mut warnings = Vec::new();

    let title = page_title(&document);
    let mut root = None;
    if let Some(selector) = selector {
        match Selector::parse(selector) {
            Ok(sel) => {
                root = document.select(&sel).next();
                if root.is_none() {
                    warnings.push(format!(
                        "selector {selector:?} matched nothing; used the page's main content instead"
                    ));
                }
            }
            Err(e) => warnings.push(format!("invalid selector {selector:?}: {e}")),
        }
    }
    let root = match root {
        Some(root) => root,
        None => MAIN_CANDIDATES
            .iter()
            .find_map(|sel| document.select(sel).next())
            .unwrap_or_else(|| document.root_element()),
    };

    let sections = sections_of(root);
    if sections
        .iter()
        .all(|s| s.text.trim().is_empty() && s.heading.is_none())
    {
        return Err(HtmlError::NoText);
    }
    Ok(ExtractedDoc {
        file: label.to_string(),
        format: Format::Html,
        title,
        pages: 1,
        sections,
        warnings,
    })
}

/// Decodes the page: BOM, then `<meta charset>`, then UTF-8, then Windows-1252 (what browsers
/// assume for old Norwegian pages with ISO-8859-1 bytes).
fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    static META: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(r#"(?i)<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)"#)
            .expect("valid regex")
    });
    let head = &bytes[..bytes.len().min(2048)];
    if let Some(caps) = META.captures(head)
        && let Some(encoding) = encoding_rs::Encoding::for_label(&caps[1])
    {
        return encoding.decode_without_bom_handling(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

fn page_title(document: &Html) -> Option<String> {
    static TITLE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("title").expect("valid"));
    static H1: LazyLock<Selector> = LazyLock::new(|| Selector::parse("h1").expect("valid"));
    let from = |sel: &Selector| {
        document
            .select(sel)
            .next()
            .map(|e| collapse_whitespace(&e.text().collect::<String>()))
            .filter(|t| !t.is_empty())
    };
    from(&H1).or_else(|| from(&TITLE))
}

fn is_chrome(element: &scraper::node::Element) -> bool {
    let name = element.name();
    if SKIPPED.contains(&name) {
        return true;
    }
    if element.attr("hidden").is_some()
        || element.attr("aria-hidden") == Some("true")
        || matches!(
            element.attr("role"),
            Some("navigation" | "banner" | "contentinfo" | "dialog")
        )
    {
        return true;
    }
    let marked = |value: Option<&str>| {
        value.is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            CHROME_MARKERS.iter().any(|m| v.contains(m))
        })
    };
    marked(element.attr("class")) || marked(element.attr("id"))
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        _ => None,
    }
}

/// Walks the content in document order, cutting sections at h1–h4.
fn sections_of(root: ElementRef<'_>) -> Vec<Section> {
    let mut builder = SectionBuilder::default();
    let mut skip_until: Option<ego_tree::NodeId> = None;
    let mut heading: Option<(u8, String, ego_tree::NodeId)> = None;

    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(element) => {
                        // The root itself is content even if it is, say, an <article> with a
                        // "share" class.
                        if node.id() != root.id() && is_chrome(element) {
                            skip_until = Some(node.id());
                            continue;
                        }
                        if let Some(level) = heading_level(element.name()) {
                            builder.end_paragraph();
                            heading = Some((level, String::new(), node.id()));
                        } else if BLOCKS.contains(&element.name()) {
                            builder.end_paragraph();
                        }
                    }
                    Node::Text(text) => match &mut heading {
                        Some((_, buffer, _)) => buffer.push_str(text),
                        None => builder.push_text(text),
                    },
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skip_until == Some(node.id()) {
                    skip_until = None;
                    continue;
                }
                if skip_until.is_some() {
                    continue;
                }
                if let Some((level, text, id)) = &heading
                    && *id == node.id()
                {
                    let text = collapse_whitespace(text);
                    if !text.is_empty() {
                        builder.start_section(*level, &text);
                    }
                    heading = None;
                    continue;
                }
                if let Node::Element(element) = node.value()
                    && BLOCKS.contains(&element.name())
                {
                    builder.end_paragraph();
                }
            }
        }
    }
    builder.finish()
}

#[derive(Default)]
struct SectionBuilder {
    sections: Vec<Section>,
    current: Option<Section>,
    paragraphs: Vec<String>,
    paragraph: String,
}

impl SectionBuilder {
    fn push_text(&mut self, text: &str) {
        self.paragraph.push_str(text);
    }

    fn end_paragraph(&mut self) {
        let text = collapse_whitespace(&self.paragraph);
        self.paragraph.clear();
        if !text.is_empty() {
            self.paragraphs.push(text);
        }
    }

    fn flush(&mut self) {
        self.end_paragraph();
        let text = std::mem::take(&mut self.paragraphs).join("\n\n");
        match self.current.take() {
            Some(mut section) => {
                section.text = text;
                self.sections.push(section);
            }
            None if !text.is_empty() => self.sections.push(Section {
                number: None,
                heading: None,
                level: 0,
                page_start: 1,
                page_end: 1,
                text,
            }),
            None => {}
        }
    }

    fn start_section(&mut self, tag_level: u8, heading: &str) {
        self.flush();
        let (number, title) = split_heading_number(heading);
        let level = number.as_deref().map_or(tag_level, number_depth);
        let title = if title.is_empty() {
            heading.to_string()
        } else {
            title
        };
        self.current = Some(Section {
            number,
            heading: Some(title),
            level,
            page_start: 1,
            page_end: 1,
            text: String::new(),
        });
    }

    fn finish(mut self) -> Vec<Section> {
        self.flush();
        self.sections
    }
}

/// Collapses runs of whitespace (including non-breaking spaces) to one space.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html lang="nn"><head><title>Tenesteavtale 1 | Saman</title>
<style>p{color:red}</style><script>var x = "skript";</script></head>
<body>
<header><a href="/">Saman</a><nav><ul><li>Heim</li><li>Avtalar</li></ul></nav></header>
<div class="cookie-banner">Vi nyttar informasjonskapslar. <button>Godta</button></div>
<main><article>
<h1>Tenesteavtale 1</h1>
<p>Innleiing til avtalen om   samarbeid.</p>
<h2>5 Helsefellesskap</h2>
<p>Kommunane og helseføretaket skal planleggje <em>helse- og omsorgstenester</em> i lag.</p>
<p>Brukarar skal medverke.</p>
<h3>5.1 Partnarskapsmøtet</h3>
<ul><li>Møtest éin gong i året.</li><li>Vedtek overordna strategi.</li></ul>
<aside>Sjå òg: relaterte lenkjer</aside>
</article></main>
<footer>Kontakt oss · Personvern</footer>
</body></html>"#;

    #[test]
    fn main_content_without_chrome() {
        let doc = extract_html(PAGE.as_bytes(), "t.html", None).unwrap();
        assert_eq!(doc.title.as_deref(), Some("Tenesteavtale 1"));
        let all: String = doc.sections.iter().map(|s| s.text.clone()).collect();
        for chrome in [
            "Heim",
            "informasjonskapslar",
            "Godta",
            "relaterte",
            "Personvern",
            "skript",
            "color",
        ] {
            assert!(!all.contains(chrome), "{chrome:?} leaked into {all:?}");
        }
        let headings: Vec<_> = doc
            .sections
            .iter()
            .map(|s| (s.number.as_deref(), s.heading.as_deref(), s.level))
            .collect();
        assert_eq!(
            headings,
            vec![
                (None, Some("Tenesteavtale 1"), 1),
                (Some("5"), Some("Helsefellesskap"), 1),
                (Some("5.1"), Some("Partnarskapsmøtet"), 2),
            ]
        );
        assert_eq!(doc.sections[0].text, "Innleiing til avtalen om samarbeid.");
        assert_eq!(
            doc.sections[1].text,
            "Kommunane og helseføretaket skal planleggje helse- og omsorgstenester i lag.\n\nBrukarar skal medverke."
        );
        assert_eq!(
            doc.sections[2].text,
            "Møtest éin gong i året.\n\nVedtek overordna strategi."
        );
    }

    #[test]
    fn text_before_the_first_heading_is_kept() {
        let doc = extract_html(
            b"<html><body><main><p>Forord utan overskrift.</p><h2>1 Bakgrunn</h2><p>Tekst.</p></main></body></html>",
            "t.html",
            None,
        )
        .unwrap();
        assert_eq!(doc.sections[0].number, None);
        assert_eq!(doc.sections[0].heading, None);
        assert_eq!(doc.sections[0].text, "Forord utan overskrift.");
        assert_eq!(doc.sections[1].number.as_deref(), Some("1"));
    }

    #[test]
    fn selector_picks_the_content_and_a_miss_is_a_warning() {
        let html = br#"<html><body><div id="a"><h2>A</h2><p>Feil.</p></div><div class="innhald"><h2>B</h2><p>Rett.</p></div></body></html>"#;
        let doc = extract_html(html, "t.html", Some("div.innhald")).unwrap();
        assert_eq!(doc.sections.len(), 1);
        assert_eq!(doc.sections[0].text, "Rett.");
        let doc = extract_html(html, "t.html", Some("div.finst-ikkje")).unwrap();
        assert_eq!(doc.warnings.len(), 1);
        assert!(doc.warnings[0].contains("matched nothing"));
    }

    #[test]
    fn latin1_pages_keep_norwegian_letters() {
        let bytes = b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>Skr\xf8pelege eldre p\xe5 \xe6ttleddet</p></body></html>";
        let doc = extract_html(bytes, "t.html", None).unwrap();
        assert_eq!(doc.sections[0].text, "Skrøpelege eldre på ættleddet");
    }

    #[test]
    fn empty_page_is_an_error() {
        let err =
            extract_html(b"<html><body><nav>Meny</nav></body></html>", "t.html", None).unwrap_err();
        assert_eq!(err.to_string(), "no text in the page's main content");
    }
}
