//! A small HTTP server on 127.0.0.1 for tests of what reads an index: a `TcpListener` and a thread per
//! connection, answering with `Connection: close` whatever a handler says, and logging every request. Used by
//! this crate's end-to-end tests and, through the `test-support` feature, by the CLI's.

#![allow(
    clippy::missing_panics_doc,
    reason = "test support: a server that cannot bind fails the test that started it"
)]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// An answer; `None` from a handler leaves the connection open and silent.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "handlers answer `Option<Answer>`; every call site returns this directly"
)]
pub fn answer(status: u16, body: impl Into<Vec<u8>>) -> Option<Answer> {
    Some(Answer {
        status,
        headers: Vec::new(),
        body: body.into(),
    })
}

pub type Handler = dyn Fn(&Request) -> Option<Answer> + Send + Sync;

#[derive(Debug)]
pub struct Server {
    pub port: u16,
    log: Arc<Mutex<Vec<Request>>>,
    /// The most requests seen in progress at once.
    pub peak: Arc<AtomicUsize>,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Option<Answer> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let peak = Arc::new(AtomicUsize::new(0));
        let active = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let (server_log, server_peak) = (Arc::clone(&log), Arc::clone(&peak));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (log, peak, active, handler) = (
                    Arc::clone(&server_log),
                    Arc::clone(&server_peak),
                    Arc::clone(&active),
                    Arc::clone(&handler),
                );
                std::thread::spawn(move || serve(stream, &log, &peak, &active, &*handler));
            }
        });
        Self { port, log, peak }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    log: &Mutex<Vec<Request>>,
    peak: &AtomicUsize,
    active: &AtomicUsize,
    handler: &Handler,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
    }
    let request = Request { path, headers };
    log.lock().unwrap().push(request.clone());
    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
    peak.fetch_max(now, Ordering::SeqCst);
    let Some(answer) = handler(&request) else {
        active.fetch_sub(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_secs(10));
        return;
    };
    // Done before the answer is written: once the client has read it, it may send its next request, which must not
    // find this one still counted (a peak one too high, under load).
    active.fetch_sub(1, Ordering::SeqCst);
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status,
        answer.body.len()
    );
    for (name, value) in &answer.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&answer.body);
    let _ = stream.flush();
}
