//! Users, sessions, devices and the password-guess throttle.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{KeysAndAttributes, Put, TransactWriteItem};

use super::util::{built, from_item, is_conditional_failure, is_transaction_condition_failure, n, s, to_item, Item};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Devices, LoginAttempts, Sessions, Users};
use crate::domain::account::{Device, Session, User, Username};
use crate::domain::throttle::Bucket;
use crate::error::{ApiError, ApiResult};
use crate::ports::{
    AccountCloser, AccountCreator, DeviceReader, GuessThrottle, SessionReader, SessionRevoker, SessionStarter,
    UserReader,
};
use crate::store::OrUnavailable;

/// The partition of the users table's `purge_queue` index: deleted accounts.
pub(super) const PURGE_QUEUE: &str = "accounts";

fn user_key(username: &str) -> Item {
    Item::from([("username".into(), s(username))])
}

impl UserReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:GetItem", Users)]
    }

    async fn get_user(&self, username: &Username) -> ApiResult<Option<User>> {
        let user: Option<User> = self.get(Users, user_key(username.as_str())).await?;
        Ok(user.filter(User::is_live))
    }
}

impl Dynamo {
    fn put(&self, table: crate::config::Table, item: Item, condition: Option<&str>) -> ApiResult<TransactWriteItem> {
        let put = Put::builder().table_name(self.table(table)).set_item(Some(item));
        let put = built(put.set_condition_expression(condition.map(str::to_owned)).build())?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

impl AccountCreator for Dynamo {
    fn access(&self) -> Vec<Access> {
        [Users, Sessions, Devices].map(|table| Access::dynamodb("dynamodb:PutItem", table)).to_vec()
    }

    async fn create_account(&self, user: &User, session: &Session, device: &Device) -> ApiResult<()> {
        let result = self
            .client
            .transact_write_items()
            .transact_items(self.put(Users, to_item(user)?, Some("attribute_not_exists(username)"))?)
            .transact_items(self.put(Sessions, to_item(session)?, None)?)
            .transact_items(self.put(Devices, to_item(device)?, None)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if is_transaction_condition_failure(&err) => Err(ApiError::Conflict("username is already taken")),
            Err(err) => Err(err).or_unavailable("TransactWriteItems", self.table(Users)),
        }
    }
}

impl SessionReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:BatchGetItem", Sessions),
            Access::dynamodb("dynamodb:BatchGetItem", Users),
            Access::dynamodb("dynamodb:UpdateItem", Sessions),
        ]
    }

    async fn extend_session(&self, session_hash: &str, from: i64, to: i64) -> ApiResult<()> {
        let table = self.table(Sessions);
        let extended = self
            .client
            .update_item()
            .table_name(table)
            .key("session_hash", s(session_hash))
            .update_expression("SET expires_at = :to")
            .condition_expression("expires_at = :from")
            .expression_attribute_values(":from", n(from))
            .expression_attribute_values(":to", n(to))
            .send()
            .await;
        match extended {
            // A concurrent request extended it (or a logout deleted it) first.
            Err(err) if is_conditional_failure(&err) => Ok(()),
            other => other.map(drop).or_unavailable("UpdateItem", table),
        }
    }

    async fn get_session(&self, username: &Username, session_hash: &str) -> ApiResult<(Option<Session>, Option<User>)> {
        let (sessions, users) = (self.table(Sessions), self.table(Users));
        let read = |key: Item| built(KeysAndAttributes::builder().keys(key).consistent_read(true).build());
        let mut request = HashMap::from([
            (sessions.to_owned(), read(Item::from([("session_hash".into(), s(session_hash))]))?),
            (users.to_owned(), read(user_key(username.as_str()))?),
        ]);
        let (mut session, mut user) = (None, None);
        // BatchGetItem may leave keys unprocessed under load: ask again for those.
        for _ in 0..3 {
            let batch = self.client.batch_get_item().set_request_items(Some(request));
            let out = batch.send().await.or_unavailable("BatchGetItem", sessions)?;
            let mut found = out.responses.unwrap_or_default();
            if let Some(item) = found.remove(sessions).and_then(|items| items.into_iter().next()) {
                session = Some(from_item(item)?);
            }
            if let Some(item) = found.remove(users).and_then(|items| items.into_iter().next()) {
                user = Some(from_item(item)?);
            }
            request = out.unprocessed_keys.unwrap_or_default();
            if request.is_empty() {
                return Ok((session, user));
            }
        }
        Err(ApiError::unavailable(format!("BatchGetItem {sessions}"), "keys left unprocessed"))
    }
}

