//! The table of laws the recogniser knows, and how their names are matched.
//!
//! A law in this table is recognised by name alone ("etter folkehelseloven"). A name the table
//! does not know ("sameloven", "jordlova") counts only with a paragraph beside it
//! ("sameloven § 3-1"): alone, such a word may be an informal or generic name ("røykeloven",
//! "endringsloven"). Its canonical form is the written word in the bokmål definite form.

/// How an act numbers its paragraphs: "§ 6-2" (chapter and number) or "§ 21" (running
/// numbers). A bare paragraph written in the other form cannot belong to that act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    Chapters,
    Plain,
    Unknown,
}

impl Numbering {
    /// Whether a paragraph number as canonicalised ("6-2 a", "21 a") fits this numbering.
    pub fn fits(self, paragraph: &str) -> bool {
        let chaptered = paragraph.contains('-');
        match self {
            Numbering::Chapters => chaptered,
            Numbering::Plain => !chaptered,
            Numbering::Unknown => true,
        }
    }
}

/// One law: its canonical (bokmål) short title, the stems of every name it is
/// written under, and the abbreviations used before or after a paragraph sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Law {
    /// Canonical short title, bokmål, definite form: "helsepersonelloven" (the official
    /// nynorsk short titles "offentleglova", "barnelova", "opplæringslova" as they are).
    pub name: &'static str,
    /// Lovdata's id of the act ("LOV-2011-06-24-30"), where the table knows it: a law cited
    /// by date and number or by id gets its short title only through this, so that one act
    /// is one document (one graph node) however it is cited.
    pub id: Option<&'static str>,
    /// Name stems without the definite/genitive ending ("-en", "-ens", "-a",
    /// "-as"), bokmål and nynorsk, plus former names of the same act.
    pub stems: &'static [&'static str],
    /// Abbreviations without the trailing dot ("hol" for "hol.").
    pub abbreviations: &'static [&'static str],
    /// How the act numbers its paragraphs.
    pub numbering: Numbering,
}

