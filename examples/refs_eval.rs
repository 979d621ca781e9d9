//! Evaluates `refs::find_citations` against the labelled set.
//!
//! Usage: `refs_eval [PATH] [--json] [--check]`
//! - PATH defaults to `eval/refs-labelled.tsv` in this crate.
//! - `--json` prints the summary as JSON instead of a table.
//! - `--check` exits with status 1 when precision or recall is below 0.97.
//!
//! A predicted citation is correct when its canonical form (and chapter,
//! where the label gives one) matches a label, in order: matches are the
//! longest common subsequence of predicted and expected keys per line.

use std::collections::BTreeMap;
use std::process::ExitCode;

use samspor::refs::{Citation, RefKind, find_citations};
use serde::Serialize;

const TARGET: f64 = 0.97;

/// One labelled line: the text and the expected keys in order.
struct Example {
    line: usize,
    text: String,
    expected: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
struct Counts {
    true_positives: usize,
    predicted: usize,
    expected: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        ratio(self.true_positives, self.predicted)
    }
    fn recall(&self) -> f64 {
        ratio(self.true_positives, self.expected)
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// An empty denominator means nothing could go wrong: count it as perfect.
fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        1.0
    } else {
        numerator as f64 / denominator as f64
    }
}

#[derive(Serialize)]
struct Scores {
    precision: f64,
    recall: f64,
    f1: f64,
    #[serde(flatten)]
    counts: Counts,
}

impl From<Counts> for Scores {
    fn from(counts: Counts) -> Self {
        Scores {
            precision: counts.precision(),
            recall: counts.recall(),
            f1: counts.f1(),
            counts,
        }
    }
}

#[derive(Serialize)]
struct Report {
    lines: usize,
    lines_without_citation: usize,
    overall: Scores,
    per_kind: BTreeMap<&'static str, Scores>,
    misses: Vec<String>,
    false_positives: Vec<String>,
}

/// Error reading the labelled set, with the line it happened on.
#[derive(Debug)]
struct LabelError {
    line: usize,
    message: String,
}

impl std::fmt::Display for LabelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let check = args.iter().any(|a| a == "--check");
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| format!("{}/eval/refs-labelled.tsv", env!("CARGO_MANIFEST_DIR")));

    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(err) => {
            eprintln!("cannot read {path}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let examples = match parse(&source) {
        Ok(examples) => examples,
        Err(err) => {
            eprintln!("{path}: {err}");
            return ExitCode::FAILURE;
        }
    };

    let report = evaluate(&examples);
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(err) => {
                eprintln!("cannot serialise report: {err}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print_report(&path, &report);
    }
    if check && (report.overall.precision < TARGET || report.overall.recall < TARGET) {
        eprintln!("below target {TARGET}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Reads the labelled set (format described at the top of the file).
fn parse(source: &str) -> Result<Vec<Example>, LabelError> {
    let mut examples = Vec::new();
    for (index, raw) in source.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let Some((text, labels)) = raw.split_once('\t') else {
            return Err(LabelError {
                line,
                message: "no tab between text and labels".into(),
            });
        };
        let labels = labels.trim();
        let expected = if labels == "-" {
            Vec::new()
        } else {
            labels.split(" | ").map(|l| l.trim().to_string()).collect()
        };
        if expected.iter().any(|l| l.is_empty()) {
            return Err(LabelError {
                line,
                message: "empty label".into(),
            });
        }
        examples.push(Example {
            line,
            text: unescape(text, line)?,
            expected,
        });
    }
    Ok(examples)
}

/// `\n` is a line break, `\u{a0}` a code point, `\\` a backslash.
fn unescape(text: &str, line: usize) -> Result<String, LabelError> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let rest: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let code = rest
                    .strip_prefix('{')
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32)
                    .ok_or_else(|| LabelError {
                        line,
                        message: format!("bad escape \\u{rest}}}"),
                    })?;
                out.push(code);
            }
            other => {
                return Err(LabelError {
                    line,
                    message: format!("unknown escape \\{other:?}"),
                });
            }
        }
    }
    Ok(out)
}

