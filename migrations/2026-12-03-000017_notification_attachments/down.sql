DROP TABLE notification_attachments;
