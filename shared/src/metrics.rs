//! CloudWatch metrics in the embedded metric format (EMF): one function per
//! metric, recorded through the `metrics` facade into `metrics_cloudwatch_embedded`.
//! The runtime calls `init` once per process and `flush` after every invocation,
//! which writes one JSON line to stdout; CloudWatch Logs turns it into metrics
//! in the namespace `vidlet`, with the dimension `function`. Before `init` (tests,
//! the CLI) every function here does nothing. When one instance serves several
//! invocations at once, a flush may carry another's counts: the sums stay right.

use std::io::Write;
use std::sync::OnceLock;

use metrics::{counter, describe_counter, describe_histogram, histogram, Unit};
use metrics_cloudwatch_embedded::{Builder, Collector};

pub const NAMESPACE: &str = "vidlet";
/// The one dimension: the function's name, as `runtime::serve` is given it.
pub const FUNCTION_DIMENSION: &str = "function";

pub const UPLOADS_COMPLETED: &str = "UploadsCompleted";
pub const UPLOADS_REJECTED: &str = "UploadsRejected";
pub const VIEWS_COUNTED: &str = "ViewsCounted";
pub const SWEEP_BACKLOG: &str = "SweepBacklog";
pub const SWEEP_RECORDS_PROCESSED: &str = "SweepRecordsProcessed";
pub const LOGINS_THROTTLED: &str = "LoginsThrottled";
pub const TRANSCODES_SUBMITTED: &str = "TranscodesSubmitted";
pub const TRANSCODES_COMPLETED: &str = "TranscodesCompleted";
pub const TRANSCODES_FAILED: &str = "TranscodesFailed";

static COLLECTOR: OnceLock<Option<&'static Collector>> = OnceLock::new();

/// An upload was verified and published.
pub fn upload_completed() {
    counter!(UPLOADS_COMPLETED).increment(1);
}

/// An upload was inspected and rejected (not a video, or not the declared one).
pub fn upload_rejected() {
    counter!(UPLOADS_REJECTED).increment(1);
}

/// A view report was counted (not one within the same viewer's window).
pub fn view_counted() {
    counter!(VIEWS_COUNTED).increment(1);
}

/// Deletion records still queued when a sweep run ends. A sample per run (a
/// histogram, not a gauge), so that a run that records none repeats no old value.
pub fn sweep_backlog(records: u64) {
    histogram!(SWEEP_BACKLOG).record(records as f64);
}

/// Deletion records a sweep run finished.
pub fn sweep_records_processed(records: u64) {
    counter!(SWEEP_RECORDS_PROCESSED).increment(records);
}

/// A login (or a password check) refused with 429.
pub fn login_throttled() {
    counter!(LOGINS_THROTTLED).increment(1);
}

/// A ladder was asked of the transcoder.
pub fn transcode_submitted() {
    counter!(TRANSCODES_SUBMITTED).increment(1);
}

/// A job's outcome was recorded on its video: its ladder, or its failure.
pub fn transcode_ended(succeeded: bool) {
    counter!(if succeeded { TRANSCODES_COMPLETED } else { TRANSCODES_FAILED }).increment(1);
}

/// Installs the EMF recorder for `function`, once per process; later calls do
/// nothing. A recorder that cannot be installed leaves metrics off (logged).
pub fn init(function: &'static str) {
    COLLECTOR.get_or_init(|| {
        let built = Builder::new().cloudwatch_namespace(NAMESPACE).with_dimension(FUNCTION_DIMENSION, function).init();
        match built {
            Ok(collector) => {
                for name in [
                    UPLOADS_COMPLETED,
                    UPLOADS_REJECTED,
                    VIEWS_COUNTED,
                    SWEEP_RECORDS_PROCESSED,
                    LOGINS_THROTTLED,
                    TRANSCODES_SUBMITTED,
                    TRANSCODES_COMPLETED,
                    TRANSCODES_FAILED,
                ] {
                    describe_counter!(name, Unit::Count, "");
                }
                describe_histogram!(SWEEP_BACKLOG, Unit::Count, "");
                Some(collector)
            }
            Err(err) => {
                tracing::warn!(error = %err, "metrics are off");
                None
            }
        }
    });
}

/// Writes what was recorded since the last flush, one EMF document a line;
/// nothing when nothing was recorded or `init` was not called.
pub fn flush_to(out: impl Write) -> std::io::Result<()> {
    match COLLECTOR.get() {
        Some(Some(collector)) => collector.flush(out),
        _ => Ok(()),
    }
}

/// After each invocation: the invocation's metrics to stdout, for CloudWatch.
pub fn flush() {
    if let Err(err) = flush_to(std::io::stdout().lock()) {
        tracing::warn!(error = %err, "metrics not written");
    }
}

#[cfg(test)]
mod tests {
    // The EMF written once `init` ran is checked in shared/tests/emf.rs, a process of its
    // own, since the recorder is global to the process.
    #[test]
    fn without_init_metrics_cost_nothing_and_write_nothing() {
        super::upload_completed();
        super::sweep_backlog(3);
        let mut out = Vec::new();
        super::flush_to(&mut out).unwrap();
        assert!(out.is_empty());
    }
}
