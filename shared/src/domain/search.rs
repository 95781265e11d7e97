//! Search: text folded so that case and accents do not matter, a video's
//! words and the index terms (word prefixes) that find it, and queries.
//!
//! A video is found by a query when every query word is a prefix of one of
//! its first `MAX_WORDS` distinct words (name first, then description).

use std::collections::BTreeSet;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::video::Video;
use super::Invalid;

/// Distinct words of a video that search knows (name first, then description).
pub const MAX_WORDS: usize = 32;
/// Index terms are the prefixes of each word up to this many characters; a
/// longer query word is looked up by its first `MAX_TERM_CHARS` and checked whole.
pub const MAX_TERM_CHARS: usize = 12;
/// A word longer than this is cut (it bounds an index item's size).
const MAX_WORD_CHARS: usize = 40;
/// Index items of one video, at most.
pub const MAX_TERMS: usize = MAX_WORDS * MAX_TERM_CHARS;
pub const MAX_QUERY_CHARS: usize = 100;
pub const MAX_QUERY_WORDS: usize = 8;

/// Lowercase, compatibility-decomposed, without combining marks:
/// "Café" and "CAFE" both fold to "cafe", "ﬁ" to "fi".
pub fn fold(text: &str) -> String {
    text.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The folded words of `text`, in order (letters and digits; anything else separates).
fn folded_words(text: &str) -> impl Iterator<Item = String> + '_ {
    let folded = fold(text);
    let words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(MAX_WORD_CHARS).collect())
        .collect();
    words.into_iter()
}

/// The words search knows of a video: its first `MAX_WORDS` distinct folded
/// words, name first.
pub fn video_words(video: &Video) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut words = Vec::new();
    for word in folded_words(&video.name).chain(folded_words(&video.description)) {
        if words.len() == MAX_WORDS {
            break;
        }
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

/// The words as one string, each with a space before and after: a query word
/// is a prefix of one of them exactly when `" " + word` occurs in it (what
/// the index's filter asks).
pub fn joined(words: &[String]) -> String {
    format!(" {} ", words.join(" "))
}

/// The index terms of some words: every prefix up to `MAX_TERM_CHARS` chars, once.
pub fn terms(words: &[String]) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for word in words {
        let mut prefix = String::new();
        for c in word.chars().take(MAX_TERM_CHARS) {
            prefix.push(c);
            terms.insert(prefix.clone());
        }
    }
    terms
}

/// Whether search may show a video: ready and public.
pub fn searchable(video: &Video) -> bool {
    video.is_listed()
}

/// What a video's index items must become after a change from `before` to
/// `after` (None: no video). The video's current terms are all written again
/// (each carries the words, which may have changed, and a retried edit
/// repairs an index write that failed); the terms it no longer has go.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct IndexChange {
    pub video_id: String,
    /// Terms to write, each with `words`.
    pub put: BTreeSet<String>,
    /// ` word word ` (see `joined`), stored on each item for the query's filter.
    pub words: String,
    pub delete: BTreeSet<String>,
}

impl IndexChange {
    pub fn between(before: Option<&Video>, after: Option<&Video>) -> IndexChange {
        let indexed = |video: Option<&Video>| -> (Vec<String>, BTreeSet<String>) {
            match video {
                Some(video) if searchable(video) => {
                    let words = video_words(video);
                    let terms = terms(&words);
                    (words, terms)
                }
                _ => (Vec::new(), BTreeSet::new()),
            }
        };
        let (_, old) = indexed(before);
        let (words, put) = indexed(after);
        let video_id = after.or(before).map(|v| v.id.clone()).unwrap_or_default();
        let delete = old.difference(&put).cloned().collect();
        IndexChange { video_id, words: if put.is_empty() { String::new() } else { joined(&words) }, put, delete }
    }

    /// A deleted video's terms, whatever its state: one that was not searchable
    /// may still have items that a publish or an edit racing the change wrote.
    pub fn removing(video: &Video) -> IndexChange {
        let delete = terms(&video_words(video));
        IndexChange { video_id: video.id.clone(), delete, ..IndexChange::default() }
    }

    pub fn is_empty(&self) -> bool {
        self.put.is_empty() && self.delete.is_empty()
    }
}

/// A search: the folded query words, each to match a word's prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Distinct, longest first.
    pub words: Vec<String>,
}

