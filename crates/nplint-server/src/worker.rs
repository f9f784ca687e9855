//! The worker thread: checks documents and answers what needs a check (diagnostics, code actions, hover), in
//! order, reusing each document's last check until a file it read changes.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::{
    CodeActionParams, DocumentDiagnosticParams, DocumentDiagnosticReport,
    DocumentDiagnosticReportKind, DocumentDiagnosticReportResult, FullDocumentDiagnosticReport,
    HoverParams, NumberOrString, ProgressParams, ProgressParamsValue, PublishDiagnosticsParams,
    RelatedFullDocumentDiagnosticReport, Url, WorkDoneProgress, WorkDoneProgressBegin,
    WorkDoneProgressEnd, WorkDoneProgressReport, WorkspaceDiagnosticParams,
    WorkspaceDiagnosticReport, WorkspaceDiagnosticReportResult, WorkspaceDocumentDiagnosticReport,
    WorkspaceFullDocumentDiagnosticReport,
};
use nplint_manifest::{Format, detect_format};

use crate::convert;
use crate::document::Encoding;
use crate::workspace::{self, Checked, Resolvers, Scope};

/// What the worker is asked to do, with the documents as they were when it was asked.
pub(crate) enum Task {
    /// Check the open documents and publish what changed (clients without pull diagnostics).
    Publish(Snapshot),
    /// A request to answer.
    Request {
        id: RequestId,
        snapshot: Snapshot,
        request: Box<Request>,
    },
}

impl Task {
    fn snapshot(&self) -> &Snapshot {
        match self {
            Self::Publish(snapshot) | Self::Request { snapshot, .. } => snapshot,
        }
    }
}

pub(crate) enum Request {
    DocumentDiagnostic(DocumentDiagnosticParams),
    WorkspaceDiagnostic(WorkspaceDiagnosticParams),
    CodeAction(CodeActionParams),
    Hover(HoverParams),
}

/// The documents and what changed, at one moment of the session.
#[derive(Clone)]
pub(crate) struct Snapshot {
    pub scope: Scope,
    /// Counts the session's changes.
    pub generation: u64,
    /// For each path changed since the session started (edited, saved, or changed on disk), the generation of its
    /// last change.
    pub changed: Arc<HashMap<PathBuf, u64>>,
    pub encoding: Encoding,
}

/// Finds the environment files under a folder, as `nplint check FOLDER` would.
pub type Discover = Arc<dyn Fn(&Path) -> Vec<(PathBuf, Format)> + Send + Sync>;

pub(crate) struct Worker {
    sender: Sender<Message>,
    resolvers: Resolvers,
    /// Each document's last check, with the generation it saw.
    cache: HashMap<PathBuf, (u64, Arc<Checked>)>,
    /// What was last published for each file, with the version of the document it was published for.
    published: HashMap<Url, (Option<i32>, Vec<lsp_types::Diagnostic>)>,
    cancelled: Arc<Mutex<HashSet<RequestId>>>,
    discover: Discover,
}

impl Worker {
    pub(crate) fn new(
        index: &'static nplint_index::Index,
        sender: Sender<Message>,
        cancelled: Arc<Mutex<HashSet<RequestId>>>,
        discover: Discover,
    ) -> Self {
        Self {
            sender,
            resolvers: Resolvers::new(index),
            cache: HashMap::new(),
            published: HashMap::new(),
            cancelled,
            discover,
        }
    }

    /// Works until the message loop hangs up. Tasks that queued up while a check ran are taken together: one
    /// publication for all the changes, and requests about a document that changed since are answered as stale.
    pub(crate) fn run(mut self, tasks: &Receiver<Task>) {
        while let Ok(task) = tasks.recv() {
            let mut batch = vec![task];
            batch.extend(tasks.try_iter());
            let newest = batch.last().map(|task| task.snapshot().clone());
            let mut publish = false;
            for task in batch {
                match task {
                    Task::Publish(_) => publish = true,
                    Task::Request {
                        id,
                        snapshot,
                        request,
                    } => {
                        let newest = newest.as_ref().unwrap_or(&snapshot);
                        let response = self.answer(id.clone(), &snapshot, newest, *request);
                        self.cancelled
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .remove(&id);
                        self.send(Message::Response(response));
                    }
                }
            }
            if publish && let Some(snapshot) = newest {
                self.publish(&snapshot);
            }
        }
    }

