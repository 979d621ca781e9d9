use super::contents::is_leader_entry;
use super::*;

fn para(text: &str, page: u32, size: f32, bold: bool) -> Para {
    Para {
        text: text.into(),
        page,
        page_end: page,
        size,
        bold,
        lines: 1,
        toc_page: false,
        top: 0.0,
        x0: 0.0,
    }
}

fn toc(text: &str, page: u32) -> Para {
    Para {
        toc_page: true,
        ..para(text, page, 10.0, false)
    }
}

#[test]
fn contents_then_first_chapter_on_the_same_page() {
    // A short report: the contents and chapter 1 share page 1.
    let mut ps = vec![
        toc("Innhold", 1),
        toc("1 Bakgrunn . . . . . . . . . . . . 1", 1),
        toc("1.1 Oppdraget . . . . . . . . . . . 1", 1),
        toc("Vedlegg", 1),
        toc("2 Tiltak . . . . . . . . . . . . . 2", 1),
        toc("1", 1),
        toc("1 Bakgrunn", 1),
        toc("1.1 Oppdraget", 1),
        toc("Kommunen ber om en vurdering av", 1),
        para("Tiltakene følger i kapittel 2.", 2, 10.0, false),
    ];
    drop_contents(&mut ps, 2);
    let texts: Vec<&str> = ps.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "1 Bakgrunn",
            "1.1 Oppdraget",
            "Kommunen ber om en vurdering av",
            "Tiltakene følger i kapittel 2."
        ]
    );
    // After the contents the page is ordinary: its headings may be sections.
    assert!(ps.iter().all(|p| !p.toc_page));
}

#[test]
fn contents_of_a_longer_work_stays_text() {
    // One page excerpted from a book: its entries point past the document's end.
    let mut ps = vec![
        toc("Contents", 1),
        toc("Abstract . . . . . . . . . . . . 3", 1),
        toc("Foreword . . . . . . . . . . . . 5", 1),
        toc("Notation . . . . . . . . . . . . 7", 1),
        toc("1 Introduction . . . . . . . . . 9", 1),
    ];
    drop_contents(&mut ps, 1);
    assert_eq!(ps.len(), 5);
    // The document's own contents still goes (entries point inside it).
    let mut own: Vec<Para> = vec![toc("Innhold", 1)];
    for (k, t) in ["Bakgrunn", "Tiltak", "Økonomi", "Oppsummering"]
        .iter()
        .enumerate()
    {
        own.push(toc(&format!("{} {t} . . . . . . . . {}", k + 1, k + 2), 1));
    }
    own.push(para("Bakgrunn.", 2, 10.0, false));
    drop_contents(&mut own, 5);
    assert_eq!(own.len(), 1);
}

#[test]
fn heading_patterns_vs_toc() {
    assert_eq!(
        numbered_heading("6.2.1 Fastlegeordningen"),
        Some(("6.2.1".into(), "Fastlegeordningen".into()))
    );
    assert_eq!(
        numbered_heading("6 Helse- og omsorgstjenester i kommunene")
            .unwrap()
            .0,
        "6"
    );
    assert_eq!(numbered_heading("2020 var et år"), None);
    assert_eq!(numbered_heading("12 prosent av kommunene"), None);
    assert!(is_toc_line("6.2 Gjeldende rett ........ 12", 40));
    assert!(is_toc_line("6.2 Gjeldende rett 12", 40));
    assert!(!is_toc_line("6.2 Gjeldende rett", 40));
    assert!(!is_toc_line("3 Endringer fra 2020", 40));
    assert!(is_toc_title("Innhold"));
    assert!(is_leader_entry(
        "3.4 Allmennlegetjenesten under press . . . . . . 7"
    ));
    assert!(!is_leader_entry(
        "Utvalget mener at . . . dette må følges opp."
    ));
}

