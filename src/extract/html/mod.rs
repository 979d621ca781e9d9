//! HTML extraction: the page's main content, split into sections.
//!
//! - `nesting`: a linear pre-pass capping element depth (the parser is quadratic in it).
//! - `profiles`: site profiles as data (`profiles.toml`): Lovdata law pages and amending acts,
//!   regjeringen.no articles and listings.
//! - `main_content`: the source's selector, the profile's content, or the container holding
//!   most of the page's text.
//! - `walk`: one iterative pass into sections (the profile's section elements, else h1–h4),
//!   paragraphs, tables as blocks; chrome and footnote back-links left out.
//! - `headings`: numbers in headings ("§ 6-2 a", "Kapittel 6", "II", "3.2").
//! - `links`: link discovery for fetching whole documents (PDFs, chapter pages, listing
//!   entries).

pub mod headings;
pub mod links;
pub mod main_content;
pub mod nesting;
pub mod profiles;
pub mod walk;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

use super::model::{ExtractedDoc, Format};
use profiles::Profile;

#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("no text in the page's main content")]
    NoText,
}

/// Bounds on the work one page may cost (like `pdf::PdfLimits`).
#[derive(Debug, Clone)]
pub struct HtmlLimits {
    /// Elements nested deeper than this lose their markup (their text is kept).
    pub max_depth: usize,
    /// Time for walking the content; what was read by then is returned with a warning.
    pub max_time: Duration,
}

impl Default for HtmlLimits {
    fn default() -> Self {
        HtmlLimits {
            max_depth: 256,
            max_time: Duration::from_secs(10),
        }
    }
}

/// Extracts an HTML page with the built-in site profiles and default limits. `selector` picks
/// the main content (every outermost match).
pub fn extract_html(
    bytes: &[u8],
    label: &str,
    selector: Option<&str>,
) -> Result<ExtractedDoc, HtmlError> {
    extract_html_with(bytes, label, selector, None, &HtmlLimits::default())
}

/// Extracts an HTML page. `profiles`: the site profiles to detect (`None`: the built-in ones).
pub fn extract_html_with(
    bytes: &[u8],
    label: &str,
    selector: Option<&str>,
    profiles: Option<&[Profile]>,
    limits: &HtmlLimits,
) -> Result<ExtractedDoc, HtmlError> {
    let started = Instant::now();
    let deadline = started + limits.max_time;
    let text = decode(bytes);
    let mut warnings = Vec::new();
    let (text, nesting) = nesting::cap_nesting(&text, limits.max_depth);
    if nesting.dropped > 0 {
        warnings.push(format!(
            "{} elements nested deeper than {} were flattened into their parents",
            nesting.dropped, limits.max_depth
        ));
    }
    let document = Html::parse_document(&text);
    let profile = match profiles {
        Some(profiles) => profiles
            .iter()
            .find(|p| document.select(&p.detect).next().is_some()),
        None => profiles::detect(&document),
    };
    if let Some(profile) = profile {
        tracing::debug!(profile = %profile.name, "HTML site profile");
    }

    let title = profile
        .and_then(|p| p.title.as_ref())
        .and_then(|sel| first_text(&document, sel))
        .or_else(|| page_title(&document));
    let roots = main_content::choose(&document, selector, profile, &mut warnings);
    let marks = walk::Marks::new(&document, profile);
    let (sections, stop) = walk::sections_of(&roots, &marks, deadline);
    if stop == walk::Stop::TimedOut {
        warnings.push(format!(
            "stopped reading the page after {:.1} s; the rest of its text is missing",
            limits.max_time.as_secs_f64()
        ));
    }
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
        ocr_pages: Vec::new(),
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

fn first_text(document: &Html, selector: &Selector) -> Option<String> {
    document
        .select(selector)
        .next()
        .map(|e| collapse_whitespace(&e.text().collect::<String>()))
        .filter(|t| !t.is_empty())
}

fn page_title(document: &Html) -> Option<String> {
    static TITLE: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("title").ok());
    static H1: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("h1").ok());
    let from = |sel: &Option<Selector>| sel.as_ref().and_then(|s| first_text(document, s));
    from(&H1).or_else(|| from(&TITLE))
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

    #[test]
    fn deep_nesting_is_linear() {
        let html = format!(
            "<html><body>{}tekst{}</body></html>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        assert!(html.len() > 1_000_000);
        let started = Instant::now();
        let doc = extract_html(html.as_bytes(), "t.html", None).unwrap();
        // Release builds take ~25 ms (examples/html_eval.rs); this is a debug build.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(doc.sections[0].text, "tekst");
        assert!(doc.warnings[0].contains("nested deeper than 256"));
        // Unclosed inline elements and lists nest too.
        let html = format!("<p>{}ord", "<span><ul><li>".repeat(50_000));
        let started = Instant::now();
        let doc = extract_html(html.as_bytes(), "t.html", None).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(doc.sections.iter().any(|s| s.text.contains("ord")));
    }

    #[test]
    fn the_time_limit_stops_the_walk_with_a_warning() {
        let html = format!(
            "<main>{}</main>",
            "<p>Avsnitt om legevakt.</p>".repeat(20_000)
        );
        let limits = HtmlLimits {
            max_time: Duration::ZERO,
            ..HtmlLimits::default()
        };
        match extract_html_with(html.as_bytes(), "t.html", None, None, &limits) {
            Ok(doc) => assert!(doc.warnings.iter().any(|w| w.contains("stopped reading"))),
            Err(e) => assert!(matches!(e, HtmlError::NoText)),
        }
    }

    fn tag() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let names = prop::sample::select(vec![
            "div", "p", "main", "article", "section", "h1", "h2", "h3", "table", "tr", "td", "th",
            "ul", "ol", "li", "a", "sup", "span", "footer", "nav", "script", "style", "br",
            "button", "b", "template", "svg", "title", "textarea", "!--", "![CDATA[",
        ]);
        let attrs = prop::sample::select(vec![
            "",
            " class=\"legalArticle\"",
            " class=\"documentBody\"",
            " class=\"article-body\"",
            " class=\"cookie\"",
            " class=\"footnotes\"",
            " data-name=\"a.\"",
            " href=\"#fn1\"",
            " hidden",
            " id='x",
        ]);
        let text = "[a-zæøå§↑ <>&;\"'/-]{0,12}";
        (names, attrs, any::<bool>(), text).prop_map(|(name, attrs, close, text)| {
            if close {
                format!("</{name}>{text}")
            } else {
                format!("<{name}{attrs}>{text}")
            }
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(256))]

        #[test]
        fn random_markup_never_panics(parts in proptest::collection::vec(tag(), 0..200)) {
            let html = parts.concat();
            let started = Instant::now();
            if let Ok(doc) = extract_html(html.as_bytes(), "t.html", None) {
                proptest::prop_assert!(doc.sections.iter().all(|s| !s.text.contains("\n\n\n")));
            }
            let _ = extract_html(html.as_bytes(), "t.html", Some("main article"));
            let _ = links::discover(&html, "https://www.regjeringen.no/no/id1/");
            let (capped, _) = nesting::cap_nesting(&html, 3);
            let _ = extract_html(capped.as_bytes(), "t.html", None);
            proptest::prop_assert!(started.elapsed() < Duration::from_secs(5));
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2000)) {
            let _ = extract_html(&bytes, "t.html", None);
            let _ = links::discover(&bytes, "not a url");
        }
    }
}
