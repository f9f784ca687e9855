//! The server driven over an in-memory connection, as a client drives it: diagnostics on open and change, quick
//! fixes that clear them, hover, and a lockfile whose findings follow its manifest.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use nplint_manifest::{LoadError, Loader};
use serde_json::{Value, json};

/// Reads files from disk, as the command line's loader does.
struct Disk;

impl Loader for Disk {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        std::fs::read(path).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound,
            _ => LoadError::Io(error),
        })
    }
}

/// A client on one end of an in-memory connection, the server on a thread at the other.
struct Client {
    connection: Connection,
    server: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
    /// Notifications received while waiting for something else.
    notifications: VecDeque<Notification>,
    next_id: i32,
}

const TIMEOUT: Duration = Duration::from_mins(1);

impl Client {
    /// Starts a server and initializes it with `capabilities`, in the folder `root`.
    fn start(root: &Path, capabilities: &Value) -> Self {
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || {
            let options = nplint_server::Options {
                index: nplint_index::Index::embedded(),
                files: Arc::new(Disk),
                limit: 16 * 1024 * 1024,
                discover: Arc::new(|_: &Path| Vec::new()),
            };
            nplint_server::run(&server, options)
        });
        let mut client = Self {
            connection: client,
            server: Some(thread),
            notifications: VecDeque::new(),
            next_id: 0,
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": url(root),
                "capabilities": capabilities,
            }),
        );
        assert!(result["capabilities"]["hoverProvider"].as_bool().unwrap());
        client.notify("initialized", json!({}));
        client
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                method.to_owned(),
                params,
            )))
            .unwrap();
    }

    /// Sends a request and waits for its response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_response(method, params);
        match response.response_result {
            Ok(result) => result,
            Err(error) => panic!("{method}: {error:?}"),
        }
    }

    fn request_response(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_owned(),
                params,
            )))
            .unwrap();
        loop {
            match self.connection.receiver.recv_timeout(TIMEOUT).unwrap() {
                Message::Response(response) if response.id == id => return response,
                Message::Notification(notification) => self.notifications.push_back(notification),
                Message::Request(request) => self.answer(&request),
                Message::Response(_) => {}
            }
        }
    }

    /// Answers the server's own requests (registration, refresh) with success.
    fn answer(&self, request: &Request) {
        self.connection
            .sender
            .send(Message::Response(Response::new_ok(
                request.id.clone(),
                Value::Null,
            )))
            .unwrap();
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let wanted = |notification: &Notification| {
            notification.method == "textDocument/publishDiagnostics"
                && notification.params["uri"] == uri
        };
        if let Some(at) = self.notifications.iter().position(wanted) {
            let notification = self.notifications.remove(at).unwrap();
            return notification.params["diagnostics"]
                .as_array()
                .unwrap()
                .clone();
        }
        loop {
            match self.connection.receiver.recv_timeout(TIMEOUT).unwrap() {
                Message::Notification(notification) if wanted(&notification) => {
                    return notification.params["diagnostics"]
                        .as_array()
                        .unwrap()
                        .clone();
                }
                Message::Notification(notification) => self.notifications.push_back(notification),
                Message::Request(request) => self.answer(&request),
                Message::Response(_) => {}
            }
        }
    }

    fn open(&self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": url(path), "languageId": "pip-requirements", "version": 1, "text": text}}),
        );
    }

    fn change(&self, path: &Path, version: i32, changes: &Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": url(path), "version": version}, "contentChanges": changes}),
        );
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap().unwrap();
    }
}

fn url(path: &Path) -> String {
    lsp_types::Url::from_file_path(path).unwrap().to_string()
}

fn folder(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for (name, text) in files {
        std::fs::write(root.join(name), text).unwrap();
    }
    (dir, root)
}

/// Applies the text edits of a workspace edit for `uri` to `text` (positions in UTF-16, the default).
fn apply(text: &str, edit: &Value, uri: &str) -> String {
    let mut edits: Vec<&Value> = edit["changes"][uri].as_array().unwrap().iter().collect();
    edits.sort_by_key(|edit| {
        let start = &edit["range"]["start"];
        std::cmp::Reverse((
            start["line"].as_u64().unwrap(),
            start["character"].as_u64().unwrap(),
        ))
    });
    let mut text = text.to_owned();
    for edit in edits {
        let offset = |position: &Value| {
            let line = position["line"].as_u64().unwrap() as usize;
            let character = position["character"].as_u64().unwrap() as usize;
            let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
            start + character
        };
        let (start, end) = (
            offset(&edit["range"]["start"]),
            offset(&edit["range"]["end"]),
        );
        text.replace_range(start..end, edit["newText"].as_str().unwrap());
    }
    text
}

const CONFLICT: &str = "# classifier\ntensorflow==2.5.0\nnumpy>=1.21  # the newest\n";

#[test]
fn diagnostics_arrive_and_a_quick_fix_clears_them() {
    let (_dir, root) = folder(&[]);
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

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 2, "character": 3}, "end": {"line": 2, "character": 3}},
            "context": {"diagnostics": []},
        }),
    );
    let actions = actions.as_array().unwrap();
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
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}},
            "context": {"diagnostics": [], "only": ["quickfix"]},
        }),
    );
    let ignore = actions
        .as_array()
        .unwrap()
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
    let pyproject = "[project]\nname = \"sample\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11,<3.13\"\ndependencies = [\"numpy>=2\"]\n";
    let lock = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/cmd/inputs/lockfiles/drift/uv.lock"),
    )
    .unwrap();
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
    let pyproject = "[project]\nname = \"sample\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11,<3.13\"\ndependencies = [\"numpy>=2\"]\n";
    let lock = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/cmd/inputs/lockfiles/drift/uv.lock"),
    )
    .unwrap();
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
