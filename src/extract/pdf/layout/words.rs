//! Glyphs → words: duplicate glyphs dropped, glyphs joined into words along their baseline rows,
//! combining accents attached to their base letters.

use rustc_hash::FxHashMap;

use super::{FG, Word};

/// Drop duplicate glyphs drawn at (almost) the same place (fake bold, shadow text).
///
/// Glyphs are bucketed by a grid cell of half their size; a glyph is a duplicate when a kept
/// glyph with the same text lies within 0.15 em in one of the nine cells around it. The cell
/// key is two integers under a cheap hash (the text is compared only on a cell hit): this runs
/// once per glyph and was the hottest spot of the whole extraction with string keys.
pub(super) fn dedup(gs: Vec<FG>) -> Vec<FG> {
    let mut seen: FxHashMap<(i32, i32), Vec<u32>> = FxHashMap::default();
    seen.reserve(gs.len());
    let mut out: Vec<FG> = Vec::with_capacity(gs.len());
    for g in gs {
        if g.space {
            out.push(g);
            continue;
        }
        let cell = (g.size * 0.5).max(0.5);
        let cx = (g.x0 / cell).floor() as i32;
        let cy = (g.y / cell).floor() as i32;
        let near = 0.15 * g.size;
        let dup = (-1..=1).any(|dx| {
            (-1..=1).any(|dy| {
                seen.get(&(cx.saturating_add(dx), cy.saturating_add(dy)))
                    .is_some_and(|v| {
                        v.iter().any(|&k| {
                            let o = &out[k as usize];
                            (o.x0 - g.x0).abs() < near
                                && (o.y - g.y).abs() < near
                                && o.text == g.text
                        })
                    })
            })
        });
        if dup {
            continue;
        }
        seen.entry((cx, cy)).or_default().push(out.len() as u32);
        out.push(g);
    }
    out
}

/// Group glyphs into baseline rows, then into words by gaps and space glyphs.
pub(super) fn build_words(mut gs: Vec<FG>) -> Vec<Word> {
    // Stable sort by baseline (descending); keep content order inside a row for ties.
    let mut idx: Vec<usize> = (0..gs.len()).collect();
    idx.sort_by(|&a, &b| gs[b].y.total_cmp(&gs[a].y));
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut row_y = f32::NAN;
    let mut row_size = 0.0f32;
    for i in idx {
        let g = &gs[i];
        let tol = 0.3 * g.size.min(row_size).max(0.5);
        if rows.is_empty() || (row_y - g.y).abs() > tol {
            rows.push(vec![i]);
            row_y = g.y;
            row_size = g.size;
        } else {
            rows.last_mut().unwrap().push(i);
            if !g.space {
                row_size = row_size.max(g.size);
            }
        }
    }
    let mut words = Vec::new();
    for mut row in rows {
        row.sort_by(|&a, &b| gs[a].x0.total_cmp(&gs[b].x0));
        attach_accents(&mut gs, &mut row);
        let mut cur: Option<Word> = None;
        let mut prev_x1 = f32::NEG_INFINITY;
        let mut prev_size = 0.0f32;
        let mut prev_sw = 0.0f32;
        // Centres of space glyphs seen since the previous glyph: a space ends a word only if it
        // lies between the two glyphs (overlapping runs can interleave spaces in x order).
        let mut spaces: Vec<f32> = Vec::new();
        // Space glyphs drawn over other glyphs (overlapping runs) carry no information.
        let mut ignore = vec![false; row.len()];
        for j in 0..row.len() {
            let g = &gs[row[j]];
            if !g.space {
                continue;
            }
            let w = (g.x1 - g.x0).max(0.01);
            let overl = |o: &FG| (g.x1.min(o.x1) - g.x0.max(o.x0)).max(0.0);
            let before = row[..j]
                .iter()
                .rev()
                .take(8)
                .map(|&i| &gs[i])
                .find(|o| !o.space);
            let after = row[j + 1..]
                .iter()
                .take(8)
                .map(|&i| &gs[i])
                .find(|o| !o.space);
            if before.is_some_and(|o| overl(o) > 0.3 * w)
                || after.is_some_and(|o| overl(o) > 0.3 * w)
            {
                ignore[j] = true;
            }
        }
        for (j, i) in row.into_iter().enumerate() {
            let g = &mut gs[i];
            if g.space {
                if ignore[j] {
                    continue;
                }
                spaces.push((g.x0 + g.x1) / 2.0);
                continue;
            }
            let size = g.size;
            let tol = 0.1 * size;
            let brk = spaces
                .iter()
                .any(|&c| c >= prev_x1 - tol && c <= g.x0 + tol);
            spaces.clear();
            let gap = g.x0 - prev_x1;
            let ref_size = size.max(prev_size);
            let sw = if g.space_w > 0.0 { g.space_w } else { prev_sw };
            let thr = if sw > 0.0 {
                (0.45 * sw).clamp(0.08 * ref_size, 0.22 * ref_size)
            } else {
                0.13 * ref_size
            };
            let new_word = cur.is_none() || brk || gap > thr || gap < -0.6 * ref_size;
            if new_word {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
                cur = Some(Word {
                    text: std::mem::take(&mut g.text),
                    x0: g.x0,
                    x1: g.x1,
                    y: g.y,
                    size,
                    bold: g.bold,
                });
            } else if let Some(w) = cur.as_mut() {
                w.text.push_str(&g.text);
                w.x1 = w.x1.max(g.x1);
                w.size = w.size.max(size);
            }
            prev_x1 = prev_x1.max(g.x1);
            prev_size = size;
            prev_sw = sw;
        }
        if let Some(w) = cur.take() {
            words.push(w);
        }
    }
    words
}

