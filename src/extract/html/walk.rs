//! Walking the content into sections: one iterative pass in document order (no recursion, so
//! depth costs no stack), cutting sections at the profile's section elements or at h1–h4,
//! paragraphs at block elements, tables into blocks of their own, chrome and footnote
//! back-links left out.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

use super::collapse_whitespace;
use super::headings::{normalise_number, split_legal_heading};
use super::profiles::{Profile, Rule};
use crate::extract::model::Section;
use crate::extract::number_depth;

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

/// Texts of links that lead back from a footnote to its reference.
const BACK_LINKS: &[&str] = &["↑", "^", "↩", "↩︎", "⤴", "Tilbake", "tilbake", "Til toppen"];

/// Whether an element is page chrome. A `<button>` inside a heading is not: accordions put
/// their headings' text in one.
pub fn is_chrome(element: &scraper::node::Element, in_heading: bool) -> bool {
    let name = element.name();
    if name == "button" && in_heading {
        return false;
    }
    if name == "footer" && marked(element.attr("class"), &["footnote"]) {
        return false;
    }
    if SKIPPED.contains(&name) {
        return true;
    }
    if element.attr("hidden").is_some()
        || element.attr("aria-hidden") == Some("true")
        || matches!(
            element.attr("role"),
            Some("navigation" | "banner" | "contentinfo" | "dialog" | "search")
        )
    {
        return true;
    }
    marked(element.attr("class"), CHROME_MARKERS) || marked(element.attr("id"), CHROME_MARKERS)
}

fn marked(value: Option<&str>, markers: &[&str]) -> bool {
    value.is_some_and(|v| {
        let v = v.to_ascii_lowercase();
        markers.iter().any(|m| v.contains(m))
    })
}

/// A link back from a footnote ("↑", "Tilbake"), by its text, role or class.
fn is_back_link(element: ElementRef<'_>) -> bool {
    let e = element.value();
    if e.name() != "a" {
        return false;
    }
    if e.attr("role") == Some("doc-backlink")
        || marked(
            e.attr("class"),
            &[
                "backref",
                "backlink",
                "back-link",
                "footnote-back",
                "fn-back",
            ],
        )
    {
        return true;
    }
    let mut text = String::new();
    for t in element.text() {
        text.push_str(t);
        if text.len() > 40 {
            return false;
        }
    }
    let text = text.trim();
    BACK_LINKS.contains(&text)
}

/// A footnote reference (`<sup>` marked as one, or holding a link to an anchor on the page).
fn is_note_reference(element: ElementRef<'_>) -> bool {
    let e = element.value();
    e.name() == "sup"
        && (marked(e.attr("class"), &["footnote", "noteref", "fnref"])
            || element.children().filter_map(ElementRef::wrap).any(|c| {
                c.value().name() == "a"
                    && c.value().attr("href").is_some_and(|h| h.starts_with('#'))
            }))
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

/// What the walk knows beyond the tree: the profile's marked elements.
#[derive(Default)]
pub struct Marks<'p> {
    /// Section elements and their rules.
    rules: HashMap<NodeId, &'p Rule>,
    keep: HashSet<NodeId>,
    drop: HashSet<NodeId>,
    blocks: HashSet<NodeId>,
    /// The document title element(s): not sections, not text.
    title: HashSet<NodeId>,
    list_labels: &'p [String],
}

impl<'p> Marks<'p> {
    pub fn new(document: &Html, profile: Option<&'p Profile>) -> Self {
        let Some(profile) = profile else {
            return Marks::default();
        };
        let ids = |sels: &[Selector]| -> HashSet<NodeId> {
            sels.iter()
                .flat_map(|s| document.select(s))
                .map(|e| e.id())
                .collect()
        };
        let mut rules = HashMap::new();
        for rule in &profile.sections {
            for e in document.select(&rule.element) {
                rules.entry(e.id()).or_insert(rule);
            }
        }
        Marks {
            rules,
            keep: ids(&profile.keep),
            drop: ids(&profile.drop),
            blocks: ids(&profile.blocks),
            title: profile
                .title
                .as_ref()
                .map(|t| document.select(t).map(|e| e.id()).collect())
                .unwrap_or_default(),
            list_labels: &profile.list_labels,
        }
    }
}

/// Why a walk ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Completed,
    TimedOut,
}

