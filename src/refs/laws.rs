//! The table of laws the recogniser knows, and how their names are matched.
//!
//! Only laws in this table are recognised: a bare "§ 6-2" or an unknown
//! "-loven" word is ambiguous, and guessing would put wrong links in the index.

/// One law: its canonical (bokmål) short title, the stems of every name it is
/// written under, and the abbreviations used before or after a paragraph sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Law {
    /// Canonical short title, bokmål, definite form: "helsepersonelloven".
    pub name: &'static str,
    /// Lovdata's id of the act ("LOV-2011-06-24-30"), where the table knows it: a law cited
    /// by date and number or by id gets its short title only through this.
    pub id: Option<&'static str>,
    /// Name stems without the definite/genitive ending ("-en", "-ens", "-a",
    /// "-as"), bokmål and nynorsk, plus former names of the same act.
    pub stems: &'static [&'static str],
    /// Abbreviations without the trailing dot ("hol" for "hol.").
    pub abbreviations: &'static [&'static str],
}

/// The health-sector laws (and the general laws health documents cite most).
pub static LAWS: &[Law] = &[
    Law {
        name: "helse- og omsorgstjenesteloven",
        id: Some("LOV-2011-06-24-30"),
        stems: &[
            "helse- og omsorgstjenestelov",
            "helse- og omsorgstenestelov",
        ],
        abbreviations: &["hol", "hotjl"],
    },
    Law {
        name: "spesialisthelsetjenesteloven",
        id: Some("LOV-1999-07-02-61"),
        stems: &["spesialisthelsetjenestelov", "spesialisthelsetenestelov"],
        abbreviations: &["sphlsl", "sphl"],
    },
    Law {
        name: "pasient- og brukerrettighetsloven",
        id: Some("LOV-1999-07-02-63"),
        // "pasientrettighetsloven" is the same act (LOV-1999-07-02-63) before
        // it was renamed in 2011; older documents cite it under that name.
        stems: &[
            "pasient- og brukerrettighetslov",
            "pasient- og brukarrettslov",
            "pasient- og brukarrettighetslov",
            "pasientrettighetslov",
        ],
        abbreviations: &["pbrl", "pasrl"],
    },
    Law {
        name: "helsepersonelloven",
        id: Some("LOV-1999-07-02-64"),
        stems: &["helsepersonellov"],
        abbreviations: &["hpl", "hlspl"],
    },
    Law {
        name: "psykisk helsevernloven",
        id: Some("LOV-1999-07-02-62"),
        stems: &["psykisk helsevernlov"],
        abbreviations: &["phlvl", "phvl"],
    },
    Law {
        name: "folkehelseloven",
        id: Some("LOV-2011-06-24-29"),
        stems: &["folkehelselov"],
        abbreviations: &["fhl", "folkehl"],
    },
    Law {
        name: "helseforetaksloven",
        id: Some("LOV-2001-06-15-93"),
        stems: &["helseforetakslov", "helseføretakslov"],
        abbreviations: &["hfl", "helseforetaksl"],
    },
    Law {
        name: "pasientjournalloven",
        id: Some("LOV-2014-06-20-42"),
        stems: &["pasientjournallov"],
        abbreviations: &["pjl"],
    },
    Law {
        name: "helseregisterloven",
        id: Some("LOV-2014-06-20-43"),
        stems: &["helseregisterlov"],
        abbreviations: &["hrl"],
    },
    Law {
        name: "kommuneloven",
        id: Some("LOV-2018-06-22-83"),
        stems: &["kommunelov"],
        abbreviations: &["koml"],
    },
    Law {
        name: "plan- og bygningsloven",
        id: Some("LOV-2008-06-27-71"),
        stems: &["plan- og bygningslov"],
        abbreviations: &["pbl"],
    },
    Law {
        name: "tannhelsetjenesteloven",
        id: None,
        stems: &["tannhelsetjenestelov", "tannhelsetenestelov"],
        abbreviations: &["tannhelsetjl", "thtl"],
    },
    Law {
        name: "smittevernloven",
        id: Some("LOV-1994-08-05-55"),
        stems: &["smittevernlov"],
        abbreviations: &["smvl"],
    },
    Law {
        name: "helsetilsynsloven",
        id: None,
        stems: &["helsetilsynslov"],
        abbreviations: &["helsetilsynsl"],
    },
    Law {
        name: "pasientskadeloven",
        id: None,
        stems: &["pasientskadelov"],
        abbreviations: &["passkl"],
    },
    Law {
        name: "forvaltningsloven",
        id: None,
        stems: &["forvaltningslov"],
        abbreviations: &["fvl"],
    },
    Law {
        // The act's official short title is nynorsk in both written standards.
        name: "offentleglova",
        id: None,
        stems: &["offentleglov"],
        abbreviations: &["offl"],
    },
    Law {
        name: "folketrygdloven",
        id: Some("LOV-1997-02-28-19"),
        stems: &["folketrygdlov"],
        abbreviations: &["ftrl"],
    },
    Law {
        name: "barnevernsloven",
        id: Some("LOV-2021-06-18-97"),
        stems: &["barnevernslov", "barnevernlov"],
        abbreviations: &["bvl"],
    },
    Law {
        name: "sosialtjenesteloven",
        id: Some("LOV-2009-12-18-131"),
        stems: &["sosialtjenestelov", "sosialtenestelov"],
        abbreviations: &["sotjl"],
    },
    Law {
        name: "personopplysningsloven",
        id: None,
        stems: &["personopplysningslov"],
        abbreviations: &["popplyl"],
    },
    Law {
        // The Constitution: its name is written with a capital letter.
        name: "Grunnloven",
        id: Some("LOV-1814-05-17"),
        stems: &["grunnlov"],
        abbreviations: &["grl"],
    },
    Law {
        // Repealed in 2012 (replaced by helse- og omsorgstjenesteloven), still cited in
        // histories and older agreements.
        name: "kommunehelsetjenesteloven",
        id: None,
        stems: &["kommunehelsetjenestelov", "kommunehelsetenestelov"],
        abbreviations: &["khl"],
    },
    Law {
        name: "husleieloven",
        id: Some("LOV-1999-03-26-17"),
        stems: &["husleielov"],
        abbreviations: &["husll"],
    },
    Law {
        name: "krisesenterloven",
        id: Some("LOV-2009-06-19-44"),
        stems: &["krisesenterlov"],
        abbreviations: &[],
    },
    Law {
        name: "helseberedskapsloven",
        id: None,
        stems: &["helseberedskapslov"],
        abbreviations: &["hberedskl"],
    },
    Law {
        name: "tobakksskadeloven",
        id: None,
        stems: &["tobakksskadelov"],
        abbreviations: &["tobakkskl"],
    },
    Law {
        name: "arbeidsmiljøloven",
        id: None,
        stems: &["arbeidsmiljølov"],
        abbreviations: &["aml"],
    },
    Law {
        name: "alkoholloven",
        id: None,
        stems: &["alkohollov"],
        abbreviations: &["alkl"],
    },
];

