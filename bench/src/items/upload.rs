//! Item 8, upload throughput: the CLI's parallel multipart upload (`target/release/vidlet
//! upload`, against the handlers behind the in-process HTTP front) next to one presigned PUT of
//! the same file to LocalStack, alternating, in one run. The file (a valid MP4: the committed
//! clip and one `free` box of noise) is generated under target/bench/ and deleted afterwards.

use std::io::{Read, Write};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use aws_sdk_s3::presigning::PresigningConfig;
use hyper::body::{Bytes, Frame, SizeHint};
use tokio::sync::mpsc;
use vidlet_tests::{fixture, handler, http_front, Req, TestApp};

use crate::lambda::instance::binary;
use crate::report::{Section, Table};
use crate::stack::Stack;
use crate::stats::{ratio, verdict, Samples};
use crate::Result;

pub const GOAL: f64 = 1.0;
const MIB: u64 = 1024 * 1024;
/// The CLI's default: `vidlet upload` without `--parallel`.
const CLI_PARALLEL: usize = 4;
/// The password `seed::register` gives its users.
const PASSWORD: &str = "bench-password";
/// Bound on one upload of the file, either way.
const UPLOAD_LIMIT: Duration = Duration::from_secs(600);

#[derive(Clone, Copy)]
pub struct Plan {
    pub file_bytes: u64,
    pub runs: usize,
}

pub async fn run(stack: &Stack, plan: &Plan) -> Result<(Section, ())> {
    let cli = binary("vidlet");
    if !cli.is_file() {
        return Err(format!("{} is missing: cargo build --release -p vidlet-cli", cli.display()).into());
    }
    let work = infra::repo_root().join("target").join("bench").join(format!("upload-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let result = measure(stack, plan, &cli, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    let (single, multipart, generated) = result?;
    Ok((section(plan, &single, &multipart, generated), ()))
}

type Measured = (Samples, Samples, Duration);

async fn measure(stack: &Stack, plan: &Plan, cli: &Path, work: &Path) -> Result<Measured> {
    let started = Instant::now();
    let file = work.join("upload.mp4");
    write_mp4(&file, plan.file_bytes)?;
    let generated = started.elapsed();

    // The app with the default 8 MiB parts, behind the HTTP front, and a logged-in CLI.
    let mut app = stack.test_app();
    app.config.user_quota_bytes = 4 * plan.file_bytes.max(1024 * MIB);
    let app = Arc::new(app);
    let token = crate::seed::register(&app, "uploader").await?;
    let (url, server) = http_front::serve(app.clone()).await;
    let config_dir = work.join("config");
    let vidlet = |args: &[&str]| {
        let mut command = tokio::process::Command::new(cli);
        command.args(args).env("VIDLET_URL", &url).env("VIDLET_CONFIG_DIR", &config_dir);
        command.env("VIDLET_PASSWORD", PASSWORD).stdin(std::process::Stdio::null()).kill_on_drop(true);
        command
    };
    let result = async {
        let login = vidlet(&["login", "--username", "uploader"]).output().await?;
        if !login.status.success() {
            return Err(format!("vidlet login: {}", String::from_utf8_lossy(&login.stderr)).into());
        }
        let client = reqwest::Client::new();
        let (mut single, mut multipart) = (Samples::default(), Samples::default());
        for run in 0..plan.runs {
            // Alternating, the order flipped each run.
            if run % 2 == 0 {
                single.push(single_put(stack, &client, &file, plan.file_bytes).await?);
                multipart.push(cli_upload(&app, &token, vidlet(&["upload", path_str(&file)?])).await?);
            } else {
                multipart.push(cli_upload(&app, &token, vidlet(&["upload", path_str(&file)?])).await?);
                single.push(single_put(stack, &client, &file, plan.file_bytes).await?);
            }
        }
        Ok((single, multipart, generated))
    }
    .await;
    server.abort();
    result
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| format!("{} is not UTF-8", path.display()).into())
}

/// The committed clip followed by one top-level `free` box up to `size` bytes, written in 8 MiB
/// chunks of noise (nothing the storage could compress).
fn write_mp4(path: &Path, size: u64) -> Result<()> {
    let clip = fixture("clip.mp4");
    let free = u32::try_from(size - clip.len() as u64).map_err(|_| "the file must be under 4 GiB")?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    out.write_all(&clip)?;
    out.write_all(&free.to_be_bytes())?;
    out.write_all(b"free")?;
    let mut left = u64::from(free) - 8;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut chunk = vec![0u8; 8 * MIB as usize];
    while left > 0 {
        for word in chunk.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes()[..word.len()]);
        }
        let take = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..take])?;
        left -= take as u64;
    }
    out.flush()?;
    Ok(())
}

