//! Gathering a document's chapter pages into one HTML document.
//!
//! The result is a pure function of the pages' bytes (in chapter order), so an unchanged set
//! of chapters gives the same bytes and hence the same version.

use scraper::{Html, Selector};

/// The element of a gathered document that holds the chapters: what extraction reads.
pub(crate) const CONTENT_SELECTOR: &str = "main.samspor-kapitler";

const FALLBACKS: [&str; 4] = ["main article", "article", "main", "body"];

/// One HTML document with the main content of each page, in order. `selector` picks a page's
/// content (as for any HTML source); a page where it matches nothing falls back to `main
/// article`, `article`, `main`, then `body`.
pub(crate) fn combine(
    title: &str,
    language: Option<&str>,
    pages: &[Vec<u8>],
    selector: Option<&str>,
) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html");
    if let Some(lang) = language {
        out.push_str(&format!(" lang=\"{}\"", escape(lang)));
    }
    out.push_str(&format!(
        "><head><meta charset=\"utf-8\"><title>{}</title></head><body><main class=\"samspor-kapitler\">\n",
        escape(title)
    ));
    let selectors: Vec<Selector> = selector
        .into_iter()
        .chain(FALLBACKS)
        .filter_map(|css| Selector::parse(css).ok())
        .collect();
    for page in pages {
        let text = String::from_utf8_lossy(page);
        let document = Html::parse_document(&text);
        let content = selectors
            .iter()
            .find_map(|sel| document.select(sel).next())
            .map(|element| element.inner_html())
            .unwrap_or_default();
        out.push_str("<div class=\"samspor-kapittel\">\n");
        out.push_str(&content);
        out.push_str("\n</div>\n");
    }
    out.push_str("</main></body></html>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::html::extract_html;

    fn page(heading: &str, text: &str) -> Vec<u8> {
        format!(
            "<html><body><nav><a href='/'>Meny</a></nav><main><div class='article-body'><h2>{heading}</h2><p>{text}</p></div><div class='kapittelnavigasjon'>Neste kapittel</div></main></body></html>"
        )
        .into_bytes()
    }

    #[test]
    fn chapters_become_one_document_in_order() {
        let pages = [
            page("1 Samandrag", "Kommunane manglar fastlegar."),
            page(
                "2 Tiltak",
                "Fleire ALIS-avtalar <b>&amp;</b> betre vaktordningar.",
            ),
        ];
        let html = combine("NOU <demo>", Some("nn"), &pages, Some("div.article-body"));
        let doc = extract_html(html.as_bytes(), "samla", Some(CONTENT_SELECTOR)).unwrap();
        assert_eq!(doc.title.as_deref(), Some("NOU <demo>"));
        let headings: Vec<_> = doc
            .sections
            .iter()
            .filter_map(|s| s.heading.as_deref())
            .collect();
        assert_eq!(headings, ["Samandrag", "Tiltak"]);
        assert!(
            doc.sections[1].text.contains("ALIS-avtalar & betre"),
            "{:?}",
            doc.sections
        );
        assert!(
            !html.contains("Neste kapittel"),
            "the selector leaves page chrome out"
        );
        assert_eq!(
            html,
            combine("NOU <demo>", Some("nn"), &pages, Some("div.article-body"))
        );
    }

    #[test]
    fn a_missing_selector_falls_back_to_main() {
        let html = combine(
            "T",
            None,
            &[page("1 Innleiing", "Tekst.")],
            Some("div.finst-ikkje"),
        );
        assert!(html.contains("Innleiing") && html.contains("Neste kapittel"));
    }
}
