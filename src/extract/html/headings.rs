//! Numbers in headings: "§ 6-2 a. Title", "Kapittel 6. Title", "II", "3.2 Title".

use std::sync::LazyLock;

use crate::extract::split_heading_number;

use super::collapse_whitespace;

/// Splits a heading into its number and title. Understands law paragraphs ("§ 6-2 a. Tittel" →
/// "§ 6-2 a"), chapters and parts ("Kapittel 6. Tittel" → "6", "Del II" → "II"), Roman numerals
/// alone ("IV") and the numbered headings of `split_heading_number` ("3.2 Tittel" → "3.2").
pub fn split_legal_heading(heading: &str) -> (Option<String>, String) {
    static PARAGRAPH: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^§\s*(\d{1,4}(?:\s*-\s*\d{1,4})?)(?:\s?([a-z]))?(?:[.:]?\s+|[.:]$|$)")
            .expect("valid regex")
    });
    static CHAPTER: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"^(?:Kapittel|Kapitel|Kap\.|Del)\s+(L?X{0,3}(?:IX|IV|V?I{0,3})|\d{1,3}(?:\s?[A-Z])?)(?:[.:]?\s+|[.:]?$)",
        )
        .expect("valid regex")
    });
    static ROMAN: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^(L?X{0,3}(?:IX|IV|V?I{0,3}))(?:\.\s+|\.?$)").expect("valid regex")
    });
    let heading = collapse_whitespace(heading);
    if let Some(caps) = PARAGRAPH.captures(&heading) {
        let digits: String = caps[1].chars().filter(|c| !c.is_whitespace()).collect();
        let mut number = format!("§ {digits}");
        if let Some(letter) = caps.get(2) {
            number.push(' ');
            number.push_str(letter.as_str());
        }
        let title = heading[caps.get(0).map_or(0, |m| m.end())..].trim();
        return (Some(number), title.to_string());
    }
    for re in [&*CHAPTER, &*ROMAN] {
        if let Some(caps) = re.captures(&heading)
            && !caps[1].is_empty()
        {
            let number = caps[1].split_whitespace().collect::<Vec<_>>().join(" ");
            let title = heading[caps.get(0).map_or(0, |m| m.end())..].trim();
            return (Some(number), title.to_string());
        }
    }
    split_heading_number(&heading)
}

/// Normalises a number the page marks itself ("§ 6-2 a", "§6-2a").
pub fn normalise_number(number: &str) -> String {
    let number = collapse_whitespace(number);
    match split_legal_heading(&number) {
        (Some(n), rest) if rest.is_empty() => n,
        _ => number.trim_end_matches('.').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(h: &str) -> (Option<&'static str>, String) {
        let (n, t) = split_legal_heading(h);
        (n.map(|n| &*Box::leak(n.into_boxed_str())), t)
    }

    #[test]
    fn law_headings() {
        assert_eq!(
            split("§ 1-1. Lovens virkeområde m.v."),
            (Some("§ 1-1"), "Lovens virkeområde m.v.".into())
        );
        assert_eq!(
            split("§ 6-2 a. Samarbeidsavtalar"),
            (Some("§ 6-2 a"), "Samarbeidsavtalar".into())
        );
        assert_eq!(
            split("§ 12 Ikraftsetjing"),
            (Some("§ 12"), "Ikraftsetjing".into())
        );
        assert_eq!(
            split("§ 6-2 annen tekst"),
            (Some("§ 6-2"), "annen tekst".into())
        );
        assert_eq!(
            split("Kapittel 6. Samarbeid mellom kommunar"),
            (Some("6"), "Samarbeid mellom kommunar".into())
        );
        assert_eq!(split("II"), (Some("II"), String::new()));
        assert_eq!(
            split("IV. Ikraftsetjing"),
            (Some("IV"), "Ikraftsetjing".into())
        );
        assert_eq!(split("Innleiing"), (None, "Innleiing".into()));
        assert_eq!(
            split("3.2 Felles planlegging"),
            (Some("3.2"), "Felles planlegging".into())
        );
        assert_eq!(normalise_number("§6-2a"), "§ 6-2 a");
        assert_eq!(normalise_number(" § 1-1 "), "§ 1-1");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_keeps_text(heading in "\\PC{0,40}") {
            let (number, title) = split_legal_heading(&heading);
            if number.is_none() {
                proptest::prop_assert_eq!(title, collapse_whitespace(&heading).trim().to_string());
            }
        }
    }
}