impl SearchQuery {
    pub fn parse(raw: Option<&str>) -> Result<SearchQuery, Invalid> {
        let raw = raw.unwrap_or_default();
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(Invalid::new("q", format!("at most {MAX_QUERY_CHARS} characters")));
        }
        let mut words: Vec<String> = folded_words(raw).collect::<BTreeSet<_>>().into_iter().collect();
        if words.is_empty() {
            return Err(Invalid::new("q", "give a word to search for"));
        }
        if words.len() > MAX_QUERY_WORDS {
            return Err(Invalid::new("q", format!("at most {MAX_QUERY_WORDS} words")));
        }
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        Ok(SearchQuery { words })
    }

    /// The index partition to read: the most selective (longest) word's
    /// prefix, at most `MAX_TERM_CHARS` long.
    pub fn term(&self) -> String {
        self.words[0].chars().take(MAX_TERM_CHARS).collect()
    }

    /// The words the index's filter must check besides the partition: all
    /// but a first word the term covers whole.
    pub fn filter_words(&self) -> &[String] {
        if self.words[0].chars().count() <= MAX_TERM_CHARS {
            &self.words[1..]
        } else {
            &self.words
        }
    }

    /// Every query word is a prefix of one of the video's words.
    pub fn matches(&self, video: &Video) -> bool {
        let words = video_words(video);
        self.words.iter().all(|q| words.iter().any(|w| w.starts_with(q.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::video::{Privacy, VideoStatus};

    fn video(name: &str, description: &str) -> Video {
        let mut video = Video::example("ann", VideoStatus::Ready, Privacy::Public);
        video.name = name.into();
        video.description = description.into();
        video
    }

    fn query(raw: &str) -> SearchQuery {
        SearchQuery::parse(Some(raw)).unwrap()
    }

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Café"), "cafe");
        assert_eq!(fold("CAFÉ"), "cafe");
        assert_eq!(fold("Ångström Straße"), "angstrom straße");
        assert_eq!(fold("ﬁne"), "fine");
        assert_eq!(fold("Crème Brûlée"), fold("creme brulee"));
    }

    #[test]
    fn a_query_word_matches_any_word_by_prefix_and_all_words_must_match() {
        let v = video("Café au lait", "Morning routine, 4K");
        assert!(query("cafe").matches(&v));
        assert!(query("CAFÉ").matches(&v));
        assert!(query("caf").matches(&v));
        assert!(query("morn caf").matches(&v));
        assert!(query("4k").matches(&v));
        assert!(!query("afe").matches(&v), "prefixes only, not infixes");
        assert!(!query("cafe evening").matches(&v), "every word must match");
        assert!(!query("cafes").matches(&v));
    }

    #[test]
    fn video_words_are_distinct_capped_and_name_first() {
        let many: Vec<String> = (0..100).map(|n| format!("w{n}")).collect();
        let v = video("Title title TITLE", &many.join(" "));
        let words = video_words(&v);
        assert_eq!(words.len(), MAX_WORDS);
        assert_eq!(words[0], "title");
        assert_eq!(words[1], "w0");
        assert!(!query("w99").matches(&v), "words past the cap are not searched");
    }

    #[test]
    fn terms_are_the_prefixes_up_to_the_cap() {
        let words = vec!["cafe".to_owned(), "car".to_owned(), "abcdefghijklmnopq".to_owned()];
        let terms = terms(&words);
        assert!(terms.contains("c") && terms.contains("ca") && terms.contains("caf") && terms.contains("car"));
        assert!(terms.contains("abcdefghijkl"));
        assert!(!terms.contains("abcdefghijklm"));
        assert_eq!(terms.len(), 5 + 12);
        assert!(terms.len() <= MAX_TERMS);
    }

    #[test]
    fn queries_are_checked() {
        for bad in [None, Some(""), Some("   "), Some("!!! ---")] {
            assert_eq!(SearchQuery::parse(bad).unwrap_err().field, "q", "{bad:?}");
        }
        assert!(SearchQuery::parse(Some(&"a".repeat(MAX_QUERY_CHARS + 1))).is_err());
        assert!(SearchQuery::parse(Some("a b c d e f g h i")).is_err());
        assert!(SearchQuery::parse(Some("a b c d e f g h")).is_ok());
    }

    #[test]
    fn the_longest_word_picks_the_partition_and_the_others_are_filtered() {
        let q = query("au Lait café");
        assert_eq!(q.term(), "cafe");
        assert_eq!(q.filter_words(), ["lait".to_owned(), "au".to_owned()]);
        let long = query("incomprehensibilities x");
        assert_eq!(long.term(), "incomprehens");
        assert_eq!(long.filter_words()[0], "incomprehensibilities");
    }

    #[test]
    fn the_joined_words_contain_a_spaced_query_word_exactly_when_it_is_a_prefix() {
        let j = joined(&["cafe".to_owned(), "lait".to_owned()]);
        assert!(j.contains(" caf") && j.contains(" lait"));
        assert!(!j.contains(" afe"));
    }

    #[test]
    fn an_index_change_follows_searchability_and_words() {
        let before = video("Cat", "");
        let mut after = before.clone();
        after.name = "Car".into();
        let change = IndexChange::between(Some(&before), Some(&after));
        assert_eq!(change.put, ["c", "ca", "car"].map(String::from).into());
        assert_eq!(change.delete, ["cat".to_owned()].into());
        assert_eq!(change.words, " car ");

        let mut private = after.clone();
        private.privacy = Privacy::Private;
        let change = IndexChange::between(Some(&after), Some(&private));
        assert!(change.put.is_empty());
        assert_eq!(change.delete.len(), 3);

        let pending = Video::example("ann", VideoStatus::Pending, Privacy::Public);
        assert!(IndexChange::between(Some(&pending), Some(&pending)).is_empty());
        let gone = IndexChange::between(Some(&before), None);
        assert_eq!((gone.video_id.as_str(), gone.delete.len()), (before.id.as_str(), 3));
        let removed = IndexChange::removing(&private);
        assert!(removed.put.is_empty());
        assert_eq!(removed.delete.len(), 3, "a private video's leftover terms go too");
    }
}