#[test]
fn sections_from_paragraphs() {
    let paras = vec![
        para("Innledende tekst uten overskrift.", 1, 10.0, false),
        para("6 Helse- og omsorgstjenester i kommunene", 1, 14.0, true),
        para("6.1 Innledning", 1, 12.0, true),
        para(
            "Utvalget har vurdert mye. Dette er brødtekst som er lang nok.",
            1,
            10.0,
            false,
        ),
        para("Mer brødtekst i samme avsnitt.", 2, 10.0, false),
        para("6.2.1 Fastlegeordningen", 2, 10.0, true),
        para("Fastlegeordningen ble innført i 2001.", 2, 10.0, false),
        para("12 prosent er ikke en overskrift", 2, 10.0, false),
    ];
    let s = build_sections(&paras, 2, &[]);
    assert_eq!(s.len(), 4);
    assert_eq!(s[0].heading, None);
    assert_eq!(s[0].level, 0);
    assert_eq!(s[1].number.as_deref(), Some("6"));
    assert_eq!(s[1].level, 1);
    assert_eq!(s[2].number.as_deref(), Some("6.1"));
    assert_eq!(s[2].heading.as_deref(), Some("Innledning"));
    assert_eq!((s[2].page_start, s[2].page_end), (1, 2));
    assert_eq!(
        s[2].text,
        "Utvalget har vurdert mye. Dette er brødtekst som er lang nok.\n\nMer brødtekst i samme avsnitt."
    );
    assert_eq!(s[3].level, 3);
    assert!(s[3].text.ends_with("12 prosent er ikke en overskrift"));
}

#[test]
fn bare_chapter_number() {
    let paras = vec![
        para("6", 1, 20.0, true),
        para("Helse i kommunene", 1, 18.0, true),
        para(
            "Tekst her som er brødtekst og lengre enn overskriften.",
            1,
            10.0,
            false,
        ),
    ];
    let s = build_sections(&paras, 1, &[]);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].number.as_deref(), Some("6"));
    assert_eq!(s[0].heading.as_deref(), Some("Helse i kommunene"));
}

#[test]
fn wrapped_headings() {
    let paras = vec![
        para("2 Mannigfaltigkeiten und", 3, 20.0, true),
        para("Simplizialkomplexe", 3, 20.0, true),
        para("2.1 Topologische Mannigfaltigkeiten", 3, 14.0, true),
        para(
            "Brødtekst som er lang nok til å være brødtekst i dokumentet her.",
            3,
            10.0,
            false,
        ),
    ];
    let s = build_sections(&paras, 3, &[]);
    assert_eq!(s.len(), 2);
    assert_eq!(
        s[0].heading.as_deref(),
        Some("Mannigfaltigkeiten und Simplizialkomplexe")
    );
    assert_eq!(s[1].number.as_deref(), Some("2.1"));
    let ol = vec![OutlineEntry {
        level: 1,
        title: "2 Mannigfaltigkeiten und Simplizialkomplexe".into(),
        page: Some(3),
        left: None,
        top: None,
    }];
    let s = build_sections(&paras, 3, &ol);
    assert_eq!(
        s[0].heading.as_deref(),
        Some("Mannigfaltigkeiten und Simplizialkomplexe")
    );
    assert_eq!(s[0].number.as_deref(), Some("2"));
    assert_eq!(s[1].number.as_deref(), Some("2.1"));
}

#[test]
fn numbering_chain_drops_numbered_lists() {
    let mut paras = vec![
        para("6 Funksjoner", 1, 14.0, true),
        para("6.4 Avlevering", 1, 12.0, true),
        para("6.4.4 Innholdet i pakken", 1, 12.0, true),
    ];
    for (k, t) in [
        "1 Arkivskapernavn",
        "6 Opplysning om skjerming",
        "7 Opplysning om kassasjon",
    ]
    .iter()
    .enumerate()
    {
        let _ = k;
        paras.push(para(t, 2, 12.0, true));
        paras.push(para(
            "Brødtekst som forklarer punktet nærmere.",
            2,
            10.0,
            false,
        ));
    }
    paras.push(para("6.4.5 Metadata om dokumentene", 3, 12.0, true));
    paras.push(para("1.5.1", 3, 12.0, true));
    paras.push(para("Kravtyper", 3, 12.0, true));
    paras.push(para("6.5 Restanseliste og forfallsliste11", 3, 12.0, true));
    paras.push(para(
        "Brødtekst her igjen som er vanlig tekst.",
        3,
        10.0,
        false,
    ));
    let s = build_sections(&paras, 3, &[]);
    let nums: Vec<&str> = s.iter().filter_map(|s| s.number.as_deref()).collect();
    assert_eq!(nums, vec!["6", "6.4", "6.4.4", "6.4.5", "6.5"], "{s:?}");
    assert_eq!(
        s.last().unwrap().heading.as_deref(),
        Some("Restanseliste og forfallsliste")
    );
    assert!(may_follow(&[1, 1], &[1, 2, 1]));
    assert!(may_follow(&[6, 4, 4], &[7]));
    assert!(!may_follow(&[6, 4, 4], &[1]));
}

