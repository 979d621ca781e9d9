//! Section identities across versions, shared by the catalog (`db`) and the change reader
//! (`changes`) without either depending on the other.

use std::collections::HashMap;

/// Sections' identities across versions: number and heading (case-insensitive), or, for
/// unnumbered and unheaded text, its position among such sections. Two sections with the same
/// identity ("Merknader" twice) stay distinct by their order.
pub fn section_keys<'s>(
    sections: impl IntoIterator<Item = (Option<&'s str>, Option<&'s str>)>,
) -> Vec<String> {
    let mut anonymous = 0;
    let mut seen: HashMap<String, usize> = HashMap::new();
    sections
        .into_iter()
        .map(|(number, heading)| {
            let mut key = match (number, heading) {
                (None, None) => {
                    anonymous += 1;
                    format!("#{}", anonymous - 1)
                }
                (number, heading) => format!(
                    "{}|{}",
                    number.unwrap_or(""),
                    heading.unwrap_or("").to_lowercase()
                ),
            };
            let n = seen.entry(key.clone()).or_insert(0);
            if *n > 0 {
                key = format!("{key}~{n}");
            }
            *n += 1;
            key
        })
        .collect()
}
