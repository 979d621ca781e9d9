//! Lines into paragraphs: running headers left out, footnote lines held until the paragraph
//! they interrupt ends, a paragraph continued across blocks and pages, contents pages marked,
//! line-end hyphens joined.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

use super::layout::{self, Line};
use super::pages::PageOut;
use super::structure::{self, Para};
use super::{dehyphen, footnotes};

/// The paragraphs of the kept lines (`drop`: (page, line) of running headers and footers), with
/// table-of-contents entries dropped.
pub(super) fn paragraphs(
    pages: &[PageOut],
    drop: &HashSet<(usize, usize)>,
    total_pages: u32,
) -> Vec<Para> {
    // Kept lines in reading order.
    struct L<'a> {
        line: &'a Line,
        page: usize,
        /// A footnote line (at the foot of its page or column, smaller, after a mark).
        note: bool,
    }
    let body = footnotes::body_size(
        pages
            .iter()
            .enumerate()
            .flat_map(|(pi, p)| p.lines.iter().enumerate().map(move |(k, l)| (pi, k, l)))
            .filter(|(pi, k, _)| !drop.contains(&(*pi, *k)))
            .map(|(_, _, l)| l),
    );
    let mut kept: Vec<L> = Vec::new();
    // Per page: (has a contents title, contents-like lines, lines).
    let mut toc_stats: Vec<(bool, usize, usize)> = vec![(false, 0, 0); pages.len()];
    for (pi, p) in pages.iter().enumerate() {
        let live: Vec<bool> = (0..p.lines.len())
            .map(|k| !drop.contains(&(pi, k)) && !p.lines[k].text.trim().is_empty())
            .collect();
        let notes = footnotes::find_notes(&p.lines, &live, body, p.bottom, p.top);
        for (k, l) in p.lines.iter().enumerate() {
            if !live[k] {
                continue;
            }
            let st = &mut toc_stats[pi];
            st.2 += 1;
            if structure::is_toc_title(&l.text) {
                st.0 = true;
            } else if layout::is_leader_line(&l.text)
                || structure::is_number_column(&l.text)
                || structure::is_toc_line(&l.text, total_pages)
            {
                st.1 += 1;
            }
            kept.push(L {
                line: l,
                page: pi,
                note: notes[k],
            });
        }
    }
    let toc_pages = toc_pages(&toc_stats);
    let vocab = dehyphen::Vocab::from_lines(kept.iter().map(|l| l.line.text.as_str()));

    // Paragraphs.
    let mut paras: Vec<Para> = Vec::new();
    let mut cur: Vec<&L> = Vec::new();
    let flush = |cur: &mut Vec<&L>, paras: &mut Vec<Para>| {
        if cur.is_empty() {
            return;
        }
        let mut texts: Vec<std::borrow::Cow<str>> =
            cur.iter().map(|l| l.line.text.as_str().into()).collect();
        if cur[0].note {
            texts[0] = footnotes::separate_mark(&texts[0]).into();
        }
        let texts: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
        let text = dehyphen::join_lines(&texts, &vocab);
        let first = cur[0];
        let last = cur[cur.len() - 1];
        let chars: usize = cur.iter().map(|l| l.line.text.len()).sum();
        let size = cur
            .iter()
            .map(|l| l.line.size * l.line.text.len() as f32)
            .sum::<f32>()
            / chars.max(1) as f32;
        paras.push(Para {
            text: text.nfc().collect(),
            page: first.page as u32 + 1,
            page_end: last.page as u32 + 1,
            size,
            bold: cur.iter().filter(|l| l.line.bold).count() * 2 > cur.len(),
            lines: cur.len(),
            toc_page: toc_pages.contains(&first.page),
            top: first.line.y + 0.8 * first.line.size,
            x0: first.line.x0,
        });
        cur.clear();
    };
    // Horizontal extent of every block, for paragraph continuation across blocks.
    let mut block_extent: std::collections::HashMap<(usize, u32), (f32, f32)> =
        std::collections::HashMap::new();
    for l in &kept {
        let e = block_extent
            .entry((l.page, l.line.block))
            .or_insert((f32::INFINITY, f32::NEG_INFINITY));
        e.0 = e.0.min(l.line.x0);
        e.1 = e.1.max(l.line.x1);
    }
    // Footnote lines wait until the paragraph they interrupt has ended; each footnote (a line
    // with a mark) is a paragraph of its own.
    let mut notes: Vec<&L> = Vec::new();
    let mut prev_body: Option<&L> = None;
    let flush_notes = |notes: &mut Vec<&L>, paras: &mut Vec<Para>| {
        let mut one: Vec<&L> = Vec::new();
        for l in notes.drain(..) {
            if footnotes::starts_note(&l.line.text) {
                flush(&mut one, paras);
            }
            one.push(l);
        }
        flush(&mut one, paras);
    };
    for l in kept.iter() {
        if l.note {
            notes.push(l);
            continue;
        }
        let new_para = match prev_body {
            None => true,
            Some(prev) => {
                let block_change = prev.page != l.page || prev.line.block != l.line.block;
                if block_change {
                    !continues(
                        prev.line,
                        l.line,
                        block_extent[&(prev.page, prev.line.block)],
                        block_extent[&(l.page, l.line.block)],
                    )
                } else {
                    l.line.para_start
                }
            }
        };
        if new_para {
            flush(&mut cur, &mut paras);
            flush_notes(&mut notes, &mut paras);
        }
        cur.push(l);
        prev_body = Some(l);
    }
    flush(&mut cur, &mut paras);
    flush_notes(&mut notes, &mut paras);
    structure::drop_contents(&mut paras, pages.len() as u32);
    paras
}

