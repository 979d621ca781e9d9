//! Site profiles: what a known site's pages look like, as data (`profiles.toml`).
//!
//! A profile says how to recognise the site's pages (`detect`), where the content is
//! (`content`), which element is the document's title, which elements start sections and where
//! their headings, numbers and titles are, and a few adjustments (elements to keep although
//! they look like chrome, to drop, to treat as blocks; attributes holding list labels; the
//! entries of a listing page). Supporting a new site's common case is a new `[[profile]]`
//! entry, not code.

use std::sync::LazyLock;

use scraper::{Html, Selector};
use serde::Deserialize;

/// The built-in profiles.
pub const BUILTIN_PROFILES: &str = include_str!("profiles.toml");

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("site profiles: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("site profile {profile:?}: invalid selector {selector:?}: {message}")]
    Selector {
        profile: String,
        selector: String,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    #[serde(default)]
    profile: Vec<SiteProfile>,
}

/// One site's page shape, as written in `profiles.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteProfile {
    pub name: String,
    /// The profile applies to a page on which this selector matches.
    pub detect: String,
    /// The content: every element matching one of these (outermost matches, in document
    /// order). Empty: the general main-content heuristic.
    #[serde(default)]
    pub content: Vec<String>,
    /// The document's title element: the title, not a section.
    #[serde(default)]
    pub title: Option<String>,
    /// Elements that start a section, outermost first in meaning; a rule element inside
    /// another is one level deeper.
    #[serde(default)]
    pub sections: Vec<SectionRule>,
    /// Kept although they look like page chrome (say, a `<footer>` of footnotes).
    #[serde(default)]
    pub keep: Vec<String>,
    /// Dropped although they are inside the content.
    #[serde(default)]
    pub drop: Vec<String>,
    /// Inline elements that are blocks of their own (a paragraph).
    #[serde(default)]
    pub blocks: Vec<String>,
    /// Attributes of `<li>` holding the item's label ("a.", "1."), first present wins.
    #[serde(default)]
    pub list_labels: Vec<String>,
    /// On a listing page, the links of its entries (see `links::discover`).
    #[serde(default)]
    pub entries: Option<String>,
}

/// An element that starts a section, and where its heading is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionRule {
    pub element: String,
    /// The heading: the first match inside the element. Its text is the section's number and
    /// title ("§ 1-1. Lovens virkeområde", "Kapittel 2. Overlevering", "II").
    pub heading: String,
    /// Where the number is inside the heading, when the site marks it.
    #[serde(default)]
    pub number: Option<String>,
    /// Where the title is inside the heading, when the site marks it.
    #[serde(default)]
    pub title: Option<String>,
}

/// A profile with its selectors parsed.
#[derive(Debug)]
pub struct Profile {
    pub name: String,
    pub detect: Selector,
    pub content: Vec<Selector>,
    pub title: Option<Selector>,
    pub sections: Vec<Rule>,
    pub keep: Vec<Selector>,
    pub drop: Vec<Selector>,
    pub blocks: Vec<Selector>,
    pub list_labels: Vec<String>,
    pub entries: Option<Selector>,
}

#[derive(Debug)]
pub struct Rule {
    pub element: Selector,
    pub heading: Selector,
    pub number: Option<Selector>,
    pub title: Option<Selector>,
}

/// Parses profiles written as TOML (`[[profile]]` tables, as in `profiles.toml`).
pub fn parse_profiles(text: &str) -> Result<Vec<Profile>, ProfileError> {
    let file: ProfileFile = toml::from_str(text)?;
    file.profile.iter().map(compile).collect()
}

/// Parses one profile's selectors.
pub fn compile(profile: &SiteProfile) -> Result<Profile, ProfileError> {
    let sel = |s: &str| {
        Selector::parse(s).map_err(|e| ProfileError::Selector {
            profile: profile.name.clone(),
            selector: s.to_string(),
            message: e.to_string(),
        })
    };
    let all = |list: &[String]| list.iter().map(|s| sel(s)).collect::<Result<Vec<_>, _>>();
    Ok(Profile {
        name: profile.name.clone(),
        detect: sel(&profile.detect)?,
        content: all(&profile.content)?,
        title: profile.title.as_deref().map(sel).transpose()?,
        sections: profile
            .sections
            .iter()
            .map(|r| {
                Ok(Rule {
                    element: sel(&r.element)?,
                    heading: sel(&r.heading)?,
                    number: r.number.as_deref().map(sel).transpose()?,
                    title: r.title.as_deref().map(sel).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, ProfileError>>()?,
        keep: all(&profile.keep)?,
        drop: all(&profile.drop)?,
        blocks: all(&profile.blocks)?,
        list_labels: profile.list_labels.clone(),
        entries: profile.entries.as_deref().map(sel).transpose()?,
    })
}

/// The built-in profiles (an invalid built-in profile is a test failure, never a panic: it is
/// logged and left out).
pub fn builtin() -> &'static [Profile] {
    static PROFILES: LazyLock<Vec<Profile>> =
        LazyLock::new(|| match parse_profiles(BUILTIN_PROFILES) {
            Ok(profiles) => profiles,
            Err(e) => {
                tracing::error!("built-in HTML site profiles are invalid: {e}");
                Vec::new()
            }
        });
    &PROFILES
}

/// The first built-in profile whose `detect` selector matches the page.
pub fn detect(document: &Html) -> Option<&'static Profile> {
    builtin()
        .iter()
        .find(|p| document.select(&p.detect).next().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_parse() {
        let profiles = parse_profiles(BUILTIN_PROFILES).unwrap();
        let names: Vec<_> = profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["lovdata", "regjeringen", "regjeringen-listing"]);
        assert_eq!(builtin().len(), 3);
    }

    #[test]
    fn bad_profiles_are_errors() {
        let err = parse_profiles("[[profile]]\nname = \"x\"\ndetect = \"div[\"\n").unwrap_err();
        assert!(err.to_string().contains("invalid selector"), "{err}");
        let err =
            parse_profiles("[[profile]]\nname = \"x\"\ndetect = \"div\"\nbogus = 1\n").unwrap_err();
        assert!(err.to_string().contains("bogus"), "{err}");
    }

    #[test]
    fn a_new_site_is_data() {
        let profiles = parse_profiles(
            r#"
[[profile]]
name = "kommune"
detect = "div.kommune-innhald"
content = ["div.kommune-innhald"]
[[profile.sections]]
element = "div.kapittel"
heading = "h2"
"#,
        )
        .unwrap();
        assert_eq!(profiles[0].sections.len(), 1);
    }
}
