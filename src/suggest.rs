//! `samspor sources suggest`: sources.toml entries for the documents the tracked sources cite
//! but nobody tracks yet (the candidates of `samspor refs`). It prints; it never edits the file.
//!
//! What can be derived from a citation alone: the kind, `cites_as`, an id, and where to find
//! the document. regjeringen.no addresses end in a number no citation carries
//! (`/no/dokumenter/nou-2023-8/id2967792/`), so for NOU, Prop. and Meld. St. the entry gives
//! the address pattern and a search address, and leaves `url` empty (sources.toml refuses an
//! empty url, so the entry cannot be used before someone fills it in). Laws get their Lovdata
//! address when samspor knows it.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::config::{Config, Kind};
use crate::index::SectionIndex;
use crate::refs::RefKind;
use crate::refs::links::{self, Candidate, Linker, SectionText};

/// `samspor sources …`
#[derive(Debug, Clone, clap::Subcommand)]
pub enum SourcesCommand {
    /// Print sources.toml entries for cited documents no source tracks (never edits the file).
    Suggest {
        #[arg(long)]
        json: bool,
    },
}

/// A drafted sources.toml entry for one cited, untracked document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The canonical reference ("NOU 2023: 8").
    pub document: String,
    /// What kind of reference it is (as in `refs --json`).
    pub reference_kind: RefKind,
    /// How often and where it is cited.
    pub count: usize,
    pub cited_in: Vec<String>,
    pub id: String,
    pub kind: Kind,
    /// The document's title when samspor knows it (else the entry's title is the reference).
    pub title: Option<String>,
    pub cites_as: String,
    /// The document's address when it can be derived (laws on Lovdata).
    pub url: Option<String>,
    /// The shape of the regjeringen.no landing address (`idNNNNNNN` unknown).
    pub landing_pattern: Option<String>,
    /// Where a person can find the address.
    pub search_url: Option<String>,
    pub follow: Option<crate::config::Follow>,
    pub link_pattern: Option<String>,
    pub selector: Option<String>,
    /// The entry as sources.toml text, with comments.
    pub toml: String,
}

/// Lovdata addresses of the laws `refs` recognises.
const LOVDATA: &[(&str, &str, &str)] = &[
    (
        "helse- og omsorgstjenesteloven",
        "2011-06-24-30",
        "Lov om kommunale helse- og omsorgstjenester m.m. (helse- og omsorgstjenesteloven)",
    ),
    (
        "spesialisthelsetjenesteloven",
        "1999-07-02-61",
        "Lov om spesialisthelsetjenesten m.m. (spesialisthelsetjenesteloven)",
    ),
    (
        "psykisk helsevernloven",
        "1999-07-02-62",
        "Lov om etablering og gjennomføring av psykisk helsevern (psykisk helsevernloven)",
    ),
    (
        "pasient- og brukerrettighetsloven",
        "1999-07-02-63",
        "Lov om pasient- og brukerrettigheter (pasient- og brukerrettighetsloven)",
    ),
    (
        "helsepersonelloven",
        "1999-07-02-64",
        "Lov om helsepersonell m.v. (helsepersonelloven)",
    ),
    (
        "folkehelseloven",
        "2011-06-24-29",
        "Lov om folkehelsearbeid (folkehelseloven)",
    ),
    (
        "helseforetaksloven",
        "2001-06-15-93",
        "Lov om helseforetak m.m. (helseforetaksloven)",
    ),
    (
        "pasientjournalloven",
        "2014-06-20-42",
        "Lov om behandling av helseopplysninger ved ytelse av helsehjelp (pasientjournalloven)",
    ),
    (
        "helseregisterloven",
        "2014-06-20-43",
        "Lov om helseregistre og behandling av helseopplysninger (helseregisterloven)",
    ),
    (
        "kommuneloven",
        "2018-06-22-83",
        "Lov om kommuner og fylkeskommuner (kommuneloven)",
    ),
    (
        "plan- og bygningsloven",
        "2008-06-27-71",
        "Lov om planlegging og byggesaksbehandling (plan- og bygningsloven)",
    ),
    (
        "tannhelsetjenesteloven",
        "1983-06-03-54",
        "Lov om tannhelsetjenesten (tannhelsetjenesteloven)",
    ),
    (
        "smittevernloven",
        "1994-08-05-55",
        "Lov om vern mot smittsomme sykdommer (smittevernloven)",
    ),
    (
        "helsetilsynsloven",
        "1984-03-30-15",
        "Lov om statlig tilsyn med helse- og omsorgstjenesten m.m. (helsetilsynsloven)",
    ),
    (
        "pasientskadeloven",
        "2001-06-15-53",
        "Lov om erstatning ved pasientskader mv. (pasientskadeloven)",
    ),
    (
        "forvaltningsloven",
        "1967-02-10",
        "Lov om behandlingsmåten i forvaltningssaker (forvaltningsloven)",
    ),
    (
        "offentleglova",
        "2006-05-19-16",
        "Lov om rett til innsyn i dokument i offentleg verksemd (offentleglova)",
    ),
    (
        "folketrygdloven",
        "1997-02-28-19",
        "Lov om folketrygd (folketrygdloven)",
    ),
    (
        "barnevernsloven",
        "2021-06-18-97",
        "Lov om barnevern (barnevernsloven)",
    ),
    (
        "sosialtjenesteloven",
        "2009-12-18-131",
        "Lov om sosiale tjenester i arbeids- og velferdsforvaltningen (sosialtjenesteloven)",
    ),
    (
        "personopplysningsloven",
        "2018-06-15-38",
        "Lov om behandling av personopplysninger (personopplysningsloven)",
    ),
];

