//! Test helpers: a real HTTP/1.1 server on loopback that can misbehave on purpose, and paths.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    pub headers: HashMap<String, String>,
}

/// What the server answers.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before sending anything.
    pub delay: Duration,
    /// Leave out Content-Length and close the connection to end the body.
    pub no_length: bool,
    /// Send the body one byte at a time with this pause between bytes (a dripping server).
    pub drip: Option<Duration>,
}

impl Response {
    pub fn ok(body: impl Into<Vec<u8>>, content_type: &str) -> Response {
        Response {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            ..Response::default()
        }
    }

    pub fn status(status: u16) -> Response {
        Response {
            status,
            body: format!("status {status}").into_bytes(),
            ..Response::default()
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = Box<dyn Fn(&Request, usize) -> Response + Send + Sync>;

/// A loopback server; routes are set per path and may change between runs.
pub struct TestServer {
    pub addr: std::net::SocketAddr,
    routes: Arc<Mutex<HashMap<String, Arc<Handler>>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let server = TestServer {
            addr,
            routes: Arc::default(),
            hits: Arc::default(),
            log: Arc::default(),
            stop: Arc::default(),
        };
        let (routes, hits, log, stop) = (
            server.routes.clone(),
            server.hits.clone(),
            server.log.clone(),
            server.stop.clone(),
        );
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (routes, hits, log) = (routes.clone(), hits.clone(), log.clone());
                thread::spawn(move || {
                    let _ = serve(stream, &routes, &hits, &log);
                });
            }
        });
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn route(
        &self,
        path: &str,
        handler: impl Fn(&Request, usize) -> Response + Send + Sync + 'static,
    ) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), Arc::new(Box::new(handler)));
    }

    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub fn requests(&self, path: &str) -> Vec<Request> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(
    stream: TcpStream,
    routes: &Mutex<HashMap<String, Arc<Handler>>>,
    hits: &Mutex<HashMap<String, usize>>,
    log: &Mutex<Vec<Request>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let request = Request {
        path: path.clone(),
        headers,
    };
    log.lock().unwrap().push(request.clone());
    let count = {
        let mut hits = hits.lock().unwrap();
        let count = hits.entry(path.clone()).or_insert(0);
        *count += 1;
        *count
    };
    let handler = routes.lock().unwrap().get(&path).cloned();
    let response = match handler {
        Some(handler) => handler(&request, count),
        None => Response::status(404),
    };
    thread::sleep(response.delay);
    let mut stream = stream;
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", response.status);
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !response.no_length {
        head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if response.status != 304 {
        match response.drip {
            Some(pause) => {
                for byte in &response.body {
                    stream.write_all(std::slice::from_ref(byte))?;
                    stream.flush()?;
                    thread::sleep(pause);
                }
            }
            None => stream.write_all(&response.body)?,
        }
    }
    stream.flush()
}

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn demo(file: &str) -> PathBuf {
    repo().join("examples/demo").join(file)
}

pub fn fixture(path: &str) -> PathBuf {
    repo().join("tests/fixtures").join(path)
}

/// Writes a sources.toml with the given [[source]] entries and one theme.
pub fn write_config(dir: &Path, fetch: &str, sources: &[(&str, &str, &str)]) -> PathBuf {
    // Loopback tests need no politeness pause unless they test it.
    let pause = if fetch.contains("host_delay_ms") {
        ""
    } else {
        "\nhost_delay_ms = 0"
    };
    let mut text = format!("[fetch]\n{fetch}{pause}\n\n");
    for (id, kind, url) in sources {
        text.push_str(&format!(
            "[[source]]\nid = \"{id}\"\ntitle = \"Dokument {id}\"\nkind = \"{kind}\"\nurl = \"{url}\"\n\n"
        ));
    }
    text.push_str(
        "[[theme]]\nid = \"fastlegekrise\"\nlabel = \"Fastlegekrise\"\ndescription = \"Fastlegeordningen\"\nterms = [\"fastlege\", \"legemangel\", \"fastlegeordning\"]\n",
    );
    let path = dir.join("sources.toml");
    std::fs::write(&path, text).unwrap();
    path
}
