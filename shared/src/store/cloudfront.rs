//! CloudFront's signed cookies for `/hls/{id}/*` (a custom policy, RSA-SHA1 as
//! CloudFront checks them), and the choice between them and local delivery.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::PrivateKey;
use serde::Serialize;
use sha1::Sha1;

use crate::access::Access;
use crate::config::Config;
use crate::domain::ladder::hls_prefix;
use crate::error::{ApiError, ApiResult};
use crate::ports::{CookieGrant, PlaybackCookies};

/// How long cookies live unless `PLAYBACK_COOKIE_TTL_SECONDS` says otherwise.
pub const DEFAULT_COOKIE_TTL_SECS: u64 = 900;

/// Signs the cookies CloudFront's `/hls/*` behaviour requires (its trusted key group).
pub struct CloudFrontCookies {
    key_pair_id: String,
    key: PrivateKey,
    ttl_secs: u64,
    /// The host of the policy's resource, from the configured site origin; None:
    /// the request's `Host`.
    site_host: Option<String>,
}

impl CloudFrontCookies {
    /// `private_key_pem`: PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`,
    /// what OpenSSL 3's `genrsa` writes). `site_origin` such as `https://video.example`.
    pub fn new(
        key_pair_id: &str,
        private_key_pem: &str,
        ttl_secs: u64,
        site_origin: Option<&str>,
    ) -> Result<Self, String> {
        let pem = private_key_pem.trim();
        let key = PrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| PrivateKey::from_pkcs8_pem(pem))
            .map_err(|_| "the private key is not an RSA key in PKCS#1 or PKCS#8 PEM".to_owned())?;
        let site_host = site_origin.map(|origin| {
            let host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            host.split('/').next().unwrap_or_default().to_owned()
        });
        if let Some(host) = site_host.as_deref().filter(|h| !is_plain_host(h)) {
            return Err(format!("the site origin's host {host:?} is not a host name"));
        }
        let key_pair_id = key_pair_id.trim();
        if key_pair_id.is_empty() || !key_pair_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("the key pair id is not CloudFront's (letters and digits)".to_owned());
        }
        Ok(CloudFrontCookies { key_pair_id: key_pair_id.to_owned(), key, ttl_secs: ttl_secs.max(1), site_host })
    }

    /// The custom policy: `https://{host}/hls/{id}/*` until `expires_at`, compact
    /// JSON (CloudFront wants no whitespace).
    pub fn policy(resource: &str, expires_at: i64) -> String {
        let policy = Policy {
            statement: [Statement { resource, condition: Condition { date_less_than: Epoch { seconds: expires_at } } }],
        };
        serde_json::to_string(&policy).expect("a policy serialises")
    }
}

#[derive(Serialize)]
struct Policy<'a> {
    #[serde(rename = "Statement")]
    statement: [Statement<'a>; 1],
}

#[derive(Serialize)]
struct Statement<'a> {
    #[serde(rename = "Resource")]
    resource: &'a str,
    #[serde(rename = "Condition")]
    condition: Condition,
}

#[derive(Serialize)]
struct Condition {
    #[serde(rename = "DateLessThan")]
    date_less_than: Epoch,
}

#[derive(Serialize)]
struct Epoch {
    #[serde(rename = "AWS:EpochTime")]
    seconds: i64,
}

/// CloudFront's URL-safe base64: `+` → `-`, `=` → `_`, `/` → `~`.
pub fn cloudfront_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes).replace('+', "-").replace('=', "_").replace('/', "~")
}

/// A host name or address with an optional port: nothing that could change the
/// policy's meaning (no quote, slash or wildcard).
fn is_plain_host(host: &str) -> bool {
    !host.is_empty() && host.len() <= 260 && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
}