const REGJERINGEN_SEARCH: &str = "https://www.regjeringen.no/no/sok/id86008/?term=";
const PDF_LINKS: &str = r"/contentassets/.*\.pdf$";

/// Drafts an entry for each candidate whose id is free in the configuration.
pub fn suggest(candidates: &[Candidate], config: &Config) -> Vec<Suggestion> {
    let mut taken: BTreeSet<String> = config.sources.iter().map(|s| s.id.clone()).collect();
    let mut out = Vec::new();
    for candidate in candidates {
        let Some(mut suggestion) = draft(candidate) else {
            continue;
        };
        if !taken.insert(suggestion.id.clone()) {
            suggestion.id = format!("{}-2", suggestion.id);
            if !taken.insert(suggestion.id.clone()) {
                continue;
            }
        }
        suggestion.toml = to_toml(&suggestion);
        out.push(suggestion);
    }
    out
}

fn draft(candidate: &Candidate) -> Option<Suggestion> {
    let document = candidate.document.trim().to_string();
    let mut id = crate::follow::slugify(&document);
    id.truncate(80);
    if id.is_empty() {
        return None;
    }
    let mut suggestion = Suggestion {
        document: document.clone(),
        reference_kind: candidate.kind,
        count: candidate.count,
        cited_in: candidate.cited_in.clone(),
        id,
        kind: Kind::Sak,
        title: None,
        cites_as: document.clone(),
        url: None,
        landing_pattern: None,
        search_url: None,
        follow: None,
        link_pattern: None,
        selector: None,
        toml: String::new(),
    };
    let regjeringen = |s: &mut Suggestion, kind: Kind, slug: Option<String>| {
        s.kind = kind;
        s.landing_pattern =
            slug.map(|slug| format!("https://www.regjeringen.no/no/dokumenter/{slug}/idNNNNNNN/"));
        s.search_url = Some(format!("{REGJERINGEN_SEARCH}{}", query_encode(&document)));
        s.follow = Some(crate::config::Follow::Pdf);
        s.link_pattern = Some(PDF_LINKS.to_string());
    };
    match candidate.kind {
        RefKind::Nou => {
            let slug = numbers(&document)
                .filter(|n| n.len() == 2)
                .map(|n| format!("nou-{}-{}", n[0], n[1]));
            regjeringen(&mut suggestion, Kind::Nou, slug);
        }
        RefKind::Prop => {
            // "Prop. 102 L (2020–2021)" → prop.-102-l-20202021
            let slug = (|| {
                let rest = document.strip_prefix("Prop. ")?;
                let (number, rest) = rest.split_once(' ')?;
                let (letter, session) = rest.split_once(' ')?;
                let years = numbers(session)?;
                (years.len() == 2).then(|| {
                    format!(
                        "prop.-{number}-{}-{}{}",
                        letter.to_lowercase(),
                        years[0],
                        years[1]
                    )
                })
            })();
            regjeringen(&mut suggestion, Kind::Prop, slug);
        }
        RefKind::Meld => {
            // "Meld. St. 9 (2023–2024)" → meld.-st.-9-20232024
            let slug = numbers(&document)
                .filter(|n| n.len() == 3)
                .map(|n| format!("meld.-st.-{}-{}{}", n[0], n[1], n[2]));
            regjeringen(&mut suggestion, Kind::Meld, slug);
        }
        RefKind::StMeld => regjeringen(&mut suggestion, Kind::Meld, None),
        RefKind::Innst | RefKind::Dokument8 => {
            suggestion.search_url = Some(format!(
                "https://www.stortinget.no/no/Sok/?q={}",
                query_encode(&document)
            ));
        }
        RefKind::Law => {
            suggestion.kind = Kind::Lov;
            match LOVDATA.iter().find(|(name, _, _)| *name == document) {
                Some((_, lov, title)) => {
                    suggestion.url = Some(format!("https://lovdata.no/dokument/NL/lov/{lov}"));
                    suggestion.title = Some((*title).to_string());
                    suggestion.selector = Some("main.documentBody".into());
                }
                None => match document.strip_prefix("LOV-") {
                    // A law cited by date or id: its Lovdata address follows from the id.
                    Some(id) => {
                        suggestion.url = Some(format!("https://lovdata.no/dokument/NL/lov/{id}"));
                        suggestion.selector = Some("main.documentBody".into());
                    }
                    None => {
                        suggestion.search_url = Some(format!(
                            "https://lovdata.no/sok?q={}",
                            query_encode(&document)
                        ));
                    }
                },
            }
        }
        RefKind::Regulation => {
            suggestion.kind = Kind::Lov;
            match document.strip_prefix("FOR-") {
                Some(id) => {
                    suggestion.url = Some(format!("https://lovdata.no/dokument/SF/forskrift/{id}"));
                    suggestion.selector = Some("main.documentBody".into());
                }
                None => {
                    suggestion.search_url = Some(format!(
                        "https://lovdata.no/sok?q={}",
                        query_encode(&document)
                    ));
                }
            }
        }
    }
    Some(suggestion)
}

