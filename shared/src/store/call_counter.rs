//! Counts storage calls, per service and operation, through the SDK's
//! interceptor API. Enabled by the round-trip test and the bench only.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Shared by the clients it is installed on. Each attempt that got a response
/// counts (retries too); presigning, which sends nothing, does not.
#[derive(Clone, Debug, Default)]
pub struct CallCounter {
    calls: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl CallCounter {
    /// `"DynamoDB.GetItem" → 2`, and so on, since the last `take`.
    pub fn take(&self) -> BTreeMap<String, usize> {
        std::mem::take(&mut *self.calls.lock().expect("counter lock"))
    }

    #[cfg(feature = "dynamodb")]
    pub fn dynamodb_client(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(super::client::dynamodb_config().interceptor(self.clone()).build())
    }

    #[cfg(feature = "s3")]
    pub fn s3_client(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(super::client::s3_config().interceptor(self.clone()).build())
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_deserialization(
        &self,
        _context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name =
            cfg.load::<Metadata>().map(|m| format!("{}.{}", m.service(), m.name())).unwrap_or_else(|| "unknown".into());
        *self.calls.lock().expect("counter lock").entry(name).or_default() += 1;
        Ok(())
    }
}
