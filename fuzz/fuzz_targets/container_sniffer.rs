//! `container_sniffer::probe` and `parse_moov` on arbitrary bytes.
//!
//! Input layout: the whole input is probed as the head of an object of its
//! own length; then, when it has 8 bytes or more, its first 8 bytes (big
//! endian) are taken as the object's size from HEAD, and both the rest of the
//! input and the whole input are probed against that size. Seeds are the
//! first 4 KiB of the test fixtures, raw or after an 8-byte size, and the
//! `moov` box of a QuickTime fixture (sample entries, `colr`, `esds`).
//!
//! Invariants (the crate promises no panic, no overflow, no endless loop):
//! - `NeedMoov { offset, length }`: `8 <= length <= MAX_MOOV_BYTES` and
//!   `offset + length <= total_size` without overflow;
//! - every duration is finite and non-negative, every frame rate finite and
//!   positive, every bit depth non-zero;
//! - a `NeedMoov` range that lies inside the bytes given parses without panic.
#![no_main]

use container_sniffer::{parse_moov, probe, MediaInfo, Probe, MAX_MOOV_BYTES};
use libfuzzer_sys::fuzz_target;

fn check_info(info: &MediaInfo, what: &str) {
    if let Some(d) = info.duration_seconds {
        assert!(d.is_finite() && d >= 0.0, "{what}: duration {d}");
    }
    if let Some(r) = info.frame_rate {
        assert!(r.is_finite() && r > 0.0, "{what}: frame rate {r}");
    }
    assert_ne!(info.bit_depth, Some(0), "{what}: bit depth");
}

fn check_probe(head: &[u8], total_size: u64) {
    match probe(head, total_size) {
        Probe::NeedMoov { offset, length, .. } => {
            assert!((8..=MAX_MOOV_BYTES).contains(&length), "NeedMoov length {length} (total {total_size})");
            let end = offset.checked_add(length);
            assert!(
                end.is_some_and(|end| end <= total_size),
                "NeedMoov offset {offset} + length {length} past total {total_size}"
            );
            // What the caller does next, when the range happens to be in hand.
            if let (Ok(start), Some(Ok(end))) = (usize::try_from(offset), end.map(usize::try_from)) {
                if let Some(range) = head.get(start..end) {
                    if let Some(info) = parse_moov(range) {
                        check_info(&info, "parse_moov(NeedMoov range)");
                    }
                }
            }
        }
        Probe::Video { info, .. } => check_info(&info, "probe"),
        Probe::NotVideo => {}
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(info) = parse_moov(data) {
        check_info(&info, "parse_moov");
    }
    check_probe(data, data.len() as u64);
    if let Some((size, rest)) = data.split_first_chunk::<8>() {
        let total_size = u64::from_be_bytes(*size);
        check_probe(rest, total_size);
        check_probe(rest, rest.len() as u64);
        check_probe(data, total_size);
        if let Some(info) = parse_moov(rest) {
            check_info(&info, "parse_moov");
        }
    }
});
