//! The server driven over an in-memory connection, as a client drives it: diagnostics on open and change, quick
//! fixes that clear them, hover, and a lockfile whose findings follow its manifest.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{Client, apply, folder, url};

const TF25_TARGET: &str = "python = [\"3.9\"]\nplatforms = [\"linux-x86_64\"]\n";

/// A project requiring `numpy>=2`, and a `uv.lock` locked at NumPy 1.26.4: a `lock-drift` in the lockfile.
const DRIFT_PYPROJECT: &str = "[project]\nname = \"sample\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11,<3.13\"\ndependencies = [\"numpy>=2\"]\n";

fn drifted_lock() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/cmd/inputs/lockfiles/drift/uv.lock"),
    )
    .unwrap()
}

const CONFLICT: &str = "# classifier\ntensorflow==2.5.0\nnumpy>=1.21  # the newest\n";

#[test]
fn diagnostics_arrive_and_a_quick_fix_clears_them() {
    // On CPython 3.9 on Linux, where TensorFlow 2.5.0 installs, only NumPy's requirement conflicts: the fix pins it.
    let (_dir, root) = folder(&[("nplint.toml", TF25_TARGET)]);
    let path = root.join("requirements.txt");
    let uri = url(&path);
    let mut client = Client::start(&root, &json!({}));
    client.open(&path, CONFLICT);
    let diagnostics = client.diagnostics(&uri);
    let conflict = diagnostics
        .iter()
        .find(|d| d["code"] == "numpy-conflict")
        .unwrap_or_else(|| panic!("no numpy-conflict in {diagnostics:#?}"));
    assert_eq!(conflict["severity"], 1);
    assert_eq!(conflict["source"], "nplint");
    // The finding stands on the NumPy requirement, without its comment; the TensorFlow line is related.
    assert_eq!(
        conflict["range"],
        json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 11}})
    );
    let related = conflict["relatedInformation"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["range"]["start"]["line"] == 1)
    );

    let actions = client.code_actions(&uri, 2, 3, None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    insta::assert_debug_snapshot!("actions", titles);
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["title"] != "Ignore `numpy-conflict` on this line")
        .unwrap();
    let fixed = apply(CONFLICT, &fix["edit"], &uri);
    assert_eq!(
        fixed,
        "# classifier\ntensorflow==2.5.0\nnumpy==1.19.5  # the newest\n"
    );

    client.change(&path, 2, &json!([{"text": fixed}]));
    let after = client.diagnostics(&uri);
    assert!(
        after.iter().all(|d| d["severity"] != 1),
        "errors remain after the fix: {after:#?}"
    );
    client.shutdown();
}

#[test]
fn the_ignore_action_silences_the_finding() {
    let (_dir, root) = folder(&[]);
    let path = root.join("requirements.txt");
    let uri = url(&path);
    let mut client = Client::start(&root, &json!({}));
    client.open(&path, CONFLICT);
    assert!(
        client
            .diagnostics(&uri)
            .iter()
            .any(|d| d["code"] == "numpy-conflict")
    );
    let actions = client.code_actions(&uri, 2, 0, Some(&["quickfix"]));
    let ignore = actions
        .iter()
        .find(|a| a["title"] == "Ignore `numpy-conflict` on this line")
        .unwrap();
    let ignored = apply(CONFLICT, &ignore["edit"], &uri);
    assert_eq!(
        ignored,
        "# classifier\ntensorflow==2.5.0\nnumpy>=1.21  # nplint: ignore[numpy-conflict] # the newest\n"
    );
    client.change(&path, 2, &json!([{"text": ignored}]));
    let after = client.diagnostics(&uri);
    assert!(
        after.iter().all(|d| d["code"] != "numpy-conflict"),
        "{after:#?}"
    );
    client.shutdown();
}

#[test]
fn incremental_changes_update_the_diagnostics() {
    let (_dir, root) = folder(&[]);
    let path = root.join("requirements.txt");
    let uri = url(&path);
    let mut client = Client::start(&root, &json!({}));
    client.open(&path, CONFLICT);
    assert!(
        client
            .diagnostics(&uri)
            .iter()
            .any(|d| d["code"] == "numpy-conflict")
    );
    // `>=1.21` -> `<1.20`, as a keystroke-sized edit.
    client.change(
        &path,
        2,
        &json!([{"range": {"start": {"line": 2, "character": 5}, "end": {"line": 2, "character": 11}}, "text": "<1.20"}]),
    );
    let after = client.diagnostics(&uri);
    assert!(
        after.iter().all(|d| d["code"] != "numpy-conflict"),
        "{after:#?}"
    );
    client.shutdown();
}

