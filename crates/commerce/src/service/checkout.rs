//! Checkout: the owner's cart at a clinic becomes an order, in one
//! transaction, or nothing changes.
//!
//! 0. The cart's lines are locked first: two checkouts of one cart (two
//!    keys, a double click) queue, and the second finds it emptied (422).
//! 1. Prescription products: each needs, for the pet its line names, a
//!    refill of a current prescription ([`refills`]); otherwise 422 naming
//!    the line.
//! 2. Prices and withdrawals: a line whose price changed since the owner
//!    set it, or whose product is off sale, is 409 with every such line.
//! 3. A line for a pet whose wellness plan at the clinic is active gets the
//!    plan's discount ([`benefits`]).
//! 4. The order is placed ([`placing`]: its payment, its deadline, its stock,
//!    taken last), the owner told, the cart emptied.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;
use kernel::{ClinicId, Principal, RecordId, Valid};
use serde_json::json;

use crate::Settings;
use crate::api::{Checkout, LineIssue, OrderView, ProviderName};
use crate::models::{CartLine, Product};
use crate::money;
use crate::service::placing::{self, NewLine, NewOrder, refused, refused_line};
use crate::service::{benefits, cart, messages, orders, refills};

/// Places the caller's cart at `clinic` as an order (see the module).
pub async fn checkout(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    clinic: ClinicId,
    request: &Valid<Checkout>,
    now: DateTime<Utc>,
) -> kernel::Result<OrderView> {
    let clinic = clinics::scheduling::bookable_clinic(connection, clinic).await?;
    let order = db::transaction(connection, async |connection| {
        cart::lock(connection, principal.user_id, clinic.id).await?;
        let lines = cart::lines(connection, principal.user_id, clinic.id).await?;
        if lines.is_empty() {
            return Err(kernel::Error::invalid_field("cart", "is empty"));
        }
        let today = clinics::schedule::local_date(clinic.zone, now);
        let mut prescriptions = Vec::with_capacity(lines.len());
        for (line, product) in &lines {
            prescriptions.push(prescription(connection, principal, line, product, today).await?);
        }
        let changed: Vec<_> = lines
            .iter()
            .filter_map(|(line, product)| {
                let issue = cart::issue(line, product).filter(|issue| *issue != LineIssue::OutOfStock)?;
                Some(refused_line(product, issue, product.available()))
            })
            .collect();
        if !changed.is_empty() {
            return Err(refused("some lines changed since they were added: review the cart", &changed));
        }
        let mut new_lines = Vec::with_capacity(lines.len());
        for ((line, product), prescription_id) in lines.iter().zip(prescriptions) {
            let discount = match line.pet_id {
                Some(pet) => benefits::discount(connection, pet, clinic.id).await?,
                None => 0,
            };
            new_lines.push(NewLine {
                product_id: Some(product.id),
                track_stock: product.track_stock,
                pet_id: line.pet_id,
                prescription_id,
                sku: product.sku.clone(),
                name: product.name.clone(),
                quantity: line.quantity,
                unit_price: money::discounted(line.unit_price, discount),
                tax_class: product.tax_class,
            });
        }
        let new_order = NewOrder {
            owner: principal.user_id,
            lines: new_lines,
            fulfilment: request.fulfilment,
            shipping_address: request.shipping_address.as_ref().map(|address| json!(address)),
            note: request.note.clone(),
            pay_by: now + hold(settings),
        };
        let order = placing::place(connection, settings, &clinic, new_order, now).await?;
        cart::clear(connection, principal.user_id, clinic.id).await?;
        let by = order.pay_by.with_timezone(&clinic.zone).format("%a %-d %b %Y, %H:%M");
        let pay = match settings.payments {
            ProviderName::Offline => format!("Pay at {} by {by}.", clinic.name),
            ProviderName::Stripe => format!("Complete the payment in the app by {by}."),
        };
        let total = messages::money(order.total, &order.currency);
        let details = format!("Your order of {total} is placed. {pay} {}", orders::next_step(&order, &clinic));
        messages::tell_owner(connection, &clinic, &order, "Order placed", details).await?;
        Ok(order)
    })
    .await?;
    orders::view(connection, order).await
}

/// How long an unpaid order holds its stock: paying at the clinic takes a
/// visit, paying online a few minutes.
pub(crate) fn hold(settings: &Settings) -> Duration {
    match settings.payments {
        ProviderName::Offline => Duration::hours(settings.offline_hold_hours),
        ProviderName::Stripe => Duration::minutes(settings.online_hold_minutes),
    }
}

/// The prescription a line uses: `None` for a product that needs none;
/// 422 naming the line when no current one has a refill left.
async fn prescription(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    line: &CartLine,
    product: &Product,
    today: chrono::NaiveDate,
) -> kernel::Result<Option<RecordId>> {
    let Some(drug) = product.prescription_drug() else { return Ok(None) };
    let field = format!("lines.{}", product.id);
    let Some(pet) = line.pet_id else {
        return Err(kernel::Error::invalid_field(field, "needs a prescription: name the pet it is for"));
    };
    cart::owned_pet(connection, principal, pet).await?;
    if let Some(refill) = refills::next(connection, pet, product.clinic_id, drug, today).await? {
        return Ok(Some(refill.prescription_id));
    }
    Err(refills::missing(field, &product.name, drug))
}
