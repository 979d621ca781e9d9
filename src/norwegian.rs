//! Norwegian words more than one stage needs, written once.

/// The month names, January first (the same in bokmål and nynorsk): briefs write dates with
/// them ("23. november 2026") and `refs` reads laws cited by date ("lov 2. juli 1999 nr. 61").
pub(crate) const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

/// A Norwegian vowel, lowercase ("é" too: "idé", "armé").
pub(crate) fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'æ' | 'ø' | 'å' | 'é')
}
