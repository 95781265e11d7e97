//! Integration tests: the real handlers against DynamoDB Local and LocalStack.

mod accounts;
mod consistency;
mod iam;
mod outage;
mod videos;
mod web;
mod hostile;
mod security;
mod round_trips;
mod comments_and_sweep;
