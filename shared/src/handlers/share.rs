//! Share cards: the OpenGraph and Twitter Card tags a link preview reads,
//! rendered into the page's `<head>` by the server (a crawler runs no script).

use html_escape::encode_quoted_attribute;

use crate::domain::account::User;
use crate::domain::video::Video;

pub const SITE_NAME: &str = "vidlet";
/// The page's own `<title>`, which the card's tags replace.
pub const PAGE_TITLE_TAG: &str = "<title>vidlet</title>";
/// Longer descriptions are cut (previews show a line or two).
const MAX_DESCRIPTION_CHARS: usize = 200;

/// What a preview shows. Every field is plain text; `render` escapes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub title: String,
    pub description: String,
    /// `og:type`: website, video.other or profile.
    pub kind: &'static str,
    /// The canonical path, absolute once joined to the site's origin.
    pub path: String,
    /// The poster's path, for a video a crawler may see.
    pub image_path: Option<String>,
}

impl Card {
    /// The card of the site, and of anything it will not describe: it names no
    /// video or user, so a private video's card is a missing one's, byte for byte.
    pub fn site() -> Card {
        Card {
            title: SITE_NAME.to_owned(),
            description: "Short videos, shared on vidlet.".to_owned(),
            kind: "website",
            path: "/".to_owned(),
            image_path: None,
        }
    }

    /// A video anyone with the link may watch (ready, public or unlisted); else the site's.
    pub fn video(video: &Video) -> Card {
        if !video.visible_to(None) {
            return Card::site();
        }
        let description = match video.description.trim() {
            "" => format!("A video by {} on vidlet.", video.owner),
            text => shorten(text),
        };
        Card {
            title: video.name.clone(),
            description,
            kind: "video.other",
            path: format!("/v/{}", video.id),
            image_path: video.poster_content_type.is_some().then(|| format!("/videos/{}/poster", video.id)),
        }
    }

    /// A live user's profile (the reader returns only live users).
    pub fn user(user: &User) -> Card {
        let name = user.username.as_str();
        Card {
            title: name.to_owned(),
            description: format!("Videos by {name} on vidlet."),
            kind: "profile",
            path: format!("/u/{name}"),
            image_path: None,
        }
    }

    /// `<title>` and the meta tags, every value escaped for a quoted attribute
    /// (`& < > " '`), which is also safe as text.
    pub fn render(&self, origin: &str) -> String {
        let page_title =
            if self.kind == "website" { SITE_NAME.to_owned() } else { format!("{} — {SITE_NAME}", self.title) };
        let mut tags = vec![
            format!("<title>{}</title>", encode_quoted_attribute(&page_title)),
            meta("name", "description", &self.description),
            meta("property", "og:site_name", SITE_NAME),
            meta("property", "og:type", self.kind),
            meta("property", "og:title", &self.title),
            meta("property", "og:description", &self.description),
            meta("property", "og:url", &format!("{origin}{}", self.path)),
        ];
        match &self.image_path {
            Some(image) => {
                tags.push(meta("property", "og:image", &format!("{origin}{image}")));
                tags.push(meta("property", "og:image:alt", &self.title));
                tags.push(meta("name", "twitter:card", "summary_large_image"));
            }
            None => tags.push(meta("name", "twitter:card", "summary")),
        }
        tags.push(meta("name", "twitter:title", &self.title));
        tags.push(meta("name", "twitter:description", &self.description));
        tags.push(format!(
            r#"<link rel="canonical" href="{}">"#,
            encode_quoted_attribute(&format!("{origin}{}", self.path))
        ));
        tags.join("\n  ")
    }
}

fn meta(attribute: &str, key: &str, content: &str) -> String {
    format!(r#"<meta {attribute}="{key}" content="{}">"#, encode_quoted_attribute(content))
}

/// At most `MAX_DESCRIPTION_CHARS` characters, cut on a character boundary.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_DESCRIPTION_CHARS) {
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
        None => text.to_owned(),
    }
}

/// The page with the card's tags in place of its `<title>`.
pub fn page_with_card(index_html: &str, card: &Card, origin: &str) -> String {
    index_html.replacen(PAGE_TITLE_TAG, &card.render(origin), 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::video::{Privacy, VideoStatus};

    const ORIGIN: &str = "https://videos.example";

    #[test]
    fn only_a_video_anyone_may_watch_is_described() {
        let mut video = Video::example("alice", VideoStatus::Ready, Privacy::Public);
        video.name = "Cats".into();
        let card = Card::video(&video);
        assert_eq!((card.title.as_str(), card.kind), ("Cats", "video.other"));
        assert_eq!(card.path, format!("/v/{}", video.id));
        assert_eq!(Card::video(&Video { privacy: Privacy::Unlisted, ..video.clone() }).title, "Cats");
        for hidden in [
            Video { privacy: Privacy::Private, ..video.clone() },
            Video { status: VideoStatus::Pending, ..video.clone() },
            Video { status: VideoStatus::Rejected, ..video.clone() },
        ] {
            assert_eq!(Card::video(&hidden), Card::site());
        }
    }

    #[test]
    fn a_poster_gives_a_large_image_card() {
        let mut video = Video::example("alice", VideoStatus::Ready, Privacy::Public);
        let html = Card::video(&video).render(ORIGIN);
        assert!(html.contains(r#"<meta name="twitter:card" content="summary">"#) && !html.contains("og:image"));
        video.poster_content_type = Some("image/jpeg".into());
        let html = Card::video(&video).render(ORIGIN);
        let image = format!(r#"<meta property="og:image" content="{ORIGIN}/videos/{}/poster">"#, video.id);
        assert!(html.contains(&image), "{html}");
        assert!(html.contains(r#"content="summary_large_image""#));
    }

    #[test]
    fn every_value_is_escaped_for_an_attribute() {
        let mut video = Video::example("alice", VideoStatus::Ready, Privacy::Public);
        video.name = r#""><script>alert(1)</script>' onload='x' &amp;</title>"#.into();
        let html = Card::video(&video).render(ORIGIN);
        assert!(!html.contains("<script") && !html.contains("</title>\"") && !html.contains("' onload"), "{html}");
        assert!(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; onload=&#x27;x&#x27; &amp;amp;"));
    }

    #[test]
    fn long_descriptions_are_cut_on_a_character_boundary() {
        let mut video = Video::example("alice", VideoStatus::Ready, Privacy::Public);
        video.description = "é".repeat(500);
        let card = Card::video(&video);
        assert_eq!(card.description.chars().count(), MAX_DESCRIPTION_CHARS + 1);
        assert!(card.description.ends_with('…'));
        video.description = "  ".into();
        assert_eq!(Card::video(&video).description, "A video by alice on vidlet.");
    }

    #[test]
    fn the_page_has_the_title_the_card_replaces() {
        let index = std::str::from_utf8(super::super::web::ASSETS[0].bytes).unwrap();
        assert_eq!(index.matches(PAGE_TITLE_TAG).count(), 1);
        let page = page_with_card(index, &Card::site(), ORIGIN);
        assert!(page.contains(r#"<meta property="og:url" content="https://videos.example/">"#));
        assert_eq!(page.matches("<title>").count(), 1);
    }
}
