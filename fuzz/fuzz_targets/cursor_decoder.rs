//! The opaque page cursor: `vidlet::domain::page::{decode_cursor, encode_cursor}`.
//!
//! The input, as lossy UTF-8, is decoded as a cursor of each list shape that
//! the video store queries: the feed, a user's videos (all, or public only)
//! and a video's comments. A refused cursor must be an `Invalid` on the field
//! `cursor`, answered as a 400; an accepted one must hold exactly the list's
//! key, with the partition value asked for and UUIDs elsewhere, and must
//! survive `encode_cursor` → decode.
//!
//! Then a valid key built from the input bytes (two UUIDs in the formats
//! `Uuid::parse_str` accepts, an arbitrary owner name) goes through
//! `encode_cursor` and must decode back to the same key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vidlet::domain::page::{decode_cursor, encode_cursor, Cursor};
use vidlet::domain::Invalid;
use vidlet::ApiError;

/// The video id the comments shape is decoded against (and the seeds use).
const VIDEO_ID: &str = "0190f8a2-7c3e-7b4a-9d1e-3f2a6b8c9d0e";

struct Shape<'a> {
    partition: (&'a str, &'a str),
    sort_attribute: &'a str,
    table_key: &'a [&'a str],
}

impl Shape<'_> {
    fn attributes(&self) -> Vec<&str> {
        let mut names = vec![self.partition.0, self.sort_attribute];
        names.extend(self.table_key);
        names.sort_unstable();
        names.dedup();
        names
    }

    fn decode(&self, raw: &str) -> Result<Cursor, Invalid> {
        decode_cursor(raw, self.partition, self.sort_attribute, self.table_key)
    }

    /// Checks what `decode_cursor` answered for `raw`.
    fn check(&self, raw: &str) {
        let cursor = match self.decode(raw) {
            Ok(cursor) => cursor,
            Err(err) => {
                assert_eq!(err.field, "cursor", "refused cursor {raw:?}: {err}");
                let status = ApiError::from(err).status();
                assert_eq!(status.as_u16(), 400, "refused cursor {raw:?}");
                return;
            }
        };
        let mut names: Vec<&str> = cursor.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, self.attributes(), "accepted cursor {raw:?}");
        for (name, value) in &cursor {
            if name == self.partition.0 {
                assert_eq!(value, self.partition.1, "partition of accepted cursor {raw:?}");
            } else {
                assert!(uuid::Uuid::parse_str(value).is_ok(), "{name}={value:?} in accepted cursor {raw:?}");
            }
        }
        let again = encode_cursor(&cursor);
        assert_eq!(self.decode(&again).ok(), Some(cursor), "re-encoded cursor {again:?} of {raw:?}");
    }

    /// A valid key of this shape, encoded, decodes back to itself.
    fn round_trip(&self, ids: &[String; 2]) {
        let mut key = Cursor::new();
        key.insert(self.partition.0.to_owned(), self.partition.1.to_owned());
        let mut ids = ids.iter();
        for name in self.attributes() {
            if name != self.partition.0 {
                key.insert(name.to_owned(), ids.next().expect("at most two ids").clone());
            }
        }
        let cursor = encode_cursor(&key);
        match self.decode(&cursor) {
            Ok(decoded) => assert_eq!(decoded, key, "cursor {cursor:?}"),
            Err(err) => panic!("valid key {key:?} as cursor {cursor:?} refused: {err:?}"),
        }
    }
}

fn uuid_text(bytes: &[u8], style: u8) -> String {
    let mut raw = [0u8; 16];
    let n = bytes.len().min(16);
    raw[..n].copy_from_slice(&bytes[..n]);
    let id = uuid::Uuid::from_bytes(raw);
    match style % 5 {
        0 => id.hyphenated().to_string(),
        1 => id.simple().to_string(),
        2 => id.braced().to_string(),
        3 => id.urn().to_string(),
        _ => id.hyphenated().to_string().to_uppercase(),
    }
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);

    // The owner comes from a validated path; the seeds' cursors use "alice".
    for shape in [
        Shape { partition: ("feed_key", "public"), sort_attribute: "id", table_key: &["id"] },
        Shape { partition: ("owner_key", "alice"), sort_attribute: "id", table_key: &["id"] },
        Shape { partition: ("public_owner_key", "alice"), sort_attribute: "id", table_key: &["id"] },
        Shape { partition: ("video_id", VIDEO_ID), sort_attribute: "comment_id", table_key: &[] },
    ] {
        shape.check(&raw);
    }

    // Round trip of a valid key built from the input.
    let style = data.first().copied().unwrap_or(0);
    let rest = data.get(1..).unwrap_or_default();
    let ids =
        [uuid_text(rest.get(..16).unwrap_or(rest), style), uuid_text(rest.get(16..32).unwrap_or_default(), style / 5)];
    let partition_value = String::from_utf8_lossy(rest.get(32..).unwrap_or_default());
    let comments_video = uuid_text(rest.get(16..).unwrap_or_default(), style);
    for shape in [
        Shape { partition: ("feed_key", "public"), sort_attribute: "id", table_key: &["id"] },
        Shape { partition: ("owner_key", &partition_value), sort_attribute: "id", table_key: &["id"] },
        Shape { partition: ("public_owner_key", &partition_value), sort_attribute: "id", table_key: &["id"] },
        Shape { partition: ("video_id", &comments_video), sort_attribute: "comment_id", table_key: &[] },
    ] {
        shape.round_trip(&ids);
        // And the cursor decoder, fed the arbitrary partition value.
        shape.check(&raw);
    }
});
