//! Who sees and changes a video: public, unlisted and private ones in the
//! lists and on the video's routes, and a stranger's complete or delete refused.

use vidlet::ports::*;
use vidlet_tests::{handler, Req, TestApp};

use crate::accounts::register;
use crate::videos::{complete, feed_ids, get_req, upload, user_list_ids};

#[tokio::test]
async fn privacy_unlisted_and_private() {
    let t = TestApp::new().await;
    let owner = register(&t, "owner", "password1").await;
    let stranger = register(&t, "stranger", "password1").await;
    let public = upload(&t, &owner, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let unlisted = upload(&t, &owner, "clip.mp4", "video/mp4", "unlisted").await["id"].as_str().unwrap().to_owned();
    let private = upload(&t, &owner, "clip.mp4", "video/mp4", "private").await["id"].as_str().unwrap().to_owned();

    assert_eq!(feed_ids(&t).await, vec![public.clone()]);
    assert_eq!(user_list_ids(&t, "owner", Some(&stranger)).await, vec![public.clone()]);
    assert_eq!(user_list_ids(&t, "owner", Some(&owner)).await, vec![private.clone(), unlisted.clone(), public.clone()]);

    t.call(handler!(videos::get_video), get_req(&unlisted, None)).await.assert_status(200);
    t.call(handler!(videos::get_video), get_req(&unlisted, Some(&stranger))).await.assert_status(200);
    t.call(handler!(videos::get_video), get_req(&private, Some(&stranger))).await.assert_error(404, "005");
    t.call(handler!(videos::get_video), get_req(&private, None)).await.assert_error(404, "005");
    t.call(handler!(videos::get_video), get_req(&private, Some(&owner))).await.assert_status(200);
    let stream = Req::get("/").param("id", &private).bearer(&stranger).build();
    t.call(handler!(videos::stream_video), stream).await.assert_error(404, "005");
    // A stranger's failed stream counts no view.
    assert_eq!(t.db.get_video(&private).await.unwrap().unwrap().views, 0);
    // Ids that are not UUIDs, or that do not exist, are 404 as well.
    for id in ["../etc/passwd", "not-a-uuid", "0190c2a1-0000-7000-8000-000000000000"] {
        t.call(handler!(videos::get_video), get_req(id, None)).await.assert_error(404, "005");
    }
}

#[tokio::test]
async fn a_stranger_cannot_complete_or_delete_someone_elses_video() {
    let t = TestApp::new().await;
    let owner = register(&t, "victim", "password1").await;
    let stranger = register(&t, "mallory", "password1").await;
    let id = upload(&t, &owner, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    complete(&t, &stranger, &id).await.assert_error(403, "007");
    let delete = Req::delete("/").param("id", &id).bearer(&stranger).build();
    t.call(handler!(videos::delete_video), delete).await.assert_error(403, "007");
    t.call(handler!(videos::get_video), get_req(&id, None)).await.assert_status(200);

    let delete = Req::delete("/").param("id", &id).bearer(&owner).build();
    t.call(handler!(videos::delete_video), delete).await.assert_status(204);
    t.call(handler!(videos::get_video), get_req(&id, Some(&owner))).await.assert_error(404, "005");
    assert!(feed_ids(&t).await.is_empty());
    let again = Req::delete("/").param("id", &id).bearer(&owner).build();
    t.call(handler!(videos::delete_video), again).await.assert_error(404, "005");
}
