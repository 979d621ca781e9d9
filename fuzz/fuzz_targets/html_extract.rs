//! Arbitrary bytes into the HTML extractor (with and without a selector) and link discovery.
#![no_main]

use libfuzzer_sys::fuzz_target;
use samspor::extract::html::extract_html;
use samspor::extract::html::links::discover;

fuzz_target!(|data: &[u8]| {
    let _ = extract_html(data, "fuzz.html", None);
    let _ = extract_html(data, "fuzz.html", Some("main article"));
    let _ = discover(data, "https://www.regjeringen.no/no/dokumenter/id1/");
});
