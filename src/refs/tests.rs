//! Unit tests for the recogniser, one group per written form.

use super::*;

/// Canonical forms found in `text`, in order.
fn canon(text: &str) -> Vec<String> {
    find_citations(text)
        .into_iter()
        .map(|c| c.canonical)
        .collect()
}

fn one(text: &str) -> Citation {
    let found = find_citations(text);
    assert_eq!(
        found.len(),
        1,
        "expected one citation in {text:?}, got {found:#?}"
    );
    found.into_iter().next().unwrap()
}

#[test]
fn nou_spacing_variants() {
    for text in [
        "Utvalet la fram NOU 2023: 4 i fjor.",
        "Se NOU 2023:4.",
        "Se NOU 2023 : 4 om tenestene.",
        "Se NOU 2023 :4 om tenestene.",
        "Se NOU\u{a0}2023:\u{a0}4 om tenestene.",
        "Se NOU 2023:\n4 om tenestene.",
    ] {
        let c = one(text);
        assert_eq!(c.kind, RefKind::Nou);
        assert_eq!(c.canonical, "NOU 2023: 4", "in {text:?}");
        assert_eq!(c.document, "NOU 2023: 4");
        assert_eq!(c.chapter, None);
        // `written` is the citation on one line; the span still points at the original.
        assert_eq!(
            text[c.start..c.end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            c.written
        );
        assert!(c.written.starts_with("NOU"));
    }
}

#[test]
fn written_is_one_line_and_the_span_keeps_the_break() {
    let text = "jf. NOU 2023:\n4";
    let c = one(text);
    assert_eq!(c.written, "NOU 2023: 4");
    assert_eq!(&text[c.start..c.end], "NOU 2023:\n4");
    assert_eq!(c.start, 4);
    assert_eq!(c.end, text.len());
    let c = one("Sjå St.meld. nr. 2\n\n(2004–2005) om dette.");
    assert_eq!(c.written, "St.meld. nr. 2 (2004–2005)");
}

#[test]
fn nou_chapter_before_and_after() {
    for (text, chapter) in [
        ("Dette står i kapittel 6 i NOU 2023: 8.", "6"),
        ("Dette står i kap. 6 i NOU 2023: 8.", "6"),
        ("Dette står i NOU 2023: 8 kapittel 6.", "6"),
        (
            "Dette står i NOU 2023: 8, kapittel 6.2 om samhandling.",
            "6.2",
        ),
        ("Kapittel 6.2 i NOU 2023: 8 drøftar dette.", "6.2"),
    ] {
        let c = one(text);
        assert_eq!(c.canonical, "NOU 2023: 8", "in {text:?}");
        assert_eq!(c.document, "NOU 2023: 8");
        assert_eq!(c.chapter.as_deref(), Some(chapter), "in {text:?}");
        assert!(c.written.to_lowercase().contains("kap"));
    }
}

#[test]
fn chapter_before_next_citation_belongs_to_it() {
    let found = find_citations("Sjå NOU 2023: 4, kapittel 5 i Meld. St. 9 (2022–2023).");
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].chapter, None);
    assert_eq!(found[1].canonical, "Meld. St. 9 (2022–2023)");
    assert_eq!(found[1].chapter.as_deref(), Some("5"));
}

