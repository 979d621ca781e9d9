//! Text helpers shared by the extraction evaluations (pdf_eval, ocr_eval).

/// The truth's sentences: each line (paragraph, heading, footnote, table row) split after
/// ".", "!" or "?" before a capital letter, a digit or «, whitespace collapsed to single
/// spaces. « counts as a sentence start because Norwegian quotations open with it
/// ("… sa han. «Vi må …»"); before it was shared, pdf_eval split there and ocr_eval did not
/// (its texts have no «, so its figures are the same either way).
pub fn sentences(truth: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in truth.lines() {
        let toks: Vec<&str> = line.split_whitespace().collect();
        let mut cur: Vec<&str> = Vec::new();
        for (k, t) in toks.iter().enumerate() {
            cur.push(t);
            let next_starts = toks
                .get(k + 1)
                .and_then(|n| n.chars().next())
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '«');
            if t.ends_with(['.', '!', '?']) && next_starts {
                out.push(cur.join(" "));
                cur.clear();
            }
        }
        if !cur.is_empty() {
            out.push(cur.join(" "));
        }
    }
    out
}
