//! A client on one end of an in-memory connection, with `nplint server` at the other: what the protocol tests and
//! the latency benchmark drive.

#![allow(dead_code, reason = "each user takes what it needs")]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use nplint_manifest::{LoadError, Loader};
use serde_json::{Value, json};

/// Reads files from disk, as the command line's loader does.
pub struct Disk;

impl Loader for Disk {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        std::fs::read(path).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound,
            _ => LoadError::Io(error),
        })
    }
}

/// A client on one end of an in-memory connection, the server on a thread at the other.
pub struct Client {
    connection: Connection,
    server: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
    /// Notifications received while waiting for something else.
    pub notifications: VecDeque<Notification>,
    next_id: i32,
}

pub const TIMEOUT: Duration = Duration::from_mins(1);

impl Client {
    /// Starts a server and initializes it with `capabilities`, in the folder `root`.
    pub fn start(root: &Path, capabilities: &Value) -> Self {
        Self::start_with(root, capabilities, Vec::new())
    }

    /// [`Client::start`], with the files the workspace holds (what `workspace/diagnostic` checks).
    pub fn start_with(
        root: &Path,
        capabilities: &Value,
        files: Vec<(PathBuf, nplint_manifest::Format)>,
    ) -> Self {
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || {
            let options = nplint_server::Options {
                index: nplint_index::Index::embedded(),
                files: Arc::new(Disk),
                limit: 16 * 1024 * 1024,
                discover: Arc::new(move |_: &Path| files.clone()),
                cwd: PathBuf::from("/"),
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

    pub fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                method.to_owned(),
                params,
            )))
            .unwrap();
    }

    /// Sends a request and waits for its response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_response(method, params);
        match response.response_result {
            Ok(result) => result,
            Err(error) => panic!("{method}: {error:?}"),
        }
    }

    pub fn request_response(&mut self, method: &str, params: Value) -> Response {
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
    pub fn answer(&self, request: &Request) {
        self.connection
            .sender
            .send(Message::Response(Response::new_ok(
                request.id.clone(),
                Value::Null,
            )))
            .unwrap();
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
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

    /// The code actions at `line`:`character` of `uri` (a cursor), of the kinds `only` names (`None`: all).
    pub fn code_actions(
        &mut self,
        uri: &str,
        line: u32,
        character: u32,
        only: Option<&[&str]>,
    ) -> Vec<Value> {
        let position = json!({"line": line, "character": character});
        let mut context = json!({"diagnostics": []});
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let actions = self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": {"start": position, "end": position},
                "context": context,
            }),
        );
        actions.as_array().expect("a list of actions").clone()
    }

    pub fn open(&self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": url(path), "languageId": "pip-requirements", "version": 1, "text": text}}),
        );
    }

    pub fn change(&self, path: &Path, version: i32, changes: &Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": url(path), "version": version}, "contentChanges": changes}),
        );
    }

    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap().unwrap();
    }
}

pub fn url(path: &Path) -> String {
    lsp_types::Url::from_file_path(path).unwrap().to_string()
}

pub fn folder(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for (name, text) in files {
        std::fs::write(root.join(name), text).unwrap();
    }
    (dir, root)
}

/// Applies the text edits of a workspace edit for `uri` to `text` (positions in UTF-16, the default).
pub fn apply(text: &str, edit: &Value, uri: &str) -> String {
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
