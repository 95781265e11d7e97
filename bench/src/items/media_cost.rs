//! Part of item 7: what playback everywhere adds to the bill, transcoding the
//! ladder with MediaConvert and delivering it through CloudFront. A model from
//! list prices and the ladder in `vidlet::domain::ladder`; nothing here is timed.

use vidlet::domain::ladder::{rungs_for, AUDIO_BITRATE, SEGMENT_SECONDS};

use super::cost::{Price, EGRESS, S3_GET, VIDEO_GETS_PER_PLAY};
use crate::report::{Section, Table};
use crate::stats::usd;

/// MediaConvert on-demand, per output minute, AVC up to 30 fps, single pass:
/// (tier, SD < 720 lines, HD 720–1080, UHD above).
const MEDIACONVERT_PER_MINUTE: [(&str, f64, f64, f64); 2] =
    [("Basic", 0.0075, 0.015, 0.030), ("Professional", 0.012, 0.024, 0.048)];
/// Since 2024-09 these are the first volume band's rates per normalized minute; larger monthly
/// volumes get up to 75% off.
const MEDIACONVERT_SINCE: &str = "2024-09 (first volume band; up to 75% off above it); rates as known in early 2025";
const CLOUDFRONT_SINCE: &str = "2021-12-01 (1 TB/month free tier, ignored here)";
const CLOUDFRONT_TRANSFER: Price = Price {
    what: "CloudFront data transfer out (NA, EU)",
    unit: "GB (first 10 TB/month)",
    usd: 0.085,
    since: CLOUDFRONT_SINCE,
};
/// Per 10,000 requests.
const CLOUDFRONT_HTTPS: Price =
    Price { what: "CloudFront HTTPS requests (NA)", unit: "10,000 requests", usd: 0.01, since: CLOUDFRONT_SINCE };
/// The phone video this model uploads and plays.
const VIDEO_MINUTES: f64 = 5.0;

/// Output minutes of one ladder, by pricing class (SD, HD, UHD), for a source.
fn ladder_minutes(width: u32, height: u32, minutes: f64) -> (f64, f64, f64) {
    rungs_for(width, height).iter().fold((0.0, 0.0, 0.0), |(sd, hd, uhd), rung| match rung.width.min(rung.height) {
        short if short < 720 => (sd + minutes, hd, uhd),
        short if short <= 1080 => (sd, hd + minutes, uhd),
        _ => (sd, hd, uhd + minutes),
    })
}

fn transcode_usd(classes: (f64, f64, f64), tier: (&str, f64, f64, f64)) -> f64 {
    classes.0 * tier.1 + classes.1 * tier.2 + classes.2 * tier.3
}

/// Adds the transcoding and delivery tables to item 7.
pub fn add_to(section: &mut Section) {
    let mut prices = Table::new(&["item", "unit", "USD", "in force since"]);
    for (tier, sd, hd, uhd) in MEDIACONVERT_PER_MINUTE {
        prices.row(vec![
            format!("MediaConvert {tier} tier, AVC ≤ 30 fps"),
            "output minute: SD / HD / UHD".into(),
            format!("{sd} / {hd} / {uhd}"),
            MEDIACONVERT_SINCE.into(),
        ]);
    }
    prices.row(CLOUDFRONT_TRANSFER.row());
    prices.row(CLOUDFRONT_HTTPS.row());
    section.table(
        "Playback everywhere: list prices, us-east-1, **not fetched live**. The ladder's HDR→SDR tone mapping is \
         assumed to bill as the Professional tier: a first deploy must confirm the tier and price of each feature \
         the job template uses.",
        prices,
    );

    let mut transcode = Table::new(&["source (5 min)", "rungs", "Basic tier", "Professional tier"]);
    for (label, w, h) in [("phone 4K (3840x2160)", 3840, 2160), ("1080p", 1920, 1080), ("720p", 1280, 720)] {
        let classes = ladder_minutes(w, h, VIDEO_MINUTES);
        let names: Vec<String> = rungs_for(w, h).iter().map(|r| r.name.clone()).collect();
        transcode.row(vec![
            label.into(),
            names.join(", "),
            usd(transcode_usd(classes, MEDIACONVERT_PER_MINUTE[0])),
            usd(transcode_usd(classes, MEDIACONVERT_PER_MINUTE[1])),
        ]);
    }
    section.table(
        "Transcoding one upload (`TRANSCODE=needed` transcodes only what some browser cannot play, what is over \
         1080p or over the bitrate cap; `always` every upload): each rung is an output, billed per minute by its \
         resolution class.",
        transcode,
    );

    // A play of the 720p rung: its bytes, and one request per segment plus the playlists.
    let rung_720 = rungs_for(1280, 720).remove(0);
    let bytes_per_play = (rung_720.bandwidth(true) as f64) * VIDEO_MINUTES * 60.0 / 8.0;
    let gb = bytes_per_play / 1e9;
    let requests = (VIDEO_MINUTES * 60.0 / f64::from(SEGMENT_SECONDS)).ceil() + 2.0;
    let cloudfront = gb * CLOUDFRONT_TRANSFER.usd + requests * CLOUDFRONT_HTTPS.usd / 10_000.0;
    let mut delivery = Table::new(&["per 1,000 plays of 5 min at 720p", "CloudFront (HLS)", "S3 direct (original)"]);
    delivery.row(vec![
        format!("bytes ({} kb/s video + {} kb/s audio)", rung_720.video_bitrate / 1000, AUDIO_BITRATE / 1000),
        format!("{:.1} GB", gb * 1000.0),
        format!("{:.1} GB", gb * 1000.0),
    ]);
    delivery.row(vec!["requests".into(), format!("{:.0}", requests * 1000.0), "≈ 2,000 ranged GETs".into()]);
    delivery.row(vec![
        "**total**".into(),
        format!("**{}**", usd(cloudfront * 1000.0)),
        // S3_GET is per 1,000 requests: one play's GETs, 1,000 times.
        format!("**{}**", usd(gb * EGRESS.usd * 1000.0 + VIDEO_GETS_PER_PLAY * S3_GET.usd)),
    ]);
    section.table(
        "Delivery: CloudFront's transfer is cheaper per GB than S3's straight to the internet, and origin fetches \
         from S3 to CloudFront are free; a player on a slow link also picks a lower rung, which the original \
         cannot offer. Cache misses add S3 GETs (item 7's price) once per segment and edge.",
        delivery,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_4k_ladder_bills_two_hd_and_two_sd_outputs() {
        assert_eq!(ladder_minutes(3840, 2160, 1.0), (2.0, 2.0, 0.0));
        assert_eq!(ladder_minutes(1280, 720, 1.0), (2.0, 1.0, 0.0));
        let basic = transcode_usd(ladder_minutes(3840, 2160, 10.0), MEDIACONVERT_PER_MINUTE[0]);
        assert!((basic - 0.45).abs() < 1e-9, "{basic}");
    }
}
