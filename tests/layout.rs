//! The shape of the source tree (issue 16): no import cycle between the files of `src/`.

use std::process::Command;

#[test]
fn no_import_cycle_between_files_of_src() {
    let root = env!("CARGO_MANIFEST_DIR");
    let script = format!("{root}/scripts/import_cycles.py");
    let output = match Command::new("python3")
        .arg(&script)
        .arg(format!("{root}/src"))
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            eprintln!("skipped: python3 is not available ({e})");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("no import cycle"), "{stdout}");
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::b::B;\npub struct A;\n").unwrap();
    std::fs::write(src.join("b.rs"), "pub struct B(crate::a::A);\n").unwrap();
    let script = format!("{}/scripts/import_cycles.py", env!("CARGO_MANIFEST_DIR"));
    let Ok(output) = Command::new("python3").arg(&script).arg(src).output() else {
        eprintln!("skipped: python3 is not available");
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("cycle: a.rs, b.rs"), "{stdout}");
}
