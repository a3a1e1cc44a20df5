//! Households: the primary owner invites co-owners (by user id or email),
//! removes them and hands primary ownership to one of them; a co-owner may
//! leave. Invitations are accepted by their addressee, and the answer to an
//! invitation never tells whether an account exists. Everything is audited.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{PetId, PetInvitationId, Principal, UserId, Valid};
use notifications::Notification;
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::access;
use crate::api::{CoOwnerInvite, OwnerView, PetInvitationView};
use crate::events::PetTransferred;
use db::schema::{pet_co_owners, pet_invitations, pets};

/// The primary owner and co-owners (names only), primary first.
pub async fn owners(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
) -> kernel::Result<Vec<OwnerView>> {
    let (row, _) = access::resolve(connection, principal, pet).await?;
    let co_owners: Vec<UserId> = pet_co_owners::table
        .filter(pet_co_owners::pet_id.eq(pet))
        .order(pet_co_owners::created_at)
        .select(pet_co_owners::user_id)
        .load(connection)
        .await?;
    let everyone: Vec<UserId> = std::iter::once(row.primary_owner_id).chain(co_owners).collect();
    let names = platform::users::names(connection, &everyone).await?;
    Ok(everyone
        .into_iter()
        .map(|user_id| {
            let name = names.get(&user_id).map(platform::users::Name::display).unwrap_or_default();
            OwnerView { user_id, name, primary: user_id == row.primary_owner_id }
        })
        .collect())
}

/// Tells the invitee what to do: in the app (and by email, per their
/// choices) when they have an account, else an email to the address saying
/// how to sign up and accept.
async fn tell_invitee(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet_name: &str,
    invitation: PetInvitationId,
    (user, email): (Option<UserId>, Option<&str>),
    expires_at: chrono::DateTime<Utc>,
) -> kernel::Result<()> {
    let inviter = platform::users::name(connection, principal.user_id).await?.display();
    let account = match (user, email) {
        (Some(user), _) => Some(user),
        (None, Some(email)) => platform::users::with_email(connection, email).await?.map(|(user, _)| user),
        (None, None) => None,
    };
    let inviter = if inviter.is_empty() { "Another owner" } else { inviter.as_str() };
    let to_share = format!("to share the care of {pet_name} as a co-owner");
    let notice = Notification::invitation(inviter, &to_share, expires_at, account.is_some());
    match (account, email) {
        (Some(user), _) => notifications::notify(connection, user, &notice).await.map(|_| ()),
        (None, Some(email)) => notifications::email_address(connection, email, &notice, invitation.0).await,
        (None, None) => Ok(()),
    }
}

/// Invites a co-owner (the primary owner); inviting the same addressee again
/// renews the invitation.
pub async fn invite(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    invite: &Valid<CoOwnerInvite>,
    ttl_days: i64,
) -> kernel::Result<PetInvitationView> {
    let (row, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.is_primary_owner(), "invite co-owners of this pet")?;
    if invite.user_id() == Some(principal.user_id) {
        return Err(kernel::Error::invalid_field("user_id", "you already own this pet"));
    }
    let (user_id, email) = (invite.user_id(), invite.email());
    let expires_at = Utc::now() + Duration::days(ttl_days);
    db::transaction(connection, async |connection| {
        let lookup = pet_invitations::table.filter(pet_invitations::pet_id.eq(pet)).select(pet_invitations::id);
        let existing = match user_id {
            Some(user) => lookup.filter(pet_invitations::user_id.eq(user)).first(connection).await,
            None => lookup.filter(pet_invitations::email.eq(&email)).first(connection).await,
        }
        .optional()?;
        let id = match existing {
            Some(id) => {
                diesel::update(pet_invitations::table.find(id))
                    .set((
                        pet_invitations::expires_at.eq(expires_at),
                        pet_invitations::created_at.eq(Utc::now()),
                        pet_invitations::invited_by.eq(principal.user_id),
                    ))
                    .execute(connection)
                    .await?;
                id
            }
            None => {
                let id = PetInvitationId::new();
                diesel::insert_into(pet_invitations::table)
                    .values((
                        pet_invitations::id.eq(id),
                        pet_invitations::pet_id.eq(pet),
                        pet_invitations::user_id.eq(user_id),
                        pet_invitations::email.eq(&email),
                        pet_invitations::invited_by.eq(principal.user_id),
                        pet_invitations::expires_at.eq(expires_at),
                    ))
                    .execute(connection)
                    .await?;
                id
            }
        };
        let entry = AuditEntry::new(Some(principal.user_id), "pet.co_owner_invited", "pet", pet)
            .with_changes(json!({ "invitation_id": id }));
        audit::record(connection, entry).await?;
        tell_invitee(connection, principal, &row.name, id, (user_id, email.as_deref()), expires_at).await?;
        Ok(PetInvitationView { id, pet_id: pet, pet_name: row.name.clone(), expires_at })
    })
    .await
}

