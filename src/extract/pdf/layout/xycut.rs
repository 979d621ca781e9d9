//! Blocks by recursive XY-cut: a page's words split at the widest horizontal gap or at a
//! column gutter, until each block is one column of rows.

use super::Word;

fn rows_count(words: &[Word], ids: &[usize]) -> usize {
    let mut ys: Vec<f32> = ids.iter().map(|&i| words[i].y).collect();
    ys.sort_by(|a, b| b.total_cmp(a));
    let mut n = 0;
    let mut last = f32::NAN;
    for y in ys {
        if n == 0 || (last - y).abs() > 1.0 {
            n += 1;
            last = y;
        }
    }
    n
}

/// Whether a corridor between `l` and `r` is a river of justified text rather than a gutter.
///
/// In justified text every space of a line is stretched alike, so where a corridor of aligned
/// spaces runs down a paragraph, the gap at the corridor is no wider than the line's other
/// spaces. Between two columns the gap at the gutter is far wider than the spaces inside either
/// column's line. The corridor is a river when, in most rows with words on both sides, the gap
/// at the corridor is at most 1.6 times the median of that row's other gaps.
fn is_river(words: &[Word], l: &[usize], r: &[usize]) -> bool {
    let mut all: Vec<(usize, bool)> = l.iter().map(|&i| (i, false)).collect();
    all.extend(r.iter().map(|&i| (i, true)));
    all.sort_by(|a, b| {
        words[b.0]
            .y
            .total_cmp(&words[a.0].y)
            .then(words[a.0].x0.total_cmp(&words[b.0].x0))
    });
    let (mut both, mut rivers) = (0usize, 0usize);
    let mut start = 0;
    while start < all.len() {
        let y = words[all[start].0].y;
        let mut end = start + 1;
        while end < all.len() && (words[all[end].0].y - y).abs() <= 1.0 {
            end += 1;
        }
        let mut row: Vec<(usize, bool)> = all[start..end].to_vec();
        row.sort_by(|a, b| words[a.0].x0.total_cmp(&words[b.0].x0));
        start = end;
        let Some(k) = row.iter().position(|&(_, right)| right) else {
            continue;
        };
        // Only rows whose left part ends before the right part starts (the row's words
        // sorted by x: a left run, then a right run).
        if k == 0 || row[k..].iter().any(|&(_, right)| !right) {
            continue;
        }
        let corridor = words[row[k].0].x0 - words[row[k - 1].0].x1;
        let mut others: Vec<f32> = row
            .windows(2)
            .enumerate()
            .filter(|&(j, _)| j + 1 != k)
            .map(|(_, p)| words[p[1].0].x0 - words[p[0].0].x1)
            .filter(|g| *g > 0.0)
            .collect();
        if others.len() < 2 {
            continue;
        }
        both += 1;
        others.sort_by(f32::total_cmp);
        let median = others[others.len() / 2];
        if corridor <= 1.6 * median {
            rivers += 1;
        }
    }
    both >= 2 && 2 * rivers > both
}

/// Recursive XY-cut. Vertical cuts (column gutters) are tried first so that columns with aligned
/// baselines are never interleaved; a few elements crossing the gutter (a spanning heading) split
/// the region into horizontal bands first.
pub(super) fn xy_cut(
    words: &[Word],
    ids: Vec<usize>,
    median: f32,
    out: &mut Vec<Vec<usize>>,
    depth: usize,
) {
    if ids.len() < 2 || depth > 60 {
        out.push(ids);
        return;
    }
    if let Some(split) = find_gutter(words, &ids, median) {
        match split {
            Split::Columns(l, r) => {
                xy_cut(words, l, median, out, depth + 1);
                xy_cut(words, r, median, out, depth + 1);
            }
            Split::Bands(bands) => {
                for b in bands {
                    xy_cut(words, b, median, out, depth + 1);
                }
            }
        }
        return;
    }
    // Horizontal cut at wide vertical gaps.
    let mut order = ids.clone();
    order.sort_by(|&a, &b| words[b].top().total_cmp(&words[a].top()));
    let mut bands: Vec<Vec<usize>> = Vec::new();
    let mut low = f32::INFINITY;
    let mut low_size = 0.0f32;
    for i in order {
        let w = &words[i];
        // The gap is measured against the larger of the two neighbours' sizes, so that the
        // leading of a large heading is not mistaken for a paragraph gap.
        if bands.is_empty() || low - w.top() > 0.5 * median.max(w.size.min(low_size)) {
            bands.push(vec![i]);
            low = w.bottom();
            low_size = w.size;
        } else {
            bands.last_mut().unwrap().push(i);
            if w.bottom() < low {
                low = w.bottom();
                low_size = w.size;
            }
        }
    }
    if bands.len() > 1 {
        for b in bands {
            xy_cut(words, b, median, out, depth + 1);
        }
    } else {
        out.push(ids);
    }
}