/// An act's full title ("lov om kommunale helse- og omsorgstjenester m.m."), the words after
/// "lov om", bokmål and nynorsk (and a former title of the same act), with the act's Lovdata id.
/// A law cited by its title gets the same canonical form as one cited by date and number: its
/// short title when [`LAWS`] knows the id, else the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Title {
    pub id: &'static str,
    /// The subject after "lov om", without a trailing "m.m." / "mv.".
    pub subjects: &'static [&'static str],
}

/// Full titles of the acts health documents cite by title.
pub static TITLES: &[Title] = &[
    Title {
        id: "LOV-2011-06-24-30",
        subjects: &[
            "kommunale helse- og omsorgstjenester",
            "kommunale helse- og omsorgstenester",
        ],
    },
    Title {
        id: "LOV-1999-07-02-61",
        subjects: &["spesialisthelsetjenesten", "spesialisthelsetenesta"],
    },
    Title {
        id: "LOV-1999-07-02-62",
        subjects: &["etablering og gjennomføring av psykisk helsevern"],
    },
    Title {
        id: "LOV-1999-07-02-63",
        subjects: &[
            "pasient- og brukerrettigheter",
            "pasient- og brukarrettar",
            "pasientrettigheter",
        ],
    },
    Title {
        id: "LOV-1999-07-02-64",
        subjects: &["helsepersonell"],
    },
    Title {
        id: "LOV-2011-06-24-29",
        subjects: &["folkehelsearbeid"],
    },
    Title {
        id: "LOV-2001-06-15-93",
        subjects: &["helseforetak", "helseføretak"],
    },
    Title {
        id: "LOV-2014-06-20-42",
        subjects: &[
            "behandling av helseopplysninger ved ytelse av helsehjelp",
            "behandling av helseopplysningar ved yting av helsehjelp",
        ],
    },
    Title {
        id: "LOV-2014-06-20-43",
        subjects: &[
            "helseregistre og behandling av helseopplysninger",
            "helseregister og behandling av helseopplysningar",
        ],
    },
    Title {
        id: "LOV-2018-06-22-83",
        subjects: &["kommuner og fylkeskommuner", "kommunar og fylkeskommunar"],
    },
    Title {
        id: "LOV-2008-06-27-71",
        subjects: &[
            "planlegging og byggesaksbehandling",
            "planlegging og byggjesakshandsaming",
        ],
    },
    Title {
        id: "LOV-1994-08-05-55",
        subjects: &[
            "vern mot smittsomme sykdommer",
            "vern mot smittsame sjukdommar",
        ],
    },
    Title {
        id: "LOV-1997-02-28-19",
        subjects: &["folketrygd"],
    },
    Title {
        id: "LOV-2021-06-18-97",
        subjects: &["barnevern"],
    },
    Title {
        id: "LOV-2009-12-18-131",
        subjects: &[
            "sosiale tjenester i arbeids- og velferdsforvaltningen",
            "sosiale tenester i arbeids- og velferdsforvaltninga",
        ],
    },
    Title {
        id: "LOV-1999-03-26-17",
        subjects: &["husleieavtaler", "husleigeavtaler"],
    },
    Title {
        id: "LOV-2009-06-19-44",
        subjects: &["kommunale krisesentertilbod", "kommunale krisesentertilbud"],
    },
    Title {
        id: "LOV-1983-06-03-54",
        subjects: &["tannhelsetjenesten", "tannhelsetenesta"],
    },
    Title {
        id: "LOV-2017-12-15-107",
        subjects: &[
            "statlig tilsyn med helse- og omsorgstjenesten",
            "statleg tilsyn med helse- og omsorgstenesta",
        ],
    },
    Title {
        id: "LOV-2017-06-16-56",
        subjects: &[
            "Statens undersøkelseskommisjon for helse- og omsorgstjenesten",
            "Statens undersøkingskommisjon for helse- og omsorgstenesta",
        ],
    },
    Title {
        id: "LOV-2001-06-15-53",
        subjects: &[
            "erstatning ved pasientskader",
            "erstatning ved pasientskadar",
        ],
    },
    Title {
        id: "LOV-2018-06-15-38",
        subjects: &[
            "behandling av personopplysninger",
            "behandling av personopplysningar",
        ],
    },
    Title {
        id: "LOV-2006-05-19-16",
        subjects: &[
            "rett til innsyn i dokument i offentleg verksemd",
            "rett til innsyn i dokumenter i offentlig virksomhet",
        ],
    },
    Title {
        id: "LOV-1982-11-19-66",
        subjects: &["helsetjenesten i kommunene", "helsetenesta i kommunane"],
    },
    Title {
        id: "LOV-2000-06-23-56",
        subjects: &["helsemessig og sosial beredskap"],
    },
    Title {
        id: "LOV-1973-03-09-14",
        subjects: &["vern mot tobakksskader"],
    },
    Title {
        id: "LOV-2005-06-17-62",
        subjects: &["arbeidsmiljø, arbeidstid og stillingsvern"],
    },
];