#[test]
fn prop_sessions_are_normalised() {
    for text in [
        "Prop. 102 L (2020–2021)",
        "Prop. 102 L (2020-2021)",
        "Prop. 102 L (2020–21)",
        "Prop. 102 L (2020/2021)",
        "Prop. 102 L (2020-21)",
        "Prop. 102 L\n(2020 – 2021)",
        "prop. 102 L (2020–2021)",
    ] {
        let c = one(&format!("Departementet viser til {text} om endringar."));
        assert_eq!(c.kind, RefKind::Prop);
        assert_eq!(c.canonical, "Prop. 102 L (2020–2021)", "in {text:?}");
        assert_eq!(
            c.written,
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
}

#[test]
fn prop_without_session_and_letters() {
    assert_eq!(canon("Sjå Prop. 1 S for budsjettet."), ["Prop. 1 S"]);
    assert_eq!(
        canon("Prop. 12 LS (2019–2020) gjeld"),
        ["Prop. 12 LS (2019–2020)"]
    );
    assert_eq!(
        canon("Sjå Prop. 1 S (2023–2024)."),
        ["Prop. 1 S (2023–2024)"]
    );
}

#[test]
fn invalid_session_is_left_out() {
    // Not two consecutive years: the proposition is still cited, the
    // bracket is not read as its session.
    let c = one("Prop. 7 L (2020–2023) og meir");
    assert_eq!(c.canonical, "Prop. 7 L");
    assert_eq!(c.written, "Prop. 7 L");
}

#[test]
fn older_propositions() {
    assert_eq!(
        canon("jf. Ot.prp. nr. 12 (1998-99)"),
        ["Ot.prp. nr. 12 (1998–1999)"]
    );
    assert_eq!(
        canon("St.prp. nr. 1 (1999–2000)"),
        ["St.prp. nr. 1 (1999–2000)"]
    );
}

#[test]
fn century_turn_short_year() {
    assert_eq!(
        canon("St.meld. nr. 9 (1999–00)"),
        ["St.meld. nr. 9 (1999–2000)"]
    );
}

#[test]
fn meld_st_and_st_meld() {
    let c = one("Meld. St. 7 (2019–2020) Nasjonal helse- og sjukehusplan");
    assert_eq!(c.kind, RefKind::Meld);
    assert_eq!(c.canonical, "Meld. St. 7 (2019–2020)");
    for text in [
        "St.meld. nr. 47 (2008–2009)",
        "St. meld. nr. 47 (2008-2009)",
    ] {
        let c = one(&format!("Samhandlingsreforma kom med {text}."));
        assert_eq!(c.kind, RefKind::StMeld);
        assert_eq!(c.canonical, "St.meld. nr. 47 (2008–2009)", "in {text:?}");
    }
}

#[test]
fn innst_and_dokument_8() {
    let c = one("Innst. 123 L (2020-2021) frå komiteen");
    assert_eq!(c.kind, RefKind::Innst);
    assert_eq!(c.canonical, "Innst. 123 L (2020–2021)");
    assert_eq!(
        canon("Innst. S. nr. 166 (2008–2009)"),
        ["Innst. S. nr. 166 (2008–2009)"]
    );
    for text in [
        "Dokument 8:60 S (2016–2017)",
        "Dokument 8: 60 S (2016-2017)",
    ] {
        let c = one(&format!("Forslaget i {text} vart avvist."));
        assert_eq!(c.kind, RefKind::Dokument8);
        assert_eq!(c.canonical, "Dokument 8:60 S (2016–2017)", "in {text:?}");
    }
}

#[test]
fn jf_is_not_part_of_the_citation() {
    for lead in ["jf.", "jamfør", "jfr.", "Jf."] {
        let c = one(&format!("({lead} NOU 2023: 4)"));
        assert!(c.written.starts_with("NOU"), "{lead}: {c:?}");
    }
    let c = one("jf. hol. § 6-2");
    assert_eq!(c.written, "hol. § 6-2");
}

#[test]
fn law_paragraph_forms() {
    let hol = "helse- og omsorgstjenesteloven § 6-2";
    for text in [
        "Etter helse- og omsorgstjenesteloven § 6-2 første ledd skal kommunen",
        "Etter helse- og omsorgstjenestelovens § 6-2 skal kommunen",
        "Etter § 6-2 i helse- og omsorgstjenesteloven skal kommunen",
        "Etter § 6-2 første ledd i helse- og omsorgstjenesteloven skal kommunen",
        "Etter hol. § 6-2 skal kommunen",
        "Etter § 6-2 hol. skal kommunen",
        "Etter helse- og omsorgstenestelova § 6-2 skal kommunen",
        "Etter helse- og omsorgstenestelovas § 6-2 skal kommunen",
        "Etter Helse- og omsorgstjenesteloven (hol.) § 6-2 skal kommunen",
        "Etter helse-\nog omsorgstjenesteloven §\u{a0}6-2 skal kommunen",
        "Etter helse- og omsorgstjenesteloven § 6–2 skal kommunen",
    ] {
        let c = one(text);
        assert_eq!(c.kind, RefKind::Law);
        assert_eq!(c.canonical, hol, "in {text:?}");
        assert_eq!(c.document, "helse- og omsorgstjenesteloven");
        assert_eq!(c.chapter, None);
        assert!(!c.written.starts_with("Etter") && !c.written.ends_with(" skal"));
    }
}

#[test]
fn letter_suffixes_are_kept() {
    assert_eq!(
        canon("spesialisthelsetjenesteloven § 2-1 e"),
        ["spesialisthelsetjenesteloven § 2-1 e"]
    );
    assert_eq!(
        canon("pasient- og brukerrettighetsloven § 2-1 a gir rett"),
        ["pasient- og brukerrettighetsloven § 2-1 a"]
    );
    assert_eq!(
        canon("sphl. § 2-1e"),
        ["spesialisthelsetjenesteloven § 2-1 e"]
    );
    assert_eq!(
        canon("psykisk helsevernloven § 4A-2"),
        ["psykisk helsevernloven § 4A-2"]
    );
    // "i" is a preposition here, not a suffix.
    assert_eq!(
        canon("§ 4 i helsepersonelloven"),
        ["helsepersonelloven § 4"]
    );
}

#[test]
fn several_paragraphs_give_several_citations() {
    let found = find_citations("Sjå helse- og omsorgstjenesteloven §§ 6-1 og 6-2.");
    let canonical: Vec<_> = found.iter().map(|c| c.canonical.as_str()).collect();
    assert_eq!(
        canonical,
        [
            "helse- og omsorgstjenesteloven § 6-1",
            "helse- og omsorgstjenesteloven § 6-2"
        ]
    );
    assert_eq!(found[0].written, "helse- og omsorgstjenesteloven §§ 6-1");
    assert_eq!(found[1].written, "6-2");
    assert!(found[0].end <= found[1].start);

    let found = find_citations("etter §§ 4, 5 og 7 i helsepersonelloven");
    let canonical: Vec<_> = found.iter().map(|c| c.canonical.as_str()).collect();
    assert_eq!(
        canonical,
        [
            "helsepersonelloven § 4",
            "helsepersonelloven § 5",
            "helsepersonelloven § 7"
        ]
    );
    assert_eq!(found[2].written, "7 i helsepersonelloven");
}

#[test]
fn ranges_give_every_paragraph_in_one_chapter() {
    let hol = |p: &str| format!("helse- og omsorgstjenesteloven § {p}");
    assert_eq!(
        canon("hol. §§ 6-1–6-3"),
        [hol("6-1"), hol("6-2"), hol("6-3")]
    );
    assert_eq!(
        canon("§§ 6-1 til 6-3 hol."),
        [hol("6-1"), hol("6-2"), hol("6-3")]
    );
    assert_eq!(canon("hol. § 6–2"), [hol("6-2")]);
    // Across chapters only the ends: what lies between is not known.
    assert_eq!(canon("hol. §§ 5-9 til 6-2"), [hol("5-9"), hol("6-2")]);
    // A lettered end takes the lettered paragraphs before it.
    let fhl = |p: &str| format!("folkehelseloven § {p}");
    assert_eq!(
        canon("folkehelseloven §§ 5 til 6 b"),
        [fhl("5"), fhl("6"), fhl("6 a"), fhl("6 b")]
    );
}

#[test]
fn new_paragraph_after_the_law_name() {
    let hol = |p: &str| format!("helse- og omsorgstjenesteloven § {p}");
    assert_eq!(
        canon("helse- og omsorgstjenesteloven ny § 6-2 a skal lyde"),
        [hol("6-2 a")]
    );
    assert_eq!(
        canon("helse- og omsorgstenestelova nye §§ 6-2 a og 6-2 b"),
        [hol("6-2 a"), hol("6-2 b")]
    );
}

#[test]
fn laws_and_regulations_by_date_number_and_id() {
    assert_eq!(
        canon("jf. lov 2. juli 1999 nr. 61 om spesialisthelsetjenesten m.m."),
        ["spesialisthelsetjenesteloven"]
    );
    assert_eq!(
        canon("Lov 19. juni 2009 nr. 44 om kommunale krisesentertilbod (krisesenterlova)."),
        ["krisesenterloven"]
    );
    assert_eq!(
        canon("§ 3-2 i lov 24. juni 2011 nr. 30"),
        ["helse- og omsorgstjenesteloven § 3-2"]
    );
    assert_eq!(canon("LOV-1984-03-30-15 § 2"), ["LOV-1984-03-30-15 § 2"]);
    assert_eq!(
        canon("forskrift 29. august 2012 nr. 842"),
        ["FOR-2012-08-29-842"]
    );
    assert_eq!(
        canon("fastlegeforskriften § 20 første ledd"),
        ["fastlegeforskriften § 20"]
    );
    let reg = one("etter FOR-2012-08-29-842");
    assert_eq!(reg.kind, RefKind::Regulation);
}

#[test]
fn bare_paragraphs_belong_to_the_law_in_force() {
    assert_eq!(
        canon(
            "I lov 2. juli 1999 nr. 61 gjøres følgende endringer: Ny § 3-8 a skal lyde: § 3-8 a. Godkjenning Virksomheten skal, jf. § 3-2, melde fra."
        ),
        [
            "spesialisthelsetjenesteloven",
            "spesialisthelsetjenesteloven § 3-8 a",
            "spesialisthelsetjenesteloven § 3-2"
        ]
    );
    // With no law before it, a bare paragraph is no citation.
    assert!(canon("Dette følger av § 6-2 første ledd.").is_empty());
    // Tied to another instrument.
    assert_eq!(
        canon("Etter folkehelseloven gjeld forskrifta § 3 og avtalen § 4."),
        ["folkehelseloven"]
    );
}

#[test]
fn single_sign_does_not_swallow_a_following_number() {
    assert_eq!(
        canon("jf. hpl. § 4 og 3 kommunar"),
        ["helsepersonelloven § 4"]
    );
    assert_eq!(
        canon("hol. § 6-1 og 6-2"),
        [
            "helse- og omsorgstjenesteloven § 6-1",
            "helse- og omsorgstjenesteloven § 6-2"
        ]
    );
}

#[test]
fn jf_between_paragraphs() {
    let hol = |p: &str| format!("helse- og omsorgstjenesteloven § {p}");
    assert_eq!(canon("hol. § 6-2 jf. § 6-1"), [hol("6-2"), hol("6-1")]);
    assert_eq!(
        canon("hol. § 6-2, jamfør § 6-1 første ledd."),
        [hol("6-2"), hol("6-1")]
    );
    // What follows "jf." belongs to the law named after it.
    assert_eq!(
        canon("hol. § 6-2 jf. § 3 i forvaltningsloven"),
        [hol("6-2"), "forvaltningsloven § 3".to_string()]
    );
    // Without a law before, the paragraph before "jf." stays unattributed.
    assert_eq!(
        canon("etter § 6-2, jf. § 3 i forvaltningsloven"),
        ["forvaltningsloven § 3"]
    );
    let found = find_citations("hol. § 6-2 jf. § 6-1");
    assert_eq!(found[1].written, "§ 6-1");
}

#[test]
fn law_names_broken_across_lines() {
    assert_eq!(
        canon("etter helse- og omsorgs-\ntjenesteloven § 6-2"),
        ["helse- og omsorgstjenesteloven § 6-2"]
    );
    assert_eq!(
        canon("pasient\u{ad}journalloven § 9"),
        ["pasientjournalloven § 9"]
    );
    // A hyphen at a line end before an unrelated word does not join it.
    assert!(canon("helsepersonel-\nloven").len() == 1);
    assert!(canon("kommune-\nplanen").is_empty());
}

#[test]
fn stortingsmelding_spelled_out() {
    assert_eq!(
        canon("Stortingsmelding nr. 47 (2008–2009)"),
        ["St.meld. nr. 47 (2008–2009)"]
    );
}

#[test]
fn bare_law_names() {
    let c = one("Folkehelselova gjeld for alle kommunar.");
    assert_eq!(c.kind, RefKind::Law);
    assert_eq!(c.canonical, "folkehelseloven");
    assert_eq!(c.document, "folkehelseloven");
    assert_eq!(
        canon("etter pasient- og brukarrettslova"),
        ["pasient- og brukerrettighetsloven"]
    );
    assert_eq!(
        canon("plan- og bygningslovens formål"),
        ["plan- og bygningsloven"]
    );
    let c = one("Sjå kapittel 9 i helse- og omsorgstjenesteloven.");
    assert_eq!(c.canonical, "helse- og omsorgstjenesteloven");
    assert_eq!(c.chapter.as_deref(), Some("9"));
}

#[test]
fn every_required_law_is_recognised_by_name() {
    for name in [
        "helse- og omsorgstjenesteloven",
        "spesialisthelsetjenesteloven",
        "pasient- og brukerrettighetsloven",
        "helsepersonelloven",
        "psykisk helsevernloven",
        "folkehelseloven",
        "helseforetaksloven",
        "pasientjournalloven",
        "helseregisterloven",
        "kommuneloven",
        "plan- og bygningsloven",
        "tannhelsetjenesteloven",
        "smittevernloven",
    ] {
        assert_eq!(
            canon(&format!("Sjå {name} § 1-1.")),
            [format!("{name} § 1-1")]
        );
        assert_eq!(canon(&format!("Sjå {name}.")), [name.to_string()]);
    }
}

#[test]
fn bare_paragraph_is_not_a_citation() {
    assert!(find_citations("Etter § 6-2 skal kommunen inngå avtale.").is_empty());
    assert!(find_citations("Lovens § 3-1 stiller krav.").is_empty());
}

#[test]
fn look_alikes_are_not_citations() {
    for text in [
        "Om lag 2023: 4 av 10 kommunar svarte.",
        "Møtet byrjar kl. 14:30 ved St. Olavs hospital.",
        "Proposisjonen og propellen er ikkje det same.",
        "Sjå side 45 og s. 12–14.",
        "NOU-en frå 2023 vart godt motteken.",
        "Meld deg på innan 1. mars.",
        "Dokumentet 8: 60 sider.",
        "Helse- og omsorgstjenestene i kommunen.",
        "Kommunelovutvalet leverte.",
        "Innst. 12 vart ikkje lagd fram.",
        "Versjon 2023:4 av malen.",
        "NOU 1066: 4 er ikkje eit årstal for NOU-ar.",
    ] {
        assert!(
            find_citations(text).is_empty(),
            "false positive in {text:?}: {:?}",
            find_citations(text)
        );
    }
}

#[test]
fn several_citations_in_order() {
    let text = "NOU 2023: 4, Meld. St. 7 (2019–2020) og hol. § 3-1 peikar same veg.";
    assert_eq!(
        canon(text),
        [
            "NOU 2023: 4",
            "Meld. St. 7 (2019–2020)",
            "helse- og omsorgstjenesteloven § 3-1"
        ]
    );
}

#[test]
fn serde_names_are_lowercase() {
    assert_eq!(
        serde_json::to_string(&RefKind::StMeld).unwrap(),
        "\"stmeld\""
    );
    assert_eq!(
        serde_json::to_string(&RefKind::Dokument8).unwrap(),
        "\"dokument8\""
    );
    let c = one("NOU 2023: 4");
    let back: Citation = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
    for kind in RefKind::ALL {
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!("\"{}\"", kind.as_str())
        );
    }
}

#[test]
fn canonicalize_typed_references() {
    for (typed, expected) in [
        ("nou 2023 4", "NOU 2023: 4"),
        ("NOU 2023:4", "NOU 2023: 4"),
        ("nou 2023:4", "NOU 2023: 4"),
        ("NOU 23:4", "NOU 2023: 4"),
        ("nou 98 18", "NOU 1998: 18"),
        ("prop 102 l", "Prop. 102 L"),
        ("Prop. 102 L (2020-21)", "Prop. 102 L (2020–2021)"),
        ("prop 102 l 2020-2021", "Prop. 102 L (2020–2021)"),
        ("meld st 7", "Meld. St. 7"),
        ("meld. st. 7 (2019-2020)", "Meld. St. 7 (2019–2020)"),
        ("st.meld. nr. 47", "St.meld. nr. 47"),
        ("st meld 47 2008-09", "St.meld. nr. 47 (2008–2009)"),
        ("innst 123 l", "Innst. 123 L"),
        ("dok 8:60 s", "Dokument 8:60 S"),
        ("§ 6-2 hol", "helse- og omsorgstjenesteloven § 6-2"),
        ("hol 6-2", "helse- og omsorgstjenesteloven § 6-2"),
        ("HOL § 6-2", "helse- og omsorgstjenesteloven § 6-2"),
        ("sphl 2-1e", "spesialisthelsetjenesteloven § 2-1 e"),
        ("phlvl 4a-2", "psykisk helsevernloven § 4A-2"),
        (
            "helse og omsorgstjenesteloven 6-2",
            "helse- og omsorgstjenesteloven § 6-2",
        ),
        ("pbrl", "pasient- og brukerrettighetsloven"),
        ("Helsepersonellova", "helsepersonelloven"),
        ("§ 6-2", "§ 6-2"),
        ("§6-2", "§ 6-2"),
    ] {
        assert_eq!(
            canonicalize(typed).as_deref(),
            Some(expected),
            "for {typed:?}"
        );
    }
}

#[test]
fn canonicalize_rejects_noise_and_several() {
    for typed in [
        "",
        "   ",
        "hei",
        "2023 4",
        "nou",
        "prop 102",
        "NOU 2023: 4 og NOU 2023: 5",
        "lova 6-2",
    ] {
        assert_eq!(canonicalize(typed), None, "for {typed:?}");
    }
}

#[test]
fn laws_cited_by_full_title_without_date() {
    let hol = "helse- og omsorgstjenesteloven";
    for text in [
        "etter lov om kommunale helse- og omsorgstjenester m.m. har kommunen plikt",
        "etter lov om kommunale helse- og omsorgstjenester har kommunen plikt",
        "etter lova om kommunale helse- og omsorgstenester m.m. har kommunen plikt",
        "etter Lov om kommunale helse-\nog omsorgstjenester m. m. har kommunen plikt",
        "etter lov om kommunale helse- og omsorgstjenester m.m. (helse- og omsorgstjenesteloven) har",
    ] {
        let c = one(text);
        assert_eq!(c.canonical, hol, "in {text:?}");
        assert!(
            c.written.to_lowercase().starts_with("lov"),
            "{:?}",
            c.written
        );
    }
    assert_eq!(
        canon("etter lova om spesialisthelsetenesta m.m. og lov om pasient- og brukarrettar"),
        [
            "spesialisthelsetjenesteloven",
            "pasient- og brukerrettighetsloven"
        ]
    );
    // A title the table has no short title for gives the act's id, like a date would.
    assert_eq!(
        canon("jf. lov om Statens undersøkelseskommisjon for helse- og omsorgstjenesten § 7."),
        ["LOV-2017-06-16-56 § 7"]
    );
    assert_eq!(
        canon("etter lov om statleg tilsyn med helse- og omsorgstenesta m.m."),
        ["helsetilsynsloven"]
    );
    // The title ends at a word's end, and a subject no act has is no citation.
    assert!(canon("lov om barnevernstjenester").is_empty());
    assert!(canon("ein ny lov om kommunale tenester").is_empty());
}

#[test]
fn a_part_amending_a_law_cited_by_title_governs_its_bare_paragraphs() {
    assert_eq!(
        canon(
            "I lov om kommunale helse- og omsorgstjenester m.m. gjøres følgende endringer:\n\n§ 3-5 skal lyde:\nKommunen skal, jf. § 3-2."
        ),
        [
            "helse- og omsorgstjenesteloven",
            "helse- og omsorgstjenesteloven § 3-5",
            "helse- og omsorgstjenesteloven § 3-2"
        ]
    );
    // "I lov … om … m.m. skal § 2-1 e lyde": one citation, of the paragraph.
    assert_eq!(
        canon(
            "I lov 2. juli 1999 nr. 61 om spesialisthelsetjenesten m.m. skal § 2-1 e tredje ledd lyde:"
        ),
        ["spesialisthelsetjenesteloven § 2-1 e"]
    );
    // "I lov … skal ny § 6-2 a lyde:" starts a part too: its bare paragraphs belong to that
    // law, not to the law of the part before it.
    let two_parts = "II\n\nI lov om pasient- og brukerrettigheter gjøres følgende endringer:\n\n§ 2-1 a skal lyde: Pasienten har rett.\n\nIII\n\nI lov 24. juni 2011 nr. 30 om kommunale helse- og omsorgstjenester m.m. skal ny § 6-2 a lyde:\n\nForløpene inngår i avtalen etter § 6-1.";
    let found = canon(two_parts);
    assert!(
        found.contains(&"helse- og omsorgstjenesteloven § 6-1".to_string()),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|c| c.starts_with("pasient- og brukerrettighetsloven § 6")),
        "{found:?}"
    );
}

