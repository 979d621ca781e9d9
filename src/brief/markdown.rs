//! The brief as Markdown (CommonMark), for e-mail and the secretariat's own editing.

use std::fmt::Write;

use super::{Brief, ThemeBrief};

/// Characters that would turn document text into Markdown syntax.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A URL inside `<…>` so spaces and parentheses survive.
fn link(text: &str, url: &str) -> String {
    format!("[{}](<{}>)", escape(text), url.replace('>', "%3E"))
}

pub(crate) fn render(brief: &Brief) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", escape(&brief.title));
    let _ = writeln!(out, "**Dato:** {}  ", brief.date);
    let labels: Vec<String> = brief.themes.iter().map(|t| escape(&t.label)).collect();
    let _ = writeln!(out, "**Tema:** {}  ", labels.join("; "));
    match &brief.since {
        Some(since) => {
            let _ = writeln!(out, "**Endringer siden:** {since}\n");
        }
        None => out.push('\n'),
    }
    out.push_str(
        "Notatet er laget av samspor fra de nasjonale dokumentene helsefellesskapet følger. \
         Sitatene er ordrett fra dokumentene; søkeordene for hvert tema står i vedlegget.\n\n",
    );
    for (n, theme) in brief.themes.iter().enumerate() {
        render_theme(&mut out, n + 1, theme, brief.since.is_some());
    }
    let _ = writeln!(out, "## Vedlegg: søkeord brukt\n");
    for theme in &brief.themes {
        let _ = writeln!(out, "### {}\n", escape(&theme.label));
        let terms: Vec<String> = theme.terms.iter().map(|t| escape(t)).collect();
        let _ = writeln!(out, "- Søkeord: {}", terms.join(", "));
        if !theme.context.is_empty() {
            let context: Vec<String> = theme.context.iter().map(|t| escape(t)).collect();
            let _ = writeln!(
                out,
                "- Støtteord (teller bare sammen med et søkeord): {}",
                context.join(", ")
            );
        }
        let _ = writeln!(out, "- Terskel for treff: {:.1}\n", theme.threshold);
    }
    out
}

fn render_theme(out: &mut String, n: usize, theme: &ThemeBrief, with_news: bool) {
    let _ = writeln!(out, "## {n}. {}\n", escape(&theme.label));
    let _ = writeln!(out, "{}\n", escape(&theme.description));
    let _ = writeln!(out, "### Hovedfunn\n");
    if theme.findings.is_empty() {
        out.push_str("Ingen seksjoner i dokumentene nådde terskelen for dette temaet.\n\n");
    }
    for (i, f) in theme.findings.iter().enumerate() {
        let place = match &f.heading {
            Some(heading) if *heading != f.section => format!("{} {}", f.section, heading),
            _ => f.section.clone(),
        };
        let _ = writeln!(
            out,
            "{}. **{}**, {}, side {}{} ({})",
            i + 1,
            escape(&f.document),
            escape(&place),
            f.page,
            if f.ocr {
                format!(" ({})", super::OCR_NOTE)
            } else {
                String::new()
            },
            link("kilde", &f.link)
        );
        for sentence in &f.evidence {
            let _ = writeln!(out, "   > «{}»", escape(sentence));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Nytt siden sist\n");
    if !with_news {
        out.push_str("Ingen dato oppgitt (bruk `--since DATO`).\n\n");
    } else if theme.news.is_empty() {
        out.push_str("Ingen nye eller endrede seksjoner om temaet i perioden.\n\n");
    } else {
        for item in &theme.news {
            let place = match &item.heading {
                Some(heading) if *heading != item.section => {
                    format!("{} {}", item.section, heading)
                }
                _ => item.section.clone(),
            };
            let _ = writeln!(
                out,
                "- {} {}: **{}**, {}, side {} ({})",
                if item.change == "ny" { "Ny" } else { "Endret" },
                item.date,
                escape(&item.document),
                escape(&place),
                item.page,
                link("kilde", &item.link)
            );
            if let Some(diff) = &item.diff {
                let _ = writeln!(out, "  - Endring: `{}`", diff.replace('`', "'"));
            }
        }
        if theme.news_more > 0 {
            let _ = writeln!(out, "- … og {} seksjoner til", theme.news_more);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Referanser\n");
    if theme.references.is_empty() {
        out.push_str("Seksjonene viser ikke til andre dokumenter.\n\n");
    }
    for r in &theme.references {
        let mut line = format!("- {}", escape(&r.reference));
        if !r.parts.is_empty() {
            let parts: Vec<String> = r.parts.iter().map(|p| escape(p)).collect();
            let _ = write!(line, " ({})", parts.join(", "));
        }
        if let (Some(title), Some(url)) = (&r.title, &r.url) {
            let _ = write!(line, ": {}", link(title, url));
        }
        let _ = write!(
            line,
            " — sitert i {} {}",
            r.cited_in,
            if r.cited_in == 1 {
                "seksjon"
            } else {
                "seksjoner"
            }
        );
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
}
