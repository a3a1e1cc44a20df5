//! What any crate may read about a user: the email invitations are matched
//! against, and the name shown to other people (never their contact details).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::UserId;

use db::schema::users;

/// The user's email, lower-cased (`None` when the provider gave none).
pub async fn email_of(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Option<String>> {
    let email =
        users::table.find(user).select(users::email).first::<Option<String>>(connection).await.optional()?.flatten();
    Ok(email.map(|email| email.to_lowercase()))
}

/// "First Last" from the parts a profile has (empty when it has none).
pub fn display_name(first: Option<String>, last: Option<String>) -> String {
    [first, last].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_is_made_of_the_parts_there_are() {
        assert_eq!(super::display_name(Some("Ada".into()), Some("Lovelace".into())), "Ada Lovelace");
        assert_eq!(super::display_name(None, Some("Lovelace".into())), "Lovelace");
        assert_eq!(super::display_name(None, None), "");
    }
}
