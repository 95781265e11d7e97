//! Integration tests: the real handlers against DynamoDB Local and LocalStack.

mod account_deletion;
mod accounts;
mod cli;
mod comments_and_sweep;
mod consistency;
mod edit;
mod hardening;
mod head;
mod hidden_videos;
mod hostile;
mod iam;
mod likes;
mod lockout;
mod metrics;
mod multipart;
mod outage;
mod posters;
mod quota;
mod round_trips;
mod search;
mod security;
mod sweep_backlog;
mod videos;
mod views;
mod web;