#[test]
fn amending_acts_titles() {
    // The act's own title, opening the text, is not a citation of the laws it changes; the
    // list of changed laws after it is.
    let act = "Lov om endringar i krisesenterlova og helse- og omsorgstenestelova (samordning)\n\nEndringar i følgjande lover:\n1. Lov 19. juni 2009 nr. 44 om kommunale krisesentertilbod (krisesenterlova).";
    assert_eq!(canon(act), ["krisesenterloven"]);
    let act = "Lov om endringer i spesialisthelsetjenesteloven og helse- og omsorgstjenesteloven (meldeplikt)\n\nI spesialisthelsetjenesteloven gjøres følgende endringer:";
    assert_eq!(canon(act), ["spesialisthelsetjenesteloven"]);
    // Cited anywhere else, an amending act's title cites each law it changes, in bokmål and
    // nynorsk.
    assert_eq!(
        canon(
            "Stortinget vedtok lov om endringer i spesialisthelsetjenesteloven og helse- og omsorgstjenesteloven i juni."
        ),
        [
            "spesialisthelsetjenesteloven",
            "helse- og omsorgstjenesteloven"
        ]
    );
    assert_eq!(
        canon(
            "Kommunen støttar forslaget til lov om endringar i helse- og omsorgstenestelova og pasient- og brukarrettslova."
        ),
        [
            "helse- og omsorgstjenesteloven",
            "pasient- og brukerrettighetsloven"
        ]
    );
    // A proposition's heading of the act it proposes names that act, not the laws it changes
    // (refs-v3 judgement 6); in a sentence, the proposal cites them.
    assert!(canon("Forslag til lov om endringer i helsepersonelloven\n\nI").is_empty());
    assert!(canon("Innhald\n\n4 Forslag til lov om endringar i helsepersonellova\n\nI").is_empty());
    assert_eq!(
        canon("Vi viser til forslag til lov om endringer i helsepersonelloven."),
        ["helsepersonelloven"]
    );
    // With its date and number, the amending act itself is cited too.
    assert_eq!(
        canon("Sjå lov 14. mars 2025 nr. 9 om endringar i krisesenterlova."),
        ["LOV-2025-03-14-9", "krisesenterloven"]
    );
}

