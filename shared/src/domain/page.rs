//! Pages of a list, newest first, behind an opaque cursor that only the list
//! that issued it accepts.

use std::collections::BTreeMap;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use super::Invalid;

/// A list's position: the key attributes of the last item, by name.
pub type Cursor = BTreeMap<String, String>;

/// A page request: `limit` is 1–50 (default 20); `cursor` is opaque.
#[derive(Clone, Debug)]
pub struct PageRequest {
    pub limit: u32,
    pub cursor: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { limit: 20, cursor: None }
    }
}

impl PageRequest {
    pub fn parse(limit: Option<&str>, cursor: Option<String>) -> Result<Self, Invalid> {
        let limit = match limit {
            None => 20,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=50).contains(l))
                .ok_or_else(|| Invalid::new("limit", "use 1-50"))?,
        };
        Ok(PageRequest { limit, cursor: cursor.filter(|c| !c.is_empty()) })
    }
}

#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The cursor as the client holds it: base64url of a JSON object.
pub fn encode_cursor(key: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("a map of strings serialises"))
}

/// Decodes a cursor for one list: it must hold exactly the list's key
/// attributes, with the partition value asked for and UUIDs elsewhere.
pub fn decode_cursor(
    raw: &str,
    partition: (&str, &str),
    sort_attribute: &str,
    table_key: &[&str],
) -> Result<Cursor, Invalid> {
    decode_cursor_of(raw, partition, sort_attribute, table_key, |value| uuid::Uuid::parse_str(value).is_ok())
}

/// `decode_cursor` for a list whose other key values pass `valid` (user names, say).
pub fn decode_cursor_of(
    raw: &str,
    partition: (&str, &str),
    sort_attribute: &str,
    table_key: &[&str],
    valid: impl Fn(&str) -> bool,
) -> Result<Cursor, Invalid> {
    let invalid = || Invalid::new("cursor", "not a cursor of this list");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let key: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let mut expected: Vec<&str> = vec![partition.0, sort_attribute];
    expected.extend(table_key);
    expected.sort_unstable();
    expected.dedup();
    let names: Vec<&str> = key.keys().map(String::as_str).collect();
    if names != expected || key.get(partition.0).map(String::as_str) != Some(partition.1) {
        return Err(invalid());
    }
    if key.iter().any(|(name, value)| name != partition.0 && !valid(value)) {
        return Err(invalid());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_limits_are_checked() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, 20);
        assert_eq!(PageRequest::parse(Some("50"), None).unwrap().limit, 50);
        for bad in ["0", "51", "-1", "99999999999999999999", "x"] {
            assert!(PageRequest::parse(Some(bad), None).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_cursor_round_trips_and_only_fits_its_own_list() {
        let id = uuid::Uuid::now_v7().to_string();
        let key = Cursor::from([("feed_key".into(), "feed".into()), ("id".into(), id.clone())]);
        let raw = encode_cursor(&key);
        assert_eq!(decode_cursor(&raw, ("feed_key", "feed"), "id", &["id"]).unwrap(), key);
        assert!(decode_cursor(&raw, ("owner_key", "feed"), "id", &["id"]).is_err());
        assert!(decode_cursor(&raw, ("feed_key", "other"), "id", &["id"]).is_err());
        assert!(decode_cursor("garbage!", ("feed_key", "feed"), "id", &["id"]).is_err());
        let not_uuid = Cursor::from([("feed_key".into(), "feed".into()), ("id".into(), "x".into())]);
        assert!(decode_cursor(&encode_cursor(&not_uuid), ("feed_key", "feed"), "id", &["id"]).is_err());
    }
}
