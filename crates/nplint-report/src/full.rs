//! `--format full`: miette's graphical report, the offending lines with labels, then the help.
//!
//! miette shows one source per diagnostic, so labels in other files (the other end of an include cycle) are
//! rendered as related notes, each with its own snippet.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use nplint_diagnostics::{
    CONTEXT_LINES, Diagnostic, Location, Severity, SourceFile, Span, portable_path,
};

use crate::{RenderOptions, Report, summary};

pub(crate) fn render(
    report: &Report,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let handler = handler(options);
    for diagnostic in &report.diagnostics {
        let (finding, notes) = Finding::new(diagnostic);
        let mut text = String::new();
        for part in std::iter::once(&finding).chain(&notes) {
            handler
                .render_report(&mut text, part)
                .map_err(io::Error::other)?;
        }
        out.write_all(text.as_bytes())?;
        if let Some(explanation) = &diagnostic.explanation {
            write!(out, "{}", indent(explanation))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", summary::line(report))
}

/// Renders an error that stops a run before any check, such as an unusable configuration, in the graphical form
/// of a finding: the offending line with `label` under it, then `help`. Whatever `--format` says, such errors go
/// to standard error in this form (and, for `github`, also as an annotation: see
/// [`github_error_command`](crate::github_error_command)).
pub fn render_error(
    location: &Location,
    message: &str,
    label: Option<&str>,
    help: Option<&str>,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let handler = handler(options);
    let finding = Finding {
        title: message.to_owned(),
        code: None,
        severity: miette::Severity::Error,
        file: File(location.file.clone()),
        labels: vec![LabeledSpan::new_primary_with_span(
            label.map(ToOwned::to_owned),
            source_span(location),
        )],
        help: help.map(ToOwned::to_owned),
    };
    let mut text = String::new();
    handler
        .render_report(&mut text, &finding)
        .map_err(io::Error::other)?;
    out.write_all(text.as_bytes())
}

/// Renders a note in the graphical form of a finding, without a rule: `title`, then the lines of `labels` (all in
/// the first label's file) each with its message, then `help`. What `nplint upgrade` shows of the lines a plan
/// changes.
pub fn render_note(
    title: &str,
    labels: &[(Location, String)],
    help: Option<&str>,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some((first, _)) = labels.first() else {
        return writeln!(out, "{title}");
    };
    let handler = handler(options);
    let note = Finding {
        title: title.to_owned(),
        code: None,
        severity: miette::Severity::Advice,
        file: File(first.file.clone()),
        labels: labels
            .iter()
            .filter(|(location, _)| Arc::ptr_eq(&location.file, &first.file))
            .map(|(location, message)| {
                LabeledSpan::new_with_span(Some(message.clone()), source_span(location))
            })
            .collect(),
        help: help.map(ToOwned::to_owned),
    };
    let mut text = String::new();
    handler
        .render_report(&mut text, &note)
        .map_err(io::Error::other)?;
    out.write_all(text.as_bytes())
}

/// miette's graphical handler, themed by the options.
fn handler(options: RenderOptions) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_context_lines(CONTEXT_LINES as usize)
}

fn indent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A source file as miette reads it, named by its path.
#[derive(Debug)]
struct File(Arc<SourceFile>);

impl SourceCode for File {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // Read in the kept text that holds the span (the whole text, or a piece of an excerpt), then put the
        // result back at the whole file's offsets and lines.
        let start = u32::try_from(span.offset()).map_err(|_| MietteError::OutOfBounds)?;
        let end =
            u32::try_from(span.offset() + span.len()).map_err(|_| MietteError::OutOfBounds)?;
        let window = self
            .0
            .window(Span::new(start, end))
            .ok_or(MietteError::OutOfBounds)?;
        let relative =
            SourceSpan::from((start - window.offset) as usize..(end - window.offset) as usize);
        let contents =
            window
                .text
                .read_span(&relative, context_lines_before, context_lines_after)?;
        let at = SourceSpan::from((
            contents.span().offset() + window.offset as usize,
            contents.span().len(),
        ));
        // miette merges two labels' snippets when the first one's `line() + line_count()` reaches the second's
        // `line()`, so `line_count` must be the lines the contents span (`str::read_span` gives the lines from the
        // start of the text instead, which merged every label of a file into one snippet, however far apart).
        let data = contents.data();
        let line_count =
            data.split(|&byte| byte == b'\n').count() - usize::from(data.ends_with(b"\n"));
        Ok(Box::new(MietteSpanContents::new_named(
            portable_path(self.0.path()),
            data,
            at,
            contents.line() + window.line as usize,
            contents.column(),
            line_count,
        )))
    }
}

fn source_span(location: &Location) -> SourceSpan {
    SourceSpan::from(location.span.range())
}

/// A diagnostic, or a note on a label in another file, in the shape miette renders.
#[derive(Debug)]
struct Finding {
    title: String,
    /// `severity[rule]` for a finding; notes have none.
    code: Option<String>,
    severity: miette::Severity,
    file: File,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl Finding {
    /// The finding, and a note for each label that lies in another file.
    fn new(diagnostic: &Diagnostic) -> (Self, Vec<Self>) {
        let primary = LabeledSpan::new_primary_with_span(
            diagnostic.primary_label.clone(),
            source_span(&diagnostic.location),
        );
        let mut labels = vec![primary];
        let mut notes = Vec::new();
        for label in &diagnostic.labels {
            if Arc::ptr_eq(&label.location.file, &diagnostic.location.file) {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.message.clone()),
                    source_span(&label.location),
                ));
            } else {
                notes.push(Self {
                    title: label.message.clone(),
                    code: None,
                    severity: miette::Severity::Advice,
                    file: File(label.location.file.clone()),
                    labels: vec![LabeledSpan::new_primary_with_span(
                        None,
                        source_span(&label.location),
                    )],
                    help: None,
                });
            }
        }
        let finding = Self {
            title: diagnostic.message.clone(),
            code: Some(format!("{}[{}]", diagnostic.severity, diagnostic.rule.name)),
            severity: match diagnostic.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            file: File(diagnostic.location.file.clone()),
            labels,
            help: diagnostic.help.clone(),
        };
        (finding, notes)
    }
}

impl Finding {
    /// A file nplint could not read has no text to show.
    fn has_snippet(&self) -> bool {
        !self.file.0.is_empty()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl std::error::Error for Finding {}

impl miette::Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|code| Box::new(code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.has_snippet().then_some(&self.file as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.has_snippet()
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}
