//! Replays the fuzz inputs kept in the repository, the hand-written seeds
//! (`fuzz/seeds/<target>/`) and the corpus the fuzzer found (`fuzz/corpus/<target>/`),
//! through the same function each cargo-fuzz target calls (`fuzz_targets/mod.rs`), on
//! stable: an input that once passed and now panics fails the ordinary
//! `cargo test -p oauth-callback-core`. A missing or empty directory fails too, so the
//! replay can never pass by running nothing.

mod fuzz_targets;

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted; fails when there are none.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{} cannot be read: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "{} is empty: restore it from git (or run scripts/fuzz for the corpus)",
        dir.display()
    );
    files
}

fn replay(target: &str) {
    let (_, run) = fuzz_targets::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz target named {target}"));
    let mut files = inputs("seeds", target);
    files.extend(inputs("corpus", target));
    for file in &files {
        let data = std::fs::read(file)
            .unwrap_or_else(|e| panic!("{} cannot be read: {e}", file.display()));
        let outcome = std::panic::catch_unwind(|| run(&data));
        let shown = file.strip_prefix(fuzz_dir()).unwrap_or(file);
        assert!(
            outcome.is_ok(),
            "fuzz target {target} fails on fuzz/{} (reproduce: cd fuzz && cargo +nightly fuzz run {target} {})",
            shown.display(),
            shown.display()
        );
    }
}

#[test]
fn every_fuzz_target_has_a_replayed_corpus() {
    // The targets fuzz/Cargo.toml declares are exactly those replayed here.
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let mut declared: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "oauth-callback-fuzz")
        .collect();
    declared.sort_unstable();
    let mut replayed: Vec<&str> = fuzz_targets::TARGETS.iter().map(|(n, _)| *n).collect();
    replayed.sort_unstable();
    assert_eq!(declared, replayed);
}

#[test]
fn callback() {
    replay("callback");
}

#[test]
fn query() {
    replay("query");
}

#[test]
fn json() {
    replay("json");
}

#[test]
fn template() {
    replay("template");
}

#[test]
fn responses() {
    replay("responses");
}

#[test]
fn store_envelope() {
    replay("store_envelope");
}

#[test]
fn authorization_response() {
    replay("authorization_response");
}

#[test]
fn urls() {
    replay("urls");
}

#[test]
fn request_head() {
    replay("request_head");
}
