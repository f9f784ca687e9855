//! How long an editor waits for diagnostics after a keystroke: `nplint server` on an in-memory connection, a
//! 305-line requirements file open (ibis's `requirements-dev.txt`, from the coverage corpus), one line changed,
//! until the diagnostics of the changed text are published. The server is warm, as it is while someone types: the
//! first check (index decoding, solver tables) happens before timing.
//!
//! `cargo bench -p nplint-server --bench latency`

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;

use serde_json::json;
use support::{Client, folder, url};

fn main() {
    divan::main();
}

const FILE: &str = "tests/coverage/ibis-project__ibis/requirements-dev.txt";

fn requirements() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(FILE),
    )
    .expect("the coverage corpus's file")
}

/// A new server (the index decoded already, as after the first file of a session), the file opened, until its
/// diagnostics are published: the solvers' tables are built on the way.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn diagnostics_on_open(bencher: divan::Bencher) {
    let text = requirements();
    let (_dir, root) = folder(&[]);
    let path = root.join("requirements-dev.txt");
    let uri = url(&path);
    nplint_index::Index::embedded();
    bencher
        .with_inputs(|| Client::start(&root, &json!({})))
        .bench_local_values(|mut client| {
            client.open(&path, &text);
            client.diagnostics(&uri);
            client
        });
}

#[divan::bench(sample_count = 40, sample_size = 1)]
fn diagnostics_after_a_change(bencher: divan::Bencher) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(FILE),
    )
    .expect("the coverage corpus's file");
    assert!(text.lines().count() >= 300);
    let (_dir, root) = folder(&[]);
    let path = root.join("requirements-dev.txt");
    let uri = url(&path);
    let mut client = Client::start(&root, &json!({}));
    client.open(&path, &text);
    client.diagnostics(&uri);
    // The second line, `aiobotocore==3.1.1`, gains and loses a comment: a keystroke-sized edit that checks the
    // whole file again.
    let end = "aiobotocore==3.1.1".len() as u32;
    let mut version = 1;
    bencher.bench_local(|| {
        version += 1;
        let change = if version % 2 == 0 {
            json!([{"range": {"start": {"line": 1, "character": end}, "end": {"line": 1, "character": end}}, "text": "  # pinned"}])
        } else {
            json!([{"range": {"start": {"line": 1, "character": end}, "end": {"line": 1, "character": end + 10}}, "text": ""}])
        };
        client.change(&path, version, &change);
        client.diagnostics(&uri)
    });
    client.shutdown();
}
