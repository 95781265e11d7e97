//! Requests to handlers, and their responses.

use http::StatusCode;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::Value;
use std::collections::HashMap;

/// A request builder for handler calls.
#[derive(Clone)]
pub struct Req {
    method: &'static str,
    path: String,
    body: Option<Vec<u8>>,
    headers: Vec<(String, String)>,
    path_params: HashMap<String, String>,
    query: HashMap<String, String>,
    source_ip: String,
}

impl Req {
    pub fn new(method: &'static str, path: &str) -> Self {
        Req {
            method,
            path: path.into(),
            body: None,
            headers: vec![],
            path_params: HashMap::new(),
            source_ip: "192.0.2.1".into(),
            query: HashMap::new(),
        }
    }
    pub fn get(path: &str) -> Self {
        Self::new("GET", path)
    }
    pub fn head(path: &str) -> Self {
        Self::new("HEAD", path)
    }
    pub fn post(path: &str) -> Self {
        Self::new("POST", path)
    }
    pub fn delete(path: &str) -> Self {
        Self::new("DELETE", path)
    }
    pub fn json(mut self, value: Value) -> Self {
        self.body = Some(serde_json::to_vec(&value).unwrap());
        self
    }
    pub fn raw_body(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Some(bytes.into());
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.path_params.insert(name.into(), value.into());
        self
    }
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.insert(name.into(), value.into());
        self
    }
    /// The address API Gateway reports as the caller's (192.0.2.1 unless set).
    pub fn source_ip(mut self, ip: &str) -> Self {
        self.source_ip = ip.into();
        self
    }
    pub fn build(self) -> Request {
        let mut builder = http::Request::builder().method(self.method).uri(format!("http://localhost{}", self.path));
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let body = self.body.map(Body::Binary).unwrap_or(Body::Empty);
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some(self.source_ip);
        builder
            .body(body)
            .unwrap()
            .with_path_parameters(self.path_params)
            .with_query_string_parameters(self.query)
            .with_request_context(RequestContext::ApiGatewayV2(context))
    }
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    /// The JSON body (Null when empty or not JSON).
    pub body: Value,
    pub raw: Vec<u8>,
}

impl From<Response<Body>> for TestResponse {
    fn from(response: Response<Body>) -> Self {
        let (parts, body) = response.into_parts();
        let raw: Vec<u8> = body.as_ref().to_vec();
        // An answer to HEAD has a JSON content type and no body.
        let is_json = parts.headers.get("content-type").is_some_and(|v| v == "application/json") && !raw.is_empty();
        let body = if is_json { serde_json::from_slice(&raw).expect("valid JSON body") } else { Value::Null };
        TestResponse { status: parts.status, headers: parts.headers, body, raw }
    }
}

impl TestResponse {
    /// Asserts an error in the project's model: status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "unexpected status, body: {}", self.body);
        assert_eq!(self.body["error_code"], code, "unexpected error code, body: {}", self.body);
        assert!(self.body["error"].as_str().is_some_and(|m| !m.is_empty()), "error message missing: {}", self.body);
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status, body: {}", self.body);
        &self.body
    }
}
