//! Sending parts: a few at a time, each read from the file when its turn comes, each PUT to
//! its presigned URL and retried with backoff.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use indicatif::ProgressBar;
use reqwest::{Method, RequestBuilder, Response};
use tokio::task::JoinSet;

use super::plan::{backoff, Plan, MAX_RETRIES};
use crate::api::{describe, Api, PartUrl, MAX_PARTS_PER_REQUEST};
use crate::error::{CliError, Result};
use crate::interrupt::Interrupt;
use crate::progress::{ProgressBody, Transfer};

/// A PUT that has not moved a byte for this long is given up (and retried).
const STALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Use a URL only while more than this is left of its life.
const URL_SAFETY_MARGIN: Duration = Duration::from_secs(30);

pub struct PartSender {
    pub api: Api,
    pub video_id: String,
    pub plan: Plan,
    pub file: Arc<File>,
    pub path: PathBuf,
    pub bar: ProgressBar,
    pub parallel: usize,
    pub interrupt: Interrupt,
}

/// Why one attempt at a part failed.
enum Failure {
    /// The URL was refused (expired): ask for a fresh one.
    Refused(String),
    /// Network error, stall, 5xx: try the same URL again.
    Transient(String),
    Fatal(String),
}

impl PartSender {
    /// Sends `parts`, `parallel` at a time. After Ctrl-C, starts no new part, lets the ones in
    /// flight finish, then returns `Interrupted`.
    pub async fn send(self: &Arc<Self>, parts: &[u32]) -> Result<()> {
        let mut queue: VecDeque<u32> = parts.iter().copied().collect();
        let mut urls = HashMap::new();
        let mut running = JoinSet::new();
        loop {
            while running.len() < self.parallel && !self.interrupt.is_set() {
                let Some(part) = queue.pop_front() else { break };
                let url = self.url_for(part, &queue, &mut urls).await?;
                let sender = Arc::clone(self);
                running.spawn(async move { sender.send_part(part, url).await });
            }
            let Some(joined) = running.join_next().await else { break };
            match joined {
                Ok(Ok(())) | Ok(Err(CliError::Interrupted)) => {}
                Ok(Err(error)) => return Err(error),
                Err(join_error) => return Err(CliError::Upload(format!("a part's task failed: {join_error}"))),
            }
        }
        if self.interrupt.is_set() {
            return Err(CliError::Interrupted);
        }
        Ok(())
    }

    /// A cached fresh URL for `part`, or a new batch for it and the parts queued after it.
    /// `None` after a transient failure: the part's own retries ask again.
    async fn url_for(
        &self,
        part: u32,
        queue: &VecDeque<u32>,
        cache: &mut HashMap<u32, CachedUrl>,
    ) -> Result<Option<PartUrl>> {
        if let Some(cached) = cache.remove(&part).filter(CachedUrl::is_fresh) {
            return Ok(Some(cached.url));
        }
        let uncached = queue.iter().copied().filter(|p| !cache.get(p).is_some_and(CachedUrl::is_fresh));
        let batch: Vec<u32> = std::iter::once(part).chain(uncached).take(MAX_PARTS_PER_REQUEST).collect();
        match self.api.part_urls(&self.video_id, &batch).await {
            Ok(answer) => {
                let fetched = Instant::now();
                for url in answer.parts {
                    let valid_until = valid_until(&url.expires_at, answer.server_time, fetched);
                    cache.insert(url.part_number, CachedUrl { url, valid_until });
                }
                Ok(cache.remove(&part).map(|cached| cached.url))
            }
            Err(error) if error.is_transient() => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn send_part(&self, part: u32, mut url: Option<PartUrl>) -> Result<()> {
        let data = self.read_part(part).await?;
        let mut retry = 0;
        loop {
            let failure = match url.take() {
                None => match self.fresh_url(part).await {
                    Ok(fresh) => {
                        url = Some(fresh);
                        continue;
                    }
                    Err(error) if error.is_transient() => Failure::Transient(error.to_string()),
                    Err(error) => return Err(error),
                },
                Some(current) => match self.put(&current, data.clone()).await {
                    Ok(()) => return Ok(()),
                    Err(Failure::Refused(why)) => Failure::Refused(why),
                    Err(other) => {
                        url = Some(current);
                        other
                    }
                },
            };
            let why = match failure {
                Failure::Fatal(why) => return Err(CliError::Upload(format!("part {part}: {why}"))),
                Failure::Refused(why) | Failure::Transient(why) => why,
            };
            if retry == MAX_RETRIES {
                return Err(CliError::Upload(format!("part {part}: {why} (gave up after {MAX_RETRIES} retries)")));
            }
            if self.interrupt.is_set() {
                return Err(CliError::Interrupted);
            }
            let delay = backoff(retry);
            retry += 1;
            self.note(&format!("part {part}: {why}; retry {retry} of {MAX_RETRIES} in {:.1} s", delay.as_secs_f32()));
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.interrupt.fired() => return Err(CliError::Interrupted),
            }
        }
    }

    async fn fresh_url(&self, part: u32) -> Result<PartUrl> {
        let answer = self.api.part_urls(&self.video_id, &[part]).await?;
        answer
            .parts
            .into_iter()
            .find(|url| url.part_number == part)
            .ok_or_else(|| CliError::Protocol(format!("no URL for part {part}")))
    }

    /// The part's bytes, read at its offset (only this part is in memory).
    async fn read_part(&self, part: u32) -> Result<Bytes> {
        let (offset, length) = self.plan.range(part);
        let length = usize::try_from(length).map_err(|_| CliError::Input(format!("part {part} is too large")))?;
        let file = Arc::clone(&self.file);
        let read = tokio::task::spawn_blocking(move || {
            let mut buffer = vec![0; length];
            file.read_exact_at(&mut buffer, offset).map(|()| Bytes::from(buffer))
        });
        match read.await {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(error)) => Err(CliError::io(format!("cannot read part {part} of {}", self.path.display()), error)),
            Err(join_error) => Err(CliError::Upload(format!("reading part {part} failed: {join_error}"))),
        }
    }

