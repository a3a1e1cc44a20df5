DROP TABLE push_devices;
DROP TABLE notification_quiet_hours;
DROP TABLE notification_preferences;
DROP TABLE notification_deliveries;
DROP TABLE notifications;
