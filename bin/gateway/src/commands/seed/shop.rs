//! Each clinic's shop: the platform's category tree (made by its admin),
//! and at each clinic, by its admin, the tax rates and a few products with
//! stock received, one of them sold only on a prescription, and a yearly dog
//! wellness plan.

use diesel_async::AsyncPgConnection;
use kernel::{CategoryId, Principal, Species, Valid};
use rust_decimal::Decimal;

use super::Explain;
use super::cast::{Cast, PLATFORM_ADMIN};
use super::clinics::Clinic;
use commerce::api::{
    BillingPeriod, CategoryDraft, IncludedService, PlanRequest, ProductDraft, StockAdjustment, StockReason, TaxClass,
    TaxRateUpdate,
};

/// A product every seeded clinic sells: SKU, name, category, species,
/// price, tax class, the drug its prescription names, units received.
struct Item {
    sku: &'static str,
    name: &'static str,
    category: &'static str,
    species: &'static [Species],
    price: &'static str,
    tax_class: TaxClass,
    drug: Option<&'static str>,
    stock: i32,
}

/// The categories: (name, parent).
const CATEGORIES: &[(&str, Option<&str>)] = &[
    ("Food", None),
    ("Dry food", Some("Food")),
    ("Treats", Some("Food")),
    ("Care", None),
    ("Parasite control", Some("Care")),
    ("Medication", None),
];

const ITEMS: &[Item] = &[
    Item {
        sku: "FOOD-DOG-ADULT",
        name: "Adult dog kibble, chicken and rice, 12 kg",
        category: "Dry food",
        species: &[Species::Dog],
        price: "54.90",
        tax_class: TaxClass::Reduced,
        drug: None,
        stock: 24,
    },
    Item {
        sku: "FOOD-CAT-INDOOR",
        name: "Indoor cat kibble, salmon, 4 kg",
        category: "Dry food",
        species: &[Species::Cat],
        price: "29.50",
        tax_class: TaxClass::Reduced,
        drug: None,
        stock: 18,
    },
    Item {
        sku: "TREAT-DENTAL",
        name: "Dental chews, 28 sticks",
        category: "Treats",
        species: &[Species::Dog],
        price: "12.90",
        tax_class: TaxClass::Reduced,
        drug: None,
        stock: 40,
    },
    Item {
        sku: "CARE-FLEA-SPOT",
        name: "Flea and tick spot-on, 3 pipettes",
        category: "Parasite control",
        species: &[],
        price: "24.00",
        tax_class: TaxClass::Standard,
        drug: None,
        stock: 3,
    },
    Item {
        sku: "RX-CARPROFEN-50",
        name: "Carprofen 50 mg, 30 tablets",
        category: "Medication",
        species: &[Species::Dog],
        price: "19.90",
        tax_class: TaxClass::Standard,
        drug: Some("Carprofen"),
        stock: 12,
    },
];

/// Builds the shops; how many products.
pub async fn build(connection: &mut AsyncPgConnection, cast: &Cast, clinics: &[Clinic]) -> anyhow::Result<usize> {
    let admin = cast.principal(PLATFORM_ADMIN)?;
    let mut categories: Vec<(&str, CategoryId)> = Vec::new();
    for (name, parent) in CATEGORIES {
        let parent_id =
            parent.and_then(|parent| categories.iter().find(|(known, _)| *known == parent).map(|(_, id)| *id));
        let draft = Valid::new(CategoryDraft { name: (*name).to_owned(), parent_id })
            .explain(|| format!("the category {name}"))?;
        let made = commerce::service::catalog::add_category(connection, &admin, &draft)
            .await
            .explain(|| format!("add the category {name}"))?;
        categories.push((name, made.id));
    }
    let mut products = 0;
    for clinic in clinics {
        let manager = cast.principal(clinic.spec.admin)?;
        for (class, rate) in [(TaxClass::Standard, "0.2"), (TaxClass::Reduced, "0.055")] {
            let update = Valid::new(TaxRateUpdate { rate: rate.parse()? }).explain(|| "a tax rate".into())?;
            commerce::service::tax::set_rate(connection, &manager, clinic.id, class, &update)
                .await
                .explain(|| format!("set the tax rates of {}", clinic.spec.name))?;
        }
        for item in ITEMS {
            add(connection, &manager, clinic, item, &categories).await?;
            products += 1;
        }
        add_plan(connection, &manager, clinic).await?;
    }
    Ok(products)
}

/// A yearly dog wellness plan: two vaccinations included, 10% off the rest,
/// for four vaccinations' price.
async fn add_plan(connection: &mut AsyncPgConnection, manager: &Principal, clinic: &Clinic) -> anyhow::Result<()> {
    let Ok((vaccination, spec)) = clinic.service("Vaccination") else { return Ok(()) };
    let request = Valid::new(PlanRequest {
        species: Species::Dog,
        name: "Dog wellness".to_owned(),
        description: "Two vaccinations a year and 10% off food, medication and other visits.".to_owned(),
        billing_period: BillingPeriod::Year,
        price: spec.price.parse::<Decimal>()? * Decimal::from(4),
        enrollment_fee: Decimal::ZERO,
        discount_percent: 10,
        minimum_periods: 1,
        included: vec![IncludedService { service_id: vaccination, per_period: 2 }],
        is_active: true,
    })
    .explain(|| "the wellness plan".into())?;
    commerce::service::plans::add(connection, manager, clinic.id, &request)
        .await
        .explain(|| format!("add the wellness plan of {}", clinic.spec.name))?;
    Ok(())
}

async fn add(
    connection: &mut AsyncPgConnection,
    manager: &Principal,
    clinic: &Clinic,
    item: &Item,
    categories: &[(&str, CategoryId)],
) -> anyhow::Result<()> {
    let draft = Valid::new(ProductDraft {
        sku: item.sku.to_owned(),
        name: item.name.to_owned(),
        description: String::new(),
        category_id: categories.iter().find(|(name, _)| *name == item.category).map(|(_, id)| *id),
        species: item.species.to_vec(),
        price: item.price.parse::<Decimal>()?,
        tax_class: item.tax_class,
        prescription_required: item.drug.is_some(),
        drug: item.drug.map(str::to_owned),
        track_stock: true,
        low_stock_threshold: 5,
        is_active: true,
    })
    .explain(|| format!("the product {}", item.sku))?;
    let product = commerce::service::catalog::add_product(connection, manager, clinic.id, &draft)
        .await
        .explain(|| format!("add {} at {}", item.sku, clinic.spec.name))?;
    let received = Valid::new(StockAdjustment { change: item.stock, reason: StockReason::Received, note: None })
        .explain(|| "a stock delivery".into())?;
    commerce::service::stock::adjust(connection, manager, clinic.id, product.id, &received, chrono::Utc::now())
        .await
        .explain(|| format!("receive {} at {}", item.sku, clinic.spec.name))?;
    Ok(())
}
