//! One `trak`: its handler, `tkhd` frame size, first sample entry, and frame
//! rate from `mdhd` and `stts`.

use super::Boxes;
use crate::bytes::{array, be_u32};

/// What a `trak` holds, as far as it could be read.
#[derive(Clone, Copy)]
pub(super) struct Trak<'a> {
    /// The media handler type: `vide`, `soun`…
    pub(super) handler: Option<[u8; 4]>,
    size: Option<(u32, u32)>,
    /// The type and body of the first sample entry in `stsd`.
    pub(super) entry: Option<([u8; 4], &'a [u8])>,
    /// Samples per second: sample count × timescale / total duration.
    pub(super) frame_rate: Option<f64>,
}

impl<'a> Trak<'a> {
    pub(super) fn parse(trak: &'a [u8]) -> Trak<'a> {
        let mut t = Trak { handler: None, size: None, entry: None, frame_rate: None };
        for (kind, body) in Boxes(trak) {
            match &kind {
                b"tkhd" => t.size = tkhd_size(body),
                b"mdia" => t.read_mdia(body),
                _ => {}
            }
        }
        t
    }

    /// Width and height, unless the handler says this is not a video track.
    pub(super) fn video_size(&self) -> Option<(u32, u32)> {
        // Audio tracks have zero width; subtitle tracks may not, hence the handler.
        match &self.handler {
            Some(h) if h != b"vide" => None,
            _ => self.size,
        }
    }

    fn read_mdia(&mut self, mdia: &'a [u8]) {
        let mut timescale = None;
        let mut stbl = None;
        for (kind, body) in Boxes(mdia) {
            match &kind {
                b"hdlr" => self.handler = array::<4>(body, 8),
                b"mdhd" => timescale = mdhd_timescale(body),
                b"minf" => stbl = Boxes(body).find(|(k, _)| k == b"stbl").map(|(_, b)| b),
                _ => {}
            }
        }
        for (kind, body) in Boxes(stbl.unwrap_or_default()) {
            match &kind {
                b"stsd" if self.entry.is_none() => {
                    // A full box and an entry count, then the entries.
                    self.entry = body.get(8..).and_then(|entries| Boxes(entries).next());
                }
                b"stts" => self.frame_rate = timescale.and_then(|ts| stts_rate(body, ts)),
                _ => {}
            }
        }
    }
}

/// `tkhd` width and height as shown (16.16 fixed point, integer part); `None`
/// if zero. A phone held upright stores a landscape frame and a matrix that
/// turns it a quarter for display: then the sides swap.
fn tkhd_size(tkhd: &[u8]) -> Option<(u32, u32)> {
    let at = match *tkhd.first()? {
        0 => 76,
        1 => 88,
        _ => return None,
    };
    let (w, h) = (be_u32(tkhd, at)? >> 16, be_u32(tkhd, at + 4)? >> 16);
    // The matrix {a b u, c d v, x y w} sits just before the size.
    let entry = |n: usize| be_u32(tkhd, at - 36 + 4 * n);
    let quarter_turn = entry(0)? == 0 && entry(4)? == 0 && entry(1)? != 0 && entry(3)? != 0;
    let (w, h) = if quarter_turn { (h, w) } else { (w, h) };
    (w > 0 && h > 0).then_some((w, h))
}

/// The media timescale (ticks per second) from `mdhd`.
fn mdhd_timescale(b: &[u8]) -> Option<u32> {
    let at = match *b.first()? {
        0 => 12,
        1 => 20,
        _ => return None,
    };
    be_u32(b, at).filter(|&ts| ts > 0)
}

/// Samples per second from `stts` (sample count, sample delta) runs.
fn stts_rate(b: &[u8], timescale: u32) -> Option<f64> {
    let count = usize::try_from(be_u32(b, 4)?).ok()?;
    let runs = b.get(8..)?.chunks_exact(8).take(count);
    let (mut samples, mut ticks) = (0u64, 0u64);
    for run in runs {
        let n = u64::from(be_u32(run, 0)?);
        samples = samples.checked_add(n)?;
        ticks = ticks.checked_add(n.checked_mul(u64::from(be_u32(run, 4)?))?)?;
    }
    let rate = samples as f64 * f64::from(timescale) / ticks as f64;
    (samples > 0 && ticks > 0 && rate.is_finite()).then_some(rate)
}
