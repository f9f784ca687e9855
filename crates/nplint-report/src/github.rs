//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations on the pull
//! request, then the human summary line.
//!
//! One command per finding: `::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=TITLE::MESSAGE`
//! (`warning` for warnings, `notice` for notes). Escaping follows the runner's toolkit (`@actions/core`,
//! `command.ts`): in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; in property values `:` and `,` become
//! `%3A` and `%2C` as well. GitHub shows at most 10 error and 10 warning annotations of a step (and 50 of a job),
//! so errors come first (most severe first, then in report order), and when a kind exceeds its share a closing
//! notice says how many more the log holds.

use std::io::{self, Write};

use nplint_diagnostics::{Diagnostic, Severity, portable_path};

use crate::{Report, summary};

/// Annotations of one kind GitHub shows per step.
const SHOWN_PER_STEP: usize = 10;

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut ordered: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    // Stable: within a severity, the report's order (path, then position).
    ordered.sort_by_key(|diagnostic| std::cmp::Reverse(diagnostic.severity));
    for diagnostic in &ordered {
        writeln!(out, "{}", command(diagnostic))?;
    }
    let counts = summary::Counts::of(report);
    let hidden_errors = counts.errors.saturating_sub(SHOWN_PER_STEP);
    let hidden_warnings = counts.warnings.saturating_sub(SHOWN_PER_STEP);
    if hidden_errors + hidden_warnings > 0 {
        let message = format!(
            "GitHub shows the first {SHOWN_PER_STEP} errors and {SHOWN_PER_STEP} warnings of a step as annotations: \
             {hidden_errors} more error(s) and {hidden_warnings} more warning(s) are in this step's log"
        );
        writeln!(
            out,
            "::notice title={}::{}",
            escape_property("nplint"),
            escape_data(&message)
        )?;
    }
    writeln!(out, "{}", summary::line(report))
}

/// The workflow command for one finding.
fn command(diagnostic: &Diagnostic) -> String {
    let kind = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let start = diagnostic.location.start();
    let end = diagnostic.location.end();
    let mut properties = vec![
        ("file", portable_path(diagnostic.location.file.path())),
        ("line", start.line.to_string()),
        ("col", start.column.to_string()),
    ];
    // GitHub's columns are inclusive, ours end after the span; a span ending at the start of a line ends on the
    // line before.
    if end.offset > start.offset {
        let (end_line, end_column) = if end.column > 1 || end.line == start.line {
            (end.line, end.column.saturating_sub(1).max(start.column))
        } else {
            (end.line - 1, 0)
        };
        properties.push(("endLine", end_line.to_string()));
        if end_column > 0 && end_line == start.line {
            properties.push(("endColumn", end_column.to_string()));
        }
    }
    properties.push((
        "title",
        format!("nplint {} ({})", diagnostic.rule.name, diagnostic.rule.code),
    ));
    let properties: Vec<String> = properties
        .into_iter()
        .map(|(key, value)| format!("{key}={}", escape_property(&value)))
        .collect();
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{kind} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// The workflow command for an error that stops a run (an unusable configuration): an error annotation on its
/// line, so that a pull request shows why nothing was checked.
pub(crate) fn error_command(
    location: &nplint_diagnostics::Location,
    message: &str,
    help: Option<&str>,
) -> String {
    let start = location.start();
    let mut text = message.to_owned();
    if let Some(help) = help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    format!(
        "::error file={},line={},col={},title={}::{}",
        escape_property(&portable_path(location.file.path())),
        start.line,
        start.column,
        escape_property("nplint configuration"),
        escape_data(&text)
    )
}

/// A command's message: `%`, CR and LF escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: as [`escape_data`], and `:` and `,` too.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        // Already-escaped text is escaped again, not left as is.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn an_error_that_stops_the_run_is_annotated_on_its_line() {
        let file = nplint_diagnostics::SourceFile::new("a/nplint.toml", "x = 1\nselct = []\n");
        let location =
            nplint_diagnostics::Location::new(file, nplint_diagnostics::Span::from_range(6..11));
        assert_eq!(
            error_command(
                &location,
                "unknown key `selct`",
                Some("did you mean `select`?")
            ),
            "::error file=a/nplint.toml,line=2,col=1,title=nplint configuration::unknown key `selct`%0Ahelp: \
             did you mean `select`?"
        );
    }
}
