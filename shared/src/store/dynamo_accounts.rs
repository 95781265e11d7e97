//! `AccountStore` on DynamoDB: the users, sessions and login_attempts tables.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use serde_dynamo::{from_item, to_item};

use crate::config::{Config, Table};
use crate::domain::account::{LoginFailures, Session, User, Username};
use crate::error::{ApiError, ApiResult};
use crate::ports::AccountStore;
use crate::store::dynamo_util::{batch_delete, is_conditional_failure, is_transaction_condition_failure, query_all, s};

pub struct DynamoAccounts {
    client: Client,
    users: String,
    sessions: String,
    login_attempts: String,
}

impl DynamoAccounts {
    pub fn new(client: Client, config: &Config) -> Self {
        DynamoAccounts {
            client,
            users: config.table_name(Table::Users).to_owned(),
            sessions: config.table_name(Table::Sessions).to_owned(),
            login_attempts: config.table_name(Table::LoginAttempts).to_owned(),
        }
    }
}

#[async_trait]
impl AccountStore for DynamoAccounts {
    async fn get_user(&self, username: &Username) -> ApiResult<Option<User>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.users)
            .key("username", s(username.as_str()))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item.map(from_item).transpose()?)
    }

    async fn create_user_with_session(&self, user: &User, session: &Session) -> ApiResult<()> {
        let put_user = Put::builder()
            .table_name(&self.users)
            .set_item(Some(to_item(user)?))
            .condition_expression("attribute_not_exists(username)")
            .build()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let put_session = Put::builder()
            .table_name(&self.sessions)
            .set_item(Some(to_item(session)?))
            .build()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_user).build())
            .transact_items(TransactWriteItem::builder().put(put_session).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if is_transaction_condition_failure(&err) => {
                Err(ApiError::Conflict("username is already taken"))
            }
            Err(err) => Err(err.into()),
        }
    }

    async fn put_session(&self, session: &Session) -> ApiResult<()> {
        self.client
            .put_item()
            .table_name(&self.sessions)
            .set_item(Some(to_item(session)?))
            .send()
            .await?;
        Ok(())
    }

    async fn get_session(&self, session_hash: &str) -> ApiResult<Option<Session>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.sessions)
            .key("session_hash", s(session_hash))
            .send()
            .await?;
        Ok(out.item.map(from_item).transpose()?)
    }

    async fn delete_session(&self, session_hash: &str) -> ApiResult<()> {
        self.client
            .delete_item()
            .table_name(&self.sessions)
            .key("session_hash", s(session_hash))
            .send()
            .await?;
        Ok(())
    }

    async fn get_login_failures(&self, username: &Username) -> ApiResult<Option<LoginFailures>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.login_attempts)
            .key("username", s(username.as_str()))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item.map(from_item).transpose()?)
    }

    async fn record_login_failure(&self, username: &Username, now: i64, window_secs: i64) -> ApiResult<()> {
        let window_open_after = now - window_secs;
        // Count into the current window, if there is one.
        let counted = self
            .client
            .update_item()
            .table_name(&self.login_attempts)
            .key("username", s(username.as_str()))
            .condition_expression("window_start > :window_open_after")
            .update_expression("ADD failures :one")
            .expression_attribute_values(":window_open_after", AttributeValue::N(window_open_after.to_string()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await;
        match counted {
            Ok(_) => return Ok(()),
            Err(err) if is_conditional_failure(&err) => {}
            Err(err) => return Err(err.into()),
        }
        // No item or a stale window: start a new one. The condition keeps a
        // concurrent failure that already opened a window from being overwritten.
        let fresh = LoginFailures {
            username: username.to_string(),
            failures: 1,
            window_start: now,
            expires_at: now + window_secs,
        };
        let started = self
            .client
            .put_item()
            .table_name(&self.login_attempts)
            .set_item(Some(to_item(&fresh)?))
            .condition_expression("attribute_not_exists(username) OR window_start <= :window_open_after")
            .expression_attribute_values(":window_open_after", AttributeValue::N(window_open_after.to_string()))
            .send()
            .await;
        match started {
            Ok(_) => Ok(()),
            // Another request opened the window meanwhile: count into it.
            Err(err) if is_conditional_failure(&err) => {
                self.client
                    .update_item()
                    .table_name(&self.login_attempts)
                    .key("username", s(username.as_str()))
                    .update_expression("ADD failures :one")
                    .expression_attribute_values(":one", AttributeValue::N("1".into()))
                    .send()
                    .await?;
                Ok(())
            }
            Err(err) => Err(err.into()),
        }
    }

    async fn clear_login_failures(&self, username: &Username) -> ApiResult<()> {
        self.client
            .delete_item()
            .table_name(&self.login_attempts)
            .key("username", s(username.as_str()))
            .send()
            .await?;
        Ok(())
    }

    async fn delete_user(&self, username: &Username) -> ApiResult<()> {
        let sessions = query_all(&self.client, &self.sessions, Some("by_user"), ("username", username.as_str()), "session_hash");
        batch_delete(&self.client, &self.sessions, sessions.await?).await?;
        self.client
            .delete_item()
            .table_name(&self.users)
            .key("username", s(username.as_str()))
            .send()
            .await?;
        Ok(())
    }
}