enum Split {
    Columns(Vec<usize>, Vec<usize>),
    Bands(Vec<Vec<usize>>),
}

/// A gutter candidate: bin range, left, right and crossing word ids.
type Candidate = (usize, usize, Vec<usize>, Vec<usize>, Vec<usize>);

fn find_gutter(words: &[Word], ids: &[usize], median: f32) -> Option<Split> {
    let bx0 = ids
        .iter()
        .map(|&i| words[i].x0)
        .fold(f32::INFINITY, f32::min);
    let bx1 = ids
        .iter()
        .map(|&i| words[i].x1)
        .fold(f32::NEG_INFINITY, f32::max);
    let width = bx1 - bx0;
    if !(width.is_finite() && width > 4.0 * median) {
        return None;
    }
    let nbins = (width.ceil() as usize).clamp(1, 4000);
    let scale = nbins as f32 / width;
    let mut cover = vec![0u32; nbins + 1];
    for &i in ids {
        let w = &words[i];
        let a = (((w.x0 - bx0) * scale).floor() as isize).clamp(0, nbins as isize) as usize;
        let b = (((w.x1 - bx0) * scale).ceil() as isize).clamp(0, nbins as isize) as usize;
        for c in cover.iter_mut().take(b).skip(a) {
            *c += 1;
        }
    }
    let total_rows = rows_count(words, ids);
    if total_rows < 3 {
        return None;
    }
    let allow = ((total_rows as f32) * 0.08).floor().max(2.0) as u32;
    let min_gap = (0.6 * median).max(3.0);
    let mut best: Option<Candidate> = None;
    // Candidate corridors (runs of nearly empty bins), widest first; only a few are evaluated
    // so that dense table pages stay linear.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut s = 0;
    while s < nbins {
        if cover[s] > allow {
            s += 1;
            continue;
        }
        let mut e = s;
        while e < nbins && cover[e] <= allow {
            e += 1;
        }
        if (e - s) as f32 / scale >= min_gap && s > 0 && e < nbins {
            runs.push((s, e));
        }
        s = e + 1;
    }
    runs.sort_by_key(|&(s, e)| std::cmp::Reverse(e - s));
    runs.truncate(8);
    for (s, e) in runs {
        let gx0 = bx0 + s as f32 / scale;
        let gx1 = bx0 + e as f32 / scale;
        {
            let mut l = Vec::new();
            let mut r = Vec::new();
            let mut c = Vec::new();
            // Only words covering the corridor's centre line cross it; a word that merely
            // pokes into the corridor belongs to the side of its centre.
            let gc = (gx0 + gx1) / 2.0;
            for &i in ids {
                let w = &words[i];
                if w.x0 < gc - 0.5 && w.x1 > gc + 0.5 {
                    c.push(i);
                } else if (w.x0 + w.x1) / 2.0 < gc {
                    l.push(i);
                } else {
                    r.push(i);
                }
            }
            let lw = l
                .iter()
                .map(|&i| words[i].x1)
                .fold(f32::NEG_INFINITY, f32::max)
                - l.iter().map(|&i| words[i].x0).fold(f32::INFINITY, f32::min);
            let rw = r
                .iter()
                .map(|&i| words[i].x1)
                .fold(f32::NEG_INFINITY, f32::max)
                - r.iter().map(|&i| words[i].x0).fold(f32::INFINITY, f32::min);
            // Prose columns have several words per line; table columns (one number or label
            // per cell) do not, and tables are better read row by row.
            let (lrows, rrows) = (rows_count(words, &l), rows_count(words, &r));
            let prose = |n: usize, rows: usize| rows > 0 && n as f32 / rows as f32 >= 3.0;
            let ok = lrows >= 3
                && rrows >= 3
                && prose(l.len(), lrows)
                && prose(r.len(), rrows)
                && lw >= 0.2 * width
                && rw >= 0.2 * width
                && c.len() <= allow as usize * 4
                && !is_river(words, &l, &r);
            if ok {
                let better = match &best {
                    None => true,
                    Some(b) => c.len() < b.4.len() || (c.len() == b.4.len() && e - s > b.1 - b.0),
                };
                if better {
                    best = Some((s, e, l, r, c));
                }
            }
        }
    }
    let (_, _, l, r, c) = best?;
    if c.is_empty() {
        return Some(Split::Columns(l, r));
    }
    // Crossing words: split into horizontal bands at the crossing rows.
    let mut cross_rows: Vec<(f32, f32)> = c
        .iter()
        .map(|&i| (words[i].bottom(), words[i].top()))
        .collect();
    cross_rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut order: Vec<usize> = ids.to_vec();
    order.sort_by(|&a, &b| words[b].y.total_cmp(&words[a].y));
    let mut bands: Vec<Vec<usize>> = Vec::new();
    let mut kinds: Vec<i32> = Vec::new(); // -1 normal, k = crossing row k
    for i in order {
        let w = &words[i];
        let mid = (w.bottom() + w.top()) / 2.0;
        let k = cross_rows
            .iter()
            .position(|&(b, t)| mid >= b && mid <= t)
            .map(|k| k as i32)
            .unwrap_or(-1);
        if kinds.last() == Some(&k) {
            bands.last_mut().unwrap().push(i);
        } else {
            bands.push(vec![i]);
            kinds.push(k);
        }
    }
    if bands.len() < 2 {
        return None;
    }
    Some(Split::Bands(bands))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of words: each row is a list of (x0, x1); `y` falls by 12 per row.
    fn page(rows: &[Vec<(f32, f32)>]) -> Vec<Word> {
        let mut words = Vec::new();
        for (n, row) in rows.iter().enumerate() {
            for &(x0, x1) in row {
                words.push(Word {
                    text: "ord".into(),
                    x0,
                    x1,
                    y: 700.0 - 12.0 * n as f32,
                    size: 10.0,
                    bold: false,
                });
            }
        }
        words
    }

    /// Words of `width` from `x`, spaced `space` apart, `n` of them.
    fn run(x: f32, width: f32, space: f32, n: usize) -> Vec<(f32, f32)> {
        (0..n)
            .map(|i| {
                let a = x + i as f32 * (width + space);
                (a, a + width)
            })
            .collect()
    }

    fn sides(words: &[Word], cut: f32) -> (Vec<usize>, Vec<usize>) {
        (0..words.len()).partition(|&i| words[i].x1 <= cut)
    }

    #[test]
    fn aligned_spaces_of_justified_lines_are_a_river() {
        // Every line stretched alike: the spaces at x ≈ 120 are as wide as the others.
        let rows: Vec<Vec<(f32, f32)>> = (0..3)
            .map(|_| {
                let mut r = run(50.0, 20.0, 5.0, 3);
                r.extend(run(125.0, 20.0, 5.0, 4));
                r
            })
            .collect();
        let words = page(&rows);
        let (l, r) = sides(&words, 122.0);
        assert!(is_river(&words, &l, &r));
    }

    #[test]
    fn a_gutter_between_columns_is_not_a_river() {
        let rows: Vec<Vec<(f32, f32)>> = (0..3)
            .map(|_| {
                let mut r = run(50.0, 20.0, 3.0, 4);
                r.extend(run(160.0, 20.0, 3.0, 4));
                r
            })
            .collect();
        let words = page(&rows);
        let (l, r) = sides(&words, 150.0);
        assert!(!is_river(&words, &l, &r));
    }
}
