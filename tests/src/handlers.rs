//! Every route's handler by name, for tests that call them.

/// Every route's handler, for tests that call them by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handler {
    Register,
    Login,
    Logout,
    Me,
    GetUser,
    DeleteUser,
    CreateVideo,
    UploadParts,
    GetUpload,
    CompleteVideo,
    GetVideo,
    ListVideos,
    SearchVideos,
    ListUserVideos,
    DeleteVideo,
    UpdateVideo,
    StreamVideo,
    GetPlayback,
    GetPlaylist,
    CountView,
    LikeVideo,
    UnlikeVideo,
    FollowUser,
    UnfollowUser,
    ListFollowing,
    FollowingFeed,
    CreatePoster,
    CompletePoster,
    GetPoster,
    CreateComment,
    ListComments,
    DeleteComment,
    Fallback,
    Site,
}

/// `handler!(accounts::login)`: the route's handler, as the library names it.
#[macro_export]
macro_rules! handler {
    (accounts::register) => {
        $crate::Handler::Register
    };
    (accounts::login) => {
        $crate::Handler::Login
    };
    (accounts::logout) => {
        $crate::Handler::Logout
    };
    (accounts::me) => {
        $crate::Handler::Me
    };
    (accounts::get_user) => {
        $crate::Handler::GetUser
    };
    (accounts::delete_user) => {
        $crate::Handler::DeleteUser
    };
    (videos::create_video) => {
        $crate::Handler::CreateVideo
    };
    (uploads::upload_parts) => {
        $crate::Handler::UploadParts
    };
    (uploads::get_upload) => {
        $crate::Handler::GetUpload
    };
    (videos::complete_video) => {
        $crate::Handler::CompleteVideo
    };
    (videos::get_video) => {
        $crate::Handler::GetVideo
    };
    (videos::list_videos) => {
        $crate::Handler::ListVideos
    };
    (videos::search_videos) => {
        $crate::Handler::SearchVideos
    };
    (videos::list_user_videos) => {
        $crate::Handler::ListUserVideos
    };
    (videos::delete_video) => {
        $crate::Handler::DeleteVideo
    };
    (videos::update_video) => {
        $crate::Handler::UpdateVideo
    };
    (videos::stream_video) => {
        $crate::Handler::StreamVideo
    };
    (videos::get_playback) => {
        $crate::Handler::GetPlayback
    };
    (videos::get_playlist) => {
        $crate::Handler::GetPlaylist
    };
    (videos::count_view) => {
        $crate::Handler::CountView
    };
    (videos::like_video) => {
        $crate::Handler::LikeVideo
    };
    (videos::unlike_video) => {
        $crate::Handler::UnlikeVideo
    };
    (follows::follow_user) => {
        $crate::Handler::FollowUser
    };
    (follows::unfollow_user) => {
        $crate::Handler::UnfollowUser
    };
    (follows::list_following) => {
        $crate::Handler::ListFollowing
    };
    (follows::following_feed) => {
        $crate::Handler::FollowingFeed
    };
    (videos::create_poster) => {
        $crate::Handler::CreatePoster
    };
    (videos::complete_poster) => {
        $crate::Handler::CompletePoster
    };
    (videos::get_poster) => {
        $crate::Handler::GetPoster
    };
    (comments::create_comment) => {
        $crate::Handler::CreateComment
    };
    (comments::list_comments) => {
        $crate::Handler::ListComments
    };
    (comments::delete_comment) => {
        $crate::Handler::DeleteComment
    };
    (fallback::fallback) => {
        $crate::Handler::Fallback
    };
    (web::site) => {
        $crate::Handler::Site
    };
}