/// Open invitations addressed to the caller (by id or by their email).
pub async fn my_invitations(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
) -> kernel::Result<Vec<PetInvitationView>> {
    let email = platform::users::email_of(connection, principal.user_id).await?;
    let rows = pet_invitations::table
        .inner_join(pets::table)
        .filter(pet_invitations::expires_at.gt(Utc::now()))
        .filter(pet_invitations::user_id.eq(principal.user_id).or(pet_invitations::email.eq(&email)))
        .filter(pets::is_active)
        .select((pet_invitations::id, pet_invitations::pet_id, pets::name, pet_invitations::expires_at))
        .order(pet_invitations::created_at.desc())
        .load::<(PetInvitationId, PetId, String, chrono::DateTime<Utc>)>(connection)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, pet_id, pet_name, expires_at)| PetInvitationView { id, pet_id, pet_name, expires_at })
        .collect())
}

/// Accepts an invitation addressed to the caller: they co-own the pet.
pub async fn accept(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    invitation: PetInvitationId,
) -> kernel::Result<PetId> {
    let email = platform::users::email_of(connection, principal.user_id).await?;
    db::transaction(connection, async |connection| {
        let (pet, primary) = pet_invitations::table
            .inner_join(pets::table)
            .filter(pet_invitations::id.eq(invitation))
            .filter(pet_invitations::expires_at.gt(Utc::now()))
            .filter(pet_invitations::user_id.eq(principal.user_id).or(pet_invitations::email.eq(&email)))
            .filter(pets::is_active)
            .select((pet_invitations::pet_id, pets::primary_owner_id))
            .first::<(PetId, UserId)>(connection)
            .await
            .optional()?
            .ok_or(kernel::Error::NotFound { resource: "invitation" })?;
        diesel::delete(pet_invitations::table.find(invitation)).execute(connection).await?;
        if primary != principal.user_id {
            diesel::insert_into(pet_co_owners::table)
                .values((pet_co_owners::pet_id.eq(pet), pet_co_owners::user_id.eq(principal.user_id)))
                .on_conflict_do_nothing()
                .execute(connection)
                .await?;
        }
        let entry = AuditEntry::new(Some(principal.user_id), "pet.co_owner_added", "pet", pet)
            .with_changes(json!({ "user_id": principal.user_id, "invitation_id": invitation }));
        audit::record(connection, entry).await?;
        Ok(pet)
    })
    .await
}

/// Removes a co-owner (the primary owner), or the caller themselves (leaving).
pub async fn remove_co_owner(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    user: UserId,
) -> kernel::Result<()> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.is_primary_owner() || user == principal.user_id, "remove co-owners of this pet")?;
    db::transaction(connection, async |connection| {
        let removed = diesel::delete(
            pet_co_owners::table.filter(pet_co_owners::pet_id.eq(pet)).filter(pet_co_owners::user_id.eq(user)),
        )
        .execute(connection)
        .await?;
        if removed == 0 {
            return Err(kernel::Error::NotFound { resource: "co-owner" });
        }
        let entry = AuditEntry::new(Some(principal.user_id), "pet.co_owner_removed", "pet", pet)
            .with_changes(json!({ "user_id": user }));
        audit::record(connection, entry).await
    })
    .await
}

/// Makes a co-owner the primary owner (the primary owner); the former primary
/// owner stays as a co-owner.
pub async fn transfer(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    to: UserId,
) -> kernel::Result<()> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.is_primary_owner(), "transfer this pet")?;
    db::transaction(connection, async |connection| {
        let was_co_owner = diesel::delete(
            pet_co_owners::table.filter(pet_co_owners::pet_id.eq(pet)).filter(pet_co_owners::user_id.eq(to)),
        )
        .execute(connection)
        .await?;
        if was_co_owner == 0 {
            return Err(kernel::Error::invalid_field("user_id", "must be a co-owner of this pet"));
        }
        diesel::update(pets::table.find(pet)).set(pets::primary_owner_id.eq(to)).execute(connection).await?;
        diesel::insert_into(pet_co_owners::table)
            .values((pet_co_owners::pet_id.eq(pet), pet_co_owners::user_id.eq(principal.user_id)))
            .execute(connection)
            .await?;
        ::jobs::publish(connection, &PetTransferred { pet_id: pet, from: principal.user_id, to }).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "pet.transferred", "pet", pet)
            .with_changes(json!({ "primary_owner_id": platform::audit::change(principal.user_id, to) }));
        audit::record(connection, entry).await
    })
    .await
}