    fn send(&self, message: Message) {
        // The message loop has hung up only when the session ends.
        let _ = self.sender.send(message);
    }

    fn is_cancelled(&self, id: &RequestId) -> bool {
        self.cancelled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(id)
    }

    fn answer(
        &mut self,
        id: RequestId,
        snapshot: &Snapshot,
        newest: &Snapshot,
        request: Request,
    ) -> Response {
        if self.is_cancelled(&id) {
            return Response::new_err(id, ErrorCode::RequestCanceled as i32, "canceled".to_owned());
        }
        let stale = |uri: &Url| {
            let version = |snapshot: &Snapshot| {
                uri.to_file_path()
                    .ok()
                    .and_then(|path| snapshot.scope.documents.get(&path).map(|d| d.version))
            };
            version(snapshot) != version(newest)
        };
        let result = match request {
            // Diagnostics are worth having for the newest text, whenever they were asked for.
            Request::DocumentDiagnostic(params) => {
                serde_json::to_value(self.document_diagnostic(newest, &params.text_document.uri))
            }
            Request::WorkspaceDiagnostic(params) => {
                match self.workspace_diagnostic(&id, newest, &params) {
                    Some(report) => serde_json::to_value(report),
                    None => {
                        return Response::new_err(
                            id,
                            ErrorCode::RequestCanceled as i32,
                            "canceled".to_owned(),
                        );
                    }
                }
            }
            // An edit or a position computed on text that has changed since would land in the wrong place.
            Request::CodeAction(params) if stale(&params.text_document.uri) => {
                return content_modified(id);
            }
            Request::Hover(params)
                if stale(&params.text_document_position_params.text_document.uri) =>
            {
                return content_modified(id);
            }
            Request::CodeAction(params) => {
                let checks = self.checks_into(snapshot, &params.text_document.uri);
                serde_json::to_value(crate::actions::code_actions(
                    &checks,
                    &params,
                    snapshot.encoding,
                ))
            }
            Request::Hover(params) => serde_json::to_value(self.hover(snapshot, &params)),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(error) => Response::new_err(id, ErrorCode::InternalError as i32, error.to_string()),
        }
    }

    fn hover(&mut self, snapshot: &Snapshot, params: &HoverParams) -> Option<lsp_types::Hover> {
        let uri = &params.text_document_position_params.text_document.uri;
        let path = uri.to_file_path().ok()?;
        let document = snapshot.scope.documents.get(&path)?;
        let format = document.format?;
        let (settings, _, _) = workspace::settings(&snapshot.scope, &path);
        let resolver = self.resolvers.for_settings(&settings);
        crate::hover::hover(
            &snapshot.scope,
            &resolver,
            &settings,
            document,
            format,
            params.text_document_position_params.position,
            snapshot.encoding,
        )
    }

    /// The check of the document at `path`: the last one, when no file it read has changed since.
    fn checked(&mut self, snapshot: &Snapshot, path: &Path) -> Option<Arc<Checked>> {
        if let Some((generation, checked)) = self.cache.get(path)
            && checked.read.iter().all(|read| {
                snapshot
                    .changed
                    .get(read)
                    .is_none_or(|changed| changed <= generation)
            })
        {
            return Some(checked.clone());
        }
        let document = snapshot.scope.documents.get(path);
        let format = match document {
            Some(document) => document.format?,
            None => detect_format(path, false)?,
        };
        let checked = Arc::new(workspace::check(
            &snapshot.scope,
            &mut self.resolvers,
            path,
            format,
        ));
        self.cache
            .insert(path.to_path_buf(), (snapshot.generation, checked.clone()));
        Some(checked)
    }

    /// The checks whose findings may stand in the file at `uri`: its own, and those of the open documents.
    fn checks_into(&mut self, snapshot: &Snapshot, uri: &Url) -> Vec<Arc<Checked>> {
        let mut paths: Vec<PathBuf> = snapshot
            .scope
            .documents
            .iter()
            .filter(|(_, document)| document.format.is_some())
            .map(|(path, _)| path.clone())
            .collect();
        if let Ok(path) = uri.to_file_path() {
            paths.push(path);
        }
        paths.sort();
        paths.dedup();
        paths
            .iter()
            .filter_map(|path| self.checked(snapshot, path))
            .collect()
    }