/// "m.m.", "mv.", "m.v.": the end of many titles, as Lovdata writes them.
pub const ET_CETERA_WORD: &str = r"(?:m\.\s?m\.|m\.\s?v\.|mv\.)";

/// [`ET_CETERA_WORD`] after a title.
const ET_CETERA: &str = r"(?:\s+(?:m\.\s?m\.|m\.\s?v\.|mv\.))";

/// Regex fragment matching a law cited by its full title: "lov om kommunale helse- og
/// omsorgstjenester m.m.", "lova om spesialisthelsetenesta", "Lov om Statens
/// undersøkelseskommisjon for helse- og omsorgstjenesten". The title ends at a word boundary:
/// "lov om barnevernstjenester" is not "lov om barnevern".
pub fn title_pattern() -> String {
    let mut subjects: Vec<&str> = TITLES
        .iter()
        .flat_map(|t| t.subjects.iter().copied())
        .collect();
    subjects.sort_by_key(|s| std::cmp::Reverse(s.len()));
    subjects.dedup();
    let alternatives: Vec<String> = subjects.iter().map(|s| stem_pattern(s)).collect();
    format!(
        r"\b(?i:lov(?:a|en)?\s+om\s+(?:{})\b{ET_CETERA}?)",
        alternatives.join("|")
    )
}

