//! Every HTTP route, written once. The watch router in Cargo.toml is generated
//! from this table, and tests check template.yaml and the README against it.

pub struct Route {
    pub method: &'static str,
    /// API Gateway path syntax: `{name}` is a path parameter.
    pub path: &'static str,
    /// The package under `functions/` that serves it.
    pub function: &'static str,
    pub auth: Auth,
    pub summary: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Auth {
    None,
    Session,
    /// A session is optional and widens what the caller sees.
    OptionalSession,
}

const fn route(
    method: &'static str,
    path: &'static str,
    function: &'static str,
    auth: Auth,
    summary: &'static str,
) -> Route {
    Route { method, path, function, auth, summary }
}

pub const ROUTES: &[Route] = &[
    route("GET", "/", "web", Auth::None, "The site's page"),
    route("GET", "/assets/{file}", "web", Auth::None, "The site's scripts, styles and images"),
    route("GET", "/v/{id}", "web", Auth::None, "A video's page, with its share card"),
    route("GET", "/u/{username}", "web", Auth::None, "A user's page, with their share card"),
    route("GET", "/upload", "web", Auth::None, "The page (upload)"),
    route("GET", "/following", "web", Auth::None, "The page (following)"),
    route("GET", "/results", "web", Auth::None, "The page (search results)"),
    route("GET", "/signin", "web", Auth::None, "The page (sign in)"),
    route("GET", "/register", "web", Auth::None, "The page (register)"),
    route("POST", "/users", "register", Auth::None, "Register and get a session"),
    route("POST", "/sessions", "login", Auth::None, "Log in and get a session"),
    route("DELETE", "/sessions/current", "logout", Auth::Session, "Log out"),
    route("GET", "/me", "me", Auth::Session, "The session's user"),
    route("GET", "/users/{username}", "get-user", Auth::None, "A public profile"),
    route("DELETE", "/users/{username}", "delete-user", Auth::Session, "Delete your own account and queue its videos"),
    route(
        "GET",
        "/users/{username}/videos",
        "list-user-videos",
        Auth::OptionalSession,
        "A user's videos, newest first",
    ),
    route("PUT", "/users/{username}/follow", "follow-user", Auth::Session, "Follow a user (idempotent)"),
    route("DELETE", "/users/{username}/follow", "unfollow-user", Auth::Session, "Stop following a user (idempotent)"),
    route("GET", "/me/following", "list-following", Auth::Session, "Whom you follow, by name"),
    route("GET", "/feed/following", "following-feed", Auth::Session, "The newest public videos of whom you follow"),
    route("POST", "/videos", "create-video", Auth::Session, "Create a video and its upload plan (reserves the quota)"),
    route("GET", "/videos", "list-videos", Auth::None, "The public feed, newest first"),
    route(
        "GET",
        "/search",
        "search-videos",
        Auth::None,
        "Public videos whose words start with each word of q, newest first",
    ),
    route("GET", "/videos/{id}", "get-video", Auth::OptionalSession, "A video"),
    route("DELETE", "/videos/{id}", "delete-video", Auth::Session, "Delete your video"),
    route("PATCH", "/videos/{id}", "update-video", Auth::Session, "Edit your video's name, description or privacy"),
    route(
        "POST",
        "/videos/{id}/upload/parts",
        "upload-parts",
        Auth::Session,
        "Presigned URLs for parts of your upload",
    ),
    route("GET", "/videos/{id}/upload", "get-upload", Auth::Session, "The parts S3 holds, to resume an upload"),
    route(
        "POST",
        "/videos/{id}/complete",
        "complete-video",
        Auth::Session,
        "Complete the upload, verify it and publish",
    ),
    route("GET", "/videos/{id}/stream", "stream-video", Auth::OptionalSession, "302 to a presigned, range-capable GET"),
    route(
        "GET",
        "/videos/{id}/playback",
        "get-playback",
        Auth::OptionalSession,
        "What to play: the HLS ladder (with CloudFront's cookies on AWS) or the original file",
    ),
    route(
        "GET",
        "/videos/{id}/hls/{file}",
        "get-playlist",
        Auth::OptionalSession,
        "A playlist of the ladder, its segments presigned (delivery without CloudFront)",
    ),
    route(
        "POST",
        "/videos/{id}/views",
        "count-view",
        Auth::OptionalSession,
        "Report a view once played (counts once per viewer in 6 hours)",
    ),
    route("PUT", "/videos/{id}/like", "like-video", Auth::Session, "Like a video (idempotent)"),
    route("DELETE", "/videos/{id}/like", "unlike-video", Auth::Session, "Take your like back (idempotent)"),
    route("POST", "/videos/{id}/poster", "create-poster", Auth::Session, "A presigned upload for the poster"),
    route("GET", "/videos/{id}/poster", "get-poster", Auth::OptionalSession, "302 to the poster"),
    route(
        "POST",
        "/videos/{id}/poster/complete",
        "complete-poster",
        Auth::Session,
        "Confirm the poster's upload: from then on it is served",
    ),
    route("POST", "/videos/{id}/comments", "create-comment", Auth::Session, "Comment on a video"),
    route("GET", "/videos/{id}/comments", "list-comments", Auth::OptionalSession, "A video's comments, newest first"),
    route("DELETE", "/videos/{id}/comments/{comment_id}", "delete-comment", Auth::Session, "Delete a comment"),
];

/// Every (method, route) the API serves: the table, and HEAD beside each GET,
/// answered by the GET's function (the runtime drops the body).
pub fn served() -> impl Iterator<Item = (&'static str, &'static Route)> {
    ROUTES.iter().flat_map(|r| std::iter::once((r.method, r)).chain((r.method == "GET").then_some(("HEAD", r))))
}

/// The function that answers every unrouted request (404 or 405).
pub const FALLBACK_FUNCTION: &str = "fallback";

/// Methods the watch router maps to the fallback on a known path.
pub const HTTP_METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/// True when a concrete path matches a route pattern.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern_parts: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let path_parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    pattern_parts.len() == path_parts.len()
        && pattern_parts
            .iter()
            .zip(&path_parts)
            .all(|(pattern, part)| (pattern.starts_with('{') && !part.is_empty()) || pattern == part)
}

/// The methods routed on a concrete path; empty for an unknown path.
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    served().filter(|(_, r)| path_matches(r.path, path)).map(|(method, _)| method).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_patterns_segment_by_segment() {
        assert!(path_matches("/users/{username}", "/users/alice"));
        assert!(!path_matches("/users/{username}", "/users/"));
        assert!(!path_matches("/users/{username}", "/users/alice/videos"));
        assert!(path_matches("/me", "/me"));
        assert!(!path_matches("/me", "/you"));
    }

    #[test]
    fn allowed_methods_lists_every_route_on_a_path() {
        assert_eq!(allowed_methods("/users"), vec!["POST"]);
        assert!(allowed_methods("/nowhere").is_empty());
    }

    #[test]
    fn every_get_route_answers_head_with_the_same_function() {
        assert_eq!(allowed_methods("/"), vec!["GET", "HEAD"]);
        assert_eq!(allowed_methods("/videos"), vec!["POST", "GET", "HEAD"]);
        let heads: Vec<_> = served().filter(|(method, _)| *method == "HEAD").collect();
        assert_eq!(heads.len(), ROUTES.iter().filter(|r| r.method == "GET").count());
        assert!(heads.iter().all(|(_, r)| r.method == "GET"));
    }
}
