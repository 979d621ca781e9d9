//! Walking an error's chain of causes, in one place.

use std::error::Error;

/// The error and its causes, outermost first.
pub(crate) fn chain<'a>(
    err: &'a (dyn Error + 'static),
) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(err), |e| (*e).source())
}

/// Every message of the chain joined by ": " ("sending: connection refused").
pub(crate) fn joined(err: &(dyn Error + 'static)) -> String {
    chain(err)
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

/// The innermost cause's message: it says what went wrong ("connection refused"), the outer
/// ones only that something did.
pub(crate) fn innermost(err: &(dyn Error + 'static)) -> String {
    chain(err).last().map(|e| e.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn walks_the_chain() {
        let err = Outer(std::io::Error::other("inner"));
        assert_eq!(super::joined(&err), "outer: inner");
        assert_eq!(super::innermost(&err), "inner");
        assert_eq!(super::chain(&err).count(), 2);
    }
}
