//! Bounds-checked readers: `None` instead of a panic when out of range.

pub(crate) fn byte(buf: &[u8], pos: usize) -> Option<u8> {
    buf.get(pos).copied()
}

pub(crate) fn array<const N: usize>(buf: &[u8], pos: usize) -> Option<[u8; N]> {
    buf.get(pos..pos.checked_add(N)?)?.try_into().ok()
}

pub(crate) fn be_u16(buf: &[u8], pos: usize) -> Option<u16> {
    array(buf, pos).map(u16::from_be_bytes)
}

pub(crate) fn be_u32(buf: &[u8], pos: usize) -> Option<u32> {
    array(buf, pos).map(u32::from_be_bytes)
}

pub(crate) fn be_u64(buf: &[u8], pos: usize) -> Option<u64> {
    array(buf, pos).map(u64::from_be_bytes)
}

pub(crate) fn slice(buf: &[u8], start: u64, end: u64) -> Option<&[u8]> {
    buf.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)
}

/// Bit `n` of `buf`, counting from the most significant bit of its first byte.
pub(crate) fn bit(buf: &[u8], n: usize) -> Option<bool> {
    Some(byte(buf, n / 8)? >> (7 - n % 8) & 1 == 1)
}
