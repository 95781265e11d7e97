//! The pure part of an upload: content types, part ranges, missing parts, retry delays.

use std::path::Path;
use std::time::Duration;

use crate::api::{UploadLayout, UploadedPart};

/// The content type the server accepts for a file name, from its extension.
pub fn content_type(path: &Path) -> Result<&'static str, String> {
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("mp4") => Ok("video/mp4"),
        Some("mov") => Ok("video/quicktime"),
        Some("webm") => Ok("video/webm"),
        _ => Err(format!("{}: unsupported file type (expected .mp4, .mov or .webm)", path.display())),
    }
}

/// A checked upload layout for a file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub size: u64,
    pub part_size: u64,
    pub part_count: u32,
}

impl Plan {
    /// Refuses a layout whose parts do not cover exactly `size` bytes, with a last part of 1 to
    /// `part_size` bytes.
    pub fn new(size: u64, layout: UploadLayout) -> Result<Plan, String> {
        let UploadLayout { part_size, part_count } = layout;
        let covered = |count: u32| part_size.checked_mul(u64::from(count));
        let consistent = part_size > 0
            && part_count > 0
            && covered(part_count - 1).is_some_and(|before_last| before_last < size)
            && covered(part_count).is_none_or(|all| all >= size);
        if consistent {
            Ok(Plan { size, part_size, part_count })
        } else {
            Err(format!("{part_count} parts of {part_size} bytes cannot hold {size} bytes"))
        }
    }

    /// The byte offset and length of a part (numbered from 1); the last part may be shorter.
    pub fn range(&self, part_number: u32) -> (u64, u64) {
        let offset = self.part_size * u64::from(part_number.saturating_sub(1));
        let length = self.part_size.min(self.size.saturating_sub(offset));
        (offset, length)
    }

    pub fn length(&self, part_number: u32) -> u64 {
        self.range(part_number).1
    }

    /// The whole file as one part, for a video whose parts the server already joined.
    pub fn whole(size: u64) -> Plan {
        Plan { size, part_size: size.max(1), part_count: 1 }
    }

    pub fn all_parts(&self) -> Vec<u32> {
        (1..=self.part_count).collect()
    }

    /// The parts still to send: those the server does not hold with their exact size.
    pub fn missing(&self, uploaded: &[UploadedPart]) -> Vec<u32> {
        let held = |number: u32| uploaded.iter().any(|p| p.part_number == number && p.size == self.length(number));
        self.all_parts().into_iter().filter(|&number| !held(number)).collect()
    }

    pub fn bytes_of(&self, parts: &[u32]) -> u64 {
        parts.iter().map(|&number| self.length(number)).sum()
    }
}

/// The part numbers named by `complete`'s 422, e.g. "parts missing: 2, 3" → [2, 3].
pub fn missing_parts_in_message(message: &str, part_count: u32) -> Option<Vec<u32>> {
    let lowered = message.to_ascii_lowercase();
    let list = &message[lowered.find("missing")? + "missing".len()..];
    let list = list.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
    let mut parts = Vec::new();
    for token in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let number: u32 = token.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()?;
        if !(1..=part_count).contains(&number) {
            return None;
        }
        if !parts.contains(&number) {
            parts.push(number);
        }
    }
    (!parts.is_empty()).then_some(parts)
}

pub const MAX_RETRIES: u32 = 5;
const FIRST_DELAY: Duration = Duration::from_millis(500);
const MAX_DELAY: Duration = Duration::from_secs(8);

/// The wait before retry `retry` (0-based): 0.5 s × 2^retry, at most 8 s.
pub fn backoff(retry: u32) -> Duration {
    FIRST_DELAY.saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX)).min(MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    fn plan(size: u64, part_size: u64, part_count: u32) -> Result<Plan, String> {
        Plan::new(size, UploadLayout { part_size, part_count })
    }

    fn part(part_number: u32, size: u64) -> UploadedPart {
        UploadedPart { part_number, size }
    }

    #[test]
    fn content_type_comes_from_the_extension() {
        assert_eq!(content_type(Path::new("a/clip.mp4")), Ok("video/mp4"));
        assert_eq!(content_type(Path::new("clip.MOV")), Ok("video/quicktime"));
        assert_eq!(content_type(Path::new("clip.webm")), Ok("video/webm"));
        assert!(content_type(Path::new("clip.avi")).is_err());
        assert!(content_type(Path::new("mp4")).is_err());
        assert!(content_type(Path::new("clip.mp4.txt")).is_err());
    }

    #[test]
    fn ranges_cover_the_file_with_a_shorter_last_part() {
        let plan = plan(20 * MIB + 5, 8 * MIB, 3).unwrap();
        assert_eq!(plan.range(1), (0, 8 * MIB));
        assert_eq!(plan.range(2), (8 * MIB, 8 * MIB));
        assert_eq!(plan.range(3), (16 * MIB, 4 * MIB + 5));
        assert_eq!(plan.bytes_of(&plan.all_parts()), plan.size);
    }

    #[test]
    fn a_file_of_exactly_n_parts_has_a_full_last_part() {
        let plan = plan(16 * MIB, 8 * MIB, 2).unwrap();
        assert_eq!(plan.range(2), (8 * MIB, 8 * MIB));
        let single = Plan::new(1, UploadLayout { part_size: 8 * MIB, part_count: 1 }).unwrap();
        assert_eq!(single.range(1), (0, 1));
    }

    #[test]
    fn inconsistent_layouts_are_refused() {
        assert!(plan(10, 0, 1).is_err());
        assert!(plan(10, 5, 0).is_err());
        assert!(plan(10, 5, 3).is_err(), "a third part would be empty");
        assert!(plan(11, 5, 2).is_err(), "two parts hold 10 bytes");
        assert!(plan(u64::MAX, u64::MAX / 2, u32::MAX).is_err());
        assert!(plan(11, 5, 3).is_ok());
    }

    #[test]
    fn missing_parts_are_those_not_held_with_their_size() {
        let plan = plan(20 * MIB + 5, 8 * MIB, 3).unwrap();
        assert_eq!(plan.missing(&[]), vec![1, 2, 3]);
        assert_eq!(plan.missing(&[part(1, 8 * MIB), part(3, 4 * MIB + 5)]), vec![2]);
        assert_eq!(plan.missing(&[part(1, 100), part(2, 8 * MIB)]), vec![1, 3], "part 1 has the wrong size");
        assert_eq!(
            plan.missing(&[part(9, 8 * MIB), part(1, 8 * MIB), part(2, 8 * MIB), part(3, 4 * MIB + 5)]),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn complete_messages_name_the_missing_parts() {
        assert_eq!(missing_parts_in_message("parts missing: 2, 3", 3), Some(vec![2, 3]));
        assert_eq!(missing_parts_in_message("Parts missing: 1", 3), Some(vec![1]));
        assert_eq!(missing_parts_in_message("parts missing: 2, 2, 3.", 3), Some(vec![2, 3]));
        assert_eq!(missing_parts_in_message("parts missing: 4", 3), None);
        assert_eq!(missing_parts_in_message("not a video", 3), None);
        assert_eq!(missing_parts_in_message("parts missing: ", 3), None);
    }

    #[test]
    fn backoff_doubles_from_half_a_second_up_to_eight() {
        let delays: Vec<u128> = (0..7).map(|retry| backoff(retry).as_millis()).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(backoff(u32::MAX), MAX_DELAY);
    }
}