#[test]
fn a_subject_naming_a_law_does_not_hide_the_citation_inside_it() {
    assert_eq!(
        canon(
            "Forskrift 29. august 2012 nr. 842 om fastlegeordning i kommunene er gitt med hjemmel i helse- og omsorgstjenesteloven § 3-2 a, og forskriften gjeld."
        ),
        [
            "FOR-2012-08-29-842",
            "helse- og omsorgstjenesteloven § 3-2 a"
        ]
    );
}

#[test]
fn more_health_laws_by_name() {
    assert_eq!(
        canon("jf. arbeidsmiljøloven §§ 18-4 til 18-6 og helseberedskapsloven § 2-2"),
        [
            "arbeidsmiljøloven § 18-4",
            "arbeidsmiljøloven § 18-5",
            "arbeidsmiljøloven § 18-6",
            "helseberedskapsloven § 2-2"
        ]
    );
    assert_eq!(
        canon("Lov 9. mars 1973 nr. 14 om vern mot tobakksskader (tobakksskadeloven) gjeld."),
        ["tobakksskadeloven"]
    );
    assert_eq!(
        canon("etter lov om vern mot tobakksskader"),
        ["tobakksskadeloven"]
    );
}

#[test]
fn ranges_and_lists_that_start_with_a_lettered_paragraph() {
    let fhl = |p: &str| format!("folkehelseloven § {p}");
    assert_eq!(
        canon("folkehelseloven §§ 7 a til 7 c"),
        [fhl("7 a"), fhl("7 b"), fhl("7 c")]
    );
    assert_eq!(
        canon("folkehelseloven §§ 7 til 7 b"),
        [fhl("7"), fhl("7 a"), fhl("7 b")]
    );
    let hol = |p: &str| format!("helse- og omsorgstjenesteloven § {p}");
    assert_eq!(
        canon("hol. §§ 6-2 a og 6-2 b"),
        [hol("6-2 a"), hol("6-2 b")]
    );
    let pbrl = |p: &str| format!("pasient- og brukerrettighetsloven § {p}");
    assert_eq!(
        canon("pasient- og brukarrettslova §§ 2-1 a–2-1 c"),
        [pbrl("2-1 a"), pbrl("2-1 b"), pbrl("2-1 c")]
    );
    // After "7 a" the letters that exist are not known; the whole numbers are.
    assert_eq!(
        canon("folkehelseloven §§ 7 a til 9"),
        [fhl("7 a"), fhl("8"), fhl("9")]
    );
}

