//! A video the caller may not see answers as a missing one: no status tells a
//! stranger that it exists.

use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::ports::*;
use vidlet_tests::{handler, Req, TestApp};

use crate::accounts::register;
use crate::comments_and_sweep::{comment_req, seed_ready_video};

/// Seeds a pending video (its upload never completed) straight through the store.
async fn seed_pending_video(t: &TestApp, owner: &str) -> String {
    let video =
        Video { name: "still uploading".into(), ..Video::example(owner, VideoStatus::Pending, Privacy::Public) };
    t.db.create_video(&video, t.config.user_quota_bytes).await.unwrap();
    video.id
}

#[tokio::test]
async fn a_stranger_deleting_a_comment_on_a_video_it_may_not_see_gets_404_as_for_a_missing_one() {
    let t = TestApp::new().await;
    let owner = register(&t, "secretive", "password1").await;
    let stranger = register(&t, "prober", "password1").await;
    let private = seed_ready_video(&t, "secretive", Privacy::Private).await;
    let pending = seed_pending_video(&t, "secretive").await;
    let public = seed_ready_video(&t, "secretive", Privacy::Public).await;
    let delete = |id: &str, comment_id: &str, token: &str| {
        Req::delete("/").param("id", id).param("comment_id", comment_id).bearer(token).build()
    };
    for id in [&private, &pending, &public] {
        let posted = t.call(handler!(comments::create_comment), comment_req(id, &owner, "mine")).await;
        let comment_id = posted.assert_status(201)["comment"]["id"].as_str().unwrap().to_owned();
        let by_stranger = t.call(handler!(comments::delete_comment), delete(id, &comment_id, &stranger)).await;
        if id == &public {
            // A video the stranger may see: the comment is there, and not theirs.
            by_stranger.assert_error(403, "007");
        } else {
            // As for a comment that does not exist.
            by_stranger.assert_error(404, "005");
            let missing = uuid::Uuid::now_v7().to_string();
            t.call(handler!(comments::delete_comment), delete(id, &missing, &stranger)).await.assert_error(404, "005");
        }
        // The comment is still there, and its video's owner may delete it.
        t.call(handler!(comments::delete_comment), delete(id, &comment_id, &owner)).await.assert_status(204);
    }
}