/// One presigned PUT of the whole file (signed by the functions' S3 client), its body streamed
/// from the file; the time to S3's 200. The object is deleted afterwards.
async fn single_put(stack: &Stack, client: &reqwest::Client, file: &Path, size: u64) -> Result<Duration> {
    let key = format!("bench-upload/{}", uuid::Uuid::new_v4());
    let s3 = vidlet::store::client::s3();
    let put = s3.put_object().bucket(&stack.config.bucket).key(&key).content_type("video/mp4");
    let presigned = put.presigned(PresigningConfig::expires_in(Duration::from_secs(3600))?).await?;
    let mut request = client.put(presigned.uri()).header("content-length", size.to_string());
    for (name, value) in presigned.headers() {
        request = request.header(name, value);
    }
    let started = Instant::now();
    let response = tokio::time::timeout(UPLOAD_LIMIT, request.body(reqwest::Body::wrap(FileBody::open(file)?)).send())
        .await
        .map_err(|_| "the single PUT timed out")??;
    let elapsed = started.elapsed();
    let status = response.status();
    if !status.is_success() {
        return Err(format!("single PUT: {status}: {}", response.text().await.unwrap_or_default()).into());
    }
    let stored = s3.head_object().bucket(&stack.config.bucket).key(&key).send().await?.content_length();
    s3.delete_object().bucket(&stack.config.bucket).key(&key).send().await?;
    if stored != Some(size as i64) {
        return Err(format!("single PUT stored {stored:?} bytes of {size}").into());
    }
    Ok(elapsed)
}

/// `vidlet upload FILE`, start to exit (create, parts, complete with the server's checks); the
/// video must end ready. It is deleted afterwards (and its object, so LocalStack holds one
/// copy of the file at most).
async fn cli_upload(app: &TestApp, token: &str, mut command: tokio::process::Command) -> Result<Duration> {
    let started = Instant::now();
    let output =
        tokio::time::timeout(UPLOAD_LIMIT, command.output()).await.map_err(|_| "vidlet upload timed out")??;
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some((id, "ready")) = stdout.trim_end().split_once(' ').filter(|_| output.status.success()) else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("vidlet upload: {} ({stdout:?}): {stderr}", output.status).into());
    };
    let delete = app.call(handler!(videos::delete_video), Req::delete("/").param("id", id).bearer(token).build()).await;
    if delete.status.as_u16() != 204 {
        return Err(format!("deleting the uploaded video: {}", delete.status).into());
    }
    let key = vidlet::domain::video::video_object_key(id);
    app.s3.delete_object().bucket(&app.config.bucket).key(key).send().await?;
    Ok(elapsed)
}

/// A request body read from a file in 1 MiB chunks by a blocking task, a few chunks ahead.
struct FileBody {
    chunks: mpsc::Receiver<std::io::Result<Bytes>>,
    size: u64,
}

impl FileBody {
    fn open(path: &Path) -> Result<Self> {
        let mut file = std::fs::File::open(path)?;
        let size = file.metadata()?.len();
        let (sender, chunks) = mpsc::channel(8);
        tokio::task::spawn_blocking(move || loop {
            let mut chunk = vec![0u8; MIB as usize];
            let read = match file.read(&mut chunk) {
                Ok(0) => return,
                Ok(read) => read,
                Err(error) => {
                    let _ = sender.blocking_send(Err(error));
                    return;
                }
            };
            chunk.truncate(read);
            if sender.blocking_send(Ok(Bytes::from(chunk))).is_err() {
                return;
            }
        });
        Ok(FileBody { chunks, size })
    }
}

impl hyper::body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<std::io::Result<Frame<Bytes>>>> {
        self.chunks.poll_recv(cx).map(|chunk| chunk.map(|read| read.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.size)
    }
}

fn mib_per_s(bytes: u64, ms: f64) -> f64 {
    bytes as f64 / MIB as f64 / (ms / 1000.0)
}