#[test]
fn kapittel_and_headings_cleaned() {
    assert_eq!(
        numbered_heading("Kapittel 3 Særavgifter, merverdiavgift og toll"),
        Some(("3".into(), "Særavgifter, merverdiavgift og toll".into()))
    );
    assert_eq!(numbered_heading("Kapittel 3"), None);
    assert_eq!(
        clean_heading("Psykiske lidel- ser hos barn"),
        "Psykiske lidelser hos barn"
    );
    assert_eq!(
        clean_heading("Avgift på sjokolade- og sukkervarer"),
        "Avgift på sjokolade- og sukkervarer"
    );
    assert!(is_number_column("3.4.1"));
    assert!(is_number_column("9 11 12"));
    assert!(!is_number_column("3 Toll"));
}

fn entry(level: usize, title: &str, page: u32) -> OutlineEntry {
    OutlineEntry {
        level,
        title: title.into(),
        page: Some(page),
        left: None,
        top: None,
    }
}

#[test]
fn bookmarks_first() {
    let mut toc = para("9", 1, 10.0, false);
    toc.toc_page = true;
    let paras = vec![
        toc,
        para("Kapittel 1", 2, 12.0, false),
        para("Innledning og mandat", 2, 18.0, true),
        para(
            "Utvalget ble oppnevnt i 2018 og har hatt ti møter.",
            2,
            10.0,
            false,
        ),
        para(
            "1.1 Mandatet Utvalget skal vurdere avgiftene og foreslå endringer der det trengs.",
            2,
            10.0,
            false,
        ),
        para(
            "Tekst på side tre uten overskrift i teksten.",
            3,
            10.0,
            false,
        ),
        para(
            "2 Et nummerert avsnitt som ikke er bokmerket",
            3,
            12.0,
            true,
        ),
    ];
    let ol = vec![
        entry(1, "Kapittel 1 Innledning og mandat", 2),
        entry(2, "1.1 Mandatet", 2),
        entry(2, "1.2 Utvalgets sammen-\nsetning", 3),
    ];
    let s = build_sections(&paras, 3, &ol);
    let got: Vec<(Option<&str>, Option<&str>, u32)> = s
        .iter()
        .map(|s| (s.number.as_deref(), s.heading.as_deref(), s.page_start))
        .collect();
    assert_eq!(
        got,
        vec![
            (None, None, 1),
            (Some("1"), Some("Innledning og mandat"), 2),
            (Some("1.1"), Some("Mandatet"), 2),
            (Some("1.2"), Some("Utvalgets sammensetning"), 3),
        ]
    );
    assert!(
        s[2].text.starts_with("Utvalget skal vurdere"),
        "{:?}",
        s[2].text
    );
    assert!(s[3].text.contains("2 Et nummerert avsnitt"));
}

#[test]
fn outline_headings() {
    let paras = vec![
        para("1 Intro", 1, 10.0, false),
        para("Text.", 1, 10.0, false),
        para("1.1 More", 2, 10.0, false),
        para("Text 2.", 2, 10.0, false),
    ];
    let ol = vec![
        OutlineEntry {
            level: 1,
            title: "1 Intro".into(),
            page: Some(1),
            left: None,
            top: None,
        },
        OutlineEntry {
            level: 2,
            title: "1.1 More".into(),
            page: Some(2),
            left: None,
            top: None,
        },
    ];
    let s = build_sections(&paras, 2, &ol);
    assert_eq!(s.len(), 2);
    assert_eq!(s[1].number.as_deref(), Some("1.1"));
    assert_eq!(s[1].level, 2);
}