#[test]
fn hover_on_requirements() {
    let (_dir, root) = folder(&[]);
    let path = root.join("requirements.txt");
    let mut client = Client::start(&root, &json!({}));
    client.open(&path, "tensorflow==2.5.0\ngensim==4.3.3\nnumpy\n");
    let hover = |client: &mut Client, line: u32| {
        let result = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": url(&path)}, "position": {"line": line, "character": 2}}),
        );
        result["contents"]["value"].as_str().unwrap().to_owned()
    };
    insta::assert_snapshot!("hover-tensorflow", hover(&mut client, 0));
    insta::assert_snapshot!("hover-numpy", hover(&mut client, 2));
    client.change(&path, 2, &json!([{"text": "gensim==4.3.3\nnumpy\n"}]));
    insta::assert_snapshot!("hover-numpy-capped", hover(&mut client, 1));
    client.shutdown();
}

#[test]
fn a_lockfile_follows_its_manifest() {
    let (pyproject, lock) = (DRIFT_PYPROJECT, drifted_lock());
    let (_dir, root) = folder(&[("pyproject.toml", pyproject), ("uv.lock", &lock)]);
    let mut client = Client::start(&root, &json!({}));
    let (manifest, locked) = (root.join("pyproject.toml"), root.join("uv.lock"));
    client.open(&manifest, pyproject);
    client.open(&locked, &lock);
    let drift = |diagnostics: &[Value]| diagnostics.iter().any(|d| d["code"] == "lock-drift");
    // The first publication for the lock may predate its opening: wait for one with the finding.
    let mut found = false;
    for _ in 0..3 {
        if drift(&client.diagnostics(&url(&locked))) {
            found = true;
            break;
        }
    }
    assert!(found, "no lock-drift on the lockfile");
    // Relaxing the manifest clears the lockfile's finding, with no change to the lockfile.
    client.change(
        &manifest,
        2,
        &json!([{"text": pyproject.replace("numpy>=2", "numpy>=1.26")}]),
    );
    let after = client.diagnostics(&url(&locked));
    assert!(!drift(&after), "{after:#?}");
    client.shutdown();
}

#[test]
fn pulled_diagnostics_include_the_documents_that_depend_on_it() {
    let (pyproject, lock) = (DRIFT_PYPROJECT, drifted_lock());
    let (_dir, root) = folder(&[("pyproject.toml", pyproject), ("uv.lock", &lock)]);
    let capabilities = json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"diagnostic": {"refreshSupport": true}},
    });
    let mut client = Client::start(&root, &capabilities);
    let (manifest, locked) = (root.join("pyproject.toml"), root.join("uv.lock"));
    client.open(&manifest, pyproject);
    client.open(&locked, &lock);
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": url(&locked)}}),
    );
    assert_eq!(report["kind"], "full");
    assert!(
        report["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "lock-drift")
    );
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": url(&manifest)}}),
    );
    let related = &report["relatedDocuments"][url(&locked)];
    assert_eq!(related["kind"], "full", "{report:#}");
    assert!(
        related["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "lock-drift")
    );
    // Nothing is pushed to a client that pulls.
    assert!(
        client
            .notifications
            .iter()
            .all(|n| n.method != "textDocument/publishDiagnostics")
    );
    client.shutdown();
}

