//! The site's vendored player library: the file served is the one web/vendor/README.md
//! records, and the page asks for it by the name it is served under.

use sha2::{Digest, Sha256};

use crate::handlers::web::ASSETS;

const VENDOR_README: &str = include_str!("../../../../web/vendor/README.md");

fn asset(name: &str) -> &'static [u8] {
    ASSETS.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("{name} is not in ASSETS")).bytes
}

/// The sha256 written after "committed as `hls.min.js`" in the README.
fn recorded_sha256() -> &'static str {
    let after = VENDOR_README.split("committed as `hls.min.js`").nth(1).expect("the README names the committed file");
    let hash = after.split("sha256 `").nth(1).expect("the README gives the file's sha256");
    &hash[..64]
}

#[test]
fn the_served_hls_js_is_the_file_the_vendor_readme_records() {
    let served = hex::encode(Sha256::digest(asset("hls.min.js")));
    assert_eq!(served, recorded_sha256(), "web/vendor/hls.min.js changed: update web/vendor/README.md");
    assert!(VENDOR_README.contains("Apache-2.0"), "the README states hls.js's license");
}

#[test]
fn the_player_loads_hls_js_by_its_served_name_without_a_worker() {
    let player = std::str::from_utf8(asset("player.js")).unwrap();
    assert!(player.contains("'/assets/hls.min.js'"), "player.js asks for another file than the served one");
    // hls.js's worker comes from a blob: URL, which the CSP (worker-src 'none') refuses.
    assert!(player.contains("enableWorker: false"), "player.js lets hls.js start its worker");
    // Loaded on demand only: the page itself does not pull 390 KB of player into every view.
    let index = std::str::from_utf8(asset("index.html")).unwrap();
    assert!(index.contains("/assets/player.js") && !index.contains("hls.min.js"), "index.html's scripts");
}
