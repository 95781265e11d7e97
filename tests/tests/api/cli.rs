//! The command-line client (cli/, binary `vidlet`, built by `cargo build --workspace`) against
//! the real handlers behind the in-process HTTP front (`vidlet_tests::http_front`), LocalStack
//! and DynamoDB Local: an upload in parts that streams back the same bytes, an upload
//! interrupted with SIGINT and resumed sending only the missing parts, `ls`, `rm`, the session
//! file's mode, `logout`, and the device token it keeps across logins.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::process::Command;
use tokio::task::JoinHandle;
use vidlet::config::Config;
use vidlet::domain::video::{video_object_key, VideoStatus};
use vidlet::ports::*;
use vidlet_tests::{fixture, handler, http_client, http_front, json, unique, FaultyLink, Req, TestApp};

use crate::accounts::register;

const MIB: u64 = 1024 * 1024;
/// The part size the tests' server plans: S3's floor, so a few parts make a small file.
const PART: u64 = 5 * MIB;
const PASSWORD: &str = "cli-password-1";
/// Bound on one CLI run and on the interrupted run's exit.
const RUN_LIMIT: Duration = Duration::from_secs(60);

fn small_parts() -> Config {
    Config { min_part_bytes: PART, ..Config::default() }
}

/// `vidlet` beside this test's `deps/` folder (where `cargo build --workspace` puts it), else
/// `${CARGO_TARGET_DIR:-<repo>/target}/debug/vidlet`, as iam.rs finds the functions.
fn vidlet_binary() -> PathBuf {
    let exe = std::env::current_exe().ok();
    let deps = exe.as_deref().and_then(Path::parent).filter(|d| d.file_name().is_some_and(|n| n == "deps"));
    let profile = match deps.and_then(Path::parent) {
        Some(profile) => profile.to_path_buf(),
        None => match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => infra::repo_root().join(dir).join("debug"),
            None => infra::repo_root().join("target").join("debug"),
        },
    };
    let binary = profile.join(format!("vidlet{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "{} is missing: run `cargo build -p vidlet-cli` (make test builds it)", binary.display());
    binary
}

fn localstack_port() -> u16 {
    std::env::var("AWS_ENDPOINT_URL_S3")
        .ok()
        .and_then(|url| url.rsplit(':').next().and_then(|p| p.trim_end_matches('/').parse().ok()))
        .unwrap_or(4566)
}

/// tests/fixtures/clip.mp4 followed by one top-level `free` box up to `size` bytes: a valid MP4
/// of that size. The box holds each 8-byte word's offset, so a part sent to the wrong place
/// changes the bytes.
fn mp4_of(size: u64) -> Vec<u8> {
    let mut bytes = fixture("clip.mp4");
    let free = u32::try_from(size - bytes.len() as u64).unwrap();
    bytes.extend(free.to_be_bytes());
    bytes.extend(b"free");
    let start = bytes.len();
    bytes.resize(size as usize, 0);
    for (i, word) in bytes[start..].chunks_mut(8).enumerate() {
        let offset = (start + i * 8) as u64;
        word.copy_from_slice(&offset.to_be_bytes()[..word.len()]);
    }
    bytes
}

/// One test's server (the HTTP front on a TestApp), its registered user, logged in with
/// `vidlet login` into a private config dir.
struct Cli {
    t: Arc<TestApp>,
    url: String,
    server: JoinHandle<()>,
    dir: PathBuf,
    username: String,
    token: String,
}

impl Cli {
    async fn login(t: TestApp, username: &str) -> Self {
        let t = Arc::new(t);
        let token = register(&t, username, PASSWORD).await;
        let (url, server) = http_front::serve(t.clone()).await;
        let dir = std::env::temp_dir().join(format!("vidlet-cli-test-{}", unique()));
        std::fs::create_dir_all(&dir).unwrap();
        let cli = Cli { t, url, server, dir, username: username.into(), token };
        let login = cli.run(&["login", "--username", username]).await;
        assert_eq!(stdout(&login, 0), format!("logged in as {username} at {}\n", cli.url));
        cli
    }

    fn config_dir(&self) -> PathBuf {
        self.dir.join("config")
    }

    /// Writes `bytes` to a file of this test's and returns its path.
    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(vidlet_binary());
        command
            .args(args)
            .env("VIDLET_URL", &self.url)
            .env("VIDLET_CONFIG_DIR", self.config_dir())
            .env("VIDLET_PASSWORD", PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    async fn run(&self, args: &[&str]) -> Output {
        let run = tokio::time::timeout(RUN_LIMIT, self.command(args).output()).await;
        run.unwrap_or_else(|_| panic!("`vidlet {}` did not finish within {RUN_LIMIT:?}", args.join(" "))).unwrap()
    }

    /// The bytes `/stream` hands out for `id` (its JSON form: the presigned URL), read in full.
    async fn streamed(&self, id: &str) -> Vec<u8> {
        let req = Req::get("/").param("id", id).header("accept", "application/json").bearer(&self.token).build();
        let answer = self.t.call(handler!(videos::stream_video), req).await;
        let url = answer.assert_status(200)["url"].as_str().expect("a url").to_owned();
        let response = http_client().get(&url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.bytes().await.unwrap().to_vec()
    }

    /// The resume state files `vidlet upload` keeps while a video is pending.
    fn state_files(&self) -> Vec<PathBuf> {
        match std::fs::read_dir(self.config_dir().join("uploads")) {
            Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        self.server.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// Stdout of a run that exited with `code` (stderr shown when it did not).
#[track_caller]
fn stdout(output: &Output, code: i32) -> String {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "exit status; stderr:\n{stderr}");
    text(&output.stdout)
}

/// The id of `<id> <status>`, the one line `vidlet upload` prints.
#[track_caller]
fn uploaded(output: &Output, status: &str) -> String {
    let out = stdout(output, 0);
    let (id, printed) = out.trim_end().split_once(' ').unwrap_or_else(|| panic!("not `<id> <status>`: {out:?}"));
    assert_eq!((printed, out.lines().count()), (status, 1), "stdout: {out:?}");
    assert_eq!(uuid::Uuid::parse_str(id).map(|u| u.to_string()).as_deref(), Ok(id), "not a video id: {id}");
    id.to_owned()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_three_part_upload_through_the_cli_ends_ready_and_streams_the_same_bytes() {
    let t = TestApp::with_config(small_parts()).await;
    let cli = Cli::login(t, "cliparts").await;
    let bytes = mp4_of(2 * PART + MIB);
    let file = cli.file("three parts.mp4", &bytes);

    let output = cli.run(&["upload", &file]).await;
    let id = uploaded(&output, "ready");
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&format!("created video {id}: 3 parts")), "stderr:\n{stderr}");
    assert!(!stderr.contains("retry"), "no part needed a retry; stderr:\n{stderr}");

    let video = cli.t.db.get_video(&id).await.unwrap().expect("the video's record");
    assert_eq!(
        (video.status, video.size, video.name.as_str()),
        (VideoStatus::Ready, bytes.len() as u64, "three parts")
    );
    assert_eq!(video.owner, cli.username);
    let streamed = cli.streamed(&id).await;
    assert_eq!(streamed.len(), bytes.len());
    assert!(streamed == bytes, "the streamed bytes differ from the file's");
    assert_eq!(cli.state_files(), Vec::<PathBuf>::new(), "the resume state is removed once the video is ready");
}

#[tokio::test]
async fn an_interrupted_upload_resumes_sending_only_the_missing_parts() {
    // S3 through a link the test controls: the part URLs the server presigns point at it.
    let link = FaultyLink::to(localstack_port()).await;
    let t = TestApp::on(vidlet::store::client::dynamodb(), link.s3_client().await, small_parts()).await;
    let cli = Cli::login(t, "cliresume").await;
    let bytes = mp4_of(7 * PART + MIB);
    let file = cli.file("eight parts.mp4", &bytes);

    // One part at a time; the link goes down the moment part 3's PUT arrives (before any of
    // it reaches S3), so exactly parts 1 and 2 are held. Then Ctrl-C.
    link.cut_at_part_put(3);
    let child = cli.command(&["upload", &file, "--parallel", "1"]).spawn().unwrap();
    let pid = child.id().expect("the CLI's pid");
    let started = Instant::now();
    while !link.is_cut() {
        assert!(started.elapsed() < RUN_LIMIT, "part 3 was never sent; parts seen: {:?}", link.part_puts());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let kill = std::process::Command::new("kill").args(["-INT", &pid.to_string()]).status().unwrap();
    assert!(kill.success(), "kill -INT {pid}");
    let interrupted = tokio::time::timeout(RUN_LIMIT, child.wait_with_output()).await.expect("exits after SIGINT");
    let interrupted = interrupted.unwrap();
    link.restore();
    assert_eq!(stdout(&interrupted, 130), "", "nothing on stdout when interrupted");
    let stderr = text(&interrupted.stderr);
    assert!(stderr.contains("interrupted; run the same command again to resume"), "stderr:\n{stderr}");
    let id = stderr
        .lines()
        .find_map(|line| line.strip_prefix("created video ")?.strip_suffix(": 8 parts"))
        .unwrap_or_else(|| panic!("no `created video <id>: 8 parts` line; stderr:\n{stderr}"))
        .to_owned();
    assert_eq!(link.part_puts(), vec![1, 2, 3], "parts 1 and 2 sent, part 3 cut");

    // Pending, S3 holds parts 1 and 2 (asked directly, not through the link), the state stays.
    let video = cli.t.db.get_video(&id).await.unwrap().expect("the video's record");
    assert_eq!(video.status, VideoStatus::Pending);
    let direct = vidlet::store::client::s3();
    let upload_id = video.upload_id.expect("a pending video's multipart upload");
    let listed = direct
        .list_parts()
        .bucket(&cli.t.config.bucket)
        .key(video_object_key(&id))
        .upload_id(&upload_id)
        .send()
        .await
        .unwrap();
    let held: Vec<(i32, i64)> = listed.parts().iter().map(|p| (p.part_number.unwrap(), p.size.unwrap())).collect();
    let k = held.len();
    assert!((2..8).contains(&k), "S3 holds {k} parts");
    assert_eq!(held, vec![(1, PART as i64), (2, PART as i64)]);
    let state = cli.state_files();
    assert_eq!(state.len(), 1, "one resume state file: {state:?}");
    assert_eq!(mode(&state[0]), 0o600);

    // The same command again: it resumes, sends parts 3 to 8 once each, and completes.
    let resumed = cli.run(&["upload", &file, "--parallel", "1"]).await;
    assert_eq!(uploaded(&resumed, "ready"), id, "the same video, not a new one");
    let stderr = text(&resumed.stderr);
    assert!(stderr.contains(&format!("resuming upload of {id}: {k} of 8 parts already uploaded")), "stderr:\n{stderr}");
    assert!(!stderr.contains("created video"), "no second video; stderr:\n{stderr}");
    assert_eq!(link.part_puts()[3..], [3, 4, 5, 6, 7, 8], "the second run sent exactly the missing parts");

    assert_eq!(cli.t.db.get_video(&id).await.unwrap().unwrap().status, VideoStatus::Ready);
    let streamed = cli.streamed(&id).await;
    assert_eq!(streamed.len(), bytes.len());
    assert!(streamed == bytes, "the streamed bytes differ from the file's");
    assert_eq!(cli.state_files(), Vec::<PathBuf>::new(), "the resume state is removed once the video is ready");
}

#[tokio::test]
async fn ls_lists_the_video_rm_deletes_it_and_the_session_stays_private() {
    let t = TestApp::with_config(small_parts()).await;
    let cli = Cli::login(t, "clilist").await;
    let session = cli.config_dir().join("session.json");
    assert_eq!(mode(&cli.config_dir()), 0o700, "the config dir");
    assert_eq!(mode(&session), 0o600, "the session file");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&session).unwrap()).unwrap();
    assert_eq!((saved["base_url"].as_str(), saved["username"].as_str()), (Some(cli.url.as_str()), Some("clilist")));
    assert!(!String::from_utf8_lossy(&std::fs::read(&session).unwrap()).contains(PASSWORD), "no password kept");

    let clip = fixture("clip.mp4");
    let file = cli.file("small.mp4", &clip);
    let id = uploaded(&cli.run(&["upload", &file, "--name", "listed-clip", "--privacy", "unlisted"]).await, "ready");

    let listed = cli.run(&["ls"]).await;
    let table = stdout(&listed, 0);
    let rows: Vec<Vec<&str>> = table.lines().map(|line| line.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 2, "a header and one video:\n{table}");
    assert_eq!(rows[0], ["ID", "STATUS", "PRIVACY", "SIZE", "NAME"]);
    assert_eq!(rows[1], [id.as_str(), "ready", "unlisted", "44.1", "KiB", "listed-clip"], "{} bytes", clip.len());
    assert!(text(&listed.stderr).contains("44.1 KiB of 10.0 GiB used"), "stderr: {}", text(&listed.stderr));

    let removed = cli.run(&["rm", &id]).await;
    assert_eq!(stdout(&removed, 0), format!("deleted {id}\n"));
    let get = Req::get("/").param("id", &id).bearer(&cli.token).build();
    cli.t.call(handler!(videos::get_video), get).await.assert_error(404, "005");
    let emptied = cli.run(&["ls"]).await;
    assert_eq!(stdout(&emptied, 0), "");
    assert!(text(&emptied.stderr).contains("no videos"), "stderr: {}", text(&emptied.stderr));
    let again = cli.run(&["rm", &id]).await;
    assert_eq!(stdout(&again, 1), "");
    assert!(text(&again.stderr).contains("(error 005, HTTP 404)"), "stderr: {}", text(&again.stderr));

    // logout ends the CLI's session on the server and removes the file.
    let cli_session = saved["session_id"].as_str().expect("a session id").to_owned();
    assert_ne!(cli_session, cli.token, "login made a session of its own");
    let me = |token: &str| Req::get("/me").bearer(token).build();
    cli.t.call(handler!(accounts::me), me(&cli_session)).await.assert_status(200);
    assert_eq!(stdout(&cli.run(&["logout"]).await, 0), "logged out\n");
    assert!(!session.exists(), "the session file is removed");
    cli.t.call(handler!(accounts::me), me(&cli_session)).await.assert_error(401, "002");
    let after = cli.run(&["ls"]).await;
    assert_eq!(stdout(&after, 1), "");
    let expected = format!("error: not logged in to {}; run `vidlet login`", cli.url);
    assert!(text(&after.stderr).contains(&expected), "stderr: {}", text(&after.stderr));
}

#[tokio::test]
async fn the_cli_keeps_its_device_token_so_a_stranger_guessing_cannot_lock_it_out() {
    let t = TestApp::with_config(small_parts()).await;
    let cli = Cli::login(t, "clidevice").await;
    for _ in 0..10 {
        let guess = Req::post("/sessions").json(json!({"username": "clidevice", "password": "not the one"}));
        cli.t.call(handler!(accounts::login), guess.source_ip("198.51.100.7").build()).await.assert_error(401, "002");
    }
    // Without a device token even the right password waits now...
    let tokenless = Req::post("/sessions").json(json!({"username": "clidevice", "password": PASSWORD}));
    cli.t.call(handler!(accounts::login), tokenless.build()).await.assert_error(429, "009");
    // ...but the CLI signs in again: it kept the token its first login got, across a logout.
    assert_eq!(stdout(&cli.run(&["logout"]).await, 0), "logged out\n");
    let again = cli.run(&["login", "--username", "clidevice"]).await;
    assert_eq!(stdout(&again, 0), format!("logged in as clidevice at {}\n", cli.url));
}
