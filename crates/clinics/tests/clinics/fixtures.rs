//! The App over the clinics routes (and uploads); the scene builders are
//! `testkit::fixtures`.

use testkit::TestApp;

pub use testkit::fixtures::{admin, clinic, clinic_profile as profile, staff};

/// A server over the clinics and media routes.
pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

/// The server with adjusted clinic settings.
pub async fn app_with(adjust: impl FnOnce(&mut clinics::Settings)) -> TestApp {
    TestApp::spawn(|config| {
        let uploads = media::Uploads::from_settings(config.section().unwrap()).unwrap();
        let mut settings: clinics::Settings = config.section().unwrap();
        adjust(&mut settings);
        move |routes: &mut platform::Routes| {
            clinics::routes(routes, &settings, &uploads);
            media::routes(routes, &uploads);
        }
    })
    .await
}
