//! The watch router block in Cargo.toml, generated from `vidlet::routes::served()`.

use std::collections::BTreeMap;

use vidlet::routes::{served, FALLBACK_FUNCTION, HTTP_METHODS};

pub const BEGIN: &str = "# BEGIN GENERATED ROUTER";
pub const END: &str = "# END GENERATED ROUTER";

/// `[workspace.metadata.lambda.watch.router]`: every route (HEAD beside each GET),
/// every other method on a known path to the fallback (405), and a catch-all to
/// the fallback (404).
pub fn watch_router_toml() -> String {
    let mut by_path: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for (method, route) in served() {
        let methods = by_path.entry(route.path).or_default();
        for method in HTTP_METHODS {
            methods.entry(method).or_insert(FALLBACK_FUNCTION);
        }
        methods.insert(method, route.function);
    }
    let mut out = String::from("[workspace.metadata.lambda.watch.router]\n");
    for (path, methods) in &by_path {
        out.push_str(&format!("\"{path}\" = [\n"));
        for (method, function) in methods {
            out.push_str(&format!("  {{ method = \"{method}\", function = \"{function}\" }},\n"));
        }
        out.push_str("]\n");
    }
    out.push_str(&format!("\"/{{*rest}}\" = \"{FALLBACK_FUNCTION}\"\n"));
    out
}

/// Cargo.toml with the generated block between its markers replaced.
pub fn with_generated_router(cargo_toml: &str) -> Result<String, String> {
    let start = cargo_toml.find(BEGIN).ok_or("Cargo.toml has no BEGIN GENERATED ROUTER marker")?;
    let end = cargo_toml.find(END).ok_or("Cargo.toml has no END GENERATED ROUTER marker")?;
    Ok(format!("{}{BEGIN}\n{}{}", &cargo_toml[..start], watch_router_toml(), &cargo_toml[end..]))
}
