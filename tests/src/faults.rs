//! Storage faults a test can cause: a private DynamoDB Local it stops and
//! restarts, and a link to LocalStack it cuts and restores.

use std::sync::Arc;

use crate::unique;

/// A DynamoDB Local of a test's own, started and stopped with the project's
/// scripts, on a spare port and a persistent data dir, so a test can stop it
/// and restart it without disturbing the shared stack.
pub struct PrivateDynamoDb {
    pub port: u16,
    data_dir: std::path::PathBuf,
}

impl PrivateDynamoDb {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let data_dir = infra::repo_root().join("target").join(format!("private-dynamodb-{}", unique()));
        let db = PrivateDynamoDb { port, data_dir };
        db.script("start.sh");
        db
    }

    pub fn stop(&self) {
        self.script("stop.sh");
    }

    pub fn restart(&self) {
        self.script("start.sh");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client with the project's timeouts and retries, pointed at this instance.
    pub async fn client(&self) -> aws_sdk_dynamodb::Client {
        let config = vidlet::store::client::dynamodb_config().endpoint_url(self.endpoint()).build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    fn script(&self, name: &str) {
        let status = std::process::Command::new("bash")
            .arg(infra::repo_root().join("localstack").join(name))
            .arg("dynamodb")
            .env("DYNAMODB_PORT", self.port.to_string())
            .env("DYNAMODB_PERSIST", "1")
            .env("STACK_DATA_DIR", &self.data_dir)
            .status()
            .expect("bash runs");
        assert!(status.success(), "localstack/{name} dynamodb failed");
    }
}

impl Drop for PrivateDynamoDb {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// A TCP link to a local emulator that a test can cut and restore: while cut,
/// connections are refused and open ones are dropped, as when the emulator is
/// down. Used for LocalStack, whose community edition keeps no state across a
/// real restart (DynamoDB Local is stopped and restarted for real instead).
///
/// The link also watches the requests going through it for S3 UploadPart PUTs
/// (request lines `PUT /…?…partNumber=N…`), so a test can tell which parts a
/// client sent and cut the link exactly when a given one starts.
pub struct FaultyLink {
    pub port: u16,
    up: Arc<std::sync::atomic::AtomicBool>,
    generation: tokio::sync::watch::Sender<u64>,
    parts: Arc<PartPuts>,
    task: tokio::task::JoinHandle<()>,
}

/// The UploadPart PUTs seen so far, and the one (counted from 1) that cuts the link.
#[derive(Default)]
struct PartPuts {
    seen: std::sync::Mutex<Vec<u32>>,
    cut_at: std::sync::atomic::AtomicUsize,
}

impl FaultyLink {
    pub async fn to(target_port: u16) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (generation, _) = tokio::sync::watch::channel(0u64);
        let parts = Arc::new(PartPuts::default());
        let (accept_up, accept_generation, accept_parts) = (up.clone(), generation.clone(), parts.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else { return };
                if !accept_up.load(Ordering::SeqCst) {
                    drop(inbound); // refused, as by a stopped server
                    continue;
                }
                let mut cut = accept_generation.subscribe();
                let trip = Tripwire {
                    up: accept_up.clone(),
                    generation: accept_generation.clone(),
                    parts: accept_parts.clone(),
                };
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", target_port)).await else {
                        return;
                    };
                    let mut inbound = inbound;
                    let (client_read, mut client_write) = inbound.split();
                    let (mut server_read, server_write) = outbound.split();
                    let upstream = forward_requests(client_read, server_write, &trip);
                    let downstream = async {
                        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                        let _ = tokio::io::AsyncWriteExt::shutdown(&mut client_write).await;
                    };
                    tokio::select! {
                        _ = async { tokio::join!(upstream, downstream) } => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        FaultyLink { port, up, generation, parts, task }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    pub fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_cut(&self) -> bool {
        !self.up.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The part numbers of the UploadPart PUTs that reached the link, in order (a retried
    /// part shows twice; one whose request the link cut shows too).
    pub fn part_puts(&self) -> Vec<u32> {
        self.parts.seen.lock().unwrap().clone()
    }

    /// Cuts the link when the `nth` UploadPart PUT since the link started (counted from 1)
    /// arrives, before any byte of it is forwarded: the parts before it are complete in S3
    /// (with one part at a time), that one is not.
    pub fn cut_at_part_put(&self, nth: usize) {
        self.parts.cut_at.store(nth, std::sync::atomic::Ordering::SeqCst);
    }

    /// An S3 client with the project's timeouts, through this link.
    pub async fn s3_client(&self) -> aws_sdk_s3::Client {
        let config = vidlet::store::client::s3_config().endpoint_url(self.endpoint()).force_path_style(true).build();
        aws_sdk_s3::Client::from_conf(config)
    }
}

impl Drop for FaultyLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What one connection needs to record part PUTs and to cut the whole link.
struct Tripwire {
    up: Arc<std::sync::atomic::AtomicBool>,
    generation: tokio::sync::watch::Sender<u64>,
    parts: Arc<PartPuts>,
}

impl Tripwire {
    /// Records the part PUTs; true when one of them is the one that cuts the link.
    fn record(&self, found: &[u32]) -> bool {
        use std::sync::atomic::Ordering;
        let mut seen = self.parts.seen.lock().unwrap();
        let mut tripped = false;
        for &part in found {
            seen.push(part);
            tripped |= seen.len() == self.parts.cut_at.load(Ordering::SeqCst);
        }
        if tripped {
            self.up.store(false, Ordering::SeqCst);
            self.generation.send_modify(|g| *g += 1);
        }
        tripped
    }
}

/// Client to server: forwards the bytes, watching them for UploadPart request lines. A chunk
/// that trips the wire is not forwarded.
async fn forward_requests(
    mut from: tokio::net::tcp::ReadHalf<'_>,
    mut to: tokio::net::tcp::WriteHalf<'_>,
    trip: &Tripwire,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = vec![0u8; 64 * 1024];
    let mut scanner = PartPutScanner::default();
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let found = scanner.scan(&buffer[..read]);
        if !found.is_empty() && trip.record(&found) {
            return;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
    let _ = to.shutdown().await;
}

/// Finds `PUT /…partNumber=N…` request lines in a stream of requests, across chunk borders.
/// A body could in principle hold such a line; the tests' bodies (video bytes, zeros, XML)
/// do not.
#[derive(Default)]
struct PartPutScanner {
    /// The unfinished end of the previous chunk: a request line without its CRLF yet, or the
    /// last bytes, which may begin one.
    carry: Vec<u8>,
}

impl PartPutScanner {
    const START: &'static [u8] = b"PUT /";
    const MAX_LINE: usize = 16 * 1024;

    fn scan(&mut self, chunk: &[u8]) -> Vec<u32> {
        let joined;
        let data: &[u8] = if self.carry.is_empty() {
            chunk
        } else {
            joined = [std::mem::take(&mut self.carry).as_slice(), chunk].concat();
            &joined
        };
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(start) = find(&data[at..], Self::START).map(|i| at + i) {
            match find(&data[start..], b"\r\n") {
                Some(length) => {
                    found.extend(part_number(&data[start..start + length]));
                    at = start + length;
                }
                None => {
                    if data.len() - start <= Self::MAX_LINE {
                        self.carry = data[start..].to_vec();
                    }
                    return found;
                }
            }
        }
        // The last few bytes may be the beginning of "PUT /".
        self.carry = data[at.max(data.len().saturating_sub(Self::START.len() - 1))..].to_vec();
        found
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// N of `partNumber=N` in a request line.
fn part_number(line: &[u8]) -> Option<u32> {
    const KEY: &[u8] = b"partNumber=";
    let digits = &line[find(line, KEY)? + KEY.len()..];
    let end = digits.iter().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len());
    std::str::from_utf8(&digits[..end]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::PartPutScanner;

    #[test]
    fn part_puts_are_found_across_chunk_borders() {
        let stream: &[u8] =
            b"PUT /b/videos/v?x-id=UploadPart&partNumber=1&uploadId=u HTTP/1.1\r\ncontent-length: 4\r\n\r\nPUT!\
            GET /b/videos/v?partNumber=9 HTTP/1.1\r\n\r\nPUT /b/videos/v?partNumber=12&uploadId=u HTTP/1.1\r\n\r\n\
            PUT /b HTTP/1.1\r\n\r\n";
        for size in [1, 2, 3, 7, 64, stream.len()] {
            let mut scanner = PartPutScanner::default();
            let found: Vec<u32> = stream.chunks(size).flat_map(|chunk| scanner.scan(chunk)).collect();
            assert_eq!(found, vec![1, 12], "chunks of {size} bytes");
        }
    }
}