impl PlaybackCookies for CloudFrontCookies {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }

    fn grant(&self, video_id: &str, request_host: Option<&str>, now: i64) -> ApiResult<Option<CookieGrant>> {
        let host = match (&self.site_host, request_host) {
            (Some(site), _) => site.as_str(),
            (None, Some(host)) if is_plain_host(host) => host,
            (None, _) => return Err(ApiError::bad_request("the request's Host is not a host name")),
        };
        let path = format!("/{}", hls_prefix(video_id));
        let expires_at = now + self.ttl_secs as i64;
        let policy = Self::policy(&format!("https://{host}{path}*"), expires_at);
        // Blinded with the OS RNG; the exponentiation is constant-time (crypto-bigint).
        let signature = self
            .key
            .pkcs1v15_sign::<Sha1>(policy.as_bytes())
            .map_err(|e| ApiError::internal_from("signing the playback cookies", e))?;
        let cookies = vec![
            ("CloudFront-Policy".to_owned(), cloudfront_base64(policy.as_bytes())),
            ("CloudFront-Signature".to_owned(), cloudfront_base64(&signature)),
            ("CloudFront-Key-Pair-Id".to_owned(), self.key_pair_id.clone()),
        ];
        Ok(Some(CookieGrant { cookies, path, expires_at, ttl_secs: self.ttl_secs }))
    }
}

/// No CDN (locally): the playlist route delivers the ladder, so no cookies.
pub struct LocalPlayback;

impl PlaybackCookies for LocalPlayback {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }

    fn grant(&self, _video_id: &str, _request_host: Option<&str>, _now: i64) -> ApiResult<Option<CookieGrant>> {
        Ok(None)
    }
}

/// get-playback's delivery: CloudFront's cookies when a key is configured, else local.
pub enum Playback {
    CloudFront(Box<CloudFrontCookies>),
    Local(LocalPlayback),
}

impl Playback {
    /// `PLAYBACK_COOKIE_KEY_PAIR_ID` and `PLAYBACK_COOKIE_PRIVATE_KEY` (PEM) both set:
    /// CloudFront, cookies living `PLAYBACK_COOKIE_TTL_SECONDS` (900), for the site's
    /// origin (`SITE_ORIGINS`' first when that is set, else the request's host).
    /// Neither: local. A half or wrong configuration stops the function at start.
    pub fn from_env(config: &Config) -> Self {
        let var = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match (var("PLAYBACK_COOKIE_KEY_PAIR_ID"), var("PLAYBACK_COOKIE_PRIVATE_KEY")) {
            (None, None) => Playback::Local(LocalPlayback),
            (Some(key_pair_id), Some(pem)) => {
                let ttl = match var("PLAYBACK_COOKIE_TTL_SECONDS") {
                    Some(raw) => raw.trim().parse().unwrap_or_else(|_| {
                        panic!("environment variable PLAYBACK_COOKIE_TTL_SECONDS={raw:?} is not valid")
                    }),
                    None => DEFAULT_COOKIE_TTL_SECS,
                };
                let origin = std::env::var_os("SITE_ORIGINS").and(config.site_origin.as_deref());
                match CloudFrontCookies::new(&key_pair_id, &pem, ttl, origin) {
                    Ok(cookies) => Playback::CloudFront(Box::new(cookies)),
                    Err(why) => panic!("playback cookies: {why}"),
                }
            }
            _ => panic!("set both PLAYBACK_COOKIE_KEY_PAIR_ID and PLAYBACK_COOKIE_PRIVATE_KEY, or neither"),
        }
    }
}

