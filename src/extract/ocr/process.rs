//! Child processes with a deadline: output goes to files (no pipe to fill), the child is
//! polled and killed when its time is up.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{OcrError, OcrSettings, PageImage};

/// Runs `cmd` until it exits or `timeout` passes (then kills it). Ok(true) when it exited 0.
pub fn run_bounded(mut cmd: Command, timeout: Duration) -> std::io::Result<Result<bool, Duration>> {
    let mut child = cmd.stdin(Stdio::null()).spawn()?;
    let started = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Ok(status.success()));
        }
        if started.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Err(timeout));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(25));
    }
}

/// Stdout and stderr of `program args` (Tesseract writes `--version` to one or the other
/// depending on its version), or why it could not run.
pub fn run_capture(program: &Path, args: &[&str], timeout: Duration) -> Result<Vec<u8>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out_path = dir.path().join("out");
    let out = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(program);
    cmd.args(args).stdout(out).stderr(err);
    match run_bounded(cmd, timeout) {
        Ok(Ok(_)) => {
            let mut buf = Vec::new();
            std::fs::File::open(&out_path)
                .and_then(|f| f.take(1 << 20).read_to_end(&mut buf))
                .map_err(|e| e.to_string())?;
            Ok(buf)
        }
        Ok(Err(t)) => Err(format!("no answer within {} s", t.as_secs())),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs Tesseract on one image and returns its hOCR.
pub fn tesseract_hocr(image: &PageImage, settings: &OcrSettings) -> Result<String, OcrError> {
    let dir = tempfile::tempdir().map_err(|e| OcrError::Failed(e.to_string()))?;
    let input = dir.path().join(format!("page.{}", image.ext));
    std::fs::write(&input, &image.bytes).map_err(|e| OcrError::Failed(e.to_string()))?;
    let base = dir.path().join("out");
    let log_path = dir.path().join("log");
    let log = std::fs::File::create(&log_path).map_err(|e| OcrError::Failed(e.to_string()))?;
    let mut cmd = Command::new(&settings.tesseract);
    cmd.arg(&input)
        .arg(&base)
        .args(["-l", &settings.languages, "--psm", "3"])
        .args(["--dpi", &image.dpi.clamp(70, 1200).to_string()])
        .arg("hocr")
        // One core per page: pages (and documents) run side by side instead.
        .env("OMP_THREAD_LIMIT", "1")
        .stdout(Stdio::null())
        .stderr(log);
    match run_bounded(cmd, settings.page_timeout) {
        Err(e) => Err(OcrError::Unavailable(format!(
            "tesseract cannot be started ({e}): install the Debian packages {}",
            super::PACKAGES.replace(' ', " and ")
        ))),
        Ok(Err(t)) => Err(OcrError::Timeout { secs: t.as_secs() }),
        Ok(Ok(ok)) => {
            let hocr = std::fs::read(base.with_extension("hocr"));
            match (ok, hocr) {
                (true, Ok(bytes)) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
                (_, _) => {
                    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                    let last = log
                        .lines()
                        .map(str::trim)
                        .rfind(|l| !l.is_empty())
                        .unwrap_or("no output")
                        .to_string();
                    Err(OcrError::Failed(last))
                }
            }
        }
    }
}
