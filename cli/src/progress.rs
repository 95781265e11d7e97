//! The upload's progress bar, and a request body that moves it as S3 takes the bytes.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Bytes per body frame: small enough for a smooth bar, large enough to be cheap.
const CHUNK: usize = 64 * 1024;

/// A bar on stderr (hidden when stderr is not a terminal), starting at the bytes already sent.
pub fn upload_bar(total: u64, already_sent: u64) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(style);
    bar.set_position(already_sent);
    bar.reset_eta();
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// What a part's body has handed to the connection so far, and when it last did.
pub struct Transfer {
    started: Instant,
    sent: AtomicU64,
    last_activity_ms: AtomicU64,
}

impl Transfer {
    pub fn new() -> Arc<Self> {
        Arc::new(Transfer { started: Instant::now(), sent: AtomicU64::new(0), last_activity_ms: AtomicU64::new(0) })
    }

    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// How long since the body last gave the connection bytes (or since the request began).
    pub fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_activity_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    fn record(&self, bytes: u64) {
        self.sent.fetch_add(bytes, Ordering::Relaxed);
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_activity_ms.store(now, Ordering::Relaxed);
    }
}

/// A body of known length that advances `bar` frame by frame.
pub struct ProgressBody {
    remaining: Bytes,
    bar: ProgressBar,
    transfer: Arc<Transfer>,
}

impl ProgressBody {
    pub fn new(data: Bytes, bar: ProgressBar, transfer: Arc<Transfer>) -> Self {
        ProgressBody { remaining: data, bar, transfer }
    }
}

impl http_body::Body for ProgressBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining.is_empty() {
            return Poll::Ready(None);
        }
        let length = self.remaining.len().min(CHUNK);
        let chunk = self.remaining.split_to(length);
        self.bar.inc(length as u64);
        self.transfer.record(length as u64);
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body;

    #[test]
    fn the_body_yields_its_bytes_in_chunks_and_counts_them() {
        let data = Bytes::from(vec![7u8; CHUNK * 2 + 10]);
        let bar = ProgressBar::hidden();
        bar.set_length(data.len() as u64);
        let transfer = Transfer::new();
        let mut body = ProgressBody::new(data.clone(), bar.clone(), transfer.clone());
        assert_eq!(body.size_hint().exact(), Some(data.len() as u64));
        let waker = std::task::Waker::noop();
        let mut context = Context::from_waker(waker);
        let mut collected = Vec::new();
        while let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut body).poll_frame(&mut context) {
            collected.extend_from_slice(&frame.into_data().unwrap());
        }
        assert!(body.is_end_stream());
        assert_eq!(collected, data);
        assert_eq!((bar.position(), transfer.sent()), (data.len() as u64, data.len() as u64));
    }
}
