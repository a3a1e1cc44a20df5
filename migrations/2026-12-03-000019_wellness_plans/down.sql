DROP TABLE commerce_autoships;
DROP TABLE commerce_plan_usage;
DROP TABLE commerce_plan_charges;
DROP TABLE commerce_plan_enrollments;
DROP TABLE commerce_plan_services;
DROP TABLE commerce_plans;