#[test]
fn a_workspace_check_reports_every_file_with_progress() {
    let (_dir, root) = folder(&[
        ("requirements.txt", CONFLICT),
        (
            "environment.yml",
            "dependencies:\n  - python=3.11\n  - numpy=1.26\n",
        ),
    ]);
    let files = vec![
        (
            root.join("environment.yml"),
            nplint_manifest::Format::CondaEnvironment,
        ),
        (
            root.join("requirements.txt"),
            nplint_manifest::Format::RequirementsTxt,
        ),
    ];
    let capabilities =
        json!({"textDocument": {"diagnostic": {}}, "window": {"workDoneProgress": true}});
    let mut client = Client::start_with(&root, &capabilities, files);
    let report = client.request(
        "workspace/diagnostic",
        json!({"previousResultIds": [], "workDoneToken": "check"}),
    );
    let items = report["items"].as_array().unwrap();
    let uris: Vec<&str> = items
        .iter()
        .map(|item| item["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        [
            url(&root.join("environment.yml")),
            url(&root.join("requirements.txt"))
        ]
    );
    let requirements = &items[1];
    assert_eq!(requirements["version"], Value::Null, "not open: no version");
    assert!(
        requirements["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "numpy-conflict")
    );
    let progress: Vec<&str> = client
        .notifications
        .iter()
        .filter(|n| n.method == "$/progress" && n.params["token"] == "check")
        .map(|n| n.params["value"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(progress, ["begin", "report", "report", "end"]);
    client.shutdown();
}

#[test]
fn an_edited_configuration_applies_from_the_next_check() {
    let (_dir, root) = folder(&[("requirements.txt", CONFLICT)]);
    let (requirements, config) = (root.join("requirements.txt"), root.join("nplint.toml"));
    let mut client = Client::start(&root, &json!({}));
    client.open(&requirements, CONFLICT);
    let conflict =
        |diagnostics: &[Value]| diagnostics.iter().any(|d| d["code"] == "numpy-conflict");
    assert!(conflict(&client.diagnostics(&url(&requirements))));
    // A configuration the editor holds unsaved: it counts at once.
    client.open(&config, "ignore = [\"numpy-conflict\"]\n");
    assert!(!conflict(&client.diagnostics(&url(&requirements))));
    // A misspelt rule: the configuration cannot be used, said in the configuration file, and nothing is checked.
    client.change(
        &config,
        2,
        &json!([{"text": "ignore = [\"numpy-conflic\"]\n"}]),
    );
    let mut in_config = client.diagnostics(&url(&config));
    // The configuration's own publication may first be the empty one of its opening.
    if in_config.is_empty() {
        in_config = client.diagnostics(&url(&config));
    }
    assert_eq!(in_config[0]["code"], "config", "{in_config:#?}");
    assert_eq!(
        in_config[0]["range"]["start"],
        json!({"line": 0, "character": 10})
    );
    assert_eq!(client.diagnostics(&url(&requirements)), Vec::<Value>::new());
    client.change(&config, 3, &json!([{"text": "\n"}]));
    assert!(conflict(&client.diagnostics(&url(&requirements))));
    client.shutdown();
}

#[test]
fn a_change_to_an_included_file_updates_its_includer() {
    // On CPython 3.9 on Linux, where TensorFlow 2.5.0 installs: the conflict is NumPy's alone, and its fix a pin.
    let (_dir, root) = folder(&[
        ("nplint.toml", TF25_TARGET),
        ("requirements.txt", "-r base.txt\ntensorflow==2.5.0\n"),
        ("base.txt", "numpy>=1.19\n"),
    ]);
    let (requirements, base) = (root.join("requirements.txt"), root.join("base.txt"));
    let mut client = Client::start(&root, &json!({}));
    client.open(&requirements, "-r base.txt\ntensorflow==2.5.0\n");
    let conflict =
        |diagnostics: &[Value]| diagnostics.iter().any(|d| d["code"] == "numpy-conflict");
    assert!(!conflict(&client.diagnostics(&url(&requirements))));
    // The included file, edited in the editor and not saved: the includer's check reads the unsaved text, and its
    // conflict stands on the included line, pointing back at the includer's TensorFlow line.
    // (`base.txt` is not a name nplint reads on its own: it has findings only through its includer.)
    client.open(&base, "numpy>=1.19\n");
    client.change(&base, 2, &json!([{"text": "numpy>=1.21\n"}]));
    let found = client.diagnostics(&url(&base));
    let finding = found
        .iter()
        .find(|d| d["code"] == "numpy-conflict")
        .unwrap_or_else(|| panic!("{found:#?}"));
    let related = finding["relatedInformation"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == url(&requirements)),
        "{related:#?}"
    );
    // Its quick fix is offered in the included file, where the finding stands.
    let base_uri = url(&base);
    let actions = client.code_actions(&base_uri, 0, 0, None);
    let fix = actions
        .iter()
        .find(|action| action["title"].as_str().unwrap().starts_with("pin"))
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(
        apply("numpy>=1.21\n", &fix["edit"], &base_uri),
        "numpy==1.19.5\n"
    );
    client.shutdown();
}
