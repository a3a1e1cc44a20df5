//! [`transaction`]: the one way a service makes several changes at once.
//!
//! `db::transaction(connection, async |connection| { ... }).await` commits when
//! the closure returns `Ok` and rolls back when it returns `Err`, with the
//! services' own [`kernel::Error`]. Nested calls become savepoints, so a
//! service that opens a transaction composes with a caller that already has
//! one (a lost booking race rolls back its savepoint, not the caller's work).

use diesel::result::Error as DieselError;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};

/// Runs `work` in a transaction (a savepoint inside another one).
pub async fn transaction<T>(
    connection: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> kernel::Result<T>,
) -> kernel::Result<T> {
    AnsiTransactionManager::begin_transaction(connection).await?;
    match work(&mut *connection).await {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(connection).await?;
            Ok(value)
        }
        Err(error) => match AnsiTransactionManager::rollback_transaction(connection).await {
            // A broken transaction was most likely broken by `error` itself.
            Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Runs `work` all or nothing, like [`transaction`], but inside a caller's
/// transaction without a savepoint of its own (two round trips fewer): there
/// a failed statement aborts the caller's whole transaction. So that no
/// caller can catch the error and commit what is left, a failure marks the
/// transaction broken: it can only roll back, and the pool then drops the
/// connection. For work nobody recovers from within the transaction (a
/// lost booking race, which must, needs [`transaction`]'s savepoint).
pub async fn all_or_nothing<T>(
    connection: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> kernel::Result<T>,
) -> kernel::Result<T> {
    if AnsiTransactionManager::transaction_manager_status_mut(connection).transaction_depth()?.is_none() {
        return transaction(connection, work).await;
    }
    let done = work(&mut *connection).await;
    if done.is_err() {
        AnsiTransactionManager::transaction_manager_status_mut(connection).set_in_error();
    }
    done
}
