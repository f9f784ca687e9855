//! `nplint server`: a language server for Python environment files, over a connection it is given (the command
//! line gives it standard input and output).
//!
//! Data flows one way, as in the command line: the message loop ([`server`]) keeps the open documents and sends
//! each piece of work, with a snapshot of them, to one worker thread ([`worker`]), which checks documents
//! ([`workspace`]: the same checks as `nplint check`, over the editor's unsaved text), and answers the client
//! itself. The worker keeps each document's last check and reuses it until a file the check read changes.
//!
//! What it offers: diagnostics pushed on open, change and save, or pulled by clients that ask for them
//! (`textDocument/diagnostic`, `workspace/diagnostic`); quick fixes, "ignore this finding" and "fix all"
//! ([`actions`]); hover on requirements ([`hover`]).

mod actions;
mod convert;
mod document;
mod hover;
mod server;
mod worker;
mod workspace;

pub use server::{Options, run};
pub use workspace::Files;
