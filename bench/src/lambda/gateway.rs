//! A mini API Gateway on 127.0.0.1: each HTTP request becomes a v2 event for
//! the waiting function instance, and its answer becomes the HTTP response.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use super::events::{http_event, to_bytes, HttpReply};
use super::runtime_api::{Reply, RuntimeApi};
use crate::Result;

pub struct Gateway {
    pub addr: SocketAddr,
    server: JoinHandle<()>,
}

impl Gateway {
    pub async fn start(api: Arc<RuntimeApi>) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let api = api.clone();
                let service = service_fn(move |req| forward(api.clone(), req));
                connections.spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(Gateway { addr, server })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.server.abort();
    }
}

type Body = Full<Bytes>;

async fn forward(api: Arc<RuntimeApi>, req: Request<Incoming>) -> std::result::Result<Response<Body>, hyper::Error> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let headers: Vec<(String, String)> =
        parts.headers.iter().filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned()))).collect();
    let event = http_event(parts.method.as_str(), parts.uri.path(), parts.uri.query().unwrap_or(""), &headers, &body);
    let answer = api.invoke(to_bytes(&event)).await;
    Ok(match answer {
        Ok(Reply::Response(raw)) => to_http(&raw).unwrap_or_else(|_| bad_gateway()),
        _ => bad_gateway(),
    })
}

fn to_http(raw: &[u8]) -> Result<Response<Body>> {
    let reply = HttpReply::parse(raw)?;
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    Ok(response.body(Body::from(reply.body))?)
}

/// What API Gateway answers when the function fails.
fn bad_gateway() -> Response<Body> {
    Response::builder()
        .status(StatusCode::BAD_GATEWAY)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"message":"Internal Server Error"}"#))
        .expect("valid response")
}