#[test]
fn a_bare_paragraph_goes_to_a_law_whose_numbering_fits() {
    // Plan- og bygningsloven numbers its paragraphs in chapters: "§ 21" is the amended law's.
    let text = "I lov 24. juni 2011 nr. 29 om folkehelsearbeid gjøres følgende endringer:\n\
                Fylkeskommunen skal i planer etter plan- og bygningsloven fastsette mål, jf. § 21.";
    assert_eq!(
        canon(text),
        [
            "folkehelseloven",
            "plan- og bygningsloven",
            "folkehelseloven § 21"
        ]
    );
    // Without a fitting law there is no citation.
    assert_eq!(
        canon("Planen skal følge plan- og bygningsloven, jf. § 21."),
        ["plan- og bygningsloven"]
    );
    // An unknown law's numbering is read from how the text cites it.
    assert_eq!(
        canon("Etter sameloven § 3-1 og folkehelseloven gjeld dette, jf. § 3-2."),
        ["sameloven § 3-1", "folkehelseloven", "sameloven § 3-2"]
    );
}

#[test]
fn a_dash_in_a_law_numbered_without_chapters_is_a_range() {
    let fvl = |p: &str| format!("forvaltningsloven § {p}");
    assert_eq!(
        canon("forvaltningsloven §§ 16–18"),
        [fvl("16"), fvl("17"), fvl("18")]
    );
    // In a law numbered in chapters it is a chapter and a number.
    assert_eq!(canon("folketrygdloven § 8-18"), ["folketrygdloven § 8-18"]);
}

