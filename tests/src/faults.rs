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
pub struct FaultyLink {
    pub port: u16,
    up: Arc<std::sync::atomic::AtomicBool>,
    generation: tokio::sync::watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultyLink {
    pub async fn to(target_port: u16) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (generation, _) = tokio::sync::watch::channel(0u64);
        let (accept_up, accept_generation) = (up.clone(), generation.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { return };
                if !accept_up.load(Ordering::SeqCst) {
                    drop(inbound); // refused, as by a stopped server
                    continue;
                }
                let mut cut = accept_generation.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", target_port)).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        FaultyLink { port, up, generation, task }
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