/// Walks the roots in order into sections.
pub fn sections_of(
    roots: &[ElementRef<'_>],
    marks: &Marks<'_>,
    deadline: Instant,
) -> (Vec<Section>, Stop) {
    let mut walker = Walker {
        marks,
        out: SectionBuilder::default(),
        skip_until: None,
        heading: None,
        rule_stack: Vec::new(),
        rule_headings: HashSet::new(),
        table: None,
        label: None,
    };
    let mut steps = 0usize;
    for root in roots {
        for edge in root.traverse() {
            steps += 1;
            if steps.is_multiple_of(1024) && Instant::now() > deadline {
                return (walker.out.finish(), Stop::TimedOut);
            }
            match edge {
                Edge::Open(node) => walker.open(node, root.id()),
                Edge::Close(node) => walker.close(node),
            }
        }
        walker.out.end_paragraph();
    }
    (walker.out.finish(), Stop::Completed)
}

struct Walker<'m, 'p> {
    marks: &'m Marks<'p>,
    out: SectionBuilder,
    skip_until: Option<NodeId>,
    /// A generic heading being read: its tag level, text and element.
    heading: Option<(u8, String, NodeId)>,
    /// Open section elements of the profile, outermost first.
    rule_stack: Vec<NodeId>,
    /// Heading elements of open rule sections (read already; skipped as text).
    rule_headings: HashSet<NodeId>,
    table: Option<Table>,
    /// The label of a list item whose text has not begun yet.
    label: Option<String>,
}

/// A table being read: rows of cells. Tables inside it are read as cell text.
struct Table {
    id: NodeId,
    rows: Vec<Vec<String>>,
    cell: Option<String>,
}

impl Table {
    fn push_text(&mut self, text: &str) {
        if self.cell.is_none() {
            self.cell = Some(String::new());
        }
        if let Some(cell) = &mut self.cell {
            cell.push_str(text);
        }
    }

    fn end_cell(&mut self) {
        if let Some(cell) = self.cell.take() {
            if self.rows.is_empty() {
                self.rows.push(Vec::new());
            }
            if let Some(row) = self.rows.last_mut() {
                row.push(collapse_whitespace(&cell));
            }
        }
    }

    fn end_row(&mut self) {
        self.end_cell();
        if self.rows.last().is_none_or(|r| !r.is_empty()) {
            self.rows.push(Vec::new());
        }
    }

    /// Rows on their own lines, cells separated by " | "; empty cells and rows left out.
    fn render(mut self) -> String {
        self.end_cell();
        let lines: Vec<String> = self
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .filter(|line| !line.is_empty())
            .collect();
        lines.join("\n")
    }
}

impl Walker<'_, '_> {
    fn push_text(&mut self, text: &str) {
        if self.label.is_some() && !text.trim().is_empty() {
            // A list item's label goes before its first words, whatever blocks come between.
            if let Some(label) = self.label.take() {
                self.push_text(&label);
                self.push_text(" ");
            }
        }
        if let Some(table) = &mut self.table {
            table.push_text(text);
        } else if let Some((_, buffer, _)) = &mut self.heading {
            buffer.push_str(text);
        } else {
            self.out.push_text(text);
        }
    }

    /// A block boundary: a paragraph break, or a space inside a table cell or a heading.
    fn block_break(&mut self) {
        if self.table.is_some() || self.heading.is_some() {
            self.push_text(" ");
        } else {
            self.out.end_paragraph();
        }
    }

    fn open(&mut self, node: ego_tree::NodeRef<'_, Node>, root: NodeId) {
        if self.skip_until.is_some() {
            return;
        }
        match node.value() {
            Node::Text(text) => self.push_text(text),
            Node::Element(element) => {
                let id = node.id();
                let Some(el) = ElementRef::wrap(node) else {
                    return;
                };
                let chrome = id != root
                    && !self.marks.keep.contains(&id)
                    && (self.marks.drop.contains(&id)
                        || is_chrome(element, self.heading.is_some()));
                if chrome
                    || self.marks.title.contains(&id)
                    || self.rule_headings.contains(&id)
                    || is_back_link(el)
                {
                    self.skip_until = Some(id);
                    return;
                }
                let name = element.name();
                if self.table.is_none()
                    && self.heading.is_none()
                    && let Some(rule) = self.marks.rules.get(&id)
                {
                    self.start_rule(el, rule);
                    return;
                }
                if let Some(table) = &mut self.table {
                    match name {
                        "tr" => table.end_row(),
                        "td" | "th" => table.end_cell(),
                        _ if BLOCKS.contains(&name) || heading_level(name).is_some() => {
                            table.push_text(" ")
                        }
                        _ => {}
                    }
                    return;
                }
                if name == "table" {
                    self.out.end_paragraph();
                    self.table = Some(Table {
                        id,
                        rows: Vec::new(),
                        cell: None,
                    });
                    return;
                }
                if let Some(level) = heading_level(name) {
                    if self.heading.is_none() {
                        self.out.end_paragraph();
                        self.heading = Some((level, String::new(), id));
                    }
                    return;
                }
                if name == "li" {
                    self.out.end_paragraph();
                    if let Some(label) = self
                        .marks
                        .list_labels
                        .iter()
                        .find_map(|attr| element.attr(attr))
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && l.chars().count() <= 8)
                    {
                        self.label = Some(label.to_string());
                    }
                    return;
                }
                if is_note_reference(el) {
                    self.push_text("[");
                    return;
                }
                if BLOCKS.contains(&name) || self.marks.blocks.contains(&id) {
                    self.block_break();
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, node: ego_tree::NodeRef<'_, Node>) {
        let id = node.id();
        if self.skip_until == Some(id) {
            self.skip_until = None;
            return;
        }
        if self.skip_until.is_some() {
            return;
        }
        let Some(el) = ElementRef::wrap(node) else {
            return;
        };
        let name = el.value().name();
        if let Some(table) = &mut self.table {
            if table.id == id {
                if let Some(table) = self.table.take() {
                    self.out.push_block(table.render());
                }
            } else {
                match name {
                    "tr" => table.end_row(),
                    "td" | "th" => table.end_cell(),
                    _ if BLOCKS.contains(&name) => table.push_text(" "),
                    _ => {}
                }
            }
            return;
        }
        if let Some((level, text, heading_id)) = &self.heading
            && *heading_id == id
        {
            let text = collapse_whitespace(text);
            let level = *level;
            self.heading = None;
            if !text.is_empty() {
                self.out.start_section(level, &text);
            }
            return;
        }
        if self.rule_stack.last() == Some(&id) {
            self.rule_stack.pop();
            self.out.end_paragraph();
            return;
        }
        if is_note_reference(el) {
            self.push_text("]");
            return;
        }
        if BLOCKS.contains(&name) || self.marks.blocks.contains(&id) {
            self.block_break();
        }
    }

    /// A profile's section element opens: read its heading now, skip it later.
    fn start_rule(&mut self, element: ElementRef<'_>, rule: &Rule) {
        self.out.end_paragraph();
        let level = (self.rule_stack.len() + 1).min(9) as u8;
        self.rule_stack.push(element.id());
        let Some(heading) = element.select(&rule.heading).next() else {
            self.out.start_numbered(level, None, None);
            return;
        };
        self.rule_headings.insert(heading.id());
        let text_of = |e: ElementRef<'_>| collapse_whitespace(&e.text().collect::<String>());
        let full = text_of(heading);
        let marked_number = rule
            .number
            .as_ref()
            .and_then(|s| heading.select(s).next())
            .map(|e| normalise_number(&text_of(e)))
            .filter(|n| !n.is_empty());
        let marked_title = rule
            .title
            .as_ref()
            .and_then(|s| heading.select(s).next())
            .map(text_of)
            .filter(|t| !t.is_empty());
        let (number, title) = match (marked_number, marked_title) {
            (Some(n), Some(t)) => (Some(n), t),
            (Some(n), None) => {
                let (_, rest) = split_legal_heading(&full);
                (Some(n), rest)
            }
            (None, Some(t)) => (split_legal_heading(&full).0, t),
            (None, None) => split_legal_heading(&full),
        };
        let title = if title.is_empty() { full } else { title };
        let title = (!title.is_empty()).then_some(title);
        self.out.start_numbered(level, number, title);
    }
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

    /// A block whose lines are kept (a table).
    fn push_block(&mut self, block: String) {
        self.end_paragraph();
        if !block.trim().is_empty() {
            self.paragraphs.push(block);
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

    /// A section from an h1–h4 heading: a decimal number ("3.2") sets the level, else the tag
    /// does ("§ 6-2", "II", no number).
    fn start_section(&mut self, tag_level: u8, heading: &str) {
        let (number, title) = split_legal_heading(heading);
        let level = number
            .as_deref()
            .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()))
            .map_or(tag_level, number_depth);
        let title = if title.is_empty() {
            heading.to_string()
        } else {
            title
        };
        self.start_numbered(level, number, Some(title));
    }

    fn start_numbered(&mut self, level: u8, number: Option<String>, heading: Option<String>) {
        self.flush();
        self.current = Some(Section {
            number,
            heading,
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