impl PlaybackCookies for Playback {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }

    fn grant(&self, video_id: &str, request_host: Option<&str>, now: i64) -> ApiResult<Option<CookieGrant>> {
        match self {
            Playback::CloudFront(cookies) => cookies.grant(video_id, request_host, now),
            Playback::Local(local) => local.grant(video_id, request_host, now),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::sync::OnceLock;

    use base64::Engine;

    use super::*;

    const ID: &str = "0190a8c4-0000-7000-8000-000000000000";

    /// A 2048-bit key as OpenSSL 3's `genrsa` writes it (PKCS#8), made once.
    fn pkcs8_pem() -> &'static str {
        static PEM: OnceLock<String> = OnceLock::new();
        PEM.get_or_init(|| {
            let out = Command::new("openssl").args(["genrsa", "2048"]).output().expect("openssl is installed");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap()
        })
    }

    fn decode(cloudfront: &str) -> Vec<u8> {
        let standard = cloudfront.replace('-', "+").replace('_', "=").replace('~', "/");
        STANDARD.decode(standard).unwrap()
    }

    fn cookie<'a>(grant: &'a CookieGrant, name: &str) -> &'a str {
        grant.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap()
    }

    #[test]
    fn the_policy_is_compact_and_in_cloudfronts_order() {
        assert_eq!(
            CloudFrontCookies::policy("https://video.example/hls/x/*", 1_700_000_000),
            r#"{"Statement":[{"Resource":"https://video.example/hls/x/*","Condition":{"DateLessThan":{"AWS:EpochTime":1700000000}}}]}"#
        );
        assert_eq!(cloudfront_base64(&[0xfb, 0xff]), "-~8_");
    }

    #[test]
    fn the_cookies_are_for_the_videos_path_until_the_ttl_and_verify_with_the_public_key() {
        let signer = CloudFrontCookies::new("K2JCJMDEHXQW5F", pkcs8_pem(), 900, Some("https://video.example")).unwrap();
        let grant = signer.grant(ID, Some("ignored.example"), 1_000).unwrap().unwrap();
        assert_eq!((grant.path.as_str(), grant.expires_at, grant.ttl_secs), (&*format!("/hls/{ID}/"), 1_900, 900));
        let names: Vec<&str> = grant.cookies.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id"]);
        assert_eq!(cookie(&grant, "CloudFront-Key-Pair-Id"), "K2JCJMDEHXQW5F");
        let policy = decode(cookie(&grant, "CloudFront-Policy"));
        let expected = format!(
            r#"{{"Statement":[{{"Resource":"https://video.example/hls/{ID}/*","Condition":{{"DateLessThan":{{"AWS:EpochTime":1900}}}}}}]}}"#
        );
        assert_eq!(String::from_utf8(policy.clone()).unwrap(), expected);
        let public = PrivateKey::from_pkcs8_pem(pkcs8_pem()).unwrap().to_public_key();
        let signature = decode(cookie(&grant, "CloudFront-Signature"));
        public.pkcs1v15_verify::<Sha1>(&policy, &signature).expect("the signature verifies");
        assert!(public.pkcs1v15_verify::<Sha1>(&policy[1..], &signature).is_err(), "and only over the policy");
        for (_, value) in &grant.cookies {
            assert!(value.chars().all(|c| c.is_ascii_alphanumeric() || "-_~".contains(c)), "{value}");
        }
    }

    #[test]
    fn without_a_site_origin_the_requests_host_is_the_resource_and_a_strange_one_is_refused() {
        let signer = CloudFrontCookies::new("K2JCJMDEHXQW5F", pkcs8_pem(), 60, None).unwrap();
        let grant = signer.grant(ID, Some("d111111abcdef8.cloudfront.net"), 0).unwrap().unwrap();
        let policy = String::from_utf8(decode(cookie(&grant, "CloudFront-Policy"))).unwrap();
        assert!(policy.contains(&format!(r#""Resource":"https://d111111abcdef8.cloudfront.net/hls/{ID}/*""#)));
        for host in [Some("evil\",\"Resource\":\"*"), Some("*"), Some("a/b"), Some(""), None] {
            let refused = signer.grant(ID, host, 0).unwrap_err();
            assert_eq!((refused.status().as_u16(), refused.code()), (400, "001"), "{host:?}");
        }
    }

    #[test]
    fn keys_are_read_as_pkcs1_or_pkcs8_and_anything_else_is_refused() {
        let out = Command::new("openssl")
            .args(["rsa", "-traditional"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(pkcs8_pem().as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        let pkcs1 = String::from_utf8(out.stdout).unwrap();
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{pkcs1}");
        assert!(CloudFrontCookies::new("K1", &pkcs1, 60, None).is_ok());
        assert!(CloudFrontCookies::new("K1", "not a key", 60, None).is_err());
        assert!(CloudFrontCookies::new("K 1", pkcs8_pem(), 60, None).is_err(), "a key pair id is alphanumeric");
        assert!(CloudFrontCookies::new("K1", pkcs8_pem(), 60, Some("https://a\"b")).is_err());
    }

    #[test]
    fn local_delivery_grants_no_cookies() {
        assert_eq!(LocalPlayback.grant(ID, Some("localhost"), 0).unwrap(), None);
    }
}
