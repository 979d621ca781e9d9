//! XML escaping, in one place (the Atom feed, the docx relationship targets).

/// XML text and attribute escaping; characters XML 1.0 forbids (control characters a PDF may
/// carry) are dropped so the feed always parses.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_what_xml_forbids() {
        assert_eq!(
            super::escape("a<b & 'c' \"d\">\u{7}\u{FFFF}\n"),
            "a&lt;b &amp; &apos;c&apos; &quot;d&quot;&gt;\n"
        );
    }
}
