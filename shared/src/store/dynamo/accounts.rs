//! Users, sessions and login attempts.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::util::{
    batch_delete, built, is_conditional_failure, is_transaction_condition_failure, n, query_all, s, to_item, Item,
};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{LoginAttempts, Sessions, Users};
use crate::domain::account::{LoginFailures, Session, User, Username};
use crate::error::{ApiError, ApiResult};
use crate::ports::{
    AccountCreator, AccountRemover, LoginThrottle, SessionReader, SessionRevoker, SessionWriter, UserReader,
};
use crate::store::OrUnavailable;

impl UserReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:GetItem", Users)]
    }

    async fn get_user(&self, username: &Username) -> ApiResult<Option<User>> {
        self.get(Users, Item::from([("username".into(), s(username.as_str()))])).await
    }
}

impl AccountCreator for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:PutItem", Users), Access::dynamodb("dynamodb:PutItem", Sessions)]
    }

    async fn create_user_with_session(&self, user: &User, session: &Session) -> ApiResult<()> {
        let put_user = Put::builder()
            .table_name(self.table(Users))
            .set_item(Some(to_item(user)?))
            .condition_expression("attribute_not_exists(username)")
            .build();
        let put_session = Put::builder().table_name(self.table(Sessions)).set_item(Some(to_item(session)?)).build();
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(built(put_user)?).build())
            .transact_items(TransactWriteItem::builder().put(built(put_session)?).build())
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
        vec![Access::dynamodb("dynamodb:GetItem", Sessions)]
    }

    async fn get_session(&self, session_hash: &str) -> ApiResult<Option<Session>> {
        self.get(Sessions, Item::from([("session_hash".into(), s(session_hash))])).await
    }
}

impl SessionWriter for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:PutItem", Sessions)]
    }

    async fn put_session(&self, session: &Session) -> ApiResult<()> {
        let table = self.table(Sessions);
        let put = self.client.put_item().table_name(table).set_item(Some(to_item(session)?));
        put.send().await.or_unavailable("PutItem", table)?;
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

impl LoginThrottle for Dynamo {
    fn access(&self) -> Vec<Access> {
        ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
            .map(|action| Access::dynamodb(action, LoginAttempts))
            .to_vec()
    }

    async fn get_login_failures(&self, username: &Username) -> ApiResult<Option<LoginFailures>> {
        self.get(LoginAttempts, Item::from([("username".into(), s(username.as_str()))])).await
    }

    async fn record_login_failure(&self, username: &Username, now: i64, window_secs: i64) -> ApiResult<()> {
        let table = self.table(LoginAttempts);
        let window_open_after = n(now - window_secs);
        // Count into the current window, if there is one.
        let counted = self
            .client
            .update_item()
            .table_name(table)
            .key("username", s(username.as_str()))
            .condition_expression("window_start > :window_open_after")
            .update_expression("ADD failures :one")
            .expression_attribute_values(":window_open_after", window_open_after.clone())
            .expression_attribute_values(":one", n(1))
            .send()
            .await;
        match counted {
            Ok(_) => return Ok(()),
            Err(err) if is_conditional_failure(&err) => {}
            Err(err) => return Err(err).or_unavailable("UpdateItem", table),
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
            .table_name(table)
            .set_item(Some(to_item(&fresh)?))
            .condition_expression("attribute_not_exists(username) OR window_start <= :window_open_after")
            .expression_attribute_values(":window_open_after", window_open_after)
            .send()
            .await;
        match started {
            Ok(_) => Ok(()),
            // Another request opened the window meanwhile: count into it.
            Err(err) if is_conditional_failure(&err) => {
                let update = self
                    .client
                    .update_item()
                    .table_name(table)
                    .key("username", s(username.as_str()))
                    .update_expression("ADD failures :one")
                    .expression_attribute_values(":one", n(1));
                update.send().await.or_unavailable("UpdateItem", table)?;
                Ok(())
            }
            Err(err) => Err(err).or_unavailable("PutItem", table),
        }
    }

    async fn clear_login_failures(&self, username: &Username) -> ApiResult<()> {
        let table = self.table(LoginAttempts);
        let delete = self.client.delete_item().table_name(table).key("username", s(username.as_str()));
        delete.send().await.or_unavailable("DeleteItem", table)?;
        Ok(())
    }
}

impl AccountRemover for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::index(Sessions, "by_user"),
            Access::dynamodb("dynamodb:BatchWriteItem", Sessions),
            Access::dynamodb("dynamodb:DeleteItem", Users),
        ]
    }

    async fn delete_user(&self, username: &Username) -> ApiResult<()> {
        let sessions = self.table(Sessions);
        let keys = query_all(&self.client, sessions, Some("by_user"), ("username", username.as_str()), "session_hash");
        batch_delete(&self.client, sessions, keys.await?).await?;
        let users = self.table(Users);
        let delete = self.client.delete_item().table_name(users).key("username", s(username.as_str()));
        delete.send().await.or_unavailable("DeleteItem", users)?;
        Ok(())
    }
}
