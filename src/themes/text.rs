//! Where in a text a mention stands: sentences, enumerations and asides. Pure functions of the
//! text, used to tell a section that speaks about a theme from one that names it in passing.

pub use crate::norwegian::sentence_spans;

/// Items of an enumeration longer than this many words are clauses, not list items.
const MAX_ITEM_WORDS: usize = 5;
/// An enumeration has at least this many comma-separated stretches.
const MIN_ITEMS: usize = 3;
/// Words that start a clause rather than a list item after a comma.
const CLAUSE_STARTS: &[&str] = &[
    "og", "men", "som", "der", "fordi", "slik", "mens", "så", "når", "dersom", "om", "at",
];

/// Byte ranges of the enumerations in a sentence ("sykehjem, hjemmetjenesten, legevakt og
/// helsestasjonen"): runs of at least three short stretches separated by commas (the first may
/// end a longer clause, the last may run on after its og/eller). `offset` is where the sentence
/// starts in its text.
/// Each comes with its number of items (the stretches, and one more when the last is joined
/// by og/eller).
pub fn enumerations(sentence: &str, offset: usize) -> Vec<(usize, usize, usize)> {
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, c) in sentence.char_indices() {
        if matches!(c, ',' | ';') {
            items.push((start, i));
            start = i + c.len_utf8();
        }
    }
    items.push((start, sentence.len()));
    let words = |(a, b): (usize, usize)| -> Vec<(usize, usize)> { word_ranges(&sentence[a..b], a) };

    let mut found = Vec::new();
    let mut run: Vec<(usize, usize)> = Vec::new();
    let flush = |run: &mut Vec<(usize, usize)>, found: &mut Vec<(usize, usize, usize)>| {
        if run.len() >= MIN_ITEMS
            && let (Some(first), Some(last)) = (run.first(), run.last())
        {
            let joined = word_ranges(&sentence[last.0..last.1], 0)
                .iter()
                .any(|&(a, b)| is_conjunction(&sentence[last.0 + a..last.0 + b]));
            found.push((
                offset + first.0,
                offset + last.1,
                run.len() + usize::from(joined),
            ));
        }
        run.clear();
    };
    for &item in &items {
        let w = words(item);
        let clause_start = w
            .first()
            .is_some_and(|&(a, b)| CLAUSE_STARTS.contains(&sentence[a..b].to_lowercase().as_str()));
        if !w.is_empty() && w.len() <= MAX_ITEM_WORDS && !clause_start {
            run.push(item);
            continue;
        }
        // A longer stretch may end the list ("…, skrøpelige eldre og personer med flere
        // kroniske lidelser skal prioriteres": up to three words after its og/eller) …
        if !run.is_empty()
            && !clause_start
            && let Some(end) = joined_item_end(&sentence[item.0..item.1])
        {
            run.push((item.0, item.0 + end));
        }
        flush(&mut run, &mut found);
        // … or begin it ("Gruppene er barn og unge, …": its last three words).
        if !clause_start && let Some(&(_, last)) = w.last() {
            let first = w[w.len().saturating_sub(3)].0;
            run.push((first, last));
        }
    }
    flush(&mut run, &mut found);
    found
}

/// Byte ranges of the whitespace-separated words of `text`, shifted by `offset`.
fn word_ranges(text: &str, offset: usize) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                ranges.push((offset + s, offset + i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        ranges.push((offset + s, offset + text.len()));
    }
    ranges
}

/// In the last stretch of a list ("hjemmetjenesten og legevakten har ansvar"), the end of the
/// last item: three words after an og/eller among its first words, or `None`.
fn joined_item_end(stretch: &str) -> Option<usize> {
    let words = word_ranges(stretch, 0);
    let conjunction = words
        .iter()
        .take(MAX_ITEM_WORDS)
        .position(|&(a, b)| is_conjunction(&stretch[a..b]))?;
    let last = (conjunction + 3).min(words.len() - 1);
    Some(words[last].1)
}

fn is_conjunction(word: &str) -> bool {
    matches!(
        word.to_lowercase().as_str(),
        "og" | "eller" | "samt" | "og/eller"
    )
}

/// Words that put what follows them in a side remark: "blant annet", "for eksempel".
const ASIDE_MARKERS: &[&str] = &[
    "bl.a.",
    "blant annet",
    "mellom anna",
    "m.a.",
    "f.eks.",
    "for eksempel",
    "til dømes",
    "t.d.",
    "herunder",
    "inkludert",
    "jf.",
];

