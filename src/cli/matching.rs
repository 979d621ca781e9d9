//! `match`: ranked sections per theme, or the parts of one section's score (`--explain`).

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::{Outcome, Paths, UsageError};
use crate::output::{ExplainJson, MatchJson, to_json};
use crate::pipeline::{Pipeline, Stage};

#[derive(Args)]
pub(super) struct MatchArgs {
    /// Show the parts of the score of one section: SOURCE SECTION (number or heading).
    #[arg(long, num_args = 2, value_names = ["SOURCE", "SECTION"])]
    explain: Option<Vec<String>>,
    #[arg(long)]
    json: bool,
}

pub(super) fn run(paths: &Paths, args: &MatchArgs) -> Result<Outcome> {
    match args.explain.as_deref() {
        Some([source, section]) => explain(paths, source, section, args.json),
        _ => match_themes(paths, args.json),
    }
}

/// `match`: runs the match stage and prints ranked sections per theme.
fn match_themes(paths: &Paths, json: bool) -> Result<Outcome> {
    let config = paths.config()?;
    let pipeline = Pipeline::new(config, &paths.index_dir);
    let summary = pipeline.run(&[Stage::Match], "match")?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", to_json(&MatchJson::of(&summary.themes))?)?;
        return Ok(Outcome::Ok);
    }
    for theme in &summary.themes {
        writeln!(out, "{} ({} seksjoner)", theme.label, theme.sections.len())?;
        for s in &theme.sections {
            writeln!(
                out,
                "  {:.2}  {} {} {}  s. {}",
                s.score,
                s.source,
                s.section,
                s.heading.as_deref().unwrap_or(""),
                s.page
            )?;
            writeln!(out, "        termer: {}", s.terms.join(", "))?;
            for sentence in &s.evidence {
                writeln!(out, "        «{sentence}»")?;
            }
        }
        writeln!(out)?;
    }
    Ok(Outcome::Ok)
}

/// `match --explain SOURCE SECTION`: the parts of each theme's score for one section.
fn explain(paths: &Paths, source: &str, section: &str, json: bool) -> Result<Outcome> {
    let config = paths.config()?;
    let labels: std::collections::HashMap<String, String> = config
        .themes
        .iter()
        .map(|t| (t.id.clone(), t.label.clone()))
        .collect();
    let pipeline = Pipeline::new(config, &paths.index_dir);
    let Some((found, matches)) = pipeline.explain(source, section)? else {
        return Err(UsageError(format!(
            "no section {section:?} in source {source:?} (give its number, heading or #ordinal)"
        ))
        .into());
    };
    let mut out = std::io::stdout().lock();
    if json {
        let body = ExplainJson {
            source: &found.source,
            section: found.label(),
            heading: &found.heading,
            themes: &matches,
        };
        writeln!(out, "{}", to_json(&body)?)?;
        return Ok(Outcome::Ok);
    }
    writeln!(
        out,
        "{} {} {}",
        found.source,
        found.label(),
        found.heading.as_deref().unwrap_or("")
    )?;
    if matches.is_empty() {
        writeln!(out, "  ingen temaord i seksjonen")?;
    }
    for m in &matches {
        let p = &m.parts;
        writeln!(
            out,
            "  {:<20} {:>6.2} {} terskel {:.2}",
            m.theme,
            m.score,
            if m.passed { "≥" } else { "<" },
            m.threshold
        )?;
        writeln!(
            out,
            "      overskrift {} · ulike termer {} · forekomster {} · setninger {} · tetthet {:.2}/100 ord ({} ord){}{}",
            p.heading_terms,
            p.distinct_terms,
            p.occurrences,
            p.sentences,
            p.density,
            p.tokens,
            if p.passing_only {
                " · bare i forbifarten"
            } else if p.heading_terms == 0 && p.sentences <= 1 {
                " · bare én setning"
            } else {
                ""
            },
            if p.exclude_hits > 0 {
                format!(" · utelukkingsord {} (halvert)", p.exclude_hits)
            } else {
                String::new()
            }
        )?;
        if let Some(meaning) = &m.meaning {
            let label = labels
                .get(&m.theme)
                .map_or(m.theme.as_str(), String::as_str);
            writeln!(
                out,
                "      {}",
                crate::themes::meaning::explain_line(label, meaning)
            )?;
        }
        if !m.terms.is_empty() {
            writeln!(out, "      termer: {}", m.terms.join(", "))?;
        }
        if !m.paraphrases.is_empty() {
            writeln!(out, "      omskrivinger: {}", m.paraphrases.join(", "))?;
        }
        if !m.passing.is_empty() {
            let passing: Vec<String> = m
                .passing
                .iter()
                .map(|mention| {
                    let why = match mention.reason {
                        crate::themes::Passing::ManyThemes => "setning med mange tema",
                        crate::themes::Passing::Enumeration => "oppramsing",
                        crate::themes::Passing::Aside => "sidebemerkning",
                    };
                    format!("«{}» ({why})", mention.words)
                })
                .collect();
            writeln!(
                out,
                "      i forbifarten (teller lite): {}",
                passing.join(", ")
            )?;
        }
    }
    Ok(Outcome::Ok)
}