impl SessionStarter for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:PutItem", Sessions), Access::dynamodb("dynamodb:PutItem", Devices)]
    }

    async fn start_session(&self, session: &Session, new_device: Option<&Device>) -> ApiResult<()> {
        let table = self.table(Sessions);
        let Some(device) = new_device else {
            let put = self.client.put_item().table_name(table).set_item(Some(to_item(session)?));
            put.send().await.or_unavailable("PutItem", table)?;
            return Ok(());
        };
        let write = self
            .client
            .transact_write_items()
            .transact_items(self.put(Sessions, to_item(session)?, None)?)
            .transact_items(self.put(Devices, to_item(device)?, None)?);
        write.send().await.or_unavailable("TransactWriteItems", table)?;
        Ok(())
    }
}

impl SessionRevoker for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:DeleteItem", Sessions)]
    }

    async fn delete_session(&self, session_hash: &str) -> ApiResult<()> {
        let table = self.table(Sessions);
        let delete = self.client.delete_item().table_name(table).key("session_hash", s(session_hash));
        delete.send().await.or_unavailable("DeleteItem", table)?;
        Ok(())
    }
}

impl DeviceReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:GetItem", Devices)]
    }

    async fn get_device(&self, device_hash: &str) -> ApiResult<Option<Device>> {
        self.get(Devices, Item::from([("device_hash".into(), s(device_hash))])).await
    }
}

impl GuessThrottle for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:UpdateItem", LoginAttempts)]
    }

    async fn reserve(&self, bucket: &Bucket) -> ApiResult<bool> {
        let table = self.table(LoginAttempts);
        // One conditional write: parallel guesses cannot pass the limit, and
        // every write sets both attributes, so the item is always whole.
        let reserved = self
            .client
            .update_item()
            .table_name(table)
            .key("bucket", s(&bucket.key))
            .update_expression("ADD failures :one SET expires_at = :expires_at")
            .condition_expression("attribute_not_exists(failures) OR failures < :max")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":expires_at", n(bucket.expires_at))
            .expression_attribute_values(":max", n(bucket.max_failures))
            .send()
            .await;
        match reserved {
            Ok(_) => Ok(true),
            Err(err) if is_conditional_failure(&err) => Ok(false),
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }

    async fn release(&self, bucket: &Bucket) -> ApiResult<()> {
        let table = self.table(LoginAttempts);
        let release = self
            .client
            .update_item()
            .table_name(table)
            .key("bucket", s(&bucket.key))
            .update_expression("ADD failures :minus_one SET expires_at = :expires_at")
            .condition_expression("failures > :zero")
            .expression_attribute_values(":minus_one", n(-1))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":expires_at", n(bucket.expires_at))
            .send()
            .await;
        match release {
            Ok(_) => Ok(()),
            Err(err) if is_conditional_failure(&err) => Ok(()),
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }
}

impl AccountCloser for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:UpdateItem", Users)]
    }

    async fn close_account(&self, user: &User, now: i64, purge_after: i64) -> ApiResult<bool> {
        let table = self.table(Users);
        let closed = self
            .client
            .update_item()
            .table_name(table)
            .key("username", s(user.username.as_str()))
            .update_expression(
                "SET deleted_at = :now, purge_queue = :queue, purge_after = :purge_after REMOVE password_hash",
            )
            .condition_expression("generation = :generation AND attribute_not_exists(deleted_at)")
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":queue", s(PURGE_QUEUE))
            .expression_attribute_values(":purge_after", n(purge_after))
            .expression_attribute_values(":generation", s(&user.generation))
            .send()
            .await;
        match closed {
            Ok(_) => Ok(true),
            Err(err) if is_conditional_failure(&err) => Ok(false),
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }
}