fn section(plan: &Plan, single: &Samples, multipart: &Samples, generated: Duration) -> Section {
    let bytes = plan.file_bytes;
    let rates = |samples: &Samples| -> String {
        samples.values().iter().map(|&ms| format!("{:.0}", mib_per_s(bytes, ms))).collect::<Vec<_>>().join(", ")
    };
    let (single_rate, multipart_rate) = (mib_per_s(bytes, single.median()), mib_per_s(bytes, multipart.median()));
    let speedup = multipart_rate / single_rate;
    let met = speedup >= GOAL;
    let size = if bytes >= 1024 * MIB {
        format!("{:.0} GiB", bytes as f64 / (1024 * MIB) as f64)
    } else {
        format!("{} MiB", bytes / MIB)
    };

    let mut table = Table::new(&["upload of the file", "runs", "median time", "median throughput", "each run (MiB/s)"]);
    table.row(vec![
        "one presigned PUT (reqwest, body streamed from the file)".into(),
        single.len().to_string(),
        format!("{:.2} s", single.median() / 1000.0),
        format!("{single_rate:.0} MiB/s"),
        rates(single),
    ]);
    table.row(vec![
        format!("`vidlet upload` (8 MiB parts, {CLI_PARALLEL} at a time; create, parts, complete)"),
        multipart.len().to_string(),
        format!("{:.2} s", multipart.median() / 1000.0),
        format!("{multipart_rate:.0} MiB/s"),
        rates(multipart),
    ]);
    let mut section = Section::new(
        "8. Upload throughput",
        &format!(
            "how fast a {size} file reaches storage through the CLI's parallel multipart upload, against one \
             presigned PUT of the same bytes, side by side in one run (alternating, the order flipped each run). \
             Multipart: the release `vidlet upload`, as a user runs it, against the handlers behind the in-process \
             HTTP front (`vidlet_tests::http_front`, the server's default 8 MiB parts), timed from the process's \
             start to its exit: `POST /videos`, part URLs, every part PUT to LocalStack, `POST .../complete` \
             (ListParts, CompleteMultipartUpload and the container check). Single: a PUT URL presigned with the \
             functions' S3 client, sent with reqwest, timed to S3's 200."
        ),
    );
    section.goal(format!(
        "multipart at least {GOAL:.1}× the single PUT's throughput (medians): {} ({}).",
        ratio(speedup),
        verdict(met)
    ));
    section.table("", table);
    section.note(format!(
        "The file: the committed clip followed by one top-level `free` box of noise, {bytes} bytes in all, generated \
         under target/bench/ in {:.1} s and deleted after the item; each upload's object is deleted after its run, \
         so LocalStack holds one copy at a time.",
        generated.as_secs_f64()
    ));
    section.note(
        "On loopback one TCP stream is not limited by latency or by a per-connection cap, as it is over the internet, \
         so this measures what parallel parts cost or gain against the emulator itself (its per-request work and \
         CompleteMultipartUpload assembling the parts); a WAN favours the parallel parts more."
            .into(),
    );
    section
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_file_is_an_mp4_of_the_size_asked() {
        let dir = std::env::temp_dir().join(format!("bench-upload-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.mp4");
        let size = 3 * MIB + 5;
        write_mp4(&path, size).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(bytes.len() as u64, size);
        let clip = fixture("clip.mp4");
        assert_eq!(&bytes[..clip.len()], &clip[..]);
        let free = &bytes[clip.len()..clip.len() + 8];
        assert_eq!(u64::from(u32::from_be_bytes(free[..4].try_into().unwrap())), size - clip.len() as u64);
        assert_eq!(&free[4..], b"free");
        // Top-level boxes: the clip's, then the free box, ending exactly at the end.
        let (mut at, mut kinds) = (0, Vec::new());
        while at < bytes.len() {
            let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            kinds.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
            at += size;
        }
        assert_eq!(at, bytes.len());
        assert_eq!(kinds, ["ftyp", "moov", "free", "mdat", "free"]);
    }

    #[test]
    fn throughput_is_mib_per_second() {
        assert_eq!(mib_per_s(1024 * MIB, 2000.0), 512.0);
        let (mut single, mut multipart) = (Samples::default(), Samples::default());
        for ms in [4000.0, 2000.0, 3000.0] {
            single.push_ms(ms);
            multipart.push_ms(ms / 2.0);
        }
        let section = section(&Plan { file_bytes: 1024 * MIB, runs: 3 }, &single, &multipart, Duration::ZERO);
        let markdown = section.markdown();
        assert!(markdown.contains("| 3 | 3.00 s | 341 MiB/s | 256, 512, 341 |"), "{markdown}");
        assert!(markdown.contains("| 3 | 1.50 s | 683 MiB/s | 512, 1024, 683 |"), "{markdown}");
        assert!(section.goals[0].contains("2.00× (**met**)"), "{:?}", section.goals);
    }
}
