DROP TABLE brake_events;