/// The Lovdata id of the act a written title names ("lov om kommunale helse- og
/// omsorgstenester m.m." → "LOV-2011-06-24-30").
pub fn lookup_title(written: &str) -> Option<&'static str> {
    let key = lookup_key(written);
    let rest = ["lov om ", "lova om ", "loven om "]
        .iter()
        .find_map(|p| key.strip_prefix(p))?;
    let rest = ["m m", "m v", "mv"]
        .iter()
        .find_map(|tail| rest.strip_suffix(tail).map(str::trim_end))
        .unwrap_or(rest);
    TITLES
        .iter()
        .find(|t| t.subjects.iter().any(|s| lookup_key(s) == rest))
        .map(|t| t.id)
}

/// Endings a stem takes in running text: bokmål definite/genitive ("-en",
/// "-ens") and nynorsk (or radical bokmål) definite/genitive ("-a", "-as").
const ENDINGS: &[&str] = &["ens", "en", "as", "a"];

/// Regex fragment matching any full law name with its ending, e.g.
/// "helse- og omsorgstenestelovas". Whitespace inside a name may be any
/// run of Unicode whitespace (line breaks, non-breaking spaces), and the
/// space after a coordinating hyphen ("helse- og") may be missing.
pub fn name_pattern() -> String {
    let mut stems: Vec<&str> = LAWS.iter().flat_map(|l| l.stems.iter().copied()).collect();
    // Longest first, so that no stem can shadow a longer one in the alternation.
    stems.sort_by_key(|s| std::cmp::Reverse(s.len()));
    stems.dedup();
    let alternatives: Vec<String> = stems.iter().map(|s| stem_pattern(s)).collect();
    format!(
        r"(?i:(?:{})(?:{}))",
        alternatives.join("|"),
        ENDINGS.join("|")
    )
}

/// Regex fragment matching any abbreviation (without its optional dot).
pub fn abbreviation_pattern() -> String {
    let mut abbreviations: Vec<&str> = LAWS
        .iter()
        .flat_map(|l| l.abbreviations.iter().copied())
        .collect();
    abbreviations.sort_by_key(|s| std::cmp::Reverse(s.len()));
    abbreviations.dedup();
    format!("(?:{})", abbreviations.join("|"))
}

fn stem_pattern(stem: &str) -> String {
    let mut out = String::new();
    let mut chars = stem.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&' ') => {
                chars.next();
                out.push_str(r"-\s*");
            }
            ' ' => out.push_str(r"\s+"),
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    out
}

