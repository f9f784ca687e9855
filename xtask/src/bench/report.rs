//! The report: the measures as a Markdown table for `docs/performance.md`, each against its goal.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use super::measure::TreeTimes;
use super::outcome::{Outcome, Recall};
use super::uv::UvComparison;

pub(super) fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// Everything measured, for [`Report::markdown`].
#[derive(Debug)]
pub(super) struct Report {
    pub(super) command_line: String,
    pub(super) cores: usize,
    pub(super) generated: usize,
    pub(super) tree: TreeTimes,
    pub(super) threads_1: Duration,
    pub(super) threads_2: Duration,
    pub(super) typical: String,
    pub(super) single: Duration,
    pub(super) recall: Recall,
    pub(super) uv: Option<UvComparison>,
}

impl Report {
    #[allow(
        clippy::cast_precision_loss,
        reason = "file counts and KiB are far below 2^52"
    )]
    pub(super) fn markdown(&self) -> String {
        let tree = &self.tree;
        let found = tree.outcome.files;
        let files_per_second = found as f64 / tree.median.as_secs_f64();
        let peak_mb = tree.peak_kib as f64 / 1024.0;
        let speedup = self.threads_1.as_secs_f64() / self.threads_2.as_secs_f64();
        let mut text = format!(
            "Command: `{}` ({} cores available)\n\n",
            self.command_line, self.cores
        );
        text.push_str("| Measure | Result | Goal | |\n| --- | --- | --- | --- |\n");
        text.push_str(&found_row(found, self.generated));
        let _ = writeln!(
            text,
            "| Whole tree, median of {} runs (min–max) | {} ({} – {}) | ≤ 2 s per 10,000 files on 2 cores | {} |",
            tree.runs,
            millis(tree.median),
            millis(tree.min),
            millis(tree.max),
            verdict(tree.median.as_secs_f64() <= 2.0 * self.generated as f64 / 10_000.0)
        );
        let _ = writeln!(
            text,
            "| Files per second (median) | {files_per_second:.0} | ≥ 5,000 | {} |",
            verdict(files_per_second >= 5000.0)
        );
        let _ = writeln!(
            text,
            "| Peak memory (max RSS of any run) | {peak_mb:.1} MB | ≤ 200 MB | {} |",
            verdict(peak_mb <= 200.0)
        );
        let _ = writeln!(
            text,
            "| `RAYON_NUM_THREADS` 1 → 2 | {} → {} (×{speedup:.2}) | near-linear (×2) | {} |",
            millis(self.threads_1),
            millis(self.threads_2),
            verdict(speedup >= 1.7)
        );
        let _ = writeln!(
            text,
            "| One typical file end-to-end, median of 50 (`{}`) | {} | ≤ 5 ms | {} |",
            self.typical,
            millis(self.single),
            verdict(self.single <= Duration::from_millis(5))
        );
        text.push_str(&findings_rows(&tree.outcome, &self.recall));
        if let Some(uv) = &self.uv {
            text.push_str(&uv_rows(uv));
        }
        text
    }
}

/// The measures of the tree whose files state no Python (`cargo xtask bench`'s second tree), for
/// [`Unstated::markdown`].
#[derive(Debug)]
pub(super) struct Unstated {
    pub(super) path: PathBuf,
    pub(super) generated: usize,
    /// All rules on the default threads.
    pub(super) tree: TreeTimes,
    pub(super) threads_1: TreeTimes,
    pub(super) threads_2: TreeTimes,
    /// `--select parse-error`: files read, nothing solved.
    pub(super) parse_error_only: TreeTimes,
    pub(super) recall: Recall,
}

impl Unstated {
    #[allow(
        clippy::cast_precision_loss,
        reason = "file counts and KiB are far below 2^52"
    )]
    pub(super) fn markdown(&self) -> String {
        let tree = &self.tree;
        let ratio = |a: &TreeTimes, b: &TreeTimes| a.median.as_secs_f64() / b.median.as_secs_f64();
        let mut text = format!(
            "Files that state no Python (`{}`: the same files without `requires-python`, `python=3.11`, a lock's \
             Python or `nplint.toml`), each solved on every default target; medians of {} runs\n\n",
            self.path.display(),
            tree.runs
        );
        text.push_str("| Measure | Result | Goal | |\n| --- | --- | --- | --- |\n");
        text.push_str(&found_row(tree.outcome.files, self.generated));
        let _ = writeln!(
            text,
            "| Whole tree, default threads (min–max) | {} ({} – {}) | | |",
            millis(tree.median),
            millis(tree.min),
            millis(tree.max)
        );
        let _ = writeln!(
            text,
            "| Files per second | {:.0} | | |",
            tree.outcome.files as f64 / tree.median.as_secs_f64()
        );
        let _ = writeln!(
            text,
            "| Peak memory (max RSS of any run) | {:.1} MB | | |",
            tree.peak_kib as f64 / 1024.0
        );
        let _ = writeln!(
            text,
            "| `RAYON_NUM_THREADS` 1 → 2 | {} → {} (2 threads ×{:.2} faster) | | |",
            millis(self.threads_1.median),
            millis(self.threads_2.median),
            ratio(&self.threads_1, &self.threads_2)
        );
        let _ = writeln!(
            text,
            "| `--select parse-error` → all rules | {} → {} (all rules ×{:.2} the time) | | |",
            millis(self.parse_error_only.median),
            millis(tree.median),
            ratio(tree, &self.parse_error_only)
        );
        text.push_str(&findings_rows(&tree.outcome, &self.recall));
        text
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "**not met**" }
}

fn found_row(found: usize, generated: usize) -> String {
    format!(
        "| Files found / generated | {found} / {generated} | all, no decoy | {} |\n",
        verdict(found == generated)
    )
}

/// Recall, the findings, and the files with errors nobody planted.
fn findings_rows(outcome: &Outcome, recall: &Recall) -> String {
    let mut text = format!(
        "| Expected failures reported (recall) | {:.1}% of {} | 100% | {} |\n",
        recall.percent(),
        recall.expected,
        verdict(recall.missed.is_empty())
    );
    let _ = writeln!(
        text,
        "| Findings | {} errors, {} warnings | | |",
        outcome.errors, outcome.warnings
    );
    let rules: Vec<String> = recall
        .unexpected_rules
        .iter()
        .map(|(rule, n)| format!("{rule} ×{n}"))
        .collect();
    let _ = writeln!(
        text,
        "| Other files with errors | {} ({}) | | |",
        recall.unexpected,
        if rules.is_empty() {
            "none".to_string()
        } else {
            rules.join(", ")
        }
    );
    text
}

/// The rows of the comparison with uv.
fn uv_rows(uv: &UvComparison) -> String {
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "| `uv pip compile --offline`, {} files (warm cache; {} skipped: uv failed online) | {} total, {} median | | |",
        uv.compared,
        uv.skipped,
        millis(uv.uv_total),
        millis(uv.uv_median)
    );
    let _ = writeln!(
        text,
        "| `nplint check --python 3.11`, same files, one process | {} (uv ÷ nplint ×{:.1}) | | |",
        millis(uv.nplint_batch),
        ratio(uv.uv_total, uv.nplint_batch)
    );
    let _ = writeln!(
        text,
        "| `nplint check --python 3.11`, one process per file | {} total, {} median (uv ÷ nplint ×{:.1} per file) | | |",
        millis(uv.nplint_total),
        millis(uv.nplint_median),
        ratio(uv.uv_median, uv.nplint_median)
    );
    text
}
