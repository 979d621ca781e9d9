//! Helpers for the tracking tests: a web site on loopback whose pages change between runs and
//! that answers conditional requests, and invented Norwegian pages.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::common::{Response, TestServer};

/// A web site whose pages change between runs; it answers If-None-Match with 304.
pub struct Site {
    pub server: TestServer,
    /// path → page (None: the server fails with 503)
    pages: Arc<Mutex<BTreeMap<String, Option<Vec<u8>>>>>,
}

impl Site {
    pub fn start(paths: &[&str]) -> Site {
        let site = Site {
            server: TestServer::start(),
            pages: Arc::default(),
        };
        for path in paths {
            let pages = site.pages.clone();
            let key = path.to_string();
            site.server.route(path, move |request, _| {
                let page = pages.lock().unwrap().get(&key).cloned().flatten();
                let Some(body) = page else {
                    return Response::status(503);
                };
                let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..8]));
                if request.headers.get("if-none-match") == Some(&etag) {
                    return Response::status(304).header("ETag", &etag);
                }
                let content_type = if key.ends_with(".pdf") {
                    "application/pdf"
                } else {
                    "text/html; charset=utf-8"
                };
                Response::ok(body, content_type).header("ETag", &etag)
            });
        }
        site
    }

    pub fn set(&self, path: &str, page: &str) {
        self.set_bytes(path, page.as_bytes());
    }

    pub fn set_bytes(&self, path: &str, bytes: &[u8]) {
        self.pages
            .lock()
            .unwrap()
            .insert(path.to_string(), Some(bytes.to_vec()));
    }

    /// What the site serves at `path` now (None while it fails).
    pub fn current(&self, path: &str) -> Option<Vec<u8>> {
        self.pages.lock().unwrap().get(path).cloned().flatten()
    }

    pub fn fail(&self, path: &str) {
        self.pages.lock().unwrap().insert(path.to_string(), None);
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }
}

/// An invented Norwegian web document: numbered sections as h2.
pub fn page(title: &str, sections: &[(&str, &str, &str)]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body><main><article>\n<h1>{title}</h1>\n"
    );
    for (number, heading, text) in sections {
        html.push_str(&format!("<h2>{number} {heading}</h2>\n<p>{text}</p>\n"));
    }
    html.push_str("</article></main></body></html>\n");
    html
}
