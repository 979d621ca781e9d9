//! Evaluates `refs::find_citations` on whole documents against `eval/refs-v2/` (a set labelled
//! by someone who never read the recogniser): invented documents in `docs/`, and labels for
//! real documents whose text stays in `../shared/real-corpus/` (never copied into the repo).
//!
//! Usage: `refs_docs_eval [--split dev|test|all] [--set DIR] [--json] [--verbose] [--strict-ids] [--dump NAME [--text]]`
//! (`--dump NAME` prints every citation found in that document, with its byte offset, and exits; with `--text`, the text read).
//!
//! Each label file lists `CANONICAL<TAB>COUNT<TAB>KIND`; a document's citations are compared as
//! multisets of canonical forms (true positives = Σ min(predicted, labelled) per form), per kind
//! and overall. A label naming an act by its Lovdata id ("LOV-2017-12-15-107 § 4") counts as
//! the act's short title when the law table knows that id ("helsetilsynsloven § 4"): both name
//! the same provision, and the recogniser gives one canonical form per act (the set's own
//! convention maps only a fixed list of ids). `--strict-ids` compares the label strings as
//! written instead. A document's own identity (`# self:`) is not a citation of it. The text read:
//! an invented document after its two header lines; a Lovdata page's `main.documentBody`
//! without its `<h1>` (the act's own title); a pdftotext file's pages (`# pages: A-B`, form
//! feeds between pages). Real documents are skipped with a printed reason when
//! `../shared/real-corpus/` is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use samspor::refs::find_citations;
use scraper::{ElementRef, Html, Node, Selector};
use serde::Serialize;

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
    fn add(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.predicted += other.predicted;
        self.expected += other.expected;
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

#[derive(Serialize)]
struct DocReport {
    name: String,
    counts: Counts,
    misses: Vec<String>,
    false_positives: Vec<String>,
}

/// One labelled document: its text, its own identity, and the labels.
struct Labelled {
    text: String,
    own: Vec<String>,
    /// canonical → (count, kind)
    labels: BTreeMap<String, (usize, String)>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let split = value("--split").unwrap_or_else(|| "dev".into());
    let json = args.iter().any(|a| a == "--json");
    let verbose = args.iter().any(|a| a == "--verbose");
    let strict_ids = args.iter().any(|a| a == "--strict-ids");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let set = value("--set")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("eval/refs-v2"));
    let shared = root.join("../shared/real-corpus");

    if let Some(name) = value("--dump") {
        return match load(&set, &shared, &name, strict_ids) {
            Ok(Some(doc)) if args.iter().any(|a| a == "--text") => {
                print!("{}", doc.text);
                ExitCode::SUCCESS
            }
            Ok(Some(doc)) => {
                for c in find_citations(&doc.text) {
                    println!(
                        "{:>6} {:<10} {:<45} {:?}",
                        c.start,
                        c.kind.as_str(),
                        c.canonical,
                        c.written
                    );
                }
                ExitCode::SUCCESS
            }
            Ok(None) => {
                eprintln!("skipped {name}: {} is absent", shared.display());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("{name}: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let names = match split_names(&set, &split) {
        Ok(names) => names,
        Err(err) => {
            eprintln!("{}: {err}", set.join("split.toml").display());
            return ExitCode::from(2);
        }
    };
    let mut overall = Counts::default();
    let mut per_kind: BTreeMap<String, Counts> = BTreeMap::new();
    let mut docs = Vec::new();
    for name in &names {
        let labelled = match load(&set, &shared, name, strict_ids) {
            Ok(Some(l)) => l,
            Ok(None) => {
                eprintln!("skipped {name}: {} is absent", shared.display());
                continue;
            }
            Err(err) => {
                eprintln!("{name}: {err}");
                return ExitCode::FAILURE;
            }
        };
        let (report, kinds) = evaluate(name, &labelled);
        overall.add(report.counts);
        for (kind, c) in kinds {
            per_kind.entry(kind).or_default().add(c);
        }
        docs.push(report);
    }
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            split: &'a str,
            overall: Counts,
            precision: f64,
            recall: f64,
            per_kind: &'a BTreeMap<String, Counts>,
            documents: &'a [DocReport],
        }
        let out = Out {
            split: &split,
            overall,
            precision: overall.precision(),
            recall: overall.recall(),
            per_kind: &per_kind,
            documents: &docs,
        };
        match serde_json::to_string_pretty(&out) {
            Ok(text) => println!("{text}"),
            Err(err) => {
                eprintln!("cannot serialise report: {err}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    println!("{} split {split}: {} documents", set.display(), docs.len());
    println!(
        "{:<12} {:>9} {:>9} {:>6} {:>6} {:>6}",
        "kind", "precision", "recall", "tp", "pred", "gold"
    );
    let row = |name: &str, c: &Counts| {
        println!(
            "{:<12} {:>9.3} {:>9.3} {:>6} {:>6} {:>6}",
            name,
            c.precision(),
            c.recall(),
            c.true_positives,
            c.predicted,
            c.expected
        )
    };
    for (kind, c) in &per_kind {
        row(kind, c);
    }
    row("overall", &overall);
    println!();
    for d in &docs {
        row(&d.name, &d.counts);
        if verbose {
            for m in &d.misses {
                println!("    missed {m}");
            }
            for f in &d.false_positives {
                println!("    false positive {f}");
            }
        }
    }
    ExitCode::SUCCESS
}

fn split_names(set: &Path, split: &str) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(set.join("split.toml")).map_err(|e| e.to_string())?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| e.to_string())?;
    let list = |key: &str| -> Vec<String> {
        table
            .get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    match split {
        "dev" | "test" => Ok(list(split)),
        "all" => Ok([list("dev"), list("test")].concat()),
        other => Err(format!("unknown split {other:?} (dev, test or all)")),
    }
}

fn load(
    set: &Path,
    shared: &Path,
    name: &str,
    strict_ids: bool,
) -> Result<Option<Labelled>, String> {
    let invented = set.join("docs").join(format!("{name}.txt"));
    let (text, labels_path) = if invented.exists() {
        let raw = std::fs::read_to_string(&invented).map_err(|e| e.to_string())?;
        (raw, set.join("docs").join(format!("{name}.labels.tsv")))
    } else {
        let file = shared.join(name);
        if !shared.exists() {
            return Ok(None);
        }
        let raw = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        (raw, set.join("real").join(format!("{name}.labels.tsv")))
    };
    let labels_text = std::fs::read_to_string(&labels_path)
        .map_err(|e| format!("{}: {e}", labels_path.display()))?;
    let mut own = Vec::new();
    let mut pages = None;
    let mut labels: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for line in labels_text.lines().chain(text.lines().take(2)) {
        if let Some(rest) = line.strip_prefix("# self:") {
            let rest = rest.trim();
            if rest != "-" && !rest.is_empty() {
                own.push(rest.to_string());
            }
        } else if let Some(rest) = line.strip_prefix("# pages:") {
            let (a, b) = rest.trim().split_once('-').ok_or("bad # pages")?;
            pages = Some((
                a.trim().parse::<usize>().map_err(|e| e.to_string())?,
                b.trim().parse::<usize>().map_err(|e| e.to_string())?,
            ));
        }
    }
    for line in labels_text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [canonical, count, kind] = cols[..] else {
            return Err(format!("{}: bad line {line:?}", labels_path.display()));
        };
        let count: usize = count.trim().parse().map_err(|e| format!("{line:?}: {e}"))?;
        let canonical = canonical.trim();
        let key = if strict_ids {
            canonical.to_string()
        } else {
            same_act(canonical)
        };
        let entry = labels.entry(key).or_insert((0, kind.trim().to_string()));
        entry.0 += count;
    }
    let body = if invented.exists() {
        text.lines().skip(2).collect::<Vec<_>>().join("\n")
    } else if name.ends_with(".html") {
        lovdata_body(&text)
    } else {
        match pages {
            Some((a, b)) => text
                .split('\u{c}')
                .enumerate()
                .filter(|(i, _)| (a..=b).contains(&(i + 1)))
                .map(|(_, p)| p)
                .collect::<Vec<_>>()
                .join("\n"),
            None => text,
        }
    };
    Ok(Some(Labelled {
        text: body,
        own,
        labels,
    }))
}

/// The text of `main.documentBody` without its `<h1>`, a line per block element.
fn lovdata_body(html: &str) -> String {
    let doc = Html::parse_document(html);
    let main = Selector::parse("main.documentBody").expect("selector parses");
    let mut out = String::new();
    if let Some(body) = doc.select(&main).next() {
        walk(body, &mut out);
    }
    out
}

fn walk(element: ElementRef, out: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                if name == "h1" || name == "script" || name == "style" {
                    continue;
                }
                let block = matches!(
                    name,
                    "article"
                        | "section"
                        | "p"
                        | "div"
                        | "li"
                        | "ul"
                        | "ol"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "h5"
                        | "h6"
                        | "dd"
                        | "dt"
                        | "tr"
                        | "table"
                        | "footer"
                        | "br"
                );
                if block {
                    out.push('\n');
                }
                if let Some(child) = ElementRef::wrap(child) {
                    walk(child, out);
                }
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}

/// A label in Lovdata-id form under the act's short title when the law table knows the id.
fn same_act(canonical: &str) -> String {
    if canonical.starts_with("LOV-") {
        samspor::refs::canonicalize(canonical).unwrap_or_else(|| canonical.to_string())
    } else {
        canonical.to_string()
    }
}

fn evaluate(name: &str, doc: &Labelled) -> (DocReport, BTreeMap<String, Counts>) {
    let own: Vec<String> = doc
        .own
        .iter()
        .map(|o| samspor::refs::canonicalize(o).unwrap_or_else(|| o.clone()))
        .collect();
    let mut predicted: BTreeMap<String, (usize, String, Vec<String>)> = BTreeMap::new();
    for c in find_citations(&doc.text) {
        if own
            .iter()
            .any(|o| samspor::refs::links::same_document(o, &c.document) || *o == c.canonical)
        {
            continue;
        }
        let entry = predicted.entry(c.canonical.clone()).or_insert((
            0,
            c.kind.as_str().to_string(),
            Vec::new(),
        ));
        entry.0 += 1;
        entry.2.push(c.written);
    }
    let mut counts = Counts::default();
    let mut kinds: BTreeMap<String, Counts> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut false_positives = Vec::new();
    for (canonical, (n, kind)) in &doc.labels {
        let got = predicted.get(canonical).map_or(0, |p| p.0);
        let tp = got.min(*n);
        counts.expected += n;
        counts.true_positives += tp;
        let k = kinds.entry(kind.clone()).or_default();
        k.expected += n;
        k.true_positives += tp;
        if got < *n {
            misses.push(format!("{canonical} ({got} of {n})"));
        }
    }
    for (canonical, (n, kind, written)) in &predicted {
        counts.predicted += n;
        kinds.entry(kind.clone()).or_default().predicted += n;
        let gold = doc.labels.get(canonical).map_or(0, |l| l.0);
        if *n > gold {
            false_positives.push(format!(
                "{canonical} ({n} found, {gold} labelled; e.g. {:?})",
                written[0]
            ));
        }
    }
    (
        DocReport {
            name: name.to_string(),
            counts,
            misses,
            false_positives,
        },
        kinds,
    )
}
