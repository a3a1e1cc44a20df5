//! The shop's search: products on sale, by words (the full-text index over
//! name, SKU, drug and description) and filters, newest first, a page at a
//! time.

use std::collections::HashMap;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Page, PageRequest, Species, Valid};

use crate::api::{ProductSearch, ProductView};
use crate::models::Product;
use crate::service::catalog::{subtree, view};
use db::schema::commerce_products;

/// The products on sale matching `search`.
pub async fn products(
    connection: &mut AsyncPgConnection,
    search: &Valid<ProductSearch>,
    page: &PageRequest,
) -> kernel::Result<Page<ProductView>> {
    let mut query = commerce_products::table
        .filter(commerce_products::is_active.eq(true))
        .order(commerce_products::id.desc())
        .limit(page.fetch_limit())
        .select(Product::as_select())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(commerce_products::id.lt(after));
    }
    if let Some(words) = search.q.as_deref() {
        query = query.filter(
            sql::<Bool>("commerce_products.search @@ websearch_to_tsquery('simple', ").bind::<Text, _>(words).sql(")"),
        );
    }
    if let Some(clinic) = search.clinic_id {
        query = query.filter(commerce_products::clinic_id.eq(clinic));
    }
    if let Some(category) = search.category {
        let categories = subtree(connection, category).await?;
        query = query.filter(commerce_products::category_id.eq_any(categories));
    }
    if let Some(species) = search.species {
        query = query.filter(
            commerce_products::species.contains(vec![species]).or(commerce_products::species.eq(Vec::<Species>::new())),
        );
    }
    if let Some(least) = search.min_price {
        query = query.filter(commerce_products::price.ge(least));
    }
    if let Some(most) = search.max_price {
        query = query.filter(commerce_products::price.le(most));
    }
    if search.in_stock == Some(true) {
        query = query.filter(commerce_products::track_stock.eq(false).or(commerce_products::stock_quantity.gt(0)));
    }
    let rows = query.load(connection).await?;
    let mut clinics: Vec<_> = rows.iter().map(|product| product.clinic_id).collect();
    clinics.sort_unstable();
    clinics.dedup();
    let currencies: HashMap<_, _> = clinics::scheduling::clinics_by_id(connection, &clinics)
        .await?
        .into_iter()
        .map(|clinic| (clinic.id, clinic.currency))
        .collect();
    Ok(Page::from_rows(rows, page, |product| product.id.0).map(|product| {
        let currency = currencies.get(&product.clinic_id).cloned().unwrap_or_default();
        view(product, currency)
    }))
}
