DROP TABLE pet_reminders;
DROP TABLE health_record_addenda;
DROP TABLE health_records;
DROP TABLE pet_weights;
DROP TABLE pet_care;
DROP TABLE pet_invitations;
DROP TABLE pet_co_owners;
DROP TABLE pets;
