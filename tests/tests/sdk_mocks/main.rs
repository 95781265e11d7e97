//! The AWS adapters' requests, checked with the SDK's own mocks (aws-smithy-mocks), without a
//! network: what the emulators answer the same either way.

mod dynamodb;
mod mediaconvert;
