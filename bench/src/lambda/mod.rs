//! Running the release functions as Lambda runs them: a runtime API per
//! instance, the instance process, the v2 events, and a mini API Gateway.

pub mod events;
pub mod gateway;
pub mod instance;
pub mod runtime_api;