/// Normalises a name or abbreviation for lookup: lower case, no dots, and
/// hyphens and whitespace runs folded to single spaces, so that "Helse- og
/// omsorgstjenesteloven", "helse-\nog omsorgstjenesteloven" and a user's
/// "helse og omsorgstjenesteloven" all give the same key.
fn lookup_key(text: &str) -> String {
    let lowered = text.to_lowercase().replace(['.', '-', '‐', '‑'], " ");
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Finds the law a written name ("helse- og omsorgstenestelovas") or
/// abbreviation ("hol.", "Hol") refers to.
pub fn lookup(written: &str) -> Option<&'static Law> {
    let key = lookup_key(written);
    if key.is_empty() {
        return None;
    }
    LAWS.iter().find(|law| {
        law.abbreviations.contains(&key.as_str())
            || law.stems.iter().any(|stem| {
                let stem_key = lookup_key(stem);
                key.strip_prefix(stem_key.as_str())
                    .is_some_and(|ending| ENDINGS.contains(&ending))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_law_name_is_found_by_its_own_canonical_name() {
        for law in LAWS {
            assert_eq!(lookup(law.name).map(|l| l.name), Some(law.name));
        }
    }

    #[test]
    fn lookup_accepts_nynorsk_genitive_and_abbreviations() {
        let hol = "helse- og omsorgstjenesteloven";
        assert_eq!(
            lookup("helse- og omsorgstenestelovas").map(|l| l.name),
            Some(hol)
        );
        assert_eq!(
            lookup("Helse-\nog omsorgstjenestelovens").map(|l| l.name),
            Some(hol)
        );
        assert_eq!(lookup("hol.").map(|l| l.name), Some(hol));
        assert_eq!(
            lookup("pasient- og brukarrettslova").map(|l| l.name),
            Some("pasient- og brukerrettighetsloven")
        );
        assert_eq!(lookup("lova"), None);
        assert_eq!(lookup("helsepersonellovutvalget"), None);
    }

    #[test]
    fn abbreviations_are_unique_across_laws() {
        let mut seen = std::collections::HashSet::new();
        for law in LAWS {
            for a in law.abbreviations {
                assert!(seen.insert(*a), "abbreviation {a} used twice");
            }
        }
    }

    #[test]
    fn titles_resolve_to_ids_with_or_without_et_cetera() {
        assert_eq!(
            lookup_title("lov om kommunale helse- og omsorgstjenester m.m."),
            Some("LOV-2011-06-24-30")
        );
        assert_eq!(
            lookup_title("Lova om kommunale helse-\nog omsorgstenester"),
            Some("LOV-2011-06-24-30")
        );
        assert_eq!(
            lookup_title("lov om statlig tilsyn med helse- og omsorgstjenesten mv."),
            Some("LOV-2017-12-15-107")
        );
        assert_eq!(
            lookup_title("lov om helsepersonell m. v."),
            Some("LOV-1999-07-02-64")
        );
        assert_eq!(lookup_title("lov om kommunale tjenester"), None);
        assert_eq!(lookup_title("kommunale helse- og omsorgstjenester"), None);
        let re = regex::Regex::new(&format!(r"^{}$", title_pattern())).unwrap();
        assert!(re.is_match("Lov om spesialisthelsetjenesten m.m."));
        assert!(re.is_match("lova om pasient- og brukarrettar"));
        assert!(!re.is_match("lov om barnevernstjenester"));
    }

    #[test]
    fn every_title_id_is_well_formed_and_every_table_id_has_a_title() {
        let id = regex::Regex::new(r"^LOV-\d{4}-\d{2}-\d{2}-\d{1,4}$").unwrap();
        for title in TITLES {
            assert!(id.is_match(title.id), "{}", title.id);
            assert!(!title.subjects.is_empty());
        }
        for law in LAWS.iter().filter(|l| l.name != "Grunnloven") {
            if let Some(law_id) = law.id {
                assert!(
                    TITLES.iter().any(|t| t.id == law_id),
                    "{} has no title",
                    law.name
                );
            }
        }
    }

    #[test]
    fn name_pattern_matches_whole_names_only() {
        let re = regex::Regex::new(&format!(r"^{}$", name_pattern())).unwrap();
        assert!(re.is_match("Spesialisthelsetenestelova"));
        assert!(re.is_match("plan-\nog bygningslovens"));
        assert!(re.is_match("psykisk\u{a0}helsevernloven"));
        assert!(!re.is_match("helsepersonellov"));
        assert!(!re.is_match("kommunelovutvalget"));
    }
}