/// Table-of-contents pages from per-page counts (has a contents title, contents-like lines,
/// lines): a titled page with entries, the pages that continue it while most of their lines are
/// entries, and any page made almost only of entries.
fn toc_pages(stats: &[(bool, usize, usize)]) -> HashSet<usize> {
    let mut out = HashSet::new();
    let mut in_toc = false;
    for (pi, &(titled, entries, lines)) in stats.iter().enumerate() {
        let mostly = entries >= 5 && entries * 10 >= lines * 4;
        let nearly_all = entries >= 8 && entries * 10 >= lines * 7;
        in_toc = (titled && entries >= 3) || (in_toc && mostly) || nearly_all;
        if in_toc {
            out.insert(pi);
        }
    }
    out
}

/// Whether `next` (first line of a new block) continues the paragraph of `prev`.
fn continues(prev: &Line, next: &Line, prev_block: (f32, f32), next_block: (f32, f32)) -> bool {
    let pt = prev.text.trim_end();
    let nt = next.text.trim_start();
    if (prev.size / next.size - 1.0).abs() > 0.1 || prev.bold != next.bold {
        return false;
    }
    let first = nt.chars().next().unwrap_or('A');
    if pt.ends_with('-') && pt.chars().rev().nth(1).is_some_and(|c| c.is_alphabetic()) {
        return true;
    }
    if pt.ends_with(['.', ':', '!', '?'])
        || layout::is_leader_line(pt)
        || layout::is_leader_line(nt)
    {
        return false;
    }
    if layout::starts_list_item(nt) && (pt.ends_with([';', ',']) || layout::is_bullet(nt)) {
        return false;
    }
    if pt.ends_with([',', ';']) || first.is_lowercase() {
        return true;
    }
    // No closing punctuation and a capitalised continuation ("… medlemmene Aasen" +
    // "Bjørnstad, …"): continue when the previous line runs to its block's right edge and
    // the next line is not indented.
    let prev_full = prev.x1 >= prev_block.1 - 0.05 * (prev_block.1 - prev_block.0).max(1.0);
    let next_flush = next.x0 <= next_block.0 + 0.5 * next.size;
    prev_full && next_flush && first.is_alphanumeric()
}
