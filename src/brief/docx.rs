//! The brief as a Word document (docx-rs): real Heading 1–3 styles, so Word's navigation pane
//! and table of contents work, and real hyperlinks to the sources.
//!
//! Deterministic bytes: the document's dates are the brief's date, hyperlink ids are numbered
//! per document (docx-rs's own counter is global to the process), and the zip entries carry
//! zip's fixed default time.

use docx_rs::{
    AlignmentType, Docx, Hyperlink, HyperlinkData, Paragraph, ParagraphChild, Run, Style, StyleType,
};

use super::{Brief, BriefError, ThemeBrief};

const ACCENT: &str = "0B4F6C";

fn styles(docx: Docx) -> Docx {
    docx.add_style(
        Style::new("Heading1", StyleType::Paragraph)
            .name("Heading 1")
            .based_on("Normal")
            .next("Normal")
            .size(32)
            .bold()
            .color(ACCENT),
    )
    .add_style(
        Style::new("Heading2", StyleType::Paragraph)
            .name("Heading 2")
            .based_on("Normal")
            .next("Normal")
            .size(28)
            .bold()
            .color(ACCENT),
    )
    .add_style(
        Style::new("Heading3", StyleType::Paragraph)
            .name("Heading 3")
            .based_on("Normal")
            .next("Normal")
            .size(24)
            .bold(),
    )
    .add_style(
        Style::new("Quote", StyleType::Paragraph)
            .name("Quote")
            .based_on("Normal")
            .italic()
            .indent(Some(567), None, None, None),
    )
    .add_style(
        Style::new("Hyperlink", StyleType::Character)
            .name("Hyperlink")
            .color("0563C1")
            .underline("single"),
    )
}

/// Numbers hyperlinks per document.
struct Links(usize);

impl Links {
    fn link(&mut self, url: &str, text: &str) -> Hyperlink {
        self.0 += 1;
        Hyperlink {
            link: HyperlinkData::External {
                rid: format!("rIdHyperlink{}", self.0),
                // docx-rs writes the relationship target as given: escape it for XML.
                path: crate::xml::escape(url),
            },
            history: None,
            children: vec![ParagraphChild::Run(Box::new(
                Run::new().add_text(text).style("Hyperlink"),
            ))],
        }
    }
}

fn heading(level: u8, text: &str) -> Paragraph {
    Paragraph::new()
        .style(&format!("Heading{level}"))
        .add_run(Run::new().add_text(text))
}

fn text(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

pub(crate) fn render(brief: &Brief) -> Result<Vec<u8>, BriefError> {
    let stamp = format!("{}T00:00:00Z", brief.iso_date);
    let mut docx = styles(Docx::new())
        .created_at(&stamp)
        .updated_at(&stamp)
        .add_paragraph(heading(1, &brief.title))
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text("Dato: ").bold())
                .add_run(Run::new().add_text(&brief.date)),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text("Tema: ").bold())
                .add_run(
                    Run::new().add_text(
                        brief
                            .themes
                            .iter()
                            .map(|t| t.label.as_str())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                ),
        );
    if let Some(since) = &brief.since {
        docx = docx.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text("Endringer siden: ").bold())
                .add_run(Run::new().add_text(since)),
        );
    }
    docx = docx.add_paragraph(text(
        "Notatet er laget av samspor fra de nasjonale dokumentene helsefellesskapet følger. \
         Sitatene er ordrett fra dokumentene; søkeordene for hvert tema står i vedlegget.",
    ));
    let mut links = Links(0);
    for (n, theme) in brief.themes.iter().enumerate() {
        docx = theme_part(docx, &mut links, n + 1, theme, brief.since.is_some());
    }
    docx = docx.add_paragraph(heading(2, "Vedlegg: søkeord brukt").page_break_before(true));
    for theme in &brief.themes {
        docx = docx
            .add_paragraph(heading(3, &theme.label))
            .add_paragraph(text(&format!("Søkeord: {}", theme.terms.join(", "))));
        if !theme.context.is_empty() {
            docx = docx.add_paragraph(text(&format!(
                "Støtteord (teller bare sammen med et søkeord): {}",
                theme.context.join(", ")
            )));
        }
        docx = docx.add_paragraph(text(&format!("Terskel for treff: {:.1}", theme.threshold)));
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|e| BriefError::Docx(e.to_string()))?;
    stable(&bytes.into_inner()).map_err(|e| BriefError::Docx(e.to_string()))
}

