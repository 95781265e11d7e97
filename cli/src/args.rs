//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "vidlet", version, about = "The vidlet command-line client: log in, upload, list and delete videos.")]
pub struct Cli {
    /// The API's base URL [default: http://127.0.0.1:9000, or the logged-in session's].
    #[arg(long, env = "VIDLET_URL", global = true)]
    pub url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in and keep the session in the config directory ($VIDLET_CONFIG_DIR or ~/.config/vidlet).
    ///
    /// The password comes from $VIDLET_PASSWORD, else a prompt without echo, else (when stdin is
    /// not a terminal) the next line of stdin. Without --username, the user name is read first.
    Login {
        #[arg(long, short)]
        username: Option<String>,
    },
    /// End the session on the server and forget it.
    Logout,
    /// Upload a video (.mp4, .mov or .webm); run it again after an interruption to resume.
    Upload(UploadArgs),
    /// List your videos, pending and private ones too.
    Ls,
    /// Delete one of your videos (a pending upload is aborted).
    Rm {
        /// The video's id.
        id: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// The video file.
    pub file: PathBuf,
    /// The title [default: the file name without its extension].
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// [default: the server's, public]
    #[arg(long, value_enum)]
    pub privacy: Option<Privacy>,
    /// How many parts to send at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub parallel: u16,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Privacy {
    Public,
    Unlisted,
    Private,
}

impl Privacy {
    pub fn as_str(self) -> &'static str {
        match self {
            Privacy::Public => "public",
            Privacy::Unlisted => "unlisted",
            Privacy::Private => "private",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parallel_is_bounded() {
        assert!(Cli::try_parse_from(["vidlet", "upload", "a.mp4", "--parallel", "0"]).is_err());
        assert!(Cli::try_parse_from(["vidlet", "upload", "a.mp4", "--parallel", "33"]).is_err());
        let cli = Cli::try_parse_from(["vidlet", "upload", "a.mp4", "--privacy", "unlisted"]).unwrap();
        let Command::Upload(upload) = cli.command else { panic!("not an upload") };
        assert_eq!((upload.parallel, upload.privacy.map(Privacy::as_str)), (4, Some("unlisted")));
    }
}