    fn checked_uri(&mut self, snapshot: &Snapshot, uri: &Url) -> Option<Arc<Checked>> {
        let path = uri.to_file_path().ok()?;
        self.checked(snapshot, &path)
    }

    /// The diagnostics of every open document and of the files their findings are in, by file: a finding of an
    /// included file shows in that file, once however many open files include it.
    fn by_file(&mut self, snapshot: &Snapshot) -> HashMap<Url, Vec<lsp_types::Diagnostic>> {
        let mut paths: Vec<&PathBuf> = snapshot
            .scope
            .documents
            .iter()
            .filter(|(_, document)| document.format.is_some())
            .map(|(path, _)| path)
            .collect();
        paths.sort();
        let mut by_file: HashMap<Url, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for path in paths {
            if let Some(document) = snapshot.scope.documents.get(path) {
                by_file.entry(document.uri.clone()).or_default();
            }
            let Some(checked) = self.checked(snapshot, path) else {
                continue;
            };
            add(&mut by_file, &checked, snapshot.encoding);
        }
        by_file
    }

    /// Publishes the diagnostics of every file whose diagnostics changed, or whose document has a new version
    /// (a client may drop diagnostics of an older version), and clears those of files that have none left.
    fn publish(&mut self, snapshot: &Snapshot) {
        let now: HashMap<Url, (Option<i32>, Vec<lsp_types::Diagnostic>)> = self
            .by_file(snapshot)
            .into_iter()
            .map(|(uri, diagnostics)| (version(snapshot, &uri), (uri, diagnostics)))
            .map(|(version, (uri, diagnostics))| (uri, (version, diagnostics)))
            .collect();
        // In the order of their URIs, so that a session's notifications do not depend on hashing.
        let mut uris: Vec<&Url> = now.keys().collect();
        uris.sort();
        for uri in uris {
            let published = &now[uri];
            if self.published.get(uri) != Some(published) {
                self.send_diagnostics(uri.clone(), published.0, published.1.clone());
            }
        }
        let mut gone: Vec<Url> = self
            .published
            .keys()
            .filter(|uri| !now.contains_key(*uri))
            .cloned()
            .collect();
        gone.sort();
        for uri in gone {
            let version = version(snapshot, &uri);
            self.send_diagnostics(uri, version, Vec::new());
        }
        self.published = now;
    }

