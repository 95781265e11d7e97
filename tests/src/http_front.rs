//! An in-process HTTP front on 127.0.0.1 for clients that need a real server (the CLI's tests,
//! the bench's upload item): each request is routed with the app's own route table, becomes a
//! `lambda_http::Request` built like `Req::build` builds one, and is answered by
//! `TestApp::call`, so the handlers run wired as in every other test.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::{Body, RequestExt};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use vidlet::routes::{path_matches, served};

use crate::{Handler, TestApp};

/// Serves `t` on a fresh port of 127.0.0.1. Returns the base URL (`http://127.0.0.1:<port>`, no
/// trailing slash) and the server's task; aborting it closes the open connections too.
pub async fn serve(t: Arc<TestApp>) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let server = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            let t = t.clone();
            let service = service_fn(move |req| answer(t.clone(), req));
            connections.spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
            while connections.try_join_next().is_some() {}
        }
    });
    (format!("http://{addr}"), server)
}

/// The test handler that serves a route's function (`routes::ROUTES`' `function`).
pub fn handler_for(function: &str) -> Handler {
    match function {
        "web" => Handler::Site,
        "register" => Handler::Register,
        "login" => Handler::Login,
        "logout" => Handler::Logout,
        "me" => Handler::Me,
        "get-user" => Handler::GetUser,
        "delete-user" => Handler::DeleteUser,
        "list-user-videos" => Handler::ListUserVideos,
        "create-video" => Handler::CreateVideo,
        "list-videos" => Handler::ListVideos,
        "search-videos" => Handler::SearchVideos,
        "get-video" => Handler::GetVideo,
        "delete-video" => Handler::DeleteVideo,
        "update-video" => Handler::UpdateVideo,
        "upload-parts" => Handler::UploadParts,
        "get-upload" => Handler::GetUpload,
        "complete-video" => Handler::CompleteVideo,
        "stream-video" => Handler::StreamVideo,
        "get-playback" => Handler::GetPlayback,
        "get-playlist" => Handler::GetPlaylist,
        "count-view" => Handler::CountView,
        "like-video" => Handler::LikeVideo,
        "unlike-video" => Handler::UnlikeVideo,
        "follow-user" => Handler::FollowUser,
        "unfollow-user" => Handler::UnfollowUser,
        "list-following" => Handler::ListFollowing,
        "following-feed" => Handler::FollowingFeed,
        "create-poster" => Handler::CreatePoster,
        "get-poster" => Handler::GetPoster,
        "complete-poster" => Handler::CompletePoster,
        "create-comment" => Handler::CreateComment,
        "list-comments" => Handler::ListComments,
        "delete-comment" => Handler::DeleteComment,
        other => panic!("http_front: no test handler for function {other:?}; add it to handler_for"),
    }
}

/// `{name}` segments of `pattern` and the path's segments in their place, as API Gateway
/// passes them (percent-decoding left out: every id and user name is plain ASCII).
fn path_parameters(pattern: &str, path: &str) -> HashMap<String, String> {
    let segments = pattern.trim_matches('/').split('/').zip(path.trim_matches('/').split('/'));
    segments
        .filter_map(|(p, part)| Some((p.strip_prefix('{')?.strip_suffix('}')?.to_owned(), part.to_owned())))
        .collect()
}

async fn answer(t: Arc<TestApp>, req: hyper::Request<Incoming>) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => return Ok(plain(400, format!("unreadable request body: {error}"))),
    };
    let path = parts.uri.path().to_owned();
    let route =
        served().find(|(method, r)| *method == parts.method.as_str() && path_matches(r.path, &path)).map(|(_, r)| r);
    let handler = route.map_or(Handler::Fallback, |r| handler_for(r.function));
    let path_params = route.map(|r| path_parameters(r.path, &path)).unwrap_or_default();
    let query: QueryMap = parts.uri.query().unwrap_or("").parse().unwrap_or_else(|never| match never {});
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let head = parts.method == http::Method::HEAD;

    let mut request = http::Request::builder().method(parts.method).uri(format!("http://localhost{target}"));
    if let Some(headers) = request.headers_mut() {
        *headers = parts.headers;
    }
    let body = if body.is_empty() { Body::Empty } else { Body::Binary(body.to_vec()) };
    let request = match request.body(body) {
        Ok(request) => request.with_path_parameters(path_params).with_query_string_parameters(query),
        Err(error) => return Ok(plain(400, format!("bad request: {error}"))),
    };

    let response = t.call(handler, request).await;
    let mut out = hyper::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        // hyper frames the body itself; an answer to HEAD keeps the length a GET's body has.
        if (head || name != http::header::CONTENT_LENGTH) && name != http::header::TRANSFER_ENCODING {
            out = out.header(name, value);
        }
    }
    Ok(out.body(Full::new(Bytes::from(response.raw))).unwrap_or_else(|e| plain(500, e.to_string())))
}

fn plain(status: u16, message: String) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(message)));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_routed_function_has_a_handler_and_parameters_are_named() {
        for route in vidlet::routes::ROUTES {
            handler_for(route.function);
        }
        let params = path_parameters("/videos/{id}/comments/{comment_id}", "/videos/v1/comments/c2");
        assert_eq!(params.len(), 2);
        assert_eq!((params["id"].as_str(), params["comment_id"].as_str()), ("v1", "c2"));
        assert!(path_parameters("/me", "/me").is_empty());
    }
}
