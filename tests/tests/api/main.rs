//! Integration tests: the real handlers against DynamoDB Local and LocalStack.

mod accounts;
mod cli;
mod comments_and_sweep;
mod consistency;
mod hidden_videos;
mod hostile;
mod iam;
mod multipart;
mod outage;
mod posters;
mod quota;
mod round_trips;
mod security;
mod sweep_backlog;
mod videos;
mod web;
