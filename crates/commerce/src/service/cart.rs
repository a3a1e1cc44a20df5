//! Carts: one per owner and clinic, kept in the database. A line remembers
//! the price the owner agreed to when they last set it; the cart shows,
//! line by line, what changed since (price, stock, withdrawal), and checkout
//! refuses until the owner has seen it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, PetId, Principal, ProductId, UserId, Valid};
use rust_decimal::Decimal;
use serde_json::json;

use crate::Settings;
use crate::api::{CartLineUpdate, CartLineView, CartView, LineIssue};
use crate::models::{CartLine, Product};
use crate::service::catalog::found;
use db::schema::{commerce_cart_lines, commerce_products};

/// The caller's cart at the clinic (empty when they have none).
pub async fn get(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<CartView> {
    let clinic = clinics::scheduling::clinic(connection, clinic).await?;
    let lines = lines(connection, principal.user_id, clinic.id).await?;
    let subtotal = lines.iter().map(|(line, product)| product.price * Decimal::from(line.quantity)).sum();
    Ok(CartView {
        clinic_id: clinic.id,
        currency: clinic.currency,
        lines: lines.into_iter().map(|(line, product)| line_view(line, product)).collect(),
        subtotal,
    })
}

/// Sets how many units of a product the cart holds, at today's price (the
/// owner agrees to it by setting the line). A prescription product names
/// the caller's pet it is for.
pub async fn put_line(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    clinic: ClinicId,
    product: ProductId,
    update: &Valid<CartLineUpdate>,
    now: DateTime<Utc>,
) -> kernel::Result<CartView> {
    let clinic = clinics::scheduling::bookable_clinic(connection, clinic).await?;
    let product = found(connection, product).await?;
    if product.clinic_id != clinic.id || !product.is_active {
        return Err(kernel::Error::NotFound { resource: "product" });
    }
    if let Some(pet) = update.pet_id {
        owned_pet(connection, principal, pet).await?;
    } else if product.prescription_required {
        return Err(kernel::Error::invalid_field(
            "pet_id",
            "this product needs a prescription: name the pet it is for",
        ));
    }
    if let Some(available) = product.available().filter(|available| *available < update.quantity) {
        return Err(kernel::Error::Conflict {
            message: format!("only {available} in stock"),
            details: json!({ "product_id": product.id, "available": available }),
        });
    }
    db::transaction(connection, async |connection| {
        let held: i64 = commerce_cart_lines::table
            .filter(commerce_cart_lines::owner_id.eq(principal.user_id))
            .filter(commerce_cart_lines::clinic_id.eq(clinic.id))
            .filter(commerce_cart_lines::product_id.ne(product.id))
            .count()
            .get_result(connection)
            .await?;
        if held >= settings.max_cart_lines {
            return Err(kernel::Error::invalid_field(
                "product_id",
                format!("a cart holds at most {} products", settings.max_cart_lines),
            ));
        }
        let line = CartLine {
            owner_id: principal.user_id,
            product_id: product.id,
            clinic_id: clinic.id,
            pet_id: update.pet_id,
            quantity: update.quantity,
            unit_price: product.price,
            added_at: now,
        };
        diesel::insert_into(commerce_cart_lines::table)
            .values(&line)
            .on_conflict((commerce_cart_lines::owner_id, commerce_cart_lines::product_id))
            .do_update()
            .set((
                commerce_cart_lines::pet_id.eq(excluded(commerce_cart_lines::pet_id)),
                commerce_cart_lines::quantity.eq(excluded(commerce_cart_lines::quantity)),
                commerce_cart_lines::unit_price.eq(excluded(commerce_cart_lines::unit_price)),
            ))
            .execute(connection)
            .await?;
        Ok(())
    })
    .await?;
    get(connection, principal, clinic.id).await
}

/// Takes a product out of the caller's cart.
pub async fn remove_line(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    product: ProductId,
) -> kernel::Result<CartView> {
    let removed = diesel::delete(
        commerce_cart_lines::table
            .filter(commerce_cart_lines::owner_id.eq(principal.user_id))
            .filter(commerce_cart_lines::clinic_id.eq(clinic))
            .filter(commerce_cart_lines::product_id.eq(product)),
    )
    .execute(connection)
    .await?;
    if removed == 0 {
        return Err(kernel::Error::NotFound { resource: "cart line" });
    }
    get(connection, principal, clinic).await
}

/// The owner's cart lines at the clinic with their products, oldest first.
pub async fn lines(
    connection: &mut AsyncPgConnection,
    owner: UserId,
    clinic: ClinicId,
) -> kernel::Result<Vec<(CartLine, Product)>> {
    Ok(commerce_cart_lines::table
        .inner_join(commerce_products::table)
        .filter(commerce_cart_lines::owner_id.eq(owner))
        .filter(commerce_cart_lines::clinic_id.eq(clinic))
        .order((commerce_cart_lines::added_at, commerce_cart_lines::product_id))
        .select((CartLine::as_select(), Product::as_select()))
        .load(connection)
        .await?)
}

/// Locks the owner's cart lines at the clinic until the transaction ends
/// (checkout): a second checkout of the same cart waits, then finds it empty.
pub async fn lock(connection: &mut AsyncPgConnection, owner: UserId, clinic: ClinicId) -> kernel::Result<()> {
    commerce_cart_lines::table
        .filter(commerce_cart_lines::owner_id.eq(owner))
        .filter(commerce_cart_lines::clinic_id.eq(clinic))
        .select(commerce_cart_lines::product_id)
        .for_update()
        .load::<ProductId>(connection)
        .await?;
    Ok(())
}

/// Empties the owner's cart at the clinic (after checkout).
pub async fn clear(connection: &mut AsyncPgConnection, owner: UserId, clinic: ClinicId) -> kernel::Result<()> {
    diesel::delete(
        commerce_cart_lines::table
            .filter(commerce_cart_lines::owner_id.eq(owner))
            .filter(commerce_cart_lines::clinic_id.eq(clinic)),
    )
    .execute(connection)
    .await?;
    Ok(())
}

/// What stands in the way of checking a line out, if anything.
pub fn issue(line: &CartLine, product: &Product) -> Option<LineIssue> {
    if !product.is_active {
        Some(LineIssue::Unavailable)
    } else if product.price != line.unit_price {
        Some(LineIssue::PriceChanged)
    } else if product.available().is_some_and(|available| available < line.quantity) {
        Some(LineIssue::OutOfStock)
    } else {
        None
    }
}

/// `NotFound` unless the caller is an owner of the pet.
pub(crate) async fn owned_pet(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
) -> kernel::Result<()> {
    let (_, access) = pets::access::resolve(connection, principal, pet).await?;
    if access.is_owner() { Ok(()) } else { Err(kernel::Error::NotFound { resource: "pet" }) }
}

fn line_view(line: CartLine, product: Product) -> CartLineView {
    CartLineView {
        issue: issue(&line, &product),
        available: product.available(),
        product_id: product.id,
        sku: product.sku,
        name: product.name,
        quantity: line.quantity,
        pet_id: line.pet_id,
        agreed_price: line.unit_price,
        price: product.price,
        prescription_required: product.prescription_required,
        added_at: line.added_at,
    }
}