/// The combining form of a spacing accent (or a combining mark itself).
fn combining_of(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    if it.next().is_some() {
        return None;
    }
    Some(match c {
        '\u{B4}' | '\u{2CA}' => '\u{301}',
        '`' | '\u{2CB}' => '\u{300}',
        '\u{A8}' => '\u{308}',
        '^' | '\u{2C6}' => '\u{302}',
        '~' | '\u{2DC}' => '\u{303}',
        '\u{2DA}' => '\u{30A}',
        '\u{B8}' => '\u{327}',
        '\u{2C7}' => '\u{30C}',
        '\u{2D8}' => '\u{306}',
        '\u{2D9}' => '\u{307}',
        '\u{2DD}' => '\u{30B}',
        '\u{AF}' | '\u{2C9}' => '\u{304}',
        '\u{2DB}' => '\u{328}',
        c @ '\u{300}'..='\u{36F}' => c,
        _ => return None,
    })
}

/// Accents drawn as separate glyphs over a letter (TeX OT1 "\'e", some Word output): attach
/// them to the letter as combining marks (composed to NFC later) and drop the accent glyph.
fn attach_accents(gs: &mut [FG], row: &mut Vec<usize>) {
    let mut drop = vec![false; row.len()];
    for j in 0..row.len() {
        let Some(comb) = combining_of(&gs[row[j]].text) else {
            continue;
        };
        let a = &gs[row[j]];
        let centre = (a.x0 + a.x1) / 2.0;
        let base = [j.wrapping_sub(1), j + 1, j.wrapping_sub(2), j + 2]
            .into_iter()
            .find(|&k| {
                k < row.len() && !drop[k] && k != j && {
                    let b = &gs[row[k]];
                    combining_of(&b.text).is_none()
                        && b.text.chars().next().is_some_and(|c| c.is_alphabetic())
                        && centre >= b.x0 - 0.05 * b.size
                        && centre <= b.x1 + 0.05 * b.size
                }
            });
        if let Some(k) = base {
            let bi = row[k];
            gs[bi].text.push(comb);
            drop[j] = true;
        }
    }
    if drop.iter().any(|d| *d) {
        let mut k = 0;
        row.retain(|_| {
            let keep = !drop[k];
            k += 1;
            keep
        });
    }
}