/// The health-sector laws, and the welfare, public-administration and tax laws health and
/// welfare documents cite. Ids and numbering are those of the act in force (Lovdata).
pub static LAWS: &[Law] = &[
    Law {
        name: "helse- og omsorgstjenesteloven",
        id: Some("LOV-2011-06-24-30"),
        stems: &[
            "helse- og omsorgstjenestelov",
            "helse- og omsorgstenestelov",
        ],
        abbreviations: &["hol", "hotjl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "spesialisthelsetjenesteloven",
        id: Some("LOV-1999-07-02-61"),
        stems: &["spesialisthelsetjenestelov", "spesialisthelsetenestelov"],
        abbreviations: &["sphlsl", "sphl"],
        numbering: Numbering::Chapters,
    },
    Law {
        // "pasientrettighetsloven" is the same act (LOV-1999-07-02-63) before
        // it was renamed in 2011; older documents cite it under that name.
        name: "pasient- og brukerrettighetsloven",
        id: Some("LOV-1999-07-02-63"),
        stems: &[
            "pasient- og brukerrettighetslov",
            "pasient- og brukarrettslov",
            "pasient- og brukarrettighetslov",
            "pasientrettighetslov",
        ],
        abbreviations: &["pbrl", "pasrl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "helsepersonelloven",
        id: Some("LOV-1999-07-02-64"),
        stems: &["helsepersonellov"],
        abbreviations: &["hpl", "hlspl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "psykisk helsevernloven",
        id: Some("LOV-1999-07-02-62"),
        stems: &["psykisk helsevernlov"],
        abbreviations: &["phlvl", "phvl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "folkehelseloven",
        id: Some("LOV-2011-06-24-29"),
        stems: &["folkehelselov"],
        abbreviations: &["fhl", "folkehl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "helseforetaksloven",
        id: Some("LOV-2001-06-15-93"),
        stems: &["helseforetakslov", "helseføretakslov"],
        abbreviations: &["hfl", "helseforetaksl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "pasientjournalloven",
        id: Some("LOV-2014-06-20-42"),
        stems: &["pasientjournallov"],
        abbreviations: &["pjl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "helseregisterloven",
        id: Some("LOV-2014-06-20-43"),
        stems: &["helseregisterlov"],
        abbreviations: &["hrl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "kommuneloven",
        id: Some("LOV-2018-06-22-83"),
        stems: &["kommunelov"],
        abbreviations: &["koml"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "plan- og bygningsloven",
        id: Some("LOV-2008-06-27-71"),
        stems: &["plan- og bygningslov"],
        abbreviations: &["pbl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "tannhelsetjenesteloven",
        id: Some("LOV-1983-06-03-54"),
        stems: &["tannhelsetjenestelov", "tannhelsetenestelov"],
        abbreviations: &["tannhelsetjl", "thtl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "smittevernloven",
        id: Some("LOV-1994-08-05-55"),
        stems: &["smittevernlov"],
        abbreviations: &["smvl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "helsetilsynsloven",
        id: Some("LOV-2017-12-15-107"),
        stems: &["helsetilsynslov"],
        abbreviations: &["helsetilsynsl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "pasientskadeloven",
        id: Some("LOV-2001-06-15-53"),
        stems: &["pasientskadelov"],
        abbreviations: &["passkl"],
        numbering: Numbering::Plain,
    },
    Law {
        // LOV-1967-02-10 has no number, so no dated form can name it; the act of 2025 replacing
        // it is numbered in chapters. The name is kept apart from both ids.
        name: "forvaltningsloven",
        id: None,
        stems: &["forvaltningslov"],
        abbreviations: &["fvl"],
        numbering: Numbering::Plain,
    },
    Law {
        // The act's official short title is nynorsk in both written standards.
        name: "offentleglova",
        id: Some("LOV-2006-05-19-16"),
        stems: &["offentleglov"],
        abbreviations: &["offl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "folketrygdloven",
        id: Some("LOV-1997-02-28-19"),
        stems: &["folketrygdlov"],
        abbreviations: &["ftrl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "barnevernsloven",
        id: Some("LOV-2021-06-18-97"),
        stems: &["barnevernslov", "barnevernlov"],
        abbreviations: &["bvl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "sosialtjenesteloven",
        id: Some("LOV-2009-12-18-131"),
        stems: &["sosialtjenestelov", "sosialtenestelov"],
        abbreviations: &["sotjl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "personopplysningsloven",
        id: Some("LOV-2018-06-15-38"),
        stems: &["personopplysningslov"],
        abbreviations: &["popplyl"],
        numbering: Numbering::Plain,
    },
    Law {
        // The Constitution (LOV-1814-05-17, no number): its name is written with a capital letter.
        name: "Grunnloven",
        id: None,
        stems: &["grunnlov"],
        abbreviations: &["grl"],
        numbering: Numbering::Plain,
    },
    Law {
        // Repealed in 2012 (replaced by helse- og omsorgstjenesteloven), still cited in
        // histories and older agreements.
        name: "kommunehelsetjenesteloven",
        id: Some("LOV-1982-11-19-66"),
        stems: &["kommunehelsetjenestelov", "kommunehelsetenestelov"],
        abbreviations: &["khl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "husleieloven",
        id: Some("LOV-1999-03-26-17"),
        stems: &["husleielov", "husleigelov"],
        abbreviations: &["husll"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "krisesenterloven",
        id: Some("LOV-2009-06-19-44"),
        stems: &["krisesenterlov"],
        abbreviations: &[],
        numbering: Numbering::Plain,
    },
    Law {
        name: "helseberedskapsloven",
        id: Some("LOV-2000-06-23-56"),
        stems: &["helseberedskapslov"],
        abbreviations: &["hberedskl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "tobakksskadeloven",
        id: Some("LOV-1973-03-09-14"),
        stems: &["tobakksskadelov"],
        abbreviations: &["tobakkskl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "arbeidsmiljøloven",
        id: Some("LOV-2005-06-17-62"),
        stems: &["arbeidsmiljølov"],
        abbreviations: &["aml"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "alkoholloven",
        id: Some("LOV-1989-06-02-27"),
        stems: &["alkohollov"],
        abbreviations: &["alkl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "arbeids- og velferdsforvaltningsloven",
        id: Some("LOV-2006-06-16-20"),
        stems: &["arbeids- og velferdsforvaltningslov", "nav-lov"],
        abbreviations: &["navl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "merverdiavgiftsloven",
        id: Some("LOV-2009-06-19-58"),
        stems: &["merverdiavgiftslov", "meirverdiavgiftslov"],
        abbreviations: &["mval"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "skatteloven",
        id: Some("LOV-1999-03-26-14"),
        stems: &["skattelov"],
        abbreviations: &["sktl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "tolloven",
        id: Some("LOV-2007-12-21-119"),
        stems: &["tollov"],
        abbreviations: &[],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "barnehageloven",
        id: Some("LOV-2005-06-17-64"),
        stems: &["barnehagelov"],
        abbreviations: &["bhl"],
        numbering: Numbering::Plain,
    },
    Law {
        // Official short title nynorsk in both standards. Two acts carry it (LOV-1998-07-17-61 and
        // its successor LOV-2023-06-09-30): the name is not tied to either id.
        name: "opplæringslova",
        id: None,
        stems: &["opplæringslov"],
        abbreviations: &["oppll"],
        numbering: Numbering::Chapters,
    },
    Law {
        // Official short title nynorsk in both standards.
        name: "barnelova",
        id: Some("LOV-1981-04-08-7"),
        stems: &["barnelov"],
        abbreviations: &[],
        numbering: Numbering::Plain,
    },
    Law {
        name: "likestillings- og diskrimineringsloven",
        id: Some("LOV-2017-06-16-51"),
        stems: &["likestillings- og diskrimineringslov"],
        abbreviations: &["ldl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "vergemålsloven",
        id: Some("LOV-2010-03-26-9"),
        stems: &["vergemålslov"],
        abbreviations: &["vgml"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "straffeloven",
        id: Some("LOV-2005-05-20-28"),
        stems: &["straffelov"],
        abbreviations: &["strl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "straffeprosessloven",
        id: Some("LOV-1981-05-22-25"),
        stems: &["straffeprosesslov"],
        abbreviations: &["strpl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "tvisteloven",
        id: Some("LOV-2005-06-17-90"),
        stems: &["tvistelov"],
        abbreviations: &["tvl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "abortloven",
        id: Some("LOV-1975-06-13-50"),
        stems: &["abortlov"],
        abbreviations: &[],
        numbering: Numbering::Plain,
    },
    Law {
        name: "apotekloven",
        id: Some("LOV-2000-06-02-39"),
        stems: &["apoteklov"],
        abbreviations: &["apotekl"],
        numbering: Numbering::Chapters,
    },
    Law {
        name: "legemiddelloven",
        id: Some("LOV-1992-12-04-132"),
        stems: &["legemiddellov"],
        abbreviations: &["lmvl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "bioteknologiloven",
        id: Some("LOV-2003-12-05-100"),
        stems: &["bioteknologilov"],
        abbreviations: &["btl"],
        numbering: Numbering::Chapters,
    },
    Law {
        // Official short title nynorsk in both standards.
        name: "arkivlova",
        id: Some("LOV-1992-12-04-126"),
        stems: &["arkivlov"],
        abbreviations: &[],
        numbering: Numbering::Plain,
    },
    Law {
        name: "introduksjonsloven",
        id: Some("LOV-2003-07-04-80"),
        stems: &["introduksjonslov"],
        abbreviations: &["introl"],
        numbering: Numbering::Plain,
    },
    Law {
        name: "integreringsloven",
        id: Some("LOV-2020-11-06-127"),
        stems: &["integreringslov"],
        abbreviations: &[],
        numbering: Numbering::Plain,
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
    Title {
        id: "LOV-2009-06-19-58",
        subjects: &["merverdiavgift", "meirverdiavgift"],
    },
    Title {
        id: "LOV-1999-03-26-14",
        subjects: &["skatt av formue og inntekt"],
    },
    Title {
        id: "LOV-2006-06-16-20",
        subjects: &[
            "arbeids- og velferdsforvaltningen",
            "arbeids- og velferdsforvaltninga",
        ],
    },
    Title {
        id: "LOV-2005-06-17-64",
        subjects: &["barnehager", "barnehagar"],
    },
    Title {
        id: "LOV-2017-06-16-51",
        subjects: &[
            "likestilling og forbud mot diskriminering",
            "likestilling og forbod mot diskriminering",
        ],
    },
    Title {
        id: "LOV-2010-03-26-9",
        subjects: &["vergemål"],
    },
    Title {
        id: "LOV-1975-06-13-50",
        subjects: &["svangerskapsavbrudd", "svangerskapsavbrot"],
    },
    Title {
        id: "LOV-1989-06-02-27",
        subjects: &[
            "omsetning av alkoholholdig drikk",
            "omsetning av alkoholhaldig drikk",
        ],
    },
    Title {
        id: "LOV-2000-06-02-39",
        subjects: &["apotek"],
    },
    Title {
        id: "LOV-1992-12-04-132",
        subjects: &["legemidler", "legemiddel"],
    },
    Title {
        id: "LOV-1981-04-08-7",
        subjects: &["barn og foreldre"],
    },
    Title {
        id: "LOV-1992-12-04-126",
        subjects: &["arkiv"],
    },
    Title {
        id: "LOV-2005-06-17-90",
        subjects: &["mekling og rettergang i sivile tvister"],
    },
    Title {
        id: "LOV-2007-12-21-119",
        subjects: &["toll og vareførsel"],
    },
    Title {
        id: "LOV-2005-05-20-28",
        subjects: &["straff"],
    },
    Title {
        id: "LOV-1981-05-22-25",
        subjects: &["rettergangsmåten i straffesaker"],
    },
    Title {
        id: "LOV-2003-12-05-100",
        subjects: &["humanmedisinsk bruk av bioteknologi"],
    },
    Title {
        id: "LOV-2003-07-04-80",
        subjects: &["introduksjonsordning og norskopplæring for nyankomne innvandrere"],
    },
    Title {
        id: "LOV-2020-11-06-127",
        subjects: &["integrering gjennom opplæring, utdanning og arbeid"],
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

/// Regex fragment for a one-word law or regulation name the tables do not know: "sameloven",
/// "jordlova", "drikkevannsforskriften" (at least three letters before "lov"/"forskrift").
pub fn unknown_name_pattern() -> String {
    r"\b\p{L}[\p{Ll}-]{2,}?(?:lov|forskrift)(?:ens|en|as|a)\b".to_string()
}

/// Words ending in "-loven"/"-lova" that are not the name of an act: kinds of law
/// ("endringsloven", "særloven"), and nynorsk verbs ("utlova", "forlova").
const NOT_ACTS: &[&str] = &[
    "endrings",
    "endringar",
    "hoved",
    "hovud",
    "sær",
    "sekke",
    "modell",
    "ramme",
    "for",
    "ut",
    "tru",
];

/// A one-word name of an act the tables do not know, canonicalised: the stem with the
/// bokmål definite ending ("jordlova" → "jordloven", "drikkevannsforskrifta" →
/// "drikkevannsforskriften"). `None` for a name the tables know, or a word that names no act.
/// The flag says whether it is a regulation.
pub fn unknown_name(written: &str) -> Option<(String, bool)> {
    let lower = written.trim().to_lowercase();
    if lower.contains(char::is_whitespace) || lookup(&lower).is_some() {
        return None;
    }
    let stem = ENDINGS
        .iter()
        .find_map(|ending| lower.strip_suffix(ending))?;
    let (prefix, regulation) = if let Some(prefix) = stem.strip_suffix("forskrift") {
        (prefix, true)
    } else {
        (stem.strip_suffix("lov")?, false)
    };
    let trimmed = prefix.trim_end_matches('-');
    if trimmed.chars().count() < 3 || NOT_ACTS.contains(&trimmed) {
        return None;
    }
    Some((format!("{stem}en"), regulation))
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
        for law in LAWS {
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
