//! A minimal Lambda runtime API (the `2018-06-01` interface a function polls):
//! `GET /runtime/invocation/next` hands out queued events with Lambda's
//! headers, `POST /runtime/invocation/{id}/response` and `/error` answer them,
//! and `POST /runtime/init/error` records a failed start. One per instance.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};

use crate::Result;

const PREFIX: &str = "/2018-06-01/runtime";
/// Every invocation's deadline: the template's 60 s timeout (`Lambda-Runtime-Deadline-Ms`).
const TIMEOUT_MS: u128 = 60_000;

/// What the function answered.
#[derive(Debug)]
pub enum Reply {
    Response(Bytes),
    Error(Bytes),
}

struct Queued {
    event: Vec<u8>,
    reply: oneshot::Sender<Reply>,
}

struct Shared {
    function_arn: String,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>,
    /// Handed out and not yet answered, by request id.
    in_progress: Mutex<HashMap<String, oneshot::Sender<Reply>>>,
    first_next: OnceLock<Instant>,
    init_error: Mutex<Option<String>>,
    max_in_flight: AtomicUsize,
}

pub struct RuntimeApi {
    pub addr: SocketAddr,
    queue: mpsc::UnboundedSender<Queued>,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl RuntimeApi {
    /// Listens on a free port of 127.0.0.1 (`AWS_LAMBDA_RUNTIME_API`).
    pub async fn start(function: &str) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (queue, receiver) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            function_arn: format!("arn:aws:lambda:us-east-1:000000000000:function:{function}"),
            queue: tokio::sync::Mutex::new(receiver),
            in_progress: Mutex::new(HashMap::new()),
            first_next: OnceLock::new(),
            init_error: Mutex::new(None),
            max_in_flight: AtomicUsize::new(0),
        });
        let server = tokio::spawn(serve(listener, shared.clone()));
        Ok(RuntimeApi { addr, queue, shared, server })
    }

    /// Queues an event; the receiver gets the function's answer.
    pub fn submit(&self, event: Vec<u8>) -> oneshot::Receiver<Reply> {
        let (reply, answer) = oneshot::channel();
        // The receiver lives as long as `self`, so this cannot fail.
        let _ = self.queue.send(Queued { event, reply });
        answer
    }

    /// Queues an event and waits for the answer.
    pub async fn invoke(&self, event: Vec<u8>) -> Result<Reply> {
        Ok(self.submit(event).await.map_err(|_| "the invocation was dropped")?)
    }

    /// When the function first asked for an event: the end of its init.
    pub fn first_next(&self) -> Option<Instant> {
        self.shared.first_next.get().copied()
    }

    pub fn init_error(&self) -> Option<String> {
        self.shared.init_error.lock().expect("lock").clone()
    }

    /// The most invocations the instance had in progress at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::Relaxed)
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort(); // and with it every connection task
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let service = service_fn(move |req| handle(shared.clone(), req));
        connections.spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        while connections.try_join_next().is_some() {}
    }
}

type Body = Full<Bytes>;

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> std::result::Result<Response<Body>, hyper::Error> {
    let path = req.uri().path().strip_prefix(PREFIX).unwrap_or("").to_owned();
    let method = req.method().clone();
    if method == Method::GET && path == "/invocation/next" {
        return Ok(next(&shared).await);
    }
    if method != Method::POST {
        return Ok(status(StatusCode::NOT_FOUND));
    }
    let body = req.into_body().collect().await?.to_bytes();
    if path == "/init/error" {
        *shared.init_error.lock().expect("lock") = Some(String::from_utf8_lossy(&body).into_owned());
        return Ok(status(StatusCode::ACCEPTED));
    }
    let answer = path.strip_prefix("/invocation/").and_then(|rest| rest.split_once('/'));
    let Some((id, kind)) = answer else { return Ok(status(StatusCode::NOT_FOUND)) };
    let reply = match kind {
        "response" => Reply::Response(body),
        "error" => Reply::Error(body),
        _ => return Ok(status(StatusCode::NOT_FOUND)),
    };
    let waiting = shared.in_progress.lock().expect("lock").remove(id);
    match waiting {
        Some(sender) => {
            let _ = sender.send(reply);
            Ok(status(StatusCode::ACCEPTED))
        }
        None => Ok(status(StatusCode::BAD_REQUEST)),
    }
}

/// Long-polls the queue (each of a concurrent instance's workers waits here).
async fn next(shared: &Shared) -> Response<Body> {
    shared.first_next.get_or_init(Instant::now);
    let queued = shared.queue.lock().await.recv().await;
    let Some(Queued { event, reply }) = queued else { return status(StatusCode::GONE) };
    let id = uuid::Uuid::new_v4().to_string();
    let in_flight = {
        let mut in_progress = shared.in_progress.lock().expect("lock");
        in_progress.insert(id.clone(), reply);
        in_progress.len()
    };
    shared.max_in_flight.fetch_max(in_flight, Ordering::Relaxed);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let hex = uuid::Uuid::new_v4().simple().to_string();
    let trace = format!("Root=1-{:08x}-{};Parent={};Sampled=0", now.as_secs(), &hex[..24], &hex[16..]);
    Response::builder()
        .header("content-type", "application/json")
        .header("Lambda-Runtime-Aws-Request-Id", &id)
        .header("Lambda-Runtime-Deadline-Ms", (now.as_millis() + TIMEOUT_MS).to_string())
        .header("Lambda-Runtime-Invoked-Function-Arn", &shared.function_arn)
        .header("Lambda-Runtime-Trace-Id", trace)
        .body(Body::from(event))
        .expect("valid response")
}

fn status(code: StatusCode) -> Response<Body> {
    Response::builder().status(code).body(Body::default()).expect("valid response")
}
