//! `--format concise`: one line per finding, for grep and editors' quickfix lists.

use std::io::{self, Write};

use nplint_diagnostics::portable_path;

use crate::{RenderOptions, Report, summary};

pub(crate) fn render(
    report: &Report,
    _options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for diagnostic in &report.diagnostics {
        let start = diagnostic.location.start();
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            portable_path(diagnostic.location.file.path()),
            start.line,
            start.column,
            diagnostic.severity,
            diagnostic.rule.name,
            diagnostic.message.replace('\n', " "),
        )?;
    }
    writeln!(out, "{}", summary::line(report))
}