    /// One PUT of one part, exactly as presigned. The bar moves as the body is sent and moves
    /// back when the attempt fails.
    async fn put(&self, url: &PartUrl, data: Bytes) -> Result<(), Failure> {
        let method = Method::from_bytes(url.method.as_bytes())
            .map_err(|_| Failure::Fatal(format!("unusable method {:?}", url.method)))?;
        let mut request = self.api.http().request(method, &url.url);
        for (name, value) in &url.headers {
            request = request.header(name, value);
        }
        let transfer = Transfer::new();
        let body = ProgressBody::new(data, self.bar.clone(), Arc::clone(&transfer));
        let result = match send_watching(request.body(reqwest::Body::wrap(body)), &transfer).await {
            Ok(response) => check_s3_response(response).await,
            Err(failure) => Err(failure),
        };
        if result.is_err() {
            self.bar.dec(transfer.sent());
        }
        result
    }

    fn note(&self, message: &str) {
        self.bar.suspend(|| eprintln!("{message}"));
    }
}

/// Sends `request`, giving up when its body stops moving for `STALL_TIMEOUT` (a lost network
/// otherwise hangs for many minutes).
async fn send_watching(request: RequestBuilder, transfer: &Transfer) -> Result<Response, Failure> {
    let sending = request.send();
    tokio::pin!(sending);
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            result = &mut sending => {
                return result.map_err(|error| match error.is_builder() {
                    true => Failure::Fatal(describe(error)),
                    false => Failure::Transient(describe(error)),
                });
            }
            _ = ticks.tick() => {
                if transfer.idle_for() > STALL_TIMEOUT {
                    return Err(Failure::Transient(format!("no progress for {} s", STALL_TIMEOUT.as_secs())));
                }
            }
        }
    }
}

async fn check_s3_response(response: Response) -> Result<(), Failure> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body = response.text().await.unwrap_or_default();
    let why = format!("storage answered {status}{}", s3_error(&body).map(|e| format!(": {e}")).unwrap_or_default());
    Err(match status.as_u16() {
        403 => Failure::Refused(why),
        429 | 500.. => Failure::Transient(why),
        400 if body.contains("<Code>RequestTimeout</Code>") => Failure::Transient(why),
        _ => Failure::Fatal(why),
    })
}

/// "Code: Message" from an S3 XML error body.
fn s3_error(body: &str) -> Option<String> {
    let tag = |name: &str| {
        let start = body.find(&format!("<{name}>"))? + name.len() + 2;
        let end = start + body[start..].find(&format!("</{name}>"))?;
        Some(body[start..end].to_string())
    };
    match (tag("Code"), tag("Message")) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (code, message) => code.or(message),
    }
}

struct CachedUrl {
    url: PartUrl,
    valid_until: Option<Instant>,
}

impl CachedUrl {
    fn is_fresh(&self) -> bool {
        self.valid_until.is_none_or(|until| Instant::now() < until)
    }
}

/// When to stop using a URL, measured from the server's clock at signing (no local clock skew),
/// less a margin. `None` when the expiry is unreadable: use it until refused.
fn valid_until(expires_at: &str, server_time: Option<DateTime<Utc>>, fetched: Instant) -> Option<Instant> {
    let expires = DateTime::parse_from_rfc3339(expires_at).ok()?.with_timezone(&Utc);
    let lifetime = (expires - server_time.unwrap_or_else(Utc::now)).to_std().unwrap_or_default();
    Some(fetched + lifetime.saturating_sub(URL_SAFETY_MARGIN.min(lifetime / 4)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_errors_read_code_and_message() {
        let body = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";
        assert_eq!(s3_error(body).as_deref(), Some("AccessDenied: Request has expired"));
        assert_eq!(s3_error("<Error><Code>SlowDown</Code></Error>").as_deref(), Some("SlowDown"));
        assert_eq!(s3_error("<Code>broken"), None);
        assert_eq!(s3_error(""), None);
    }

    #[test]
    fn url_lifetime_is_judged_by_the_server_clock() {
        let now = Instant::now();
        let signed = DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z").unwrap().with_timezone(&Utc);
        let until = valid_until("2026-01-01T12:15:00Z", Some(signed), now).unwrap();
        assert_eq!(until - now, Duration::from_secs(15 * 60 - 30));
        let short = valid_until("2026-01-01T12:00:40Z", Some(signed), now).unwrap();
        assert_eq!(short - now, Duration::from_secs(30), "a quarter of a short life is kept as margin");
        assert_eq!(valid_until("2025-12-31T00:00:00Z", Some(signed), now), Some(now), "already expired");
        assert_eq!(valid_until("soon", Some(signed), now), None);
    }
}
