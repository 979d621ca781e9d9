//! Themes with their ranked sections, and the form for a brief ("Lag notat").

use super::*;

/// `/tema`: the themes with how many sections match each.
pub fn themes(config: &Config, matches: Option<&MatchFile>) -> Markup {
    let counts: BTreeMap<&str, usize> = matches
        .map(|m| {
            m.themes
                .iter()
                .map(|t| (t.id.as_str(), t.sections.len()))
                .collect()
        })
        .unwrap_or_default();
    layout(
        "Tema",
        Nav::Themes,
        html! {
            h1 { "Tema" }
            @if matches.is_none() { p.notice { "Temaene er ikke matchet mot dokumentene ennå." } }
            ul.theme-list {
                @for theme in &config.themes {
                    li {
                        h2 { a href=(theme_href(&theme.id)) { (theme.label) } }
                        p { (theme.description) }
                        p.meta { (counts.get(theme.id.as_str()).copied().unwrap_or(0)) " seksjoner" }
                    }
                }
            }
        },
    )
}

/// `/tema/ID`: ranked sections with their evidence.
pub fn theme(
    config: &Config,
    theme: &crate::config::Theme,
    result: Option<&ThemeResult>,
    generated_at: Option<DateTime<Utc>>,
) -> Markup {
    let sections = result.map(|r| r.sections.as_slice()).unwrap_or_default();
    layout(
        &theme.label,
        Nav::Themes,
        html! {
            nav.crumbs aria-label="Brødsmulesti" { a href="/tema" { "Tema" } " › " }
            h1 { (theme.label) }
            p { (theme.description) }
            details.terms {
                summary { "Ord temaet kjennes igjen på (" (theme.terms.len()) ")" }
                p { (theme.terms.join(", ")) }
            }
            p.actions {
                a.button href=(format!("/notat?tema={}", segment(&theme.id))) { "Lag notat om temaet" }
            }
            h2 { "Seksjoner, sterkest først" }
            @if let Some(at) = generated_at { p.meta { "Matchet " (when(at)) "." } }
            @if sections.is_empty() {
                p { "Ingen seksjoner er matchet mot temaet ennå." }
            }
            ol.ranked {
                @for m in sections {
                    li {
                        h3 {
                            a href=(section_href(&m.source, m.ordinal)) {
                                (section_title(Some(m.section.as_str()).filter(|s| Some(*s) != m.heading.as_deref()), m.heading.as_deref()))
                            }
                        }
                        p.meta {
                            a href=(document_href(&m.source)) {
                                (config.source(&m.source).map_or(m.source.as_str(), |s| s.title.as_str()))
                            }
                            " · Side " (m.page) " · Poeng " (format!("{:.1}", m.score))
                        }
                        @if !m.terms.is_empty() { p.terms { "Trefford: " (m.terms.join(", ")) } }
                        @for sentence in &m.evidence {
                            blockquote { p { (sentence) } }
                        }
                    }
                }
            }
        },
    )
}

/// What the brief form is prefilled with.
#[derive(Debug, Clone)]
pub struct BriefForm {
    pub themes: Vec<String>,
    pub since: Option<chrono::NaiveDate>,
    pub top: usize,
    pub format: crate::brief::BriefFormat,
}

pub fn brief_form(config: &Config, form: &BriefForm) -> Markup {
    use crate::brief::BriefFormat;
    let formats = [
        (BriefFormat::Docx, "Word (.docx)"),
        (BriefFormat::Html, "Nettside (.html)"),
        (BriefFormat::Markdown, "Markdown (.md)"),
    ];
    layout(
        "Lag notat",
        Nav::Brief,
        html! {
            h1 { "Lag notat" }
            p { "Et notat samler de sterkeste seksjonene for hvert valgte tema, med sitater som belegg, og det som er nytt siden en dato." }
            form.brief action="/notat/last-ned" method="get" {
                fieldset #temaer {
                    legend { "Tema" }
                    p.hint #tema-hjelp { "Velg ingen for å ta med alle temaene." }
                    @for theme in &config.themes {
                        div.check {
                            input type="checkbox" name="tema" value=(theme.id) id=(format!("tema-{}", theme.id))
                                checked[form.themes.contains(&theme.id)] aria-describedby="tema-hjelp";
                            label for=(format!("tema-{}", theme.id)) { (theme.label) }
                        }
                    }
                }
                div.field {
                    label for="siden" { "Nytt siden (dato)" }
                    input #siden type="date" name="siden" value=[form.since.map(|d| d.format("%Y-%m-%d").to_string())];
                }
                div.field {
                    label for="antall" { "Seksjoner per tema" }
                    input #antall type="number" name="antall" min="1" max="20" value=(form.top);
                }
                fieldset {
                    legend { "Format" }
                    @for (format, label) in formats {
                        div.check {
                            input type="radio" name="format" value=(format.extension()) id=(format!("format-{}", format.extension()))
                                checked[form.format == format];
                            label for=(format!("format-{}", format.extension())) { (label) }
                        }
                    }
                }
                button type="submit" { "Last ned notat" }
            }
        },
    )
}
