//! [`transaction`]: the one way a service makes several changes at once.
//!
//! `db::transaction(connection, async |connection| { ... }).await` commits when
//! the closure returns `Ok` and rolls back when it returns `Err`, with the
//! services' own [`kernel::Error`]. Nested calls become savepoints, so a
//! service that opens a transaction composes with a caller that already has
//! one (a lost booking race rolls back its savepoint, not the caller's work).
//! [`snapshot`] is its read-only sibling: several reads that see one state.
//!
//! Both plan their statements once. PostgreSQL plans a prepared statement
//! again on every execution when it guesses that the plan made for its values
//! beats the plan made once for any values, and with an array parameter
//! (`= ANY($1)`) or a range of times it always guesses so: it takes the array
//! for ten elements and the range for a fixed share of the table. Measured on
//! the scheduling statements (a service, a vet's hours, a vet's bookings):
//! 0.2–0.5 ms of planning each time against 0.03–0.15 ms of execution, with
//! the same plan. The statements of a transaction find rows by key, where the
//! plan made once is the right one, so [`transaction`] and [`snapshot`] open
//! with `SET LOCAL plan_cache_mode = force_generic_plan`, sent with `BEGIN`
//! in one round trip. A search whose best plan depends on its words (the
//! shop's full text) runs outside them and keeps PostgreSQL's choice. An
//! `ON CONFLICT (…) WHERE …` naming a partial unique index writes its
//! condition out: a plan made once cannot tell that a bound value matches
//! the index's condition.

use diesel::result::Error as DieselError;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};

/// What opens a transaction: see the module's documentation.
const BEGIN: &str = "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan";

/// What opens a [`snapshot`].
const BEGIN_READ_ONLY: &str = "BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_generic_plan";

/// Runs `work` in a transaction (a savepoint inside another one).
pub async fn transaction<T>(
    connection: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> kernel::Result<T>,
) -> kernel::Result<T> {
    if in_transaction(connection)? {
        AnsiTransactionManager::begin_transaction(connection).await?;
    } else {
        AnsiTransactionManager::begin_transaction_sql(connection, BEGIN).await?;
    }
    let done = work(&mut *connection).await;
    finish(connection, done).await
}

/// Runs `work`'s reads in one read-only transaction: they all see the state
/// of its first statement, and are planned once (see the module). Inside a
/// caller's transaction it runs in that one.
pub async fn snapshot<T>(
    connection: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> kernel::Result<T>,
) -> kernel::Result<T> {
    if in_transaction(connection)? {
        return work(connection).await;
    }
    AnsiTransactionManager::begin_transaction_sql(connection, BEGIN_READ_ONLY).await?;
    let done = work(&mut *connection).await;
    finish(connection, done).await
}

/// Commits after `done`, or rolls back after its error.
async fn finish<T>(connection: &mut AsyncPgConnection, done: kernel::Result<T>) -> kernel::Result<T> {
    match done {
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

fn in_transaction(connection: &mut AsyncPgConnection) -> kernel::Result<bool> {
    Ok(AnsiTransactionManager::transaction_manager_status_mut(connection).transaction_depth()?.is_some())
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
    if !in_transaction(connection)? {
        return transaction(connection, work).await;
    }
    let done = work(&mut *connection).await;
    if done.is_err() {
        AnsiTransactionManager::transaction_manager_status_mut(connection).set_in_error();
    }
    done
}