#[test]
fn a_title_with_the_short_title_in_brackets_is_one_citation() {
    assert_eq!(
        canon("Forskrift om fastlegeordning i kommunene (fastlegeforskriften) § 20 gjelder."),
        ["fastlegeforskriften § 20"]
    );
    assert_eq!(
        canon("lov om eierseksjoner (eierseksjonsloven) gjelder."),
        ["eierseksjonsloven"]
    );
    assert_eq!(
        canon("Dok. 8:123 S (2020–2021)"),
        ["Dokument 8:123 S (2020–2021)"]
    );
}

#[test]
fn a_phrase_after_a_bare_paragraph_does_not_hide_it() {
    assert_eq!(
        canon("Avtalen følger husleieloven. Partene kan etter § 1-2 i stor grad avtale noe annet."),
        ["husleieloven", "husleieloven § 1-2"]
    );
    // "i" and another instrument: not the law in force.
    assert_eq!(
        canon("Avtalen følger husleieloven, men § 4 i avtalen gjelder."),
        ["husleieloven"]
    );
    assert_eq!(
        canon("Avtalen følger husleieloven, men § 4 i kommunens reglement gjelder."),
        ["husleieloven"]
    );
}

#[test]
fn a_bare_paragraph_inside_a_law_is_that_law() {
    let text = "Leieren kan kreve prisavslag, jf. § 2-11.";
    assert!(canon(text).is_empty());
    let found: Vec<String> = find_citations_in(text, Some("husleieloven"))
        .into_iter()
        .map(|c| c.canonical)
        .collect();
    assert_eq!(found, ["husleieloven § 2-11"]);
    let found: Vec<String> = find_citations_in(text, Some("LOV-1999-03-26-17"))
        .into_iter()
        .map(|c| c.canonical)
        .collect();
    assert_eq!(found, ["husleieloven § 2-11"]);
    // A law named in the same sentence still governs.
    let found: Vec<String> = find_citations_in(
        "Klage følger forvaltningsloven, jf. § 28.",
        Some("husleieloven"),
    )
    .into_iter()
    .map(|c| c.canonical)
    .collect();
    assert_eq!(found, ["forvaltningsloven", "forvaltningsloven § 28"]);
}

