//! The message loop: the session's state (open documents, what changed), the handshake, and the dispatch of each
//! message to the worker.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use crossbeam_channel::Sender;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self, Notification as _};
use lsp_types::request::{self, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, DiagnosticOptions,
    DiagnosticServerCapabilities, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, InitializeParams, InitializeResult, PositionEncodingKind,
    Registration, RegistrationParams, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions,
};
use nplint_manifest::detect_format;

use crate::document::{Document, Encoding};
use crate::worker::{Discover, Snapshot, Task, Worker};
use crate::workspace::{Documents, Files, Scope};

/// What the server needs from the program that runs it.
pub struct Options {
    /// What nplint knows of packages.
    pub index: &'static nplint_index::Index,
    /// Reads the files the editor does not have open.
    pub files: Files,
    /// The largest file read, in bytes.
    pub limit: u64,
    /// Finds the environment files under a folder, for `workspace/diagnostic`.
    pub discover: Discover,
    /// The workspace's root when the client names none: the server's working directory.
    pub cwd: PathBuf,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

/// What the client said it can do, as far as the server's behaviour depends on it.
#[derive(Debug, Clone, Copy)]
struct Client {
    encoding: Encoding,
    /// Pulls diagnostics (`textDocument/diagnostic`): nothing is pushed.
    pull: bool,
    /// Re-pulls every open document's diagnostics when asked (`workspace/diagnostic/refresh`).
    refresh: bool,
    /// Accepts file watchers registered at run time.
    watch: bool,
}

impl Client {
    fn of(params: &InitializeParams) -> Self {
        let capabilities = &params.capabilities;
        let utf8 = capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_ref())
            .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
        let workspace = capabilities.workspace.as_ref();
        Self {
            encoding: if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            },
            pull: capabilities
                .text_document
                .as_ref()
                .is_some_and(|text| text.diagnostic.is_some()),
            refresh: workspace
                .and_then(|workspace| workspace.diagnostic.as_ref())
                .and_then(|diagnostic| diagnostic.refresh_support)
                .unwrap_or(false),
            watch: workspace
                .and_then(|workspace| workspace.did_change_watched_files.as_ref())
                .and_then(|watched| watched.dynamic_registration)
                .unwrap_or(false),
        }
    }
}

/// Serves one client on `connection` until it shuts the session down.
pub fn run(connection: &Connection, options: Options) -> anyhow::Result<()> {
    let (id, params) = connection
        .initialize_start()
        .context("the client did not start the session")?;
    let params: InitializeParams =
        serde_json::from_value(params).context("the client's `initialize` is malformed")?;
    let client = Client::of(&params);
    let result = InitializeResult {
        capabilities: capabilities(client),
        server_info: Some(ServerInfo {
            name: "nplint".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;

    let cancelled = Arc::new(Mutex::new(HashSet::new()));
    let (tasks, receiver) = crossbeam_channel::unbounded();
    let worker = Worker::new(
        options.index,
        connection.sender.clone(),
        cancelled.clone(),
        options.discover.clone(),
    );
    let worker = std::thread::Builder::new()
        .name("nplint-worker".to_owned())
        .spawn(move || worker.run(&receiver))
        .context("cannot start the worker thread")?;
    let mut session = Session {
        connection,
        client,
        root: root(&params).unwrap_or(options.cwd),
        files: options.files,
        limit: options.limit,
        documents: Arc::new(HashMap::new()),
        generation: 0,
        changed: Arc::new(HashMap::new()),
        tasks,
        cancelled,
        requests: 0,
    };
    if client.watch {
        session.watch_files();
    }
    let result = session.main_loop();
    drop(session);
    // The worker ends when its task channel closes (with the session).
    let _ = worker.join();
    result
}

/// The first workspace folder, else the root the client names: where configuration is searched from and what
/// `workspace/diagnostic` checks.
fn root(params: &InitializeParams) -> Option<PathBuf> {
    #[allow(
        deprecated,
        reason = "clients that send no workspace folders send a root URI"
    )]
    let root_uri = params.root_uri.as_ref();
    params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| &folder.uri)
        .or(root_uri)
        .and_then(|uri| uri.to_file_path().ok())
}

fn capabilities(client: Client) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match client.encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                crate::actions::fix_all_kind(),
            ]),
            ..CodeActionOptions::default()
        })),
        diagnostic_provider: client.pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("nplint".to_owned()),
                // A lockfile's findings change with its manifest, a requirements file's with what it includes.
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                ..DiagnosticOptions::default()
            })
        }),
        ..ServerCapabilities::default()
    }
}

struct Session<'a> {
    connection: &'a Connection,
    client: Client,
    root: PathBuf,
    files: Files,
    limit: u64,
    documents: Documents,
    /// Counts changes; see [`Snapshot::changed`].
    generation: u64,
    changed: Arc<HashMap<PathBuf, u64>>,
    tasks: Sender<Task>,
    cancelled: Arc<Mutex<HashSet<RequestId>>>,
    /// Counts the requests the server sent the client.
    requests: u64,
}

