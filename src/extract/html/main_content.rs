//! Choosing the page's main content.
//!
//! In order: the source's CSS selector (every outermost match), the site profile's content
//! selectors, then a heuristic over the usual containers (`main`, `[role=main]`, `article`,
//! `#content` …) that chooses by the amount of text they hold, never by their order: the
//! candidate with the most text wins, and a candidate inside it replaces it only when it is the
//! only one there and holds nearly all of its text (so a `<main>` that wraps one `<article>` and
//! a sidebar gives the article, while a `<main>` of many `<article>`s stays whole).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

use super::profiles::Profile;
use super::walk::is_chrome;

static CANDIDATES: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    [
        "main",
        "[role=main]",
        "article",
        "#content",
        "#main",
        "#main-content",
        "#maincontent",
        ".main-content",
    ]
    .iter()
    .filter_map(|s| Selector::parse(s).ok())
    .collect()
});

static BODY: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("body").ok());

/// The only candidate inside the best replaces it when it holds at least this share of its text.
const NARROW_SHARE: f64 = 0.9;
/// The best candidate is used only when it holds at least this share of the body's text.
const MIN_SHARE: f64 = 0.3;

/// The content roots, in document order, none inside another.
pub fn choose<'a>(
    document: &'a Html,
    selector: Option<&str>,
    profile: Option<&Profile>,
    warnings: &mut Vec<String>,
) -> Vec<ElementRef<'a>> {
    if let Some(selector) = selector {
        match Selector::parse(selector) {
            Ok(sel) => {
                let roots = outermost(document.select(&sel).collect());
                if !roots.is_empty() {
                    return roots;
                }
                warnings.push(format!(
                    "selector {selector:?} matched nothing; used the page's main content instead"
                ));
            }
            Err(e) => warnings.push(format!("invalid selector {selector:?}: {e}")),
        }
    }
    if let Some(profile) = profile
        && !profile.content.is_empty()
    {
        let roots = outermost(
            profile
                .content
                .iter()
                .flat_map(|sel| document.select(sel))
                .collect(),
        );
        if !roots.is_empty() {
            return roots;
        }
    }
    vec![heuristic(document)]
}

/// The container holding most of the page's text (see the module comment).
pub fn heuristic(document: &Html) -> ElementRef<'_> {
    let body = BODY
        .as_ref()
        .and_then(|b| document.select(b).next())
        .unwrap_or_else(|| document.root_element());
    let candidates: HashSet<NodeId> = CANDIDATES
        .iter()
        .flat_map(|sel| document.select(sel))
        .map(|e| e.id())
        .collect();
    if candidates.is_empty() {
        return body;
    }
    let lengths = text_lengths(document.root_element(), &candidates);
    let body_len = text_lengths(body, &HashSet::from([body.id()]))
        .get(&body.id())
        .copied()
        .unwrap_or(0);
    let Some((&best_id, &best_len)) = lengths
        .iter()
        .max_by_key(|(id, len)| (**len, std::cmp::Reverse(**id)))
    else {
        return body;
    };
    if best_len == 0 || (best_len as f64) < MIN_SHARE * body_len as f64 {
        return body;
    }
    // Narrow into the one candidate inside it, while that one holds nearly all its text.
    let mut chosen = (best_id, best_len);
    loop {
        let inner: Vec<(NodeId, usize)> = lengths
            .iter()
            .filter(|&(&id, &len)| {
                id != chosen.0 && len > 0 && outermost_inside(document, id, chosen.0, &candidates)
            })
            .map(|(&id, &len)| (id, len))
            .collect();
        match inner.as_slice() {
            [(id, len)] if *len as f64 >= NARROW_SHARE * chosen.1 as f64 => chosen = (*id, *len),
            _ => break,
        }
    }
    document
        .tree
        .get(chosen.0)
        .and_then(ElementRef::wrap)
        .unwrap_or(body)
}