#[test]
fn laws_the_table_does_not_know_count_with_a_paragraph() {
    assert_eq!(canon("jf. sameloven § 3-1"), ["sameloven § 3-1"]);
    assert_eq!(canon("etter jordlova § 9 andre ledd"), ["jordloven § 9"]);
    assert_eq!(canon("§ 12 i vegloven"), ["vegloven § 12"]);
    assert_eq!(
        canon("drikkevannsforskrifta § 5"),
        ["drikkevannsforskriften § 5"]
    );
    assert_eq!(one("drikkevannsforskrifta § 5").kind, RefKind::Regulation);
    // Alone, such a word is not counted; generic words never.
    assert!(canon("den såkalte røykeloven").is_empty());
    assert!(canon("endringsloven § 3 og loven § 4").is_empty());
    assert!(canon("Han utlova § 3 til dei.").is_empty());
}

#[test]
fn one_act_one_canonical_however_it_is_cited() {
    for written in [
        "helsetilsynsloven",
        "lov 15. desember 2017 nr. 107",
        "LOV-2017-12-15-107",
        "lov om statlig tilsyn med helse- og omsorgstjenesten mv.",
    ] {
        assert_eq!(canon(written), ["helsetilsynsloven"], "{written}");
    }
    for written in [
        "merverdiavgiftsloven",
        "meirverdiavgiftslova",
        "LOV-2009-06-19-58",
    ] {
        assert_eq!(canon(written), ["merverdiavgiftsloven"], "{written}");
    }
    assert_eq!(
        canon("arbeids- og velferdsforvaltningslova § 14 a"),
        ["arbeids- og velferdsforvaltningsloven § 14 a"]
    );
    assert_eq!(
        canon("NAV-loven § 14 a"),
        ["arbeids- og velferdsforvaltningsloven § 14 a"]
    );
}

#[test]
fn each_sign_says_whether_a_list_follows() {
    let fvl = |p: &str| format!("forvaltningsloven § {p}");
    assert_eq!(
        canon("Vedtaket kan påklages etter forvaltningsloven § 28, jf. §§ 32 og 33."),
        [fvl("28"), fvl("32"), fvl("33")]
    );
    // After a single sign, a plain number is not a paragraph.
    assert_eq!(
        canon("hol. § 6-2 og 3 kommuner"),
        ["helse- og omsorgstjenesteloven § 6-2"]
    );
    // Ledd and punktum in both written standards stay in the span.
    let found = one("arbeidsmiljøloven § 14-9 annet ledd bokstav b");
    assert_eq!(
        found.written,
        "arbeidsmiljøloven § 14-9 annet ledd bokstav b"
    );
    let found = one("helse- og omsorgstenestelova § 3-5 anna ledd");
    assert_eq!(
        found.written,
        "helse- og omsorgstenestelova § 3-5 anna ledd"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of citations, so random text often comes close to a real one.
    const PIECES: &[&str] = &[
        "NOU",
        " ",
        "\n",
        "\u{a0}",
        "2023",
        ":",
        "4",
        "Prop.",
        "102",
        "L",
        "S",
        "(2020–21)",
        "(",
        ")",
        "–",
        "-",
        "/",
        "Meld.",
        "St.",
        "meld.",
        "nr.",
        "Innst.",
        "Dokument",
        "8:",
        "§",
        "§§",
        "6-2",
        "e",
        "i",
        "og",
        ",",
        "hol.",
        "helse- og omsorgstjenesteloven",
        "lova",
        "kapittel",
        "kap.",
        "6.2",
        "jf.",
        "æøå",
        "é",
        "𝔘",
        "2-1 a",
        "lov om",
        "Lov om endringar i",
        "kommunale helse- og omsorgstjenester",
        "m.m.",
        "(helse- og omsorgstjenesteloven)",
        "skal",
        "lyde:",
        "7 a",
        "til",
        "21",
        "sameloven",
        "jordlova",
        "endringsloven",
        "plan- og bygningsloven",
        "LOV-2017-12-15-107",
        "i stor grad",
        "ny",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat()),
        ]
    }

    proptest! {
        #[test]
        fn spans_are_ordered_disjoint_and_on_char_boundaries(text in text()) {
            let found = find_citations(&text);
            let mut previous_end = 0;
            for c in &found {
                prop_assert!(c.start < c.end);
                prop_assert!(c.end <= text.len());
                prop_assert!(c.start >= previous_end);
                prop_assert!(text.is_char_boundary(c.start) && text.is_char_boundary(c.end));
                let span = text[c.start..c.end].split_whitespace().collect::<Vec<_>>().join(" ");
                prop_assert_eq!(span, c.written.as_str());
                previous_end = c.end;
            }
        }

        #[test]
        fn spans_stay_valid_inside_a_law(text in text()) {
            let found = find_citations_in(&text, Some("husleieloven"));
            let mut previous_end = 0;
            for c in &found {
                prop_assert!(c.start < c.end && c.end <= text.len());
                prop_assert!(c.start >= previous_end);
                prop_assert!(text.is_char_boundary(c.start) && text.is_char_boundary(c.end));
                previous_end = c.end;
            }
        }

        #[test]
        fn canonicalize_never_panics_and_is_idempotent(text in text()) {
            if let Some(canonical) = canonicalize(&text) {
                prop_assert_eq!(canonicalize(&canonical), Some(canonical.clone()));
            }
        }
    }
}