    fn send_diagnostics(
        &self,
        uri: Url,
        version: Option<i32>,
        diagnostics: Vec<lsp_types::Diagnostic>,
    ) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Message::Notification(Notification::new(
            lsp_types::notification::PublishDiagnostics::METHOD.to_owned(),
            params,
        )));
    }

    /// `textDocument/diagnostic`: the document's diagnostics, with those of the open documents whose check read it
    /// (a lockfile when its manifest changes), so that both update together.
    fn document_diagnostic(
        &mut self,
        snapshot: &Snapshot,
        uri: &Url,
    ) -> DocumentDiagnosticReportResult {
        let mut by_file = self.by_file(snapshot);
        if !by_file.contains_key(uri)
            && let Some(checked) = self.checked_uri(snapshot, uri)
        {
            add(&mut by_file, &checked, snapshot.encoding);
        }
        let items = by_file.remove(uri).unwrap_or_default();
        let path = uri.to_file_path().ok();
        let mut related = HashMap::new();
        for (other, document) in snapshot.scope.documents.iter() {
            if Some(other) == path.as_ref() || document.format.is_none() {
                continue;
            }
            let reads_it = self.cache.get(other).is_some_and(|(_, checked)| {
                path.as_ref()
                    .is_some_and(|path| checked.read.contains(path))
            });
            if reads_it {
                let items = by_file.remove(&document.uri).unwrap_or_default();
                related.insert(
                    document.uri.clone(),
                    DocumentDiagnosticReportKind::Full(FullDocumentDiagnosticReport {
                        result_id: None,
                        items,
                    }),
                );
            }
        }
        DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: (!related.is_empty()).then_some(related),
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            },
        ))
    }

    /// `workspace/diagnostic`: every environment file under the workspace's root, with progress reported when the
    /// client gave a token; `None` when the request was canceled on the way.
    fn workspace_diagnostic(
        &mut self,
        id: &RequestId,
        snapshot: &Snapshot,
        params: &WorkspaceDiagnosticParams,
    ) -> Option<WorkspaceDiagnosticReportResult> {
        let mut files: Vec<PathBuf> = (self.discover)(&snapshot.scope.root)
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        files.extend(
            snapshot
                .scope
                .documents
                .iter()
                .filter(|(_, document)| document.format.is_some())
                .map(|(path, _)| path.clone()),
        );
        files.sort();
        files.dedup();
        let token = params.work_done_progress_params.work_done_token.clone();
        let sender = self.sender.clone();
        let progress = |value: WorkDoneProgress| {
            if let Some(token) = &token {
                let _ = sender.send(Message::Notification(Notification::new(
                    lsp_types::notification::Progress::METHOD.to_owned(),
                    ProgressParams {
                        token: token.clone(),
                        value: ProgressParamsValue::WorkDone(value),
                    },
                )));
            }
        };
        progress(WorkDoneProgress::Begin(WorkDoneProgressBegin {
            title: "nplint".to_owned(),
            cancellable: Some(false),
            message: Some(format!("checking {} files", files.len())),
            percentage: Some(0),
        }));
        let mut by_file: HashMap<Url, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for (done, path) in files.iter().enumerate() {
            if self.is_cancelled(id) {
                progress(WorkDoneProgress::End(WorkDoneProgressEnd { message: None }));
                return None;
            }
            if let Ok(uri) = Url::from_file_path(path) {
                by_file.entry(uri).or_default();
            }
            if let Some(checked) = self.checked(snapshot, path) {
                add(&mut by_file, &checked, snapshot.encoding);
            }
            let percentage = ((done + 1) * 100 / files.len().max(1)) as u32;
            progress(WorkDoneProgress::Report(WorkDoneProgressReport {
                cancellable: Some(false),
                message: Some(format!("{}/{}", done + 1, files.len())),
                percentage: Some(percentage),
            }));
        }
        progress(WorkDoneProgress::End(WorkDoneProgressEnd {
            message: Some(format!("checked {} files", files.len())),
        }));
        let mut items: Vec<WorkspaceDocumentDiagnosticReport> = by_file
            .into_iter()
            .map(|(uri, items)| {
                let version = uri
                    .to_file_path()
                    .ok()
                    .and_then(|path| snapshot.scope.documents.get(&path))
                    .map(|document| i64::from(document.version));
                WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                    uri,
                    version,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: None,
                        items,
                    },
                })
            })
            .collect();
        items.sort_by(|a, b| report_uri(a).cmp(report_uri(b)));
        Some(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }
}

/// The version of the open document at `uri`; `None` for a file that is not open.
fn version(snapshot: &Snapshot, uri: &Url) -> Option<i32> {
    let path = uri.to_file_path().ok()?;
    snapshot
        .scope
        .documents
        .get(&path)
        .map(|document| document.version)
}

fn report_uri(report: &WorkspaceDocumentDiagnosticReport) -> &str {
    match report {
        WorkspaceDocumentDiagnosticReport::Full(full) => full.uri.as_str(),
        WorkspaceDocumentDiagnosticReport::Unchanged(unchanged) => unchanged.uri.as_str(),
    }
}

/// Adds a check's findings to the files they are in, each once.
fn add(
    by_file: &mut HashMap<Url, Vec<lsp_types::Diagnostic>>,
    checked: &Checked,
    encoding: Encoding,
) {
    let findings = checked.diagnostics.iter().map(|diagnostic| {
        (
            &diagnostic.location,
            convert::diagnostic(diagnostic, encoding),
        )
    });
    let config_errors = checked
        .config_errors
        .iter()
        .map(|error| (&error.location, convert::config_error(error, encoding)));
    for (location, diagnostic) in findings.chain(config_errors) {
        let Some(uri) = convert::uri(location) else {
            continue;
        };
        let list = by_file.entry(uri).or_default();
        if !list.contains(&diagnostic) {
            list.push(diagnostic);
        }
    }
}

fn content_modified(id: RequestId) -> Response {
    Response::new_err(
        id,
        ErrorCode::ContentModified as i32,
        "the document changed".to_owned(),
    )
}

/// A request id as the protocol writes it in `$/cancelRequest`.
pub(crate) fn request_id(id: NumberOrString) -> RequestId {
    match id {
        NumberOrString::Number(number) => RequestId::from(number),
        NumberOrString::String(string) => RequestId::from(string),
    }
}
