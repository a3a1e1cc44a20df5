ALTER TABLE pet_reminders DROP CONSTRAINT pet_reminders_sent_stages_check;
ALTER TABLE vets DROP CONSTRAINT vets_languages_check;
ALTER TABLE vets DROP CONSTRAINT vets_specialties_check;
ALTER TABLE clinics DROP CONSTRAINT clinics_rating_distribution_check;
ALTER TABLE clinic_services DROP CONSTRAINT clinic_services_species_check;
ALTER TABLE appointments DROP CONSTRAINT appointments_reminders_sent_check;
