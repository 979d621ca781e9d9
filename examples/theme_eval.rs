//! Evaluates theme matching against the labelled sections.
//!
//! Usage: `cargo run --release --example theme_eval -- [--sources eval/sources.toml]
//!         [--labels eval/themes-labelled.toml] [--verbose] [--json] [--check]`
//!
//! Builds an index from the sources with the real pipeline (themes are stored per section by
//! the index stage), then compares each labelled section's themes with the labels: precision,
//! recall and F1 per theme, and their macro average. `--verbose` lists every false positive and
//! false negative with the score's parts, for error analysis. `--check` exits with status 1
//! unless macro-F1 ≥ 0.85 and no theme is below 0.75.

#[path = "support/eval.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use samspor::config::Config;
use samspor::themes::ThemeMatcher;
use serde::Deserialize;

#[derive(Deserialize)]
struct LabelFile {
    section: Vec<Labelled>,
}

#[derive(Deserialize)]
struct Labelled {
    source: String,
    section: String,
    themes: Vec<String>,
    #[serde(default)]
    note: String,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
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

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn main() -> ExitCode {
    support::exit(run())
}

fn run() -> Result<bool> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut sources = root.join("eval/sources.toml");
    let mut labels = root.join("eval/themes-labelled.toml");
    let (mut verbose, mut json, mut check) = (false, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sources" => sources = args.next().context("--sources needs a path")?.into(),
            "--labels" => labels = args.next().context("--labels needs a path")?.into(),
            "--verbose" => verbose = true,
            "--json" => json = true,
            "--check" => check = true,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let config = Config::load(&sources)?;
    let theme_ids: Vec<String> = config.themes.iter().map(|t| t.id.clone()).collect();
    let matcher = ThemeMatcher::new(&config.themes);
    let (_dir, index) = support::index_corpus(config)?;
    let sections: HashMap<(String, String), _> = index
        .all_sections()?
        .into_iter()
        .map(|s| ((s.source.clone(), s.label()), s))
        .collect();

    let text = std::fs::read_to_string(&labels)
        .with_context(|| format!("{}: cannot read", labels.display()))?;
    let file: LabelFile =
        toml::from_str(&text).with_context(|| format!("{}: invalid", labels.display()))?;

    let mut counts: BTreeMap<&str, Counts> = theme_ids
        .iter()
        .map(|t| (t.as_str(), Counts::default()))
        .collect();
    for label in &file.section {
        let section = sections
            .get(&(label.source.clone(), label.section.clone()))
            .with_context(|| {
                format!(
                    "labelled section {} {:?} is not in the index",
                    label.source, label.section
                )
            })?;
        for theme in &label.themes {
            anyhow::ensure!(
                theme_ids.contains(theme),
                "{} {:?}: unknown theme {theme}",
                label.source,
                label.section
            );
        }
        let expected: BTreeSet<&str> = label.themes.iter().map(String::as_str).collect();
        let predicted: BTreeSet<&str> = section.themes.iter().map(String::as_str).collect();
        for theme in &theme_ids {
            let (e, p) = (
                expected.contains(theme.as_str()),
                predicted.contains(theme.as_str()),
            );
            let c = counts.get_mut(theme.as_str()).expect("known theme");
            match (e, p) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => {}
            }
            if verbose && e != p {
                let parts = matcher
                    .score(section.heading.as_deref(), &section.text)
                    .into_iter()
                    .find(|m| &m.theme == theme);
                eprintln!(
                    "{} {:<18} {} {:?} — {}\n      {}",
                    if p { "FP" } else { "FN" },
                    theme,
                    label.source,
                    label.section,
                    label.note,
                    match parts {
                        Some(m) => format!(
                            "score {:.2} (threshold {:.2}) terms {:?} parts {:?}",
                            m.score, m.threshold, m.terms, m.parts
                        ),
                        None => "no term of the theme occurs".to_string(),
                    }
                );
            }
        }
    }

    let macro_f1 = counts.values().map(Counts::f1).sum::<f64>() / counts.len().max(1) as f64;
    let macro_p = counts.values().map(Counts::precision).sum::<f64>() / counts.len().max(1) as f64;
    let macro_r = counts.values().map(Counts::recall).sum::<f64>() / counts.len().max(1) as f64;
    let worst = counts.values().map(Counts::f1).fold(1.0, f64::min);
    let passed = macro_f1 >= 0.85 && worst >= 0.75;
    if json {
        let per: BTreeMap<&str, serde_json::Value> = counts
            .iter()
            .map(|(t, c)| {
                (
                    *t,
                    serde_json::json!({"tp": c.tp, "fp": c.fp, "fn": c.fn_,
                        "precision": c.precision(), "recall": c.recall(), "f1": c.f1()}),
                )
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "labelled_sections": file.section.len(),
                "themes": per,
                "macro": {"precision": macro_p, "recall": macro_r, "f1": macro_f1},
            }))?
        );
    } else {
        println!(
            "{:<20} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6}",
            "theme", "tp", "fp", "fn", "precision", "recall", "F1"
        );
        for (theme, c) in &counts {
            println!(
                "{:<20} {:>4} {:>4} {:>4} {:>9.3} {:>7.3} {:>6.3}",
                theme,
                c.tp,
                c.fp,
                c.fn_,
                c.precision(),
                c.recall(),
                c.f1()
            );
        }
        println!(
            "{:<20} {:>4} {:>4} {:>4} {:>9.3} {:>7.3} {:>6.3}",
            "macro", "", "", "", macro_p, macro_r, macro_f1
        );
        println!(
            "\n{} labelled sections; targets (macro-F1 ≥ 0.85, every theme ≥ 0.75): {}",
            file.section.len(),
            if passed { "met" } else { "NOT met" }
        );
    }
    Ok(!check || passed)
}