/// docx-rs writes the hyperlink relationships in hash-map order; the same brief must give the
/// same bytes, so the package is rewritten with them sorted (and zip's fixed entry time).
fn stable(package: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(package))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name().to_string();
        if entry.is_dir() {
            out.add_directory(name, options)?;
            continue;
        }
        let mut content = Vec::new();
        entry.read_to_end(&mut content)?;
        if name == "word/_rels/document.xml.rels" {
            content = sorted_relationships(&String::from_utf8_lossy(&content)).into_bytes();
        }
        out.start_file(name, options)?;
        out.write_all(&content)?;
    }
    Ok(out.finish()?.into_inner())
}

/// The `<Relationship …/>` elements of a rels part in order of their text.
fn sorted_relationships(xml: &str) -> String {
    let Some(first) = xml.find("<Relationship ") else {
        return xml.to_string();
    };
    let Some(end) = xml.rfind("</Relationships>") else {
        return xml.to_string();
    };
    let mut items: Vec<&str> = xml[first..end]
        .split_inclusive("/>")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    items.sort_unstable();
    format!("{}{}{}", &xml[..first], items.concat(), &xml[end..])
}

fn place(section: &str, heading: Option<&String>) -> String {
    match heading {
        Some(h) if h != section => format!("{section} {h}"),
        _ => section.to_string(),
    }
}

fn theme_part(
    mut docx: Docx,
    links: &mut Links,
    n: usize,
    theme: &ThemeBrief,
    with_news: bool,
) -> Docx {
    docx = docx
        .add_paragraph(heading(2, &format!("{n}. {}", theme.label)).page_break_before(n > 1))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&theme.description).italic()))
        .add_paragraph(heading(3, "Hovedfunn"));
    if theme.findings.is_empty() {
        docx = docx.add_paragraph(text(
            "Ingen seksjoner i dokumentene nådde terskelen for dette temaet.",
        ));
    }
    for (i, f) in theme.findings.iter().enumerate() {
        docx = docx.add_paragraph(
            Paragraph::new()
                .add_run(
                    Run::new()
                        .add_text(format!(
                            "{}. {}, {}",
                            i + 1,
                            f.document,
                            place(&f.section, f.heading.as_ref())
                        ))
                        .bold(),
                )
                .add_run(Run::new().add_text(if f.ocr {
                    format!(", side {} ({}) – ", f.page, super::OCR_NOTE)
                } else {
                    format!(", side {} – ", f.page)
                }))
                .add_hyperlink(links.link(&f.link, "kilde")),
        );
        for sentence in &f.evidence {
            docx = docx.add_paragraph(
                Paragraph::new()
                    .style("Quote")
                    .add_run(Run::new().add_text(format!("«{sentence}»"))),
            );
        }
    }
    docx = docx.add_paragraph(heading(3, "Nytt siden sist"));
    if !with_news {
        docx = docx.add_paragraph(text("Ingen dato oppgitt (bruk --since DATO)."));
    } else if theme.news.is_empty() {
        docx = docx.add_paragraph(text(
            "Ingen nye eller endrede seksjoner om temaet i perioden.",
        ));
    }
    for item in &theme.news {
        docx = docx.add_paragraph(
            Paragraph::new()
                .add_run(
                    Run::new()
                        .add_text(if item.change == "ny" {
                            "Ny "
                        } else {
                            "Endret "
                        })
                        .bold(),
                )
                .add_run(Run::new().add_text(format!(
                    "{}: {}, {}, side {} – ",
                    item.date,
                    item.document,
                    place(&item.section, item.heading.as_ref()),
                    item.page
                )))
                .add_hyperlink(links.link(&item.link, "kilde")),
        );
        if let Some(diff) = &item.diff {
            docx = docx.add_paragraph(text(&format!("Endring: {diff}")));
        }
    }
    if theme.news_more > 0 {
        docx = docx.add_paragraph(text(&format!("… og {} seksjoner til", theme.news_more)));
    }
    docx = docx.add_paragraph(heading(3, "Referanser"));
    if theme.references.is_empty() {
        docx = docx.add_paragraph(text("Seksjonene viser ikke til andre dokumenter."));
    }
    for r in &theme.references {
        let mut line = r.reference.clone();
        if !r.parts.is_empty() {
            line.push_str(&format!(" ({})", r.parts.join(", ")));
        }
        let mut p = Paragraph::new().add_run(Run::new().add_text(line));
        if let (Some(title), Some(url)) = (&r.title, &r.url) {
            p = p
                .add_run(Run::new().add_text(": "))
                .add_hyperlink(links.link(url, title));
        }
        p = p.add_run(Run::new().add_text(format!(
            " – sitert i {} {}",
            r.cited_in,
            if r.cited_in == 1 {
                "seksjon"
            } else {
                "seksjoner"
            }
        )));
        docx = docx.add_paragraph(p.align(AlignmentType::Left));
    }
    docx
}
