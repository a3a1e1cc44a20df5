DROP TRIGGER pet_weights_current ON pet_weights;
DROP FUNCTION pets_keep_current_weight();
ALTER TABLE pets DROP COLUMN current_weight_kg;
