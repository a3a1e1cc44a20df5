-- Arrays the application reads as lists of values never hold NULL elements;
-- saying so lets the generated schema (crates/db/src/schema.patch) type them
-- as `Array<Text>`, and a stray NULL is refused on write, not on read.
ALTER TABLE appointments ADD CONSTRAINT appointments_reminders_sent_check
    CHECK (array_position(reminders_sent, NULL) IS NULL);
ALTER TABLE clinic_services ADD CONSTRAINT clinic_services_species_check
    CHECK (array_position(species, NULL) IS NULL);
ALTER TABLE clinics ADD CONSTRAINT clinics_rating_distribution_check
    CHECK (array_position(rating_distribution, NULL) IS NULL);
ALTER TABLE vets ADD CONSTRAINT vets_specialties_check CHECK (array_position(specialties, NULL) IS NULL);
ALTER TABLE vets ADD CONSTRAINT vets_languages_check CHECK (array_position(languages, NULL) IS NULL);
ALTER TABLE pet_reminders ADD CONSTRAINT pet_reminders_sent_stages_check
    CHECK (array_position(sent_stages, NULL) IS NULL);
