//! The business logic, callable from any binary: async fns taking a connection
//! (so callers can compose them in one transaction) and the caller's
//! [`Principal`](kernel::Principal), returning `kernel::Result`.

pub mod admin;
pub mod audit_log;
pub mod me;
pub mod sync;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::UserId;

use crate::models::User;
use db::schema::users;

/// Loads a user by id; `NotFound` when missing.
pub(crate) async fn load_user(connection: &mut AsyncPgConnection, id: UserId) -> kernel::Result<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "user" })
}