/// The runs of digits in a reference: "Meld. St. 9 (2023–2024)" → [9, 2023, 2024].
fn numbers(text: &str) -> Option<Vec<String>> {
    let found: Vec<String> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (!found.is_empty()).then_some(found)
}

fn query_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn toml_string(text: &str) -> String {
    // A basic TOML string: escape what TOML requires.
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn to_toml(s: &Suggestion) -> String {
    let mut out = String::new();
    let places = s
        .cited_in
        .iter()
        .take(5)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = if s.cited_in.len() > 5 { ", …" } else { "" };
    out.push_str(&format!(
        "# {}: sitert {} gang{} ({places}{more})\n",
        s.document,
        s.count,
        if s.count == 1 { "" } else { "er" }
    ));
    if let Some(pattern) = &s.landing_pattern {
        out.push_str(&format!(
            "# Landingssida har adressa {pattern} (idNNNNNNN er ukjent)\n"
        ));
    }
    if let Some(search) = &s.search_url {
        out.push_str(&format!("# Finn adressa: {search}\n"));
    }
    if s.url.is_none() {
        out.push_str("# Fyll inn url (og tittel) før oppføringa kan brukast.\n");
    }
    out.push_str("[[source]]\n");
    out.push_str(&format!("id = {}\n", toml_string(&s.id)));
    out.push_str(&format!(
        "title = {}\n",
        toml_string(s.title.as_deref().unwrap_or(&s.document))
    ));
    out.push_str(&format!("kind = {}\n", toml_string(s.kind.as_str())));
    out.push_str(&format!(
        "url = {}\n",
        toml_string(s.url.as_deref().unwrap_or(""))
    ));
    if let Some(selector) = &s.selector {
        out.push_str(&format!("selector = {}\n", toml_string(selector)));
    }
    out.push_str(&format!("cites_as = {}\n", toml_string(&s.cites_as)));
    if let Some(follow) = s.follow {
        out.push_str(&format!("follow = {}\n", toml_string(follow.as_str())));
    }
    if let Some(pattern) = &s.link_pattern {
        out.push_str(&format!("link_pattern = '{pattern}'\n"));
    }
    out
}

/// `samspor sources suggest [--json]`.
pub fn run(sources: &Path, index_dir: &Path, command: &SourcesCommand) -> Result<()> {
    let SourcesCommand::Suggest { json } = command;
    let config = crate::follow::load_config(sources, index_dir)?;
    let index = SectionIndex::open(index_dir)?;
    let sections = index.all_sections()?;
    let linker = Linker::for_sources(&config.sources);
    let records = links::collect(sections.iter().map(SectionText::of), &linker);
    let suggestions = suggest(&links::candidates(&records), &config);
    let mut out = std::io::stdout().lock();
    if *json {
        serde_json::to_writer_pretty(
            &mut out,
            &crate::output::SuggestJson {
                suggestions: &suggestions,
            },
        )?;
        writeln!(out)?;
        return Ok(());
    }
    if suggestions.is_empty() {
        writeln!(out, "# Alle siterte dokument er alt i sources.toml.")?;
        return Ok(());
    }
    writeln!(
        out,
        "# Forslag til sources.toml: dokument kjeldene siterer, men som ingen kjelde følgjer.\n# Kopier dei du vil ha inn i {}; samspor endrar aldri fila sjølv.\n",
        sources.display()
    )?;
    for suggestion in &suggestions {
        writeln!(out, "{}", suggestion.toml)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(document: &str, kind: RefKind) -> Candidate {
        Candidate {
            document: document.into(),
            kind,
            count: 2,
            cited_in: vec!["nou-2023-4 3.2".into(), "avtale 5".into()],
        }
    }

    fn config() -> Config {
        Config::parse(
            "[[source]]\nid = \"nou-2023-4\"\ntitle = \"NOU\"\nkind = \"nou\"\nurl = \"https://example.org/\"\n",
            Path::new("sources.toml"),
            Path::new("/"),
        )
        .unwrap()
    }

    #[test]
    fn regjeringen_documents_get_their_landing_pattern() {
        let found = suggest(
            &[
                candidate("NOU 2023: 8", RefKind::Nou),
                candidate("Prop. 102 L (2020–2021)", RefKind::Prop),
                candidate("Meld. St. 9 (2023–2024)", RefKind::Meld),
            ],
            &config(),
        );
        let patterns: Vec<_> = found
            .iter()
            .map(|s| s.landing_pattern.as_deref().unwrap())
            .collect();
        assert_eq!(
            patterns,
            [
                "https://www.regjeringen.no/no/dokumenter/nou-2023-8/idNNNNNNN/",
                "https://www.regjeringen.no/no/dokumenter/prop.-102-l-20202021/idNNNNNNN/",
                "https://www.regjeringen.no/no/dokumenter/meld.-st.-9-20232024/idNNNNNNN/",
            ]
        );
        assert_eq!(found[1].id, "prop-102-l-2020-2021");
        assert_eq!(found[0].kind, Kind::Nou);
        assert!(
            found[0]
                .search_url
                .as_deref()
                .unwrap()
                .ends_with("?term=NOU+2023%3A+8")
        );
        // The drafted entry parses once a url is filled in, and not before.
        let text = found[2].toml.clone();
        let err = Config::parse(&text, Path::new("forslag.toml"), Path::new("/")).unwrap_err();
        assert!(err.to_string().contains("empty url"), "{err}");
        let filled = text.replace(
            "url = \"\"",
            "url = \"https://www.regjeringen.no/no/dokumenter/meld.-st.-9-20232024/id3027594/\"",
        );
        let parsed = Config::parse(&filled, Path::new("forslag.toml"), Path::new("/")).unwrap();
        assert_eq!(
            parsed.sources[0].cites_as.as_deref(),
            Some("Meld. St. 9 (2023–2024)")
        );
        assert_eq!(parsed.sources[0].follow, Some(crate::config::Follow::Pdf));
    }

    #[test]
    fn known_laws_get_their_lovdata_address_and_ids_stay_free() {
        let found = suggest(
            &[
                candidate("helsepersonelloven", RefKind::Law),
                candidate("NOU 2023: 4", RefKind::Nou),
            ],
            &config(),
        );
        assert_eq!(
            found[0].url.as_deref(),
            Some("https://lovdata.no/dokument/NL/lov/1999-07-02-64")
        );
        assert_eq!(found[0].kind, Kind::Lov);
        Config::parse(&found[0].toml, Path::new("forslag.toml"), Path::new("/")).unwrap();
        assert_eq!(
            found[1].id, "nou-2023-4-2",
            "an id in use is not suggested again"
        );
    }
}
