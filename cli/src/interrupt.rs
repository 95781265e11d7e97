//! Ctrl-C during an upload: the first one stops new parts and lets the parts in flight finish;
//! a second one quits at once. Either way the exit code is 130 and the resume state stays.

use tokio::sync::watch;

pub const EXIT_CODE: i32 = 130;

#[derive(Clone)]
pub struct Interrupt {
    receiver: watch::Receiver<bool>,
}

impl Interrupt {
    /// Starts listening for SIGINT (from then on Ctrl-C no longer kills the process outright).
    pub fn listen() -> Self {
        let (sender, receiver) = watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            eprintln!("\ninterrupted: finishing the requests in flight (Ctrl-C again to quit now)");
            sender.send_replace(true);
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ninterrupted again: quitting now; run the same command again to resume");
                std::process::exit(EXIT_CODE);
            }
        });
        Interrupt { receiver }
    }

    pub fn is_set(&self) -> bool {
        *self.receiver.borrow()
    }

    /// Resolves once Ctrl-C was pressed (never, if the listener could not start).
    pub async fn fired(&self) {
        let mut receiver = self.receiver.clone();
        if receiver.wait_for(|&set| set).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