/// Whether the byte `at` of `text` stands in a side remark: inside parentheses, or within a
/// few words after "blant annet", "for eksempel" and the like in its own sentence.
pub fn in_aside(text: &str, sentence: (usize, usize), at: usize) -> bool {
    let before = &text[sentence.0..at.min(sentence.1).max(sentence.0)];
    if before.matches('(').count() > before.matches(')').count() {
        return true;
    }
    let lower = before.to_lowercase();
    // The last clause before the mention, at most six words.
    let clause = lower.rsplit([',', ';', ':']).next().unwrap_or("");
    let tail: Vec<&str> = clause.split_whitespace().rev().take(6).collect();
    let tail: String = tail.into_iter().rev().collect::<Vec<_>>().join(" ");
    ASIDE_MARKERS.iter().any(|marker| {
        tail.split_whitespace()
            .collect::<Vec<_>>()
            .windows(marker.split(' ').count())
            .any(|w| w.join(" ") == *marker)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(sentence: &str) -> Vec<&str> {
        enumerations(sentence, 0)
            .into_iter()
            .map(|(a, b, _)| &sentence[a..b])
            .collect()
    }

    #[test]
    fn enumerations_of_short_items_are_found() {
        assert_eq!(
            items("Kommunen driver sykehjem, hjemmetjeneste, legevakt og helsestasjon."),
            vec!["Kommunen driver sykehjem, hjemmetjeneste, legevakt og helsestasjon."]
        );
        assert_eq!(
            items(
                "Dei fire gruppene er barn og unge, personar med psykiske lidingar, skrøpelege \
                 eldre og personar med fleire kroniske sjukdommar skal prioriterast i planen."
            )
            .len(),
            1
        );
    }

    #[test]
    fn clauses_are_not_enumerations() {
        assert!(
            items(
                "Kommunen har mange ledige stillinger i hjemmetjenesten, og flere sykepleiere \
                 slutter etter kort tid fordi de får for små stillinger."
            )
            .is_empty()
        );
        assert!(items("Fastlegen skriv tilvising, og legevakta melder frå.").is_empty());
    }

    #[test]
    fn asides_are_parentheses_and_markers() {
        let text = "Tiltaka gjeld mange tenester (mellom anna sjukeheimane). Planen omfattar \
                    blant annet legevakt. Legevakta er sårbar.";
        let spans = sentence_spans(text);
        let at = |word: &str| text.find(word).expect("word in text");
        assert!(in_aside(text, spans[0], at("sjukeheimane")));
        assert!(in_aside(text, spans[1], at("legevakt.")));
        assert!(!in_aside(text, spans[2], at("Legevakta")));
    }

    #[test]
    fn sentences_do_not_break_at_abbreviations() {
        let text = "Dette følger av Prop. 102 L (2020–2021), jf. helse- og omsorgstjenesteloven § 6-2. Neste setning.";
        let spans = sentence_spans(text);
        assert_eq!(
            spans.len(),
            2,
            "{:?}",
            spans.iter().map(|&(a, b)| &text[a..b]).collect::<Vec<_>>()
        );
        assert_eq!(&text[spans[1].0..spans[1].1], "Neste setning.");
    }

    proptest::proptest! {
        #[test]
        fn sentence_spans_are_ordered_slices_of_the_text(text in "[A-ZÆØÅa-zæøå0-9 .,!?«»§()\n-]{0,300}") {
            let spans = sentence_spans(&text);
            let mut last = 0;
            for (from, to) in spans {
                proptest::prop_assert!(from >= last && from <= to && to <= text.len());
                proptest::prop_assert!(text.is_char_boundary(from) && text.is_char_boundary(to));
                last = to;
            }
        }

        #[test]
        fn enumerations_and_asides_never_panic(text in "[A-Za-zæøå ,;:()og.]{0,200}") {
            for (from, to, _) in enumerations(&text, 0) {
                proptest::prop_assert!(from <= to && to <= text.len());
                proptest::prop_assert!(text.is_char_boundary(from) && text.is_char_boundary(to));
            }
            for (from, to) in sentence_spans(&text) {
                for (at, _) in text[from..to].char_indices() {
                    let _ = in_aside(&text, (from, to), from + at);
                }
            }
        }
    }
}
