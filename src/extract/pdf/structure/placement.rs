//! Bookmarks placed on the paragraphs: by their text on their destination page (a heading
//! wrapped over paragraphs, a heading run into its first paragraph split off), else at the
//! destination's position.

use super::{Heading, OutlineEntry, Para, Placed, clean_heading, norm, numbered_heading};

/// The normalised first word of a title (a wrapped heading's first paragraph holds only its
/// start, so the number's paragraph is matched on what it has).
pub(super) fn first_word_norm(title: &str) -> String {
    norm(title.split_whitespace().next().unwrap_or(""))
}

/// Byte offset in `text` just after its first `n` normalised (alphanumeric, lower-case)
/// characters, and after the punctuation and spaces that follow them.
fn norm_prefix_end(text: &str, n: usize) -> Option<usize> {
    let mut seen = 0usize;
    let mut end = None;
    for (i, c) in text.char_indices() {
        if seen >= n {
            end = Some(i);
            break;
        }
        if c.is_alphanumeric() {
            seen += c.to_lowercase().count();
        }
    }
    let end = match end {
        Some(e) => e,
        None if seen >= n => text.len(),
        None => return None,
    };
    let rest = &text[end..];
    let skip = rest.len() - rest.trim_start_matches([' ', ':', '.', '–', '—']).len();
    Some(end + skip)
}

/// Outline entries placed in the paragraphs: by their text on their page (a heading wrapped
/// over several paragraphs, or a heading run into its first paragraph, which is split), else
/// at their destination on that page. Returns the placements and how many were found by text.
pub(super) fn place_outline(
    paras: &mut Vec<Para>,
    outline: &[OutlineEntry],
) -> (Vec<Placed>, usize) {
    let mut placed: Vec<Placed> = Vec::new();
    let mut by_text = 0usize;
    let mut from = 0usize;
    for e in outline {
        let Some(pg) = e.page else { continue };
        let e_title = clean_heading(&e.title);
        let t = norm(&e_title);
        if t.is_empty() {
            continue;
        }
        let numbered = numbered_heading(&e_title);
        // The title as printed may lack the number ("Kapittel 3" set apart, or none at all).
        let bare = numbered.as_ref().map(|(_, title)| norm(title));
        let on_page = |p: &Para| p.page <= pg && pg <= p.page_end;
        let claimed_to = placed.last().map(|p| p.at + p.taken).unwrap_or(0).max(from);
        let mut hit: Option<(usize, usize)> = None;
        'search: for i in claimed_to..paras.len() {
            let p = &paras[i];
            if p.page > pg {
                break;
            }
            if !on_page(p) || p.toc_page {
                continue;
            }
            let pn = norm(&p.text);
            for want in std::iter::once(&t).chain(bare.iter()) {
                if pn == *want || (pn.len() < want.len() + 8 && pn.ends_with(want.as_str())) {
                    hit = Some((i, 1));
                    break 'search;
                }
                // A heading wrapped over several paragraphs.
                if pn.len() >= 2 && want.starts_with(&pn) {
                    let mut acc = pn.clone();
                    for k in 1..=4 {
                        let Some(q) = paras.get(i + k) else { break };
                        acc.push_str(&norm(&q.text));
                        if acc == *want {
                            hit = Some((i, k + 1));
                            break 'search;
                        }
                        if !want.starts_with(&acc) {
                            break;
                        }
                    }
                }
            }
        }
        if hit.is_none() {
            // The heading run into the paragraph that follows it: split that paragraph.
            'split: for i in claimed_to..paras.len() {
                let p = &paras[i];
                if p.page > pg {
                    break;
                }
                if !on_page(p) || p.toc_page {
                    continue;
                }
                let pn = norm(&p.text);
                for want in std::iter::once(&t).chain(bare.iter()) {
                    if want.len() >= 4
                        && pn.len() > want.len() + 8
                        && pn.starts_with(want.as_str())
                        && let Some(cut) = norm_prefix_end(&p.text, want.chars().count())
                        && cut < p.text.len()
                    {
                        let mut rest = p.clone();
                        rest.text = p.text[cut..].to_string();
                        rest.page = rest.page_end;
                        let head = &mut paras[i];
                        head.text.truncate(cut);
                        head.text = head.text.trim_end().to_string();
                        head.page_end = head.page;
                        paras.insert(i + 1, rest);
                        // Later placements point past the insertion.
                        hit = Some((i, 1));
                        break 'split;
                    }
                }
            }
        }
        let (number, title) = match &numbered {
            Some((n, t)) => (Some(n.clone()), clean_heading(t)),
            None => (None, e_title.clone()),
        };
        let level = number
            .as_ref()
            .map(|n| n.split('.').count())
            .unwrap_or(e.level)
            .clamp(1, 9) as u8;
        // A bookmark without the number the page prints ("Sammendrag" for "1 Sammendrag").
        let (number, title, level) = match (number, hit) {
            (None, Some((i, _))) => match numbered_heading(&paras[i].text) {
                Some((n, t)) if norm(&t).starts_with(&first_word_norm(&e_title)) => {
                    let l = n.split('.').count().clamp(1, 9) as u8;
                    (Some(n), title, l)
                }
                _ => (None, title, level),
            },
            (n, _) => (n, title, level),
        };
        let heading = Heading {
            number,
            title,
            level,
        };
        match hit {
            Some((i, taken)) => {
                by_text += 1;
                // A number printed apart from the bookmark's title ("3" above the title) is
                // part of the heading's paragraphs; nothing else to do.
                placed.push(Placed {
                    at: i,
                    taken,
                    heading,
                    page: None,
                });
                from = i + taken;
            }
            None => {
                // Not found as text: the section starts at the destination.
                let at = destination_para(paras, claimed_to, pg, e.left, e.top);
                let page = paras.get(at).is_none_or(|p| p.page != pg).then_some(pg);
                placed.push(Placed {
                    at,
                    taken: 0,
                    heading,
                    page,
                });
                from = at;
            }
        }
    }
    (placed, by_text)
}

/// The paragraph at a destination: on page `pg`, from `from` on, the one whose top-left corner is
/// nearest below the destination's (left, top); the first on the page without coordinates; the
/// first after the page when the page has no paragraph left.
pub(super) fn destination_para(
    paras: &[Para],
    from: usize,
    pg: u32,
    left: Option<f32>,
    top: Option<f32>,
) -> usize {
    let on: Vec<usize> = (from..paras.len())
        .take_while(|&i| paras[i].page <= pg)
        .filter(|&i| paras[i].page == pg)
        .collect();
    if let (Some(y), Some(&first)) = (top, on.first()) {
        let best = on
            .iter()
            .copied()
            .filter(|&i| paras[i].top <= y + 0.5 * paras[i].size.max(4.0))
            .min_by(|&a, &b| {
                let d = |i: usize| {
                    let p = &paras[i];
                    (y - p.top).abs() + left.map(|x| (p.x0 - x).abs()).unwrap_or(0.0)
                };
                d(a).total_cmp(&d(b))
            });
        return best.unwrap_or(first);
    }
    if let Some(&first) = on.first() {
        return first;
    }
    (from..paras.len())
        .find(|&i| paras[i].page >= pg)
        .unwrap_or(paras.len())
}
