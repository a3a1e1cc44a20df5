//! The in-app inbox: a user's own notifications, newest first.

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{NotificationId, Page, PageRequest, Principal};

use crate::api::{InboxItem, MarkedRead, UnreadCount};
use db::schema::notifications;

/// The caller's inbox, optionally unread entries only.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    unread_only: bool,
    page: &PageRequest,
) -> kernel::Result<Page<InboxItem>> {
    let mut query = notifications::table
        .filter(notifications::recipient_id.eq(principal.user_id))
        .filter(notifications::in_inbox)
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    if let Some(after) = page.after {
        query = query.filter(notifications::id.lt(NotificationId(after)));
    }
    let items = query
        .select((
            notifications::id,
            notifications::category,
            notifications::title,
            notifications::body,
            notifications::data,
            notifications::read_at,
            notifications::created_at,
        ))
        .order(notifications::id.desc())
        .limit(page.fetch_limit())
        .load::<InboxItem>(connection)
        .await?;
    Ok(Page::from_rows(items, page, |item| item.id.0))
}

/// How many entries the caller has not read.
pub async fn unread_count(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<UnreadCount> {
    let unread = notifications::table
        .filter(notifications::recipient_id.eq(principal.user_id))
        .filter(notifications::in_inbox)
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(connection)
        .await?;
    Ok(UnreadCount { unread })
}

/// Marks one of the caller's entries read (again is a no-op); someone
/// else's is a 404.
pub async fn mark_read(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: NotificationId,
) -> kernel::Result<()> {
    let mine = notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::recipient_id.eq(principal.user_id))
        .filter(notifications::in_inbox);
    let found = diesel::update(mine)
        .set(notifications::read_at.eq(diesel::dsl::sql::<Nullable<Timestamptz>>("coalesce(read_at, now())")))
        .execute(connection)
        .await?;
    if found == 0 {
        return Err(kernel::Error::NotFound { resource: "notification" });
    }
    Ok(())
}

/// Marks every unread entry of the caller read.
pub async fn mark_all_read(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<MarkedRead> {
    let unread = notifications::table
        .filter(notifications::recipient_id.eq(principal.user_id))
        .filter(notifications::in_inbox)
        .filter(notifications::read_at.is_null());
    let marked = diesel::update(unread).set(notifications::read_at.eq(Utc::now())).execute(connection).await?;
    Ok(MarkedRead { marked })
}
