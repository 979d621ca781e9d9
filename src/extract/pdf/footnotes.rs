//! Footnotes: the block of smaller lines at the foot of a page or column that starts with a
//! mark ("2 Se også …"). They are taken out of the running text and placed after the paragraph
//! they interrupt, so a footnote never lands inside a sentence.

use std::sync::LazyLock;

use regex::Regex;

use super::layout::Line;

static MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\d{1,3}|[*†‡]{1,2})\s?[\p{L}«(\x22]").unwrap());

/// A line that starts a footnote: a mark (number, asterisk, dagger) then text.
pub fn starts_note(text: &str) -> bool {
    MARK.is_match(text.trim_start())
}

/// The text of a footnote's first line with its number separated ("2Se også" → "2 Se også").
pub fn separate_mark(text: &str) -> String {
    let t = text.trim_start();
    let n = t
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || matches!(c, '*' | '†' | '‡')))
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    if n > 0 && n < t.len() && !t[n..].starts_with(char::is_whitespace) {
        format!("{} {}", &t[..n], &t[n..])
    } else {
        t.to_string()
    }
}

/// The body text size: the size most characters are set in (to 0.5 pt).
pub fn body_size<'a>(lines: impl IntoIterator<Item = &'a Line>) -> f32 {
    let mut hist: std::collections::HashMap<i32, usize> = std::collections::HashMap::new();
    for l in lines {
        *hist.entry((l.size * 2.0).round() as i32).or_default() += l.text.chars().count();
    }
    hist.into_iter()
        .max_by_key(|&(s, n)| (n, s))
        .map(|(s, _)| s as f32 / 2.0)
        .unwrap_or(0.0)
}

/// Indices (into `lines`, one page) of footnote lines. `live` says which lines are still in the
/// text (not running headers); `bottom`/`top` are the page's vertical bounds.
pub fn find_notes(lines: &[Line], live: &[bool], body: f32, bottom: f32, top: f32) -> Vec<bool> {
    let mut note = vec![false; lines.len()];
    if body <= 0.0 {
        return note;
    }
    let small = |l: &Line| l.size <= 0.9 * body;
    let h = (top - bottom).max(1.0);
    for (k, l) in lines.iter().enumerate() {
        if !live[k] || !l.upright || note[k] || !small(l) || !starts_note(&l.text) {
            continue;
        }
        if l.y > bottom + 0.6 * h {
            continue;
        }
        // Everything below it in its column is small too: the foot of the column.
        let below: Vec<usize> = (0..lines.len())
            .filter(|&m| {
                let o = &lines[m];
                live[m]
                    && o.upright
                    && m != k
                    && o.y < l.y - 0.5
                    && o.x1 > l.x0 + 1.0
                    && o.x0 < l.x1 - 1.0
            })
            .collect();
        if below.iter().all(|&m| small(&lines[m])) {
            note[k] = true;
            for m in below {
                note[m] = true;
            }
        }
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks() {
        assert!(starts_note("2 Se også veilederen"));
        assert!(starts_note("12Kostnadene økte"));
        assert!(starts_note("* Gjelder bare 2028."));
        assert!(!starts_note("2028 ble et godt år"));
        assert!(!starts_note("Se også"));
        assert_eq!(separate_mark("2Se også"), "2 Se også");
        assert_eq!(separate_mark("2 Se også"), "2 Se også");
    }
}
