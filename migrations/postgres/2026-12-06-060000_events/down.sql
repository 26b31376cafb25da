DROP TABLE target_achievements;
DROP TABLE events;