impl Session<'_> {
    fn main_loop(&mut self) -> anyhow::Result<()> {
        for message in &self.connection.receiver {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    self.request(request)?;
                }
                Message::Notification(notification) => self.notification(notification),
                // Answers to the server's own requests (registration, refresh): nothing waits for them.
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            scope: Scope {
                documents: self.documents.clone(),
                files: self.files.clone(),
                root: self.root.clone(),
                limit: self.limit,
            },
            generation: self.generation,
            changed: self.changed.clone(),
            encoding: self.client.encoding,
        }
    }

    fn request(&mut self, request: Request) -> anyhow::Result<()> {
        use crate::worker::Request as Work;
        let id = request.id.clone();
        let work = match request.method.as_str() {
            request::DocumentDiagnosticRequest::METHOD => request
                .extract(request::DocumentDiagnosticRequest::METHOD)
                .map(|(_, params)| Work::DocumentDiagnostic(params)),
            request::WorkspaceDiagnosticRequest::METHOD => request
                .extract(request::WorkspaceDiagnosticRequest::METHOD)
                .map(|(_, params)| Work::WorkspaceDiagnostic(params)),
            request::CodeActionRequest::METHOD => request
                .extract(request::CodeActionRequest::METHOD)
                .map(|(_, params)| Work::CodeAction(params)),
            request::HoverRequest::METHOD => request
                .extract(request::HoverRequest::METHOD)
                .map(|(_, params)| Work::Hover(params)),
            method => {
                let response = Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("nplint does not handle `{method}`"),
                );
                self.connection.sender.send(Message::Response(response))?;
                return Ok(());
            }
        };
        match work {
            Ok(request) => {
                self.tasks.send(Task::Request {
                    id,
                    snapshot: self.snapshot(),
                    request: Box::new(request),
                })?;
            }
            Err(error) => {
                let response =
                    Response::new_err(id, ErrorCode::InvalidParams as i32, error.to_string());
                self.connection.sender.send(Message::Response(response))?;
            }
        }
        Ok(())
    }

    fn notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<DidOpenTextDocumentParams>(notification::DidOpenTextDocument::METHOD)
                {
                    self.open(params);
                }
            }
            notification::DidChangeTextDocument::METHOD => {
                if let Ok(params) = notification.extract::<DidChangeTextDocumentParams>(
                    notification::DidChangeTextDocument::METHOD,
                ) {
                    self.change(params);
                }
            }
            notification::DidCloseTextDocument::METHOD => {
                if let Ok(params) = notification.extract::<DidCloseTextDocumentParams>(
                    notification::DidCloseTextDocument::METHOD,
                ) && let Ok(path) = params.text_document.uri.to_file_path()
                {
                    Arc::make_mut(&mut self.documents).remove(&path);
                    self.changed(&[path]);
                }
            }
            notification::DidSaveTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<DidSaveTextDocumentParams>(notification::DidSaveTextDocument::METHOD)
                    && let Ok(path) = params.text_document.uri.to_file_path()
                {
                    self.changed(&[path]);
                }
            }
            notification::DidChangeWatchedFiles::METHOD => {
                if let Ok(params) = notification.extract::<DidChangeWatchedFilesParams>(
                    notification::DidChangeWatchedFiles::METHOD,
                ) {
                    let paths: Vec<PathBuf> = params
                        .changes
                        .iter()
                        .filter_map(|change| change.uri.to_file_path().ok())
                        .collect();
                    self.changed(&paths);
                }
            }
            notification::Cancel::METHOD => {
                if let Ok(params) =
                    notification.extract::<lsp_types::CancelParams>(notification::Cancel::METHOD)
                {
                    self.cancelled
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(crate::worker::request_id(params.id));
                }
            }
            _ => {}
        }
    }

    fn open(&mut self, params: DidOpenTextDocumentParams) {
        let Ok(path) = params.text_document.uri.to_file_path() else {
            return;
        };
        let document = Document {
            format: detect_format(&path, false),
            uri: params.text_document.uri,
            path: path.clone(),
            version: params.text_document.version,
            text: params.text_document.text.into(),
        };
        Arc::make_mut(&mut self.documents).insert(path.clone(), document);
        self.changed(&[path]);
    }

    fn change(&mut self, params: DidChangeTextDocumentParams) {
        let Ok(path) = params.text_document.uri.to_file_path() else {
            return;
        };
        let encoding = self.client.encoding;
        let Some(document) = Arc::make_mut(&mut self.documents).get_mut(&path) else {
            return;
        };
        document.apply(params.content_changes, encoding);
        document.version = params.text_document.version;
        self.changed(&[path]);
    }

    /// Records that `paths` changed, and has the diagnostics brought up to date: published again by the worker, or
    /// pulled again by the client.
    fn changed(&mut self, paths: &[PathBuf]) {
        self.generation += 1;
        let changed = Arc::make_mut(&mut self.changed);
        for path in paths {
            changed.insert(path.clone(), self.generation);
        }
        if !self.client.pull {
            let _ = self.tasks.send(Task::Publish(self.snapshot()));
        } else if self.client.refresh && self.documents.len() > 1 {
            // The client pulls the document it changed; the others may depend on it (a lockfile on its manifest).
            self.send_request(request::WorkspaceDiagnosticRefresh::METHOD, ());
        }
    }

    fn send_request(&mut self, method: &str, params: impl serde::Serialize) {
        self.requests += 1;
        let id = RequestId::from(format!("nplint-{}", self.requests));
        let _ = self.connection.sender.send(Message::Request(Request::new(
            id,
            method.to_owned(),
            params,
        )));
    }

    /// Asks the client to tell of changes on disk to the files a check reads (configurations, included files,
    /// the manifest beside a lockfile), edited outside the editor.
    fn watch_files(&mut self) {
        let watchers = ["**/*.{toml,txt,in,yml,yaml,lock}", "**/Pipfile"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_owned()),
                kind: None,
            })
            .collect();
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "nplint-watched-files".to_owned(),
                method: notification::DidChangeWatchedFiles::METHOD.to_owned(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            }],
        };
        self.send_request(request::RegisterCapability::METHOD, params);
    }
}
