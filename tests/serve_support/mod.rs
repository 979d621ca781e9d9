//! Helpers for the `serve` tests: build an index with the real binary, start `samspor serve`
//! on a free loopback port, talk to it over real HTTP.
#![allow(dead_code)] // each test binary uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn demo_sources() -> PathBuf {
    repo().join("examples/demo/sources.toml")
}

pub fn samspor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samspor"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run samspor")
}

/// `samspor run` over `sources` into `index`; panics unless it exits 0.
pub fn run_pipeline(sources: &Path, index: &Path) {
    let output = samspor(&[
        "--sources",
        sources.to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
        "run",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The demo corpus through the whole pipeline once per test binary.
pub fn demo_index() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        run_pipeline(&demo_sources(), &dir.path().join("index"));
        dir
    })
    .path()
    .join("index")
}

/// A running `samspor serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts the server on a free port and waits until it prints its address.
    pub fn start(sources: &Path, index: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_samspor"))
            .args([
                "--sources",
                sources.to_str().unwrap(),
                "--index-dir",
                index.to_str().unwrap(),
                "serve",
                "--addr",
                "127.0.0.1:0",
            ])
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start samspor serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("samspor serve printed no address within 60 s");
            }
        };
        let addr = line
            .split_whitespace()
            .find_map(|word| word.strip_prefix("http://"))
            .and_then(|rest| rest.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server { child, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (at most `limit`) for the process to end.
    pub fn terminate(&mut self, limit: Duration) -> Option<ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response as a test needs it.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Panics with the body when `text` is missing.
    pub fn expect(&self, text: &str) -> &Page {
        assert!(
            self.body.contains(text),
            "expected {text:?} in:\n{}",
            self.body
        );
        self
    }
}

pub fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn get(url: &str) -> Page {
    let response = client().get(url).send().expect("GET");
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().unwrap(),
    }
}

/// Sends a request line exactly as written (no client-side path normalisation) and returns the
/// status code and the response.
pub fn raw_get(addr: SocketAddr, target: &str, host: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

/// Polls `check` every 200 ms until it returns true or `limit` passes.
pub fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

/// The `href` of the first link whose text starts with `text`.
pub fn href_of(body: &str, text: &str) -> String {
    let at = body
        .find(&format!("\">{text}"))
        .unwrap_or_else(|| panic!("no link {text:?} in:\n{body}"));
    let start = body[..at].rfind("href=\"").expect("an href") + "href=\"".len();
    body[start..at].to_string()
}
