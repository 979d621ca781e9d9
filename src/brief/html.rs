//! The brief as one self-contained HTML file: inline CSS, readable on screen and printed (each
//! theme starts a new page), `lang="nb"`, one `h1`, a `h2` per theme and `h3` per part. maud
//! escapes every piece of document text.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{Brief, ThemeBrief};

const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: "Source Sans 3", "Segoe UI", Arial, sans-serif; color: #1b1b1b;
  max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; font-size: 1rem; }
header.brief { border-bottom: 3px solid #0b4f6c; margin-bottom: 1.5rem; }
h1 { font-size: 1.6rem; color: #0b4f6c; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; color: #0b4f6c; margin-top: 2.5rem; border-bottom: 1px solid #c9d6dc; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
p.description { font-style: italic; color: #333; }
ol.findings > li { margin-bottom: 1rem; }
.where { font-weight: 600; }
.page { color: #444; white-space: nowrap; }
blockquote { margin: .3rem 0 .3rem 0; padding: .2rem .8rem; border-left: 3px solid #0b4f6c;
  background: #f3f7f9; }
ul.news li, ul.refs li { margin-bottom: .4rem; }
.diff { font-family: "DejaVu Sans Mono", monospace; font-size: .85rem; color: #333; }
.none { color: #555; }
a { color: #0b4f6c; }
a:focus { outline: 2px solid #e07a00; outline-offset: 2px; }
footer.appendix { margin-top: 3rem; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  /* Each theme after the first starts a page; the first follows the header. */
  section.theme + section.theme { break-before: page; }
  footer.appendix { break-before: page; }
  a { color: inherit; text-decoration: none; }
  /* The page number says where a finding is; the cited documents print their address. */
  ul.refs a.source::after { content: " (" attr(href) ")"; font-size: 8pt; color: #444;
    word-break: break-all; }
  blockquote { background: none; }
}
"#;

pub(crate) fn render(brief: &Brief) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="nb" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content="samspor";
                title { (brief.title) " – " (brief.date) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.brief {
                    h1 { (brief.title) }
                    dl.meta {
                        dt { "Dato" } dd { (brief.date) }
                        dt { "Tema" } dd {
                            @for (i, theme) in brief.themes.iter().enumerate() {
                                @if i > 0 { "; " }
                                a href={ "#tema-" (theme.id) } { (theme.label) }
                            }
                        }
                        @if let Some(since) = &brief.since {
                            dt { "Endringer siden" } dd { (since) }
                        }
                    }
                    p { "Notatet er laget av samspor fra de nasjonale dokumentene helsefellesskapet \
                         følger. Sitatene er ordrett fra dokumentene; søkeordene for hvert tema står \
                         i vedlegget." }
                }
                main {
                    @for (n, theme) in brief.themes.iter().enumerate() {
                        (theme_section(n + 1, theme, brief.since.is_some()))
                    }
                }
                footer.appendix {
                    h2 { "Vedlegg: søkeord brukt" }
                    @for theme in &brief.themes {
                        h3 { (theme.label) }
                        ul {
                            li { "Søkeord: " (theme.terms.join(", ")) }
                            @if !theme.context.is_empty() {
                                li { "Støtteord (teller bare sammen med et søkeord): "
                                     (theme.context.join(", ")) }
                            }
                            li { "Terskel for treff: " (format!("{:.1}", theme.threshold)) }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

fn theme_section(n: usize, theme: &ThemeBrief, with_news: bool) -> Markup {
    html! {
        section.theme id={ "tema-" (theme.id) } aria-labelledby={ "h-" (theme.id) } {
            h2 id={ "h-" (theme.id) } { (n) ". " (theme.label) }
            p.description { (theme.description) }
            h3 { "Hovedfunn" }
            @if theme.findings.is_empty() {
                p.none { "Ingen seksjoner i dokumentene nådde terskelen for dette temaet." }
            }
            ol.findings {
                @for f in &theme.findings {
                    li {
                        span.where {
                            (f.document) ", " (f.section)
                            @if let Some(heading) = &f.heading {
                                @if *heading != f.section { " " (heading) }
                            }
                        }
                        ", " span.page { "side " (f.page) }
                        @if f.ocr { " (" span.ocr { (super::OCR_NOTE) } ")" }
                        " – " a.source href=(f.link) { "kilde" }
                        @for sentence in &f.evidence {
                            blockquote { "«" (sentence) "»" }
                        }
                    }
                }
            }
            h3 { "Nytt siden sist" }
            @if !with_news {
                p.none { "Ingen dato oppgitt (bruk --since DATO)." }
            } @else if theme.news.is_empty() {
                p.none { "Ingen nye eller endrede seksjoner om temaet i perioden." }
            } @else {
                ul.news {
                    @for item in &theme.news {
                        li {
                            strong { @if item.change == "ny" { "Ny" } @else { "Endret" } }
                            " " (item.date) ": "
                            span.where {
                                (item.document) ", " (item.section)
                                @if let Some(heading) = &item.heading {
                                    @if *heading != item.section { " " (heading) }
                                }
                            }
                            ", " span.page { "side " (item.page) }
                            " – " a.source href=(item.link) { "kilde" }
                            @if let Some(diff) = &item.diff {
                                div.diff { "Endring: " (diff) }
                            }
                        }
                    }
                    @if theme.news_more > 0 {
                        li.none { "… og " (theme.news_more) " seksjoner til" }
                    }
                }
            }
            h3 { "Referanser" }
            @if theme.references.is_empty() {
                p.none { "Seksjonene viser ikke til andre dokumenter." }
            }
            ul.refs {
                @for r in &theme.references {
                    li {
                        (r.reference)
                        @if !r.parts.is_empty() { " (" (r.parts.join(", ")) ")" }
                        @if let (Some(title), Some(url)) = (&r.title, &r.url) {
                            ": " a.source href=(url) { (title) }
                        }
                        " – sitert i " (r.cited_in)
                        @if r.cited_in == 1 { " seksjon" } @else { " seksjoner" }
                    }
                }
            }
        }
    }
}