/// Non-whitespace characters of content text (chrome left out) under each of `ids`.
fn text_lengths(root: ElementRef<'_>, ids: &HashSet<NodeId>) -> HashMap<NodeId, usize> {
    let mut out = HashMap::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut skip_until: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(element) => {
                        if node.id() != root.id() && is_chrome(element, false) {
                            skip_until = Some(node.id());
                            continue;
                        }
                        stack.push(0);
                    }
                    Node::Text(text) => {
                        if let Some(top) = stack.last_mut() {
                            *top += text.chars().filter(|c| !c.is_whitespace()).count();
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skip_until == Some(node.id()) {
                    skip_until = None;
                    continue;
                }
                if skip_until.is_some() || !node.value().is_element() {
                    continue;
                }
                let len = stack.pop().unwrap_or(0);
                if let Some(parent) = stack.last_mut() {
                    *parent += len;
                }
                if ids.contains(&node.id()) {
                    out.insert(node.id(), len);
                }
            }
        }
    }
    out
}

/// Whether `id` is inside `ancestor` with no other candidate between them.
fn outermost_inside(
    document: &Html,
    id: NodeId,
    ancestor: NodeId,
    candidates: &HashSet<NodeId>,
) -> bool {
    let Some(node) = document.tree.get(id) else {
        return false;
    };
    for a in node.ancestors() {
        if a.id() == ancestor {
            return true;
        }
        if candidates.contains(&a.id()) {
            return false;
        }
    }
    false
}

/// The elements not inside another of them, in document order.
fn outermost(mut elements: Vec<ElementRef<'_>>) -> Vec<ElementRef<'_>> {
    let ids: HashSet<NodeId> = elements.iter().map(|e| e.id()).collect();
    elements.retain(|e| !e.ancestors().any(|a| ids.contains(&a.id())));
    let mut seen = HashSet::new();
    elements.retain(|e| seen.insert(e.id()));
    // Document order: NodeIds grow in parse order.
    elements.sort_by_key(|e| e.id());
    elements
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(e: ElementRef<'_>) -> String {
        super::super::collapse_whitespace(&e.text().collect::<String>())
    }

    #[test]
    fn many_articles_in_main_keep_main() {
        let mut html = String::from("<html><body><nav>Meny</nav><main><h1>Lov</h1>");
        for n in 1..=20 {
            html.push_str(&format!(
                "<article><h3>§ {n}. Tittel</h3><article>Første ledd i paragraf {n}.</article></article>"
            ));
        }
        html.push_str("</main></body></html>");
        let doc = Html::parse_document(&html);
        let root = heuristic(&doc);
        assert_eq!(root.value().name(), "main");
    }

    #[test]
    fn one_article_with_a_sidebar_gives_the_article() {
        let html = format!(
            "<html><body><main><article><h1>Sak</h1><p>{}</p></article><div class=\"x\">Kort</div></main></body></html>",
            "Lang tekst om samhandling. ".repeat(40)
        );
        let doc = Html::parse_document(&html);
        let root = heuristic(&doc);
        assert_eq!(root.value().name(), "article");
        assert!(text_of(root).starts_with("Sak"));
    }

    #[test]
    fn a_large_article_beside_a_small_one_keeps_main() {
        let html = format!(
            "<html><body><main><article><p>Innleiing.</p></article><article><p>{}</p></article></main></body></html>",
            "Endringar i lova. ".repeat(200)
        );
        let doc = Html::parse_document(&html);
        assert_eq!(heuristic(&doc).value().name(), "main");
    }

    #[test]
    fn a_small_candidate_on_a_large_page_gives_the_body() {
        let html = format!(
            "<html><body><article>Lite</article><div><p>{}</p></div></body></html>",
            "Mykje tekst utanfor. ".repeat(50)
        );
        let doc = Html::parse_document(&html);
        assert_eq!(heuristic(&doc).value().name(), "body");
    }
}
