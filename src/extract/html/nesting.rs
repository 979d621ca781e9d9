//! A linear pre-pass that caps how deeply elements nest before the page reaches the HTML parser.
//!
//! html5ever checks "has an element in scope" by walking the stack of open elements, so a page
//! of 100,000 nested `<div>` costs time quadratic in its depth (47 s for 1 MB). This pass counts
//! the nesting the way the parser will (roughly: void elements, raw-text elements, comments and
//! the implied end tags of `p`, `li`, `td` … are understood) and drops the markup of start tags
//! deeper than the cap, together with their end tags. Text is never dropped, so the words of an
//! over-deep page survive, flattened into their deepest kept ancestor.

use std::borrow::Cow;
use std::collections::HashMap;

const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements whose content the tokenizer reads as text up to their own end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// Elements whose end tag may be omitted: a start tag of the same kind closes the open one.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "rb",
    "rt", "rp",
];

/// Start tags that close an open `p`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// What the pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NestingReport {
    /// Start tags dropped because they nested deeper than the cap.
    pub dropped: usize,
}

/// Returns `html` with no element nested deeper than `max_depth` (the input itself when nothing
/// had to change). Linear in the input's length.
pub fn cap_nesting(html: &str, max_depth: usize) -> (Cow<'_, str>, NestingReport) {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `html` already copied to `out`
    let mut stack: Vec<String> = Vec::new();
    let mut suppressed: HashMap<String, usize> = HashMap::new();
    let mut report = NestingReport::default();
    let mut i = 0;

    while let Some(offset) = memchr_lt(&bytes[i..]) {
        let start = i + offset;
        let rest = &bytes[start..];
        if rest.starts_with(b"<!--") {
            i = find(bytes, start + 4, b"-->").map_or(bytes.len(), |e| e + 3);
            continue;
        }
        if rest.len() > 1 && (rest[1] == b'!' || rest[1] == b'?') {
            i = find(bytes, start + 1, b">").map_or(bytes.len(), |e| e + 1);
            continue;
        }
        let closing = rest.len() > 1 && rest[1] == b'/';
        let name_start = start + 1 + usize::from(closing);
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric() && *b != b'-' && *b != b'_' && *b != b':')
            .map_or(bytes.len(), |p| name_start + p);
        if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name = html[name_start..name_end].to_ascii_lowercase();
        let tag_end = tag_end(bytes, name_end);
        let self_closing = tag_end >= 2 && bytes[tag_end - 2] == b'/';
        let after = tag_end.min(bytes.len());

        let mut drop = false;
        if closing {
            if let Some(count) = suppressed.get_mut(&name)
                && *count > 0
            {
                *count -= 1;
                drop = true;
            } else if let Some(pos) = stack.iter().rposition(|open| *open == name) {
                stack.truncate(pos);
            }
        } else if !VOID.contains(&name.as_str())
            && !self_closing
            && !RAW_TEXT.contains(&name.as_str())
        {
            // Raw-text elements are never dropped (their content would become text) and hold
            // no elements, so they need no place on the stack.
            close_implied(&mut stack, &name);
            if stack.len() >= max_depth {
                *suppressed.entry(name.clone()).or_default() += 1;
                report.dropped += 1;
                drop = true;
            } else {
                stack.push(name.clone());
            }
        }

        if drop {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len()));
            out.push_str(&html[copied..start]);
            copied = after;
        }
        i = after;
        if !closing && RAW_TEXT.contains(&name.as_str()) && !self_closing {
            // Skip to the element's end tag; the end tag itself is read by the loop.
            i = find_end_tag(bytes, i, &name).unwrap_or(bytes.len());
        }
    }

    match out {
        Some(mut out) => {
            out.push_str(&html[copied..]);
            (Cow::Owned(out), report)
        }
        None => (Cow::Borrowed(html), report),
    }
}

fn close_implied(stack: &mut Vec<String>, name: &str) {
    fn top(stack: &[String]) -> Option<&str> {
        stack.last().map(String::as_str)
    }
    if (CLOSES_P.contains(&name) || matches!(name, "li" | "dt" | "dd")) && top(stack) == Some("p") {
        stack.pop();
    }
    match name {
        "li" if top(stack) == Some("li") => {
            stack.pop();
        }
        "dt" | "dd" if matches!(top(stack), Some("dt" | "dd")) => {
            stack.pop();
        }
        "td" | "th" if matches!(top(stack), Some("td" | "th")) => {
            stack.pop();
        }
        "tr" | "tbody" | "thead" | "tfoot" => {
            if matches!(top(stack), Some("td" | "th")) {
                stack.pop();
            }
            if top(stack) == Some("tr") {
                stack.pop();
            }
            if name != "tr" && matches!(top(stack), Some("tbody" | "thead" | "tfoot")) {
                stack.pop();
            }
        }
        _ if OPTIONAL_END.contains(&name) && top(stack) == Some(name) => {
            stack.pop();
        }
        _ => {}
    }
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == b'<')
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= bytes.len() {
        return None;
    }
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The index just past the tag's `>`, skipping quoted attribute values; a quote that never
/// closes falls back to the first `>`.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote: Option<u8> = None;
    let mut j = from;
    while j < bytes.len() {
        let b = bytes[j];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => {
                // Only a quote right after `=` (allowing spaces) starts a value.
                let before = bytes[from..j]
                    .iter()
                    .rev()
                    .find(|c| !c.is_ascii_whitespace());
                if before == Some(&b'=') {
                    quote = Some(b);
                }
            }
            None if b == b'>' => return j + 1,
            None => {}
        }
        j += 1;
    }
    if quote.is_some() {
        return find(bytes, from, b">").map_or(bytes.len(), |e| e + 1);
    }
    bytes.len()
}

/// The start of `</name` (case-insensitive) at or after `from`.
fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut j = from;
    while let Some(p) = find(bytes, j, b"</") {
        let tail = &bytes[p + 2..];
        if tail.len() >= name.len() && tail[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return Some(p);
        }
        j = p + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_pages_are_untouched() {
        let html = "<html><body><div><p>Ein<p>To<ul><li>a<li>b</ul></div></body></html>";
        let (out, report) = cap_nesting(html, 5);
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(report.dropped, 0);
    }

    #[test]
    fn deep_tags_are_dropped_with_their_end_tags_and_text_kept() {
        let html = "<div><div><div><div>djupt</div></div></div></div><p>etter</p>";
        let (out, report) = cap_nesting(html, 2);
        assert_eq!(out, "<div><div>djupt</div></div><p>etter</p>");
        assert_eq!(report.dropped, 2);
    }

    #[test]
    fn scripts_comments_and_void_elements_do_not_count() {
        let html = "<div><script>if (a < b) { x = '<div>'; }</script><!-- <div> --><br><img src=x><input>tekst</div>";
        let (out, report) = cap_nesting(html, 1);
        assert_eq!(report.dropped, 0, "{out}");
    }

    #[test]
    fn quoted_attributes_may_hold_angle_brackets() {
        let html = r#"<div title="a > b"><span>x</span></div>"#;
        let (out, report) = cap_nesting(html, 1);
        assert_eq!(out, r#"<div title="a > b">x</div>"#);
        assert_eq!(report.dropped, 1);
    }
}
