//! Commerce: a clinic sells food, medication and services to owners, online
//! and at the counter, and is paid.
//!
//! - [`service::catalog`]: the platform's category tree and each clinic's
//!   products (SKU unique per clinic, price before tax, tax class,
//!   prescription rule, stock counted or not, a picture through `media`);
//!   [`service::search`]: the shop's full-text search with filters;
//!   [`service::tax`]: each clinic's rate per tax class;
//! - [`service::stock`]: adjustments with a reason, the units orders take
//!   and give back, the low-stock notice to the clinic's admins;
//! - [`service::cart`]: one cart per owner and clinic, each line with the
//!   price the owner agreed to and what changed since;
//! - [`service::checkout`]: the cart becomes an order in one transaction,
//!   never selling a unit twice, prescription products only with a current
//!   prescription with a refill left, priced by the one rule in [`money`];
//! - [`payments`]: who takes the money, behind one trait: `offline` (the
//!   clinic's desk records it; the default) or Stripe (PaymentIntents,
//!   signed webhooks: [`service::payments`]); [`service::refunds`]: never
//!   more than was received, even asked at once;
//! - [`service::orders`]: payment at the clinic, fulfilment, delivery,
//!   cancellation; [`jobs::ExpireOrder`] cancels what is unpaid at `pay_by`.
//!
//! - [`service::invoices`]: one issued with each paid order, a draft for
//!   each completed visit ([`jobs::DraftVisitInvoice`]), numbered per clinic
//!   without gaps, final once issued (credit notes correct them), as PDF
//!   ([`pdf`]) stored through `media` and emailed to the owner
//!   ([`service::documents`], [`jobs::SendInvoice`]).
//!
//! - [`service::plans`]: a clinic's wellness plans; [`service::enrollments`]:
//!   a pet's plan, paid period by period through orders;
//!   [`service::renewals`]: the daily renewals with retries, grace and
//!   suspension; [`service::benefits`]: included services and discounts;
//!   [`service::autoship`]: repeat orders, prescription-gated.
//!
//! - [`service::reports`]: a clinic's sales and refunds over a range of days
//!   as CSV, built by a job, downloaded through a signed link.
//!
//! Who sees an order is decided once, in [`access`]: everyone else gets 404.
//! [`personal_data::PersonalData`]: a person's carts and orders, exported and
//! erased. [`routes`] mounts the HTTP API; [`worker_options`] adds the job.

pub mod access;
pub mod api;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod money;
pub mod payments;
pub mod pdf;
pub mod personal_data;
pub mod service;
mod settings;

use actix_web::web;
use platform::Routes;
pub use settings::Settings;

/// Adds the unpaid orders' deadline, the visits' draft invoices, the issued
/// invoices' PDFs and the sales reports (both stored in `uploads`), and the
/// daily plan renewals (charged through `payments`) and repeat orders to a
/// worker.
pub fn worker_options(
    options: graphile_worker::WorkerOptions,
    settings: &Settings,
    payments: &payments::Payments,
    uploads: &media::Uploads,
) -> anyhow::Result<graphile_worker::WorkerOptions> {
    Ok(options
        .define_job::<jobs::ExpireOrder>()
        .define_job::<jobs::DraftVisitInvoice>()
        .define_job::<jobs::SendInvoice>()
        .define_job::<jobs::BuildSalesReport>()
        .define_job::<jobs::RenewPlans>()
        .with_cron(jobs::RenewPlans::CRONTAB)?
        .define_job::<jobs::RunAutoships>()
        .with_cron(jobs::RunAutoships::CRONTAB)?
        .add_extension(settings.clone())
        .add_extension(payments.clone())
        .add_extension(uploads.clone()))
}

/// Mounts the commerce endpoints: orders are paid through `payments`,
/// product pictures come from `uploads`.
pub fn routes(routes: &mut Routes, settings: &Settings, payments: &payments::Payments, uploads: &media::Uploads) {
    use handlers::{autoship, cart, catalog, invoices, orders, payments as paying, plans, reports, stock};
    routes
        .app_data(web::Data::new(settings.clone()))
        .app_data(web::Data::new(payments.clone()))
        .app_data(web::Data::new(uploads.clone()))
        .service(catalog::list_categories)
        .service(catalog::add_category)
        .service(catalog::search_products)
        .service(catalog::get_product)
        .service(catalog::get_product_image)
        .service(catalog::clinic_products)
        .service(catalog::add_product)
        .service(catalog::update_product)
        .service(catalog::set_product_image)
        .service(catalog::tax_rates)
        .service(catalog::set_tax_rate)
        .service(stock::adjust_stock)
        .service(stock::stock_movements)
        .service(cart::get_cart)
        .service(cart::put_cart_line)
        .service(cart::remove_cart_line)
        .service(cart::check_out)
        .service(orders::my_orders)
        .service(orders::get_order)
        .service(orders::cancel_order)
        .service(orders::clinic_orders)
        .service(orders::record_payment)
        .service(orders::fulfil_order)
        .service(orders::deliver_order)
        .service(orders::cancel_clinic_order)
        .service(paying::pay_order)
        .service(paying::refund_order)
        .service(invoices::my_invoices)
        .service(invoices::get_invoice)
        .service(invoices::invoice_pdf)
        .service(invoices::clinic_invoices)
        .service(invoices::set_invoice_lines)
        .service(invoices::issue_invoice)
        .service(invoices::credit_invoice)
        .service(reports::request_sales_report)
        .service(reports::get_sales_report)
        .service(plans::plans_overview)
        .service(plans::clinic_plans)
        .service(plans::add_plan)
        .service(plans::update_plan)
        .service(plans::get_pet_plan)
        .service(plans::enroll_pet)
        .service(plans::change_pet_plan)
        .service(plans::cancel_pet_plan)
        .service(autoship::my_autoships)
        .service(autoship::create_autoship)
        .service(autoship::get_autoship)
        .service(autoship::stop_autoship)
        .outside_api(paying::stripe_webhook);
}