/// Key compared against a label: canonical form, plus " @ chapter".
fn key(c: &Citation) -> String {
    match &c.chapter {
        Some(chapter) => format!("{} @ {chapter}", c.canonical),
        None => c.canonical.clone(),
    }
}

/// Kind of a labelled citation, from the shape of its canonical form.
fn label_kind(label: &str) -> RefKind {
    if label.starts_with("NOU ") {
        RefKind::Nou
    } else if label.starts_with("Prop. ") || label.contains(".prp. ") {
        RefKind::Prop
    } else if label.starts_with("Meld. St. ") {
        RefKind::Meld
    } else if label.starts_with("St.meld. ") {
        RefKind::StMeld
    } else if label.starts_with("Innst. ") {
        RefKind::Innst
    } else if label.starts_with("Dokument ") {
        RefKind::Dokument8
    } else {
        RefKind::Law
    }
}

/// Index pairs of a longest common subsequence of `a` and `b`.
fn lcs_pairs(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

fn evaluate(examples: &[Example]) -> Report {
    let mut overall = Counts::default();
    let mut per_kind: BTreeMap<RefKind, Counts> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut false_positives = Vec::new();

    for example in examples {
        let found = find_citations(&example.text);
        let predicted: Vec<String> = found.iter().map(key).collect();
        let pairs = lcs_pairs(&predicted, &example.expected);

        overall.predicted += predicted.len();
        overall.expected += example.expected.len();
        overall.true_positives += pairs.len();
        for c in &found {
            per_kind.entry(c.kind).or_default().predicted += 1;
        }
        for label in &example.expected {
            per_kind.entry(label_kind(label)).or_default().expected += 1;
        }
        for &(i, _) in &pairs {
            per_kind.entry(found[i].kind).or_default().true_positives += 1;
        }

        let text = example.text.replace('\n', "\\n");
        for (j, label) in example.expected.iter().enumerate() {
            if !pairs.iter().any(|&(_, pj)| pj == j) {
                misses.push(format!(
                    "line {}: missed {label:?} in {text:?}",
                    example.line
                ));
            }
        }
        for (i, c) in found.iter().enumerate() {
            if !pairs.iter().any(|&(pi, _)| pi == i) {
                false_positives.push(format!(
                    "line {}: false positive {:?} (written {:?}) in {text:?}",
                    example.line,
                    key(c),
                    c.written
                ));
            }
        }
    }

    Report {
        lines: examples.len(),
        lines_without_citation: examples.iter().filter(|e| e.expected.is_empty()).count(),
        overall: overall.into(),
        per_kind: per_kind
            .into_iter()
            .map(|(k, c)| (k.as_str(), c.into()))
            .collect(),
        misses,
        false_positives,
    }
}

fn print_report(path: &str, report: &Report) {
    println!(
        "{path}: {} lines ({} without citation)",
        report.lines, report.lines_without_citation
    );
    println!(
        "{:<10} {:>9} {:>9} {:>9} {:>6} {:>6} {:>6}",
        "kind", "precision", "recall", "F1", "tp", "pred", "gold"
    );
    let row = |name: &str, s: &Scores| {
        println!(
            "{:<10} {:>9.3} {:>9.3} {:>9.3} {:>6} {:>6} {:>6}",
            name,
            s.precision,
            s.recall,
            s.f1,
            s.counts.true_positives,
            s.counts.predicted,
            s.counts.expected
        );
    };
    for (kind, scores) in &report.per_kind {
        row(kind, scores);
    }
    row("overall", &report.overall);
    println!("\nmisses: {}", report.misses.len());
    for miss in &report.misses {
        println!("  {miss}");
    }
    println!("false positives: {}", report.false_positives.len());
    for fp in &report.false_positives {
        println!("  {fp}");
    }
}
