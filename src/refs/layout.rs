//! Undoes word breaks left by PDF layout before matching, so that
//! "helse- og omsorgs-\ntjenesteloven" and "pasient\u{ad}journalloven"
//! are seen as whole words, while spans still point into the original text.
//!
//! Doing this in the patterns instead (an optional break after every letter
//! of every law name) took the unit tests from 0.2 s to 96 s.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// A hyphen (or soft hyphen) at a line end between two letters, or a soft
/// hyphen anywhere. The word after the break is captured so that a
/// coordinating hyphen ("helse-\nog omsorg…") can be told apart.
static BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<before>\p{L})(?P<gap>[-\x{AD}][^\S\n]*\n\s*|\x{AD})(?P<after>\p{Ll}+)")
        .expect("layout break pattern compiles")
});

/// Words after which a hyphen at the line end is a real hyphen in a
/// coordination ("helse- og", "plan- eller"), not a broken word.
const COORDINATORS: &[&str] = &["og", "eller", "til", "som"];

/// The text the recognisers see, and for each of its bytes the byte
/// offset it came from in the original.
pub(super) struct View<'a> {
    pub text: Cow<'a, str>,
    /// `None` when nothing was removed: offsets are then the same.
    offsets: Option<Vec<usize>>,
}

impl<'a> View<'a> {
    pub fn new(original: &'a str) -> Self {
        // Fast path: most texts have no soft hyphen and no hyphen-newline.
        if !original.contains(['\u{ad}', '\n']) {
            return View {
                text: Cow::Borrowed(original),
                offsets: None,
            };
        }
        let mut removed: Vec<(usize, usize)> = Vec::new();
        for caps in BREAK.captures_iter(original) {
            let (Some(gap), Some(after)) = (caps.name("gap"), caps.name("after")) else {
                continue;
            };
            let is_coordination =
                gap.as_str().starts_with('-') && COORDINATORS.contains(&after.as_str());
            if !is_coordination {
                removed.push((gap.start(), gap.end()));
            }
        }
        if removed.is_empty() {
            return View {
                text: Cow::Borrowed(original),
                offsets: None,
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut offsets = Vec::with_capacity(original.len() + 1);
        let mut kept_from = 0;
        for (gap_start, gap_end) in removed
            .iter()
            .copied()
            .chain([(original.len(), original.len())])
        {
            text.push_str(&original[kept_from..gap_start]);
            offsets.extend(kept_from..gap_start);
            kept_from = gap_end;
        }
        offsets.push(original.len());
        View {
            text: Cow::Owned(text),
            offsets: Some(offsets),
        }
    }

    /// Maps a byte range of the view back to the original. The end is the
    /// end of the range's last byte, so a break just before `end` is not
    /// pulled into the span.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.offsets {
            None => (start, end),
            Some(offsets) if end > start => (offsets[start], offsets[end - 1] + 1),
            Some(offsets) => (offsets[start], offsets[start]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_broken_words_and_maps_back() {
        let original = "helse- og omsorgs-\ntjenesteloven § 6-2";
        let view = View::new(original);
        assert_eq!(view.text, "helse- og omsorgstjenesteloven § 6-2");
        let (start, end) = view.original_range(0, view.text.len());
        assert_eq!(&original[start..end], original);
        let word = view.text.find("tjeneste").unwrap();
        let (start, _) = view.original_range(word, word + 1);
        assert_eq!(&original[start..start + 1], "t");
    }

    #[test]
    fn keeps_coordinating_hyphens_and_numbers() {
        for text in [
            "helse-\nog omsorg",
            "(2020-\n2021)",
            "Nord-\nNorge",
            "ingen brot",
        ] {
            assert_eq!(View::new(text).text, text);
        }
        assert_eq!(View::new("journal\u{ad}loven").text, "journalloven");
    }
}