#[test]
fn a_propositions_own_title_lines_are_not_citations() {
    let text = "Prop. 12 L\n\nEndringer i helsepersonelloven mv. (digital samhandling)\n\nDepartementet foreslår endringer i helsepersonelloven.\n\nEndringer i helsepersonelloven ble sist gjort i 2020.\n\nEndringar i følgjande lover:\n1. helsepersonellova";
    assert_eq!(
        canon(text),
        [
            "Prop. 12 L",
            "helsepersonelloven",
            "helsepersonelloven",
            "helsepersonelloven"
        ]
    );
}

#[test]
fn supplements_to_propositions_are_documents_of_their_own() {
    assert_eq!(
        canon(
            "jf. St.prp. nr. 1 Tillegg nr. 4 (2004–2005) og Ot.prp. nr. 3 tillegg nr. 1 (1998-99)"
        ),
        [
            "St.prp. nr. 1 Tillegg nr. 4 (2004–2005)",
            "Ot.prp. nr. 3 Tillegg nr. 1 (1998–1999)"
        ]
    );
    assert_eq!(
        canon("Prop. 1 S Tillegg 2 (2023–2024)"),
        ["Prop. 1 S Tillegg 2 (2023–2024)"]
    );
}

#[test]
fn names_after_a_non_ascii_letter_are_not_read_from_inside_a_word() {
    // The patterns use ASCII word boundaries: "ø" is no word character to them.
    assert!(
        canon("Søknadsloven § 3 gjeld.")
            .iter()
            .all(|c| c.starts_with("søknadsloven"))
    );
    assert_eq!(
        canon("helsepersonelloven § 4 bokstav å og § 5"),
        ["helsepersonelloven § 4", "helsepersonelloven § 5"]
    );
}

#[test]
fn committee_and_older_forms_in_both_languages() {
    assert_eq!(
        canon(
            "Saka er omtalt i Innst. 12 S (2024–2025), Innst. O. nr. 91 (1998–1999) og Innst. S. nr. 5 (2003-2004), jf. Dokument 8:112 S (2023–2024), Ot.prp. nr. 13 (1998-99) og St.prp. nr. 1 (2004–2005)."
        ),
        [
            "Innst. 12 S (2024–2025)",
            "Innst. O. nr. 91 (1998–1999)",
            "Innst. S. nr. 5 (2003–2004)",
            "Dokument 8:112 S (2023–2024)",
            "Ot.prp. nr. 13 (1998–1999)",
            "St.prp. nr. 1 (2004–2005)"
        ]
    );
}

#[test]
fn new_paragraphs_ranges_and_details_in_nynorsk() {
    assert_eq!(
        canon(
            "Etter helse- og omsorgstenestelova ny § 6-2 a og §§ 6-1 til 6-3 skal kommunen samarbeide, jf. pasient- og brukarrettslova § 2-1 e første ledd bokstav a og helsepersonellova § 3-2 første ledd nr. 4."
        ),
        [
            "helse- og omsorgstjenesteloven § 6-2 a",
            "helse- og omsorgstjenesteloven § 6-1",
            "helse- og omsorgstjenesteloven § 6-2",
            "helse- og omsorgstjenesteloven § 6-3",
            "pasient- og brukerrettighetsloven § 2-1 e",
            "helsepersonelloven § 3-2"
        ]
    );
}

#[test]
fn a_bare_paragraph_follows_the_regulation_named_last() {
    assert_eq!(
        canon("Fastlegeforskrifta § 20 gjeld framleis. Etter § 21 skal legen delta i legevakt."),
        ["fastlegeforskriften § 20", "fastlegeforskriften § 21"]
    );
    assert_eq!(
        canon(
            "Helse- og omsorgstjenesteloven § 3-2 gjelder. Kommunen følger også forskrift om fastlegeordning i kommunene. Etter § 20 skal fastlegen delta."
        ),
        [
            "helse- og omsorgstjenesteloven § 3-2",
            "fastlegeforskriften",
            "fastlegeforskriften § 20"
        ]
    );
}
